"""Prometheus responses as pandas DataFrames in UTC, through prometheus-api-client's DataFrame helper.

A response is not trusted, whether it comes from a live Prometheus or a bundle: `readable_series` keeps
the series a diagnosis can read and says why it left out each other one, and the live source stores
only what it keeps, so what a capture writes is what a reader reads.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["timestamp", "namespace", "pod", "container", "value"]

# Sample times are Unix seconds between 1970 and 2200: within what pandas' nanosecond datetimes hold.
LATEST_TIME = 7_258_118_400


def response_frame(body: dict) -> pd.DataFrame:
    """One row per readable sample of a range-query response: `timestamp` (UTC), the labels, `value`.
    An answer that is not a matrix has none."""
    import pandas as pd  # here: the live source checks answers with `readable_series`, without pandas
    from prometheus_api_client import MetricRangeDataFrame

    try:
        result, _ = readable_series(body.get("data"))
    except ValueError:
        result = []
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


def readable_series(data) -> tuple[list[dict], list[str]]:
    """The series of a range query's `data` a diagnosis can read, and one line per series left out.

    A readable series has string labels and `[time, value]` samples: the time Unix seconds, the value a
    number written as a string, as Prometheus writes them. `NaN` samples are dropped and the rest of
    their series kept: Prometheus gives NaN for `0/0`, a ratio over a quiet minute. A series with a
    sample that is infinite, not a number or at a time that is not one is left out whole: its other
    samples are not the whole story (a p99 of `+Inf` is above every bucket, not absent). Data that is not
    a matrix (an instant query's vector, a scalar, a string) is a ValueError.
    """
    kind = data.get("resultType") if isinstance(data, dict) else None
    result = data.get("result") if isinstance(data, dict) else None
    if kind != "matrix" or not isinstance(result, list):
        raise ValueError(f"answered a {str(kind)[:20]!r} result, not the matrix a range query gives")
    series, reasons = [], []
    for one in result:
        samples, why = _samples(one)
        if why:
            reasons.append(f"{_labels(one)}: {why}")
        elif samples:
            series.append({"metric": one["metric"], "values": samples})
        else:
            reasons.append(f"{_labels(one)}: every sample is NaN")
    return series, reasons


def _samples(series) -> tuple[list, str]:
    """The samples of one series without its NaN ones, or why the series cannot be read."""
    if not isinstance(series, dict) or not isinstance(series.get("values"), list):
        return [], "not a series of [time, value] samples"
    metric = series.get("metric")
    if not isinstance(metric, dict) or not all(isinstance(v, str) for v in metric.values()):
        return [], "its labels are not strings"
    kept = []
    for sample in series["values"]:
        if not (isinstance(sample, list) and len(sample) == 2):
            return [], f"sample {str(sample)[:40]} is not [time, value]"
        time, value = sample
        if isinstance(time, bool) or not isinstance(time, int | float) or not 0 <= time < LATEST_TIME:
            return [], f"time {str(time)[:40]!r} is not Unix seconds"
        try:
            number = float(value) if isinstance(value, str) else None
        except ValueError:
            number = None
        if number is None:
            return [], f"value {str(value)[:40]!r} at {time:.0f} is not a number"
        if math.isinf(number):
            return [], f"value {value[:40]!r} at {time:.0f} is infinite"
        if not math.isnan(number):
            kept.append(sample)
    return kept, ""


def _labels(series) -> str:
    """A series' labels, `{container='app', pod='a'}` (escaped, cut at 160 characters), for a line
    saying it was left out."""
    metric = series.get("metric") if isinstance(series, dict) else None
    if not isinstance(metric, dict):
        return "a series"
    text = ", ".join(f"{k}={str(v)!r}" for k, v in sorted(metric.items(), key=str))
    return "{" + (text if len(text) <= 160 else text[:157] + "...") + "}"
