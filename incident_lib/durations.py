"""Durations as people and Prometheus write them: `30s`, `5m`, `1h30m`, `500ms`, `2d`, `1w`.

One parser for every place the project reads one: `--window 6h`, Prometheus' scrape interval and a
range query's step.
"""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)(ms|[smhdwy])")
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def parse_duration(text: str) -> timedelta:
    """The length of a Prometheus-style duration; ValueError when `text` is not one."""
    parts = _PART.findall(text)
    if not parts or "".join(n + unit for n, unit in parts) != text:
        raise ValueError(f"not a Prometheus duration: {text!r}")
    return timedelta(seconds=sum(int(n) * _SECONDS[unit] for n, unit in parts))
