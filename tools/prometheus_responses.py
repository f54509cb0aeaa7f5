"""Prometheus range-query responses as an incident bundle stores them (metrics/<signal>.<namespace>.json).

Shared by the generators of test bundles, so every generated series is rendered the way the Prometheus
HTTP API renders it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tools.k8s_objects import timestamp

Obj = dict[str, Any]


def sample_value(value: float) -> str:
    """A sample value as Prometheus renders it: the shortest form, no trailing `.0`."""
    return str(int(value)) if value == int(value) else repr(value)


def matrix_series(labels: Obj, samples: list[tuple[datetime, float]]) -> Obj:
    """One series of a matrix result: its labels and its [unix time, value string] pairs."""
    return {"metric": labels, "values": [[t.timestamp(), sample_value(v)] for t, v in samples]}


def range_response(query: str, result: list[Obj], start: datetime, end: datetime, step: int) -> Obj:
    """A successful range query's body (`data`), with how it was asked (query, start, end, step in
    seconds) beside it, as a bundle keeps it."""
    return {
        "data": {"result": result, "resultType": "matrix"},
        "end": timestamp(end),
        "query": query,
        "start": timestamp(start),
        "status": "success",
        "step": f"{step}s",
    }
