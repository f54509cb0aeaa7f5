"""Pod rules, one module per root cause. Importing this package registers them all."""

from incident_lib.classify.pods import (  # noqa: F401  (imported to register the rules)
    completed,
    config_error,
    container_create_error,
    cpu_throttling,
    crash_loop,
    evicted,
    healthy,
    image_pull_error,
    init_failure,
    memory_near_limit,
    oom_killed,
    pod_failed,
    pod_starting,
    probe_failure,
    resource_policy_violation,
    terminating_stuck,
    unknown,
    unschedulable,
)
