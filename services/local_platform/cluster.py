"""The Kubernetes objects of the platform on loopback, as a cluster running the chart would serve them
to the diagnostics API's capture: namespace `apps` with the four Services, whose Endpoints are the
local processes (Services without a selector, their Endpoints set by hand), which the Kubernetes API
double (tests/servers/kube_api.py) serves.
"""

from __future__ import annotations

NAMESPACE = "apps"


def platform_objects(ports: dict[str, int]) -> list[dict]:
    """The Services and Endpoints of the services listening on 127.0.0.1 at `ports` (name -> port)."""
    objects = []
    for name, port in sorted(ports.items()):
        meta = {"name": name, "namespace": NAMESPACE, "labels": {"app": name}}
        objects.append(
            {"apiVersion": "v1", "kind": "Service", "metadata": meta,
             "spec": {"ports": [{"name": "http", "port": 80, "targetPort": port}]}}
        )  # fmt: skip
        objects.append(
            {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta,
             "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"name": "http", "port": port}]}]}
        )  # fmt: skip
    return objects
