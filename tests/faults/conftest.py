"""The fault tests' real parts: the Kubernetes API double and Prometheus of tests/sources."""

from tests.sources.conftest import cluster_objects, kube_api, kubeconfig, prometheus  # noqa: F401
