"""The live notebooks' real parts: the Kubernetes API double of tests/sources, named by KUBECONFIG."""

from tests.sources.conftest import cluster_objects, kube_api, kubeconfig  # noqa: F401
