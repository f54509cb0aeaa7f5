"""The command that runs a notebook's report again on the same subject: what its introduction shows,
so a reader of a report sees how to reproduce that report, not a fixed example."""

from __future__ import annotations

import shlex


class RerunCommand:
    """`incident-lab run NOTEBOOK -p NAME VALUE …`, shown as a code block (Markdown in JupyterLab)."""

    def __init__(self, notebook: str, parameters: dict[str, object]) -> None:
        self.command = shlex.join(["incident-lab", "run", f"notebooks/{notebook}", *_flags(parameters)])

    def __str__(self) -> str:
        return self.command

    def _repr_markdown_(self) -> str:
        return f"This report again:\n\n```\n{self.command}\n```"


def rerun_command(notebook: str, **parameters: object) -> RerunCommand:
    """The command for `notebook` with the `parameters` that are set (empty strings and lists left out)."""
    return RerunCommand(notebook, parameters)


def _flags(parameters: dict[str, object]) -> list[str]:
    flags = []
    for name, value in parameters.items():
        if value in ("", [], None):
            continue
        flags += ["-p", name, ",".join(value) if isinstance(value, list) else str(value)]
    return flags
