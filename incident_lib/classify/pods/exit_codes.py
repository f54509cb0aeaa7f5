"""What a container's exit code means (128 + n is death by signal n)."""

from __future__ import annotations

import signal

_KNOWN = {
    0: "exited successfully",
    1: "general application error",
    2: "misuse of a shell builtin or bad arguments",
    126: "command found but not executable (permissions or a wrong binary format)",
    127: "command not found (a wrong command, entrypoint or PATH)",
    128: "the runtime could not start the process",
    134: "SIGABRT: the process aborted itself (a failed assertion or abort())",
    137: "SIGKILL from outside the process: a failed liveness probe, a preStop or grace-period timeout, "
    "or a manual kill (not an OOM kill: the reason is not OOMKilled)",
    139: "SIGSEGV: segmentation fault, an invalid memory access in the process or a native library",
    143: "SIGTERM: asked to stop (a rollout, an eviction, a liveness restart or a scale-down)",
}


def exit_code_meaning(code: int | None) -> str:
    """A short explanation of an exit code for people reading the evidence."""
    if code is None:
        return "no exit code recorded"
    if code in _KNOWN:
        return _KNOWN[code]
    if 128 < code < 128 + 65:
        try:
            return f"killed by {signal.Signals(code - 128).name}"
        except ValueError:
            return f"killed by signal {code - 128}"
    return "application-defined error code"


def describe_exit(code: int | None) -> str:
    """`exit 139 (SIGSEGV: …)`: the code and its meaning, as evidence values show it."""
    return f"exit {code} ({exit_code_meaning(code)})"
