"""Pod rules, one module per root cause. Importing this package registers them all."""

from incident_lib.classify.pods import (  # noqa: F401  (imported to register the rules)
    completed,
    config_error,
    container_create_error,
    crash_loop,
    evicted,
    healthy,
    image_pull_error,
    init_failure,
    oom_killed,
    pod_failed,
    probe_failure,
    terminating_stuck,
    unknown,
    unschedulable,
)
