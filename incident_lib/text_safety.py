"""Text from the cluster made safe to show: no terminal control or escape sequences, no secrets.

Logs, event and status messages and even names come from the cluster, or from a bundle made by hand,
and are printed to terminals and written into Markdown and HTML. An escape sequence in a log line would
clear the screen, set the window title or plant a hyperlink there; a secret would be shared with the
report. `safe_text` is the one function every place that shows such text calls.
"""

from __future__ import annotations

import functools
import re

from incident_lib.redact import redact_text

_ESCAPES = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"  # OSC: title, hyperlink
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: cursor, erase, colour
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]"  # any other escape sequence
)
# C0 and C1 control characters and DEL, except tab and newline
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """`text` without ANSI escape sequences (CSI, OSC, …, 7- or 8-bit) and control characters other
    than newline and tab."""
    if text.isprintable():  # the common case, and much faster than the expressions
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def safe_text(text: str) -> str:
    """`text` stripped of control sequences, then redacted (stripped first, so that no sequence inside
    a secret hides it). Short text is cached: the same messages and names are shown for many subjects;
    long text (a log's tail) rarely repeats and would fill the cache."""
    return _cached_safe(text) if len(text) <= _CACHED_UP_TO else _safe(text)


def _safe(text: str) -> str:
    return redact_text(strip_controls(text))


_CACHED_UP_TO = 1000  # characters: at most 2**16 such strings are kept, ~130 MB at worst
_cached_safe = functools.lru_cache(maxsize=2**16)(_safe)
