"""Small, pure computations over one series' samples (`timestamp`, `value`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the frames come built: importing pandas here would load it for every diagnosis
    import pandas as pd


def steps_up(samples: pd.DataFrame) -> list[tuple[datetime, float, float]]:
    """(time, before, after) of each step up of a counter (e.g. restarts): the one place restarts are
    counted from samples."""
    if samples.empty:
        return []
    values = samples["value"].to_numpy()
    stamps = samples["timestamp"].to_list()
    return [
        (stamps[i].to_pydatetime(), float(values[i - 1]), float(values[i]))
        for i in range(1, len(values))
        if values[i] > values[i - 1]
    ]


def increases(samples: pd.DataFrame) -> list[datetime]:
    """Times at which a counter (e.g. restarts) went up, one entry per step up."""
    return [at for at, _, _ in steps_up(samples)]


def peak_before(samples: pd.DataFrame, at: datetime, lookback: timedelta) -> float | None:
    """The highest value in the `lookback` before `at`, or None when there is no sample there."""
    if samples.empty:
        return None
    window = samples[(samples["timestamp"] > at - lookback) & (samples["timestamp"] <= at)]
    return float(window["value"].max()) if not window.empty else None
