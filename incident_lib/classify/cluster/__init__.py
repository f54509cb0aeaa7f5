"""Cluster rules (the CNI). Importing this package registers them."""

from incident_lib.classify.cluster import cni_unhealthy  # noqa: F401
