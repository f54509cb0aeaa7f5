"""Running notebooks headlessly with papermill: parameters checked first, each run in a folder of its own.

A run of `sweep.ipynb` writes `<root>/sweep/<UTC timestamp>/` (e.g. `20251217T100500Z`, with `-2`,
`-3`… when that folder exists already: a run never overwrites another) holding

- `sweep.ipynb`   the executed notebook, outputs included;
- `sweep.html`    the report: narrative and outputs, no code cells;
- `findings.json` the findings the notebook handed over (see `incident_lib.report.findings`), with
                  the notebook and the parameters it ran with;
- whatever the notebook itself wrote into `output_dir` (postmortem.md and its figures…).

The folder is claimed with one `mkdir` (two runs in the same second get two folders). The executed
notebook grows under a hidden name while the kernel runs and `findings.json` is written last, so a
folder without `findings.json` is a run that did not finish. When a cell raises, the executed notebook,
error included, is kept as `<name>.failed.ipynb`; a cell that refuses its input (an `InputError`: a bundle
that does not read, a name it does not hold) is the same one-line error as the CLI's, exit 2.

Parameters are checked against the notebook's `parameters` cell before a kernel starts: an unknown
name or a value of the wrong type is an `InputError` that lists the parameters the notebook takes, and
what the project's parameter names mean is checked too (`parameter_meanings`).
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from incident_lib.errors import InputError
from incident_lib.parameter_meanings import check_meanings
from incident_lib.sources.open import LIVE

OUTPUT_DIR = "output_dir"  # a parameter the runner sets, when a notebook declares it, to the run's folder
PATH_PARAMETERS = (
    "source",
    "values_file",
)  # relative paths given by a user are relative to where they ran the command
KERNEL_LOG = ".kernel.log"  # the kernel's stderr while it runs; kept as kernel.log if a run fails
INPUT_ERRORS = ("InputError", "NotFound")  # incident_lib.errors' classes, as a cell's traceback names them
REPORT_HIDE = "report-hide"  # a notebook cell's tag: kept in the notebook (nbval), left out of the HTML
TEMPLATES = Path(__file__).parent / "report" / "templates"  # nbconvert templates of the HTML reports
SOCKET_PATH_MAX = 100  # bytes of a Unix socket path: 108 on Linux, 104 on macOS, a margin kept


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run: what was executed so far is kept; the message says where."""


class NotebookFailed(Exception):
    """A cell raised: the executed notebook, with the error in it, is kept at `path`."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class RunOutputs:
    """Where one run's outputs are, the findings it produced, and how long the run took (kernel included)."""

    folder: Path
    notebook: Path
    html: Path
    findings: Path
    document: dict
    seconds: float


def notebook_parameters(notebook: Path) -> dict[str, dict]:
    """The parameters a notebook declares (name → inferred type, default, help), via papermill."""
    import papermill

    _check_notebook(notebook)
    return papermill.inspect_notebook(str(notebook))


def notebook_help(notebook: Path) -> str:
    """The parameters a notebook takes, with type, default and help, as `papermill --help-notebook`
    lists them; those the runner sets itself are marked."""
    lines = [f"Parameters of {notebook.name} (-p NAME VALUE):"]
    for name, p in notebook_parameters(notebook).items():
        set_by = "  (set by the runner: the run's folder)" if name == OUTPUT_DIR else ""
        lines.append(f"  {name}: {p['inferred_type_name']} = {p['default']}{set_by}")
        if p["help"]:
            lines.append(f"      {p['help']}")
    return "\n".join(lines)


def _signature(declared: dict[str, dict]) -> str:
    """`bundle: str, namespaces: list[str]`: the parameters an error about a value lists, on one line."""
    return ", ".join(f"{name}: {p['inferred_type_name']}" for name, p in declared.items())


def coerce_parameters(notebook: Path, raw: list[tuple[str, str]]) -> dict[str, object]:
    """Parameters from the command line, converted to the type of each default; unknown names refused."""
    declared = _settable(notebook_parameters(notebook))
    values: dict[str, object] = {}
    for name, text in raw:
        _known(notebook, declared, name)
        values[name] = _convert(name, text, declared[name]["inferred_type_name"], declared, notebook)
    return values


def validate_parameters(notebook: Path, values: dict[str, object]) -> dict[str, object]:
    """Check parameters given as Python values (the demo's, a test's) like the command line's; return them."""
    return _validated(notebook, _settable(notebook_parameters(notebook)), values)


