"""Thresholds of the metric rules, with defaults matching the alert rules the Helm chart ships."""

from __future__ import annotations

from dataclasses import dataclass

SUSTAINED = 3  # samples over a threshold that make a trend rather than a blip (metric rules)


@dataclass(frozen=True)
class Thresholds:
    """`slo_p99_seconds` and `max_error_ratio` mirror helm/app's latencyP99ThresholdSeconds and
    errorRatioThreshold; the others are the usual kube-prometheus alert levels."""

    slo_p99_seconds: float = 1.0
    max_error_ratio: float = 0.05
    throttling_ratio: float = 0.25
    memory_near_ratio: float = 0.9


DEFAULTS = Thresholds()
