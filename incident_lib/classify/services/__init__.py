"""Service rules, one module per root cause. Importing this package registers them all."""

from incident_lib.classify.services import (  # noqa: F401  (imported to register the rules)
    endpoints_not_ready,
    healthy,
    no_endpoints,
    port_mismatch,
    traffic,
)