def _validated(notebook: Path, declared: dict[str, dict], values: dict[str, object]) -> dict[str, object]:
    for name, value in values.items():
        _known(notebook, declared, name)
        type_name = declared[name]["inferred_type_name"]
        if not _has_type(value, type_name):
            raise InputError(
                f"parameter {name} expects {type_name}, got {type(value).__name__} {value!r}; "
                f"{notebook.name} takes: {_signature(declared)}"
            )
    return values


def resolve_paths(values: dict[str, object], base: Path) -> dict[str, object]:
    """Path parameters made absolute against `base` (the user's working directory): the kernel runs in
    the notebook's folder, so `-p source incidents/crash-loop` would otherwise mean notebooks/incidents/…
    `-p source live` (the cluster, not a path) is left as it is."""
    return {
        name: str((base / value).resolve())
        if name in PATH_PARAMETERS
        and isinstance(value, str)
        and value not in ("", LIVE)
        and not Path(value).is_absolute()
        else value
        for name, value in values.items()
    }


def _settable(declared: dict[str, dict]) -> dict[str, dict]:
    return {n: p for n, p in declared.items() if n != OUTPUT_DIR}


def _known(notebook: Path, declared: dict[str, dict], name: str) -> None:
    if name == OUTPUT_DIR:
        raise InputError(f"parameter {OUTPUT_DIR} is set by the runner (the run's folder); use --out")
    if name not in declared:
        raise InputError(
            f"{notebook.name} has no parameter {name!r}; its parameters: {', '.join(declared)} "
            f"(types and help: papermill --help-notebook {notebook})"
        )


_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def _has_type(value: object, type_name: str) -> bool:
    base = type_name.split("[", 1)[0].lower()
    if base not in _TYPES:
        return True  # an annotation papermill cannot name (None): nothing to check against
    if base in ("int", "float") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[base])


def _convert(name: str, text: str, type_name: str, declared: dict[str, dict], notebook: Path) -> object:
    base = type_name.split("[", 1)[0].lower()
    try:
        if base == "int":
            return int(text)
        if base == "float":
            return float(text)
        if base == "bool":
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return text.lower() in ("true", "1", "yes")
        if base == "list" and not text.lstrip().startswith("["):
            return [item.strip() for item in text.split(",") if item.strip()]  # `-p namespaces apps,default`
        if base in ("list", "dict"):
            value = json.loads(text)
            if not _has_type(value, base):
                raise ValueError(text)
            return value
    except (ValueError, json.JSONDecodeError):
        raise InputError(
            f"parameter {name} expects {type_name}, got {text!r}; "
            f"{notebook.name} takes: {_signature(declared)}"
        ) from None
    return text


def run_folder(root: Path, name: str, now: datetime | None = None) -> Path:
    """Claim `<root>/<name>/<UTC timestamp>[-n]/` for one run: created here, never one that exists."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    parent = root / name
    parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        folder = parent / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise InputError(f"{parent}: 999 runs in the same second; clean up the folder")


def run_notebook(
    notebook: Path,
    parameters: dict[str, object],
    root: Path,
    name: str | None = None,
    now: datetime | None = None,
) -> RunOutputs:
    """Execute `notebook` with `parameters` into a new folder under `root` (see the module docstring).

    The kernel's working directory is the notebook's folder, so the notebooks' relative defaults work.
    """
    import nbformat
    import papermill

    from incident_lib.report.findings import findings_document, handed_findings, write_findings

    declared = notebook_parameters(notebook)
    _validated(notebook, _settable(declared), parameters)
    defaults = {n: _default(p["default"]) for n, p in declared.items() if n != OUTPUT_DIR}
    effective = defaults | parameters
    check_meanings(parameters, effective)
    name = name or notebook.stem
    folder = run_folder(root, name, now)
    injected = dict(parameters)
    if OUTPUT_DIR in declared:
        injected[OUTPUT_DIR] = str(folder.resolve())
    partial = folder / f".{name}.partial.ipynb"
    kernel_log = folder / KERNEL_LOG
    started = time.perf_counter()
    try:
        with kernel_log.open("wb") as log:
            papermill.execute_notebook(
                str(notebook),
                str(partial),
                parameters=injected,
                cwd=str(notebook.parent),
                progress_bar=sys.stderr.isatty(),  # a bar on a terminal; nothing in cron's or CI's logs
                kernel_manager_class=_kernel_manager(log),
            )
    except KeyboardInterrupt:
        _keep_if_said(kernel_log)
        kept = partial.rename(folder / f"{name}.interrupted.ipynb") if partial.exists() else folder
        raise Interrupted(f"the executed notebook so far is kept: {kept}") from None
    except papermill.PapermillExecutionError as exc:
        _keep_if_said(kernel_log)
        kept = partial.rename(folder / f"{name}.failed.ipynb")
        if exc.ename in INPUT_ERRORS:  # the input is wrong, not the notebook: the CLI's one line, exit 2
            raise InputError(f"{exc.evalue} (executed notebook kept: {kept})") from None
        raise NotebookFailed(
            f"{notebook.name}: cell {exc.exec_count} raised {exc.ename}: {exc.evalue}", kept
        ) from None
    seconds = time.perf_counter() - started
    kernel_log.unlink()
    executed = partial.rename(folder / f"{name}.ipynb")
    node = nbformat.read(executed, as_version=4)
    handed = handed_findings(node)
    document = findings_document(handed, notebook.name, effective, now or datetime.now(UTC))
    html = folder / f"{name}.html"
    html.write_text(_html(node, report_header(notebook, document)), encoding="utf-8")
    findings = write_findings(document, folder / "findings.json")
    return RunOutputs(folder, executed, html, findings, document, seconds)


def _keep_if_said(kernel_log: Path) -> None:
    """The kernel's own log of a run that did not finish: kept as `kernel.log` when it says anything."""
    if kernel_log.stat().st_size:
        kernel_log.rename(kernel_log.with_name("kernel.log"))
    else:
        kernel_log.unlink()


