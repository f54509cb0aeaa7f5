"""Workload rules (Deployments, StatefulSets, DaemonSets, Jobs, HPAs). Importing registers them all."""

from incident_lib.classify.workloads import (  # noqa: F401  (imported to register the rules)
    healthy,
    hpa_maxed_out,
    job_failed,
    replicas_unavailable,
    rollout_stuck,
)
