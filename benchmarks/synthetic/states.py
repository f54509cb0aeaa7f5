"""The states subjects of a synthetic cluster are generated in, and the root cause a diagnosis should
give each: for pods the mix of states and the groups of them that shape the rest of the cluster.

The expected causes are checked against the rule registry's vocabulary when this is imported, so a
cause renamed or removed there fails here, by name, rather than turning into a silent mismatch.
"""

from __future__ import annotations

from incident_lib.classify.registry import vocabulary

# Share of pods in each state; `healthy` takes whatever the rounding leaves. A state is also the root cause
# the diagnosis should give (unless RENAMED says otherwise), so the printed confusion table shows which
# states it does not recognise.
MIX: dict[str, float] = {
    "completed": 0.030,
    "crash_loop": 0.020,
    "oom_killed": 0.015,
    "image_pull_error": 0.015,
    "unschedulable": 0.015,
    "readiness_failure": 0.012,
    "liveness_failure": 0.008,
    "config_error": 0.008,
    "evicted": 0.010,
    "init_failure": 0.006,
    "terminating_stuck": 0.005,
    "container_create_error": 0.003,
    "job_failed": 0.003,
}
BATCH_STATES = frozenset({"completed", "job_failed"})
# Pods a controller has already replaced (evicted, or deleted but stuck on a finalizer): extras beside
# the replicas, never counted in a workload's status.
LEFTOVER_STATES = frozenset({"evicted", "terminating_stuck"})
# Failures a new revision brings: a Deployment in one of them may be a rollout stuck past its deadline.
ROLLOUT_STATES = frozenset(
    {"image_pull_error", "crash_loop", "config_error", "container_create_error", "readiness_failure"}
)
# States whose containers started normally, so their pods have the whole start-up event sequence.
LIFECYCLE_STATES = frozenset({"healthy", "completed", "job_failed", "readiness_failure", "terminating_stuck"})

# The root cause of each generated state whose name is not itself a root cause.
RENAMED: dict[str, dict[str, str]] = {
    "Pod": {
        "readiness_failure": "probe_failure",
        "liveness_failure": "probe_failure",
        "job_failed": "pod_failed",
    },
    "Service": {
        "ready": "healthy",
        "not_ready": "service_endpoints_not_ready",
        "typo_selector": "service_no_endpoints",
        "bad_target_port": "service_port_mismatch",
    },
    "Deployment": {"available": "healthy", "unavailable": "replicas_unavailable"},
    "Node": {
        "ready": "healthy",
        "memory_pressure": "node_pressure",
        "disk_pressure": "node_pressure",
        "not_ready": "node_not_ready",
    },
}
# Every state each kind is generated in.
STATES: dict[str, tuple[str, ...]] = {
    "Pod": (*MIX, "healthy"),
    "Service": tuple(RENAMED["Service"]),
    "Deployment": ("available", "unavailable", "rollout_stuck"),
    "Node": tuple(RENAMED["Node"]),
}


def expected_causes(causes: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    """The root cause of every generated state by kind, each one of `causes` (the registry's vocabulary);
    LookupError naming those that are not."""
    table = {
        kind: {state: RENAMED.get(kind, {}).get(state, state) for state in STATES[kind]} for kind in STATES
    }
    unknown = sorted(
        {
            f"{kind} {cause}"
            for kind, row in table.items()
            for cause in row.values()
            if cause not in causes.get(kind, ())
        }
    )
    if unknown:
        raise LookupError(f"expected root causes not in the rule registry's vocabulary: {', '.join(unknown)}")
    return table


EXPECTED_CAUSE = expected_causes(vocabulary())


def expected_cause(kind: str, state: str) -> str:
    """The root cause a diagnosis should give a `kind` generated in `state` (a state not generated is its
    own)."""
    return EXPECTED_CAUSE.get(kind, {}).get(state, state)
