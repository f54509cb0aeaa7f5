"""The `logs` section of an answer: the redacted tail of the subject's container logs.

For a pod, every container's current log, and the previous instance's log when there is one; for a
Service, the same for each of its pods that is not ready (the ready ones explain nothing). Text is
made safe again here (secrets redacted, terminal escape sequences stripped): a bundle made by hand
with `kubectl logs` was never redacted by a capture.
"""

from __future__ import annotations

from collections.abc import Callable

from incident_lib.k8s.pod import Pod
from incident_lib.text_safety import safe_text

LogReader = Callable[[str, str, str, bool], str | None]  # (namespace, pod, container, previous) -> text


def tail(text: str, lines: int) -> list[str]:
    """The last `lines` lines of `text`, made safe to show."""
    return safe_text("\n".join(text.splitlines()[-lines:])).splitlines()


def logs_section(
    namespace: str, pods: list[Pod], read: LogReader, tail_lines: int, why_none: str = ""
) -> dict:
    """The JSON of the `logs` key for `pods` of `namespace`; `why_none` explains an empty pod list."""
    captured, missing = [], []
    for pod in pods:
        for container in pod.containers:
            current = read(namespace, pod.name, container.name, False)
            if current is None:
                missing.append(f"{pod.name}/{container.name}: no current log captured")
            else:
                captured.append(_entry(pod.name, container.name, False, current, tail_lines))
            restarted = container.restart_count > 0 or container.last_terminated
            previous = read(namespace, pod.name, container.name, True) if restarted else None
            if previous is not None:
                captured.append(_entry(pod.name, container.name, True, previous, tail_lines))
            elif restarted:
                missing.append(f"{pod.name}/{container.name}: no previous log captured (rotated or not kept)")
    note = None
    if not captured:
        note = why_none or f"no container log of {', '.join(p.name for p in pods)} was captured"
    return {
        "tail_lines": tail_lines,
        "pods": [p.name for p in pods],
        "captured": captured,
        "missing": missing,
        "note": note,
    }


def _entry(pod: str, container: str, previous: bool, text: str, lines: int) -> dict:
    return {"pod": pod, "container": container, "previous": previous, "lines": tail(text, lines)}
