"""`hpa_maxed_out`: the autoscaler wants more replicas than its maximum allows (at max, not at min)."""

from __future__ import annotations

from tests.classify.objects import cited, diagnosis_of


def autoscaler(current: int, desired: int, limited_reason: str) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "web"},
            "minReplicas": 2,
            "maxReplicas": 10,
        },
        "status": {
            "currentReplicas": current,
            "desiredReplicas": desired,
            "conditions": [
                {"type": "AbleToScale", "status": "True"},
                {"type": "ScalingActive", "status": "True"},
                {"type": "ScalingLimited", "status": "True", "reason": limited_reason},
            ],
        },
    }


def test_an_autoscaler_pinned_at_its_maximum_is_maxed_out():
    diagnosis = diagnosis_of("HorizontalPodAutoscaler", "web", autoscaler(10, 10, "TooManyReplicas"))
    assert (diagnosis.root_cause, diagnosis.severity) == ("hpa_maxed_out", "warning")
    assert cited(diagnosis, "status.conditions[ScalingLimited].reason") == "TooManyReplicas"
    assert cited(diagnosis, "status.currentReplicas") == "10 (maxReplicas 10)"
    assert diagnosis.summary == "web is pinned at its maximum of 10 replicas."


def test_an_autoscaler_resting_at_its_minimum_is_fine():
    diagnosis = diagnosis_of("HorizontalPodAutoscaler", "web", autoscaler(2, 2, "TooFewReplicas"))
    assert diagnosis.root_cause == "healthy"
    assert cited(diagnosis, "status.currentReplicas") == "2 (max 10)"
