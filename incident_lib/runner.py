"""Running notebooks headlessly with papermill: parameters checked first, outputs written whole.

A run writes `<name>.ipynb` (the executed notebook) and `<name>.html` (an export without code cells)
into the output folder. Both are written in a temporary folder beside it and moved in at the end,
so an interrupted run leaves nothing that looks complete.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from incident_lib.errors import InputError


class NotebookFailed(Exception):
    """A cell raised: the executed notebook, with the error in it, is kept at `path`."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class RunOutputs:
    notebook: Path
    html: Path


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters a notebook declares (name → inferred type, default, help), via papermill."""
    import papermill

    _check_notebook(notebook)
    return papermill.inspect_notebook(str(notebook))


def coerce_parameters(notebook: Path, raw: list[tuple[str, str]]) -> dict[str, object]:
    """Parameters from the command line, converted to the type of each default; unknown names refused."""
    declared = notebook_parameters(notebook)
    values: dict[str, object] = {}
    for name, text in raw:
        if name not in declared:
            raise InputError(
                f"{notebook.name} has no parameter {name!r}; its parameters: {', '.join(declared)}"
            )
        values[name] = _convert(name, text, declared[name]["inferred_type_name"])
    return values


def _convert(name: str, text: str, type_name: str) -> object:
    try:
        if type_name == "int":
            return int(text)
        if type_name == "float":
            return float(text)
        if type_name == "bool":
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return text.lower() in ("true", "1", "yes")
        if type_name.startswith(("list", "dict")):
            value = json.loads(text)
            if not isinstance(value, list | dict):
                raise ValueError(text)
            return value
    except (ValueError, json.JSONDecodeError):
        raise InputError(f"parameter {name} expects {type_name}, got {text!r}") from None
    return text


def run_notebook(
    notebook: Path, parameters: dict[str, object], out_dir: Path, name: str | None = None
) -> RunOutputs:
    """Execute `notebook` with `parameters` (kernel cwd: the notebook's folder) and export it to HTML."""
    import papermill

    _check_notebook(notebook)
    name = name or notebook.stem
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".incident-lab-", dir=out_dir) as tmp:
        executed = Path(tmp) / f"{name}.ipynb"
        try:
            papermill.execute_notebook(
                str(notebook),
                str(executed),
                parameters=parameters,
                cwd=str(notebook.parent),
                progress_bar=True,
            )
        except papermill.PapermillExecutionError as exc:
            kept = out_dir / f"{name}.failed.ipynb"
            shutil.move(executed, kept)
            raise NotebookFailed(
                f"{notebook.name}: cell {exc.exec_count} raised {exc.ename}: {exc.evalue}", kept
            ) from None
        html = Path(tmp) / f"{name}.html"
        html.write_text(_html(executed), encoding="utf-8")
        return RunOutputs(
            notebook=Path(shutil.move(executed, out_dir / executed.name)),
            html=Path(shutil.move(html, out_dir / html.name)),
        )


def _html(executed: Path) -> str:
    """The executed notebook as a report: outputs and narrative, no code cells."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    return body


def _check_notebook(notebook: Path) -> None:
    if not notebook.is_file():
        raise InputError(f"notebook not found: {notebook}")
    if notebook.suffix != ".ipynb":
        raise InputError(f"not a notebook (expected .ipynb): {notebook}")
