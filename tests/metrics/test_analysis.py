"""Computations over one series: a counter's steps up (restarts) and a peak before a moment."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from incident_lib.metrics.analysis import increases, peak_before, steps_up

SAMPLES = pd.DataFrame(
    {
        "timestamp": pd.to_datetime(["2025-12-17T10:00:00Z", "2025-12-17T10:01:00Z", "2025-12-17T10:02:00Z",
                                     "2025-12-17T10:03:00Z"]),
        "value": [0.0, 1.0, 1.0, 3.0],
    }
)  # fmt: skip


def test_each_step_up_of_a_counter_is_one_restart_with_its_counts():
    assert [(at.minute, before, after) for at, before, after in steps_up(SAMPLES)] == [
        (1, 0.0, 1.0),
        (3, 1.0, 3.0),
    ]
    assert [at.minute for at in increases(SAMPLES)] == [1, 3]
    assert steps_up(SAMPLES.iloc[0:0]) == []


def test_the_peak_before_a_moment_looks_back_only_so_far():
    at = SAMPLES["timestamp"][3].to_pydatetime()
    assert peak_before(SAMPLES, at, timedelta(minutes=5)) == 3.0
    assert peak_before(SAMPLES, at - timedelta(seconds=1), timedelta(seconds=90)) == 1.0
    assert peak_before(SAMPLES, at, timedelta(0)) is None