def _kernel_manager(log) -> type:
    """A kernel manager whose kernel writes its own messages (shutdown noise, a ZMQ error on Ctrl-C)
    to `log` rather than to our stderr, whose sockets are files in Jupyter's runtime folder rather than
    loopback TCP ports: only this user can reach the kernel, and the kernel has no plain-TCP warning to
    print. Loopback TCP still when that folder cannot be made, or its path is too long for a socket's
    (about 100 bytes). The kernel runs in a session of its own (jupyter_client does so), so Ctrl-C
    reaches this process only, which stops the kernel."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    class LoggedKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
            await super()._async_launch_kernel(kernel_cmd, **{**kw, "stdout": log, "stderr": log})

    runtime = os.path.abspath(jupyter_runtime_dir())  # absolute: the kernel runs in the notebook's folder
    prefix = os.path.join(runtime, f"kernel-{uuid.uuid4().hex[:8]}")
    if len(prefix.encode()) + len("-65535") > SOCKET_PATH_MAX:
        return LoggedKernelManager
    try:
        os.makedirs(runtime, mode=0o700, exist_ok=True)
    except OSError:
        return LoggedKernelManager

    class IPCKernelManager(LoggedKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:  # the sockets' path prefix: "<prefix>-<n>" each
            return prefix

    return IPCKernelManager


def _default(text: str) -> object:
    """A declared default as a value (`"x"` → x, `[]` → []); the source text when it is not a literal."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def report_header(notebook: Path, document: dict) -> dict:
    """The title and facts above a run's HTML report: the notebook and its subject, the source, when the
    data was captured, the parameters and the rules behind the findings."""
    from importlib.metadata import version

    parameters = document["parameters"]
    rules = sorted({f["rule"] for f in document["findings"]})
    facts = [
        ("source", str(parameters.get("source", ""))),
        ("captured at", document.get("captured_at") or "not recorded"),
        ("parameters", ", ".join(f"{k}={v!r}" for k, v in parameters.items() if k != "source")),
        ("rules of the findings", ", ".join(rules) or "no finding"),
        ("incident-lib", version("incident-lib")),
    ]
    return {"title": f"{notebook.stem}: {_subject(parameters)}", "facts": facts}


def _subject(parameters: dict) -> str:
    """What a run is about, from its parameters: a pod, a namespace or some, else its source."""
    namespace = parameters.get("namespace")
    if parameters.get("pod"):
        return f"pod {namespace}/{parameters['pod']}"
    if parameters.get("namespaces"):
        return "namespaces " + ", ".join(parameters["namespaces"])
    if namespace:
        return f"namespace {namespace}"
    return Path(str(parameters.get("source", ""))).name or "every namespace"


def _html(node, header: dict) -> str:
    """The executed notebook as a report: outputs and narrative, no code cells, nothing fetched from a
    CDN, under a header naming the run (`report/templates/offline`)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # a cell tagged report-hide (the plain-text copy of what the report shows richly) stays out of it
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={REPORT_HIDE}), enabled=True)
    body, _ = exporter.from_notebook_node(
        node, resources={"metadata": {"name": header["title"]}, "incident_lab": header}
    )
    return body


def _check_notebook(notebook: Path) -> None:
    if not notebook.is_file():
        raise InputError(f"notebook not found: {notebook}")
    if notebook.suffix != ".ipynb":
        raise InputError(f"not a notebook (expected .ipynb): {notebook}")
