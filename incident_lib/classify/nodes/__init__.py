"""Node rules. Importing this package registers them all."""

from incident_lib.classify.nodes import healthy, node_not_ready, node_pressure  # noqa: F401
