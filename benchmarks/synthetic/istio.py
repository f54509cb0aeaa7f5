"""What Istio's sidecar injector adds to a pod of a mesh namespace: the istio-init container that
redirects traffic, the istio-proxy sidecar, their volumes, and the labels and annotations it writes."""

from __future__ import annotations

import json

from synthetic.workloads import Workload
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj

PROXY_IMAGE = "docker.io/istio/proxyv2:1.22.3"
CONTAINERS = ("istio-proxy", "istio-init")  # the sidecar and the init container it injects
VOLUMES = (
    "workload-socket",
    "credential-socket",
    "workload-certs",
    "istio-envoy",
    "istio-data",
    "istio-podinfo",
    "istio-token",
    "istiod-ca-cert",
)
# The proxy's mounts of the injected volumes, in the injector's order.
PROXY_MOUNTS = (
    ("/var/run/secrets/workload-spiffe-uds", "workload-socket"),
    ("/var/run/secrets/credential-uds", "credential-socket"),
    ("/var/run/secrets/workload-spiffe-credentials", "workload-certs"),
    ("/var/run/secrets/istio", "istiod-ca-cert"),
    ("/var/lib/istio/data", "istio-data"),
    ("/etc/istio/proxy", "istio-envoy"),
    ("/var/run/secrets/tokens", "istio-token"),
    ("/etc/istio/pod", "istio-podinfo"),
)
# istio-iptables: inbound to 15006, outbound to 15001, all but the proxy's own ports (`-x ""`: no
# excluded CIDRs).
IPTABLES_ARGS = (
    *("-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT"),
    *("-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"),
)


def sidecar_labels(app: str, version: str) -> Obj:
    """The labels the injector adds to a pod."""
    return {
        "security.istio.io/tlsMode": "istio",
        "service.istio.io/canonical-name": app,
        "service.istio.io/canonical-revision": version,
    }


def sidecar_annotations() -> Obj:
    """The annotations the injector adds to a pod: its revision, and what it injected."""
    injected = {
        "initContainers": ["istio-init"],
        "containers": ["istio-proxy"],
        "volumes": list(VOLUMES),
        "imagePullSecrets": None,
        "revision": "default",
    }
    return {"istio.io/rev": "default", "sidecar.istio.io/status": json.dumps(injected, separators=(",", ":"))}


def istio_init(token_volume: str) -> Obj:
    """The init container that sets up the iptables redirection to the proxy."""
    return {
        "args": ["istio-iptables", *IPTABLES_ARGS, "--log_output_level=default:info"],
        "image": PROXY_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "name": "istio-init",
        "resources": k8s.resources(
            requests={"cpu": "10m", "memory": "40Mi"}, limits={"cpu": "2", "memory": "1Gi"}
        ),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]},
            "privileged": False,
            "readOnlyRootFilesystem": False,
            "runAsGroup": 0,
            "runAsNonRoot": False,
            "runAsUser": 0,
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [k8s.service_account_token_mount(token_volume)],
    }


def istio_proxy(w: Workload, token_volume: str) -> Obj:
    """The istio-proxy sidecar of a pod of `w`."""
    return {
        "args": [
            "proxy",
            "sidecar",
            "--domain",
            "$(POD_NAMESPACE).svc.cluster.local",
            "--proxyLogLevel=warning",
            "--proxyComponentLogLevel=misc:error",
            "--log_output_level=default:info",
        ],
        "env": proxy_env(w),
        "image": PROXY_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "name": "istio-proxy",
        "ports": [k8s.container_port("http-envoy-prom", 15090)],
        "readinessProbe": ready_probe(failure_threshold=4, period=15),
        "resources": k8s.resources(
            requests={"cpu": "100m", "memory": "128Mi"}, limits={"cpu": "2", "memory": "1Gi"}
        ),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "runAsGroup": 1337,
            "runAsNonRoot": True,
            "runAsUser": 1337,
        },
        "startupProbe": ready_probe(failure_threshold=600, period=1),
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            *(k8s.volume_mount(path, name) for path, name in PROXY_MOUNTS),
            k8s.service_account_token_mount(token_volume),
        ],
    }


def ready_probe(*, failure_threshold: int, period: int) -> Obj:
    """A probe of the proxy's readiness endpoint; the injector writes its probes' keys sorted."""
    probe = k8s.probe(
        k8s.http_get("/healthz/ready", 15021), failure_threshold=failure_threshold, period=period, timeout=3
    )
    return dict(sorted(probe.items()))


def proxy_env(w: Workload) -> list[Obj]:
    """The proxy's environment: how to reach istiod, and the pod's identity in the mesh."""
    fields = (
        ("POD_NAME", "metadata.name"),
        ("POD_NAMESPACE", "metadata.namespace"),
        ("INSTANCE_IP", "status.podIP"),
        ("SERVICE_ACCOUNT", "spec.serviceAccountName"),
        ("HOST_IP", "status.hostIP"),
    )
    return [
        k8s.env_var("JWT_POLICY", "third-party-jwt"),
        k8s.env_var("PILOT_CERT_PROVIDER", "istiod"),
        k8s.env_var("CA_ADDR", "istiod.istio-system.svc:15012"),
        *(k8s.field_env(name, path) for name, path in fields),
        k8s.resource_env("ISTIO_CPU_LIMIT", "limits.cpu"),
        k8s.env_var("PROXY_CONFIG", "{}\n"),
        k8s.env_var(
            "ISTIO_META_POD_PORTS", f'[\n    {{"name":"http","containerPort":{w.port},"protocol":"TCP"}}\n]'
        ),
        k8s.env_var("ISTIO_META_APP_CONTAINERS", w.app),
        k8s.resource_env("GOMEMLIMIT", "limits.memory"),
        k8s.resource_env("GOMAXPROCS", "limits.cpu"),
        k8s.env_var("ISTIO_META_CLUSTER_ID", "Kubernetes"),
        k8s.field_env("ISTIO_META_NODE_NAME", "spec.nodeName"),
        k8s.env_var("ISTIO_META_INTERCEPTION_MODE", "REDIRECT"),
        k8s.env_var("ISTIO_META_WORKLOAD_NAME", w.name),
        k8s.env_var(
            "ISTIO_META_OWNER", f"kubernetes://apis/apps/v1/namespaces/{w.namespace}/deployments/{w.name}"
        ),
        k8s.env_var("ISTIO_META_MESH_ID", "cluster.local"),
        k8s.env_var("TRUST_DOMAIN", "cluster.local"),
    ]


def istio_volumes() -> list[Obj]:
    """The volumes the injector adds: sockets and certificates, Envoy's config, the pod's labels and
    annotations, and a token for the mesh's CA."""
    pod_info = [
        {"fieldRef": {"apiVersion": "v1", "fieldPath": f"metadata.{key}"}, "path": key}
        for key in ("labels", "annotations")
    ]
    token = {"audience": "istio-ca", "expirationSeconds": 43200, "path": "istio-token"}
    return [
        *(
            k8s.empty_dir_volume(n)
            for n in ("workload-socket", "credential-socket", "workload-certs", "istio-data")
        ),
        k8s.empty_dir_volume("istio-envoy", medium="Memory"),
        {"downwardAPI": {"defaultMode": 420, "items": pod_info}, "name": "istio-podinfo"},
        {
            "name": "istio-token",
            "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": token}]},
        },
        k8s.config_map_volume("istiod-ca-cert", "istio-ca-root-cert"),
    ]
