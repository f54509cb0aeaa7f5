"""Prometheus responses as pandas DataFrames in UTC, through prometheus-api-client's DataFrame helper."""

from __future__ import annotations

import warnings

import pandas as pd
from prometheus_api_client import MetricRangeDataFrame

COLUMNS = ["timestamp", "namespace", "pod", "container", "value"]


def response_frame(body: dict) -> pd.DataFrame:
    """One row per sample of a range-query response: `timestamp` (UTC), the labels, and `value`."""
    result = body.get("data", {}).get("result") or []
    if not result:
        return pd.DataFrame(columns=COLUMNS)
    with warnings.catch_warnings():
        # prometheus-api-client still calls set_index(inplace=True), which pandas 3 deprecates.
        warnings.filterwarnings("ignore", message="The inplace keyword", category=Warning)
        frame = MetricRangeDataFrame(result).reset_index()
    frame["timestamp"] = frame["timestamp"].dt.tz_localize("UTC")
    for label in ("namespace", "pod", "container"):
        if label not in frame:
            frame[label] = ""
    labels = sorted(c for c in frame.columns if c not in ("timestamp", "value"))
    return frame.sort_values([*labels, "timestamp"], kind="stable").reset_index(drop=True)
