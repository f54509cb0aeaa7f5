"""The containers of a synthetic pod as admitted by the API server: the app (first), an optional init
container that waits for the database, their volumes, and the statuses the kubelet reports for them.
The Istio sidecar's are `istio`."""

from __future__ import annotations

from datetime import datetime

from synthetic.draws import Draws
from synthetic.workloads import Workload
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj

WAIT_FOR_IMAGE = "europe-docker.pkg.dev/acme-prod/base/wait-for:1.4.0"


def app_container(draws: Draws, w: Workload, token_volume: str) -> Obj:
    """The app container of `w`: HTTP probes on its `http` port (TCP ones for about 15%), config from a
    ConfigMap, a database password from a Secret."""
    http = draws.chance(0.85)
    liveness = k8s.http_get("/healthz", "http") if http else {"tcpSocket": {"port": "http"}}
    readiness = k8s.http_get("/ready", "http") if http else liveness
    env = app_env(draws, w.app)
    return {
        "args": ["--config=/etc/app/config.yaml", f"--port={w.port}"],
        "env": env,
        "envFrom": [{"configMapRef": {"name": f"{w.app}-config"}}],
        "image": w.image,
        "imagePullPolicy": "IfNotPresent",
        "livenessProbe": k8s.probe(liveness, initial_delay=15, timeout=2),
        "name": w.app,
        "ports": [k8s.container_port("http", w.port), k8s.container_port("metrics", 9090)],
        "readinessProbe": k8s.probe(readiness, initial_delay=5, period=5),
        "resources": k8s.resources(
            requests={"cpu": draws.choice(("50m", "100m", "250m")), "memory": w.memory},
            limits={"cpu": w.cpu, "memory": w.memory},
        ),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 10001,
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "volumeMounts": [
            k8s.volume_mount("/etc/app", "config", read_only=True),
            k8s.volume_mount("/tmp", "tmp"),
            k8s.service_account_token_mount(token_volume),
        ],
    }


def app_env(draws: Draws, app: str) -> list[Obj]:
    """The app container's environment."""
    return [
        k8s.env_var("LOG_LEVEL", draws.choice(("info", "info", "debug", "warn"))),
        k8s.env_var("SERVICE_NAME", app),
        k8s.env_var("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.monitoring:4317"),
        k8s.field_env("POD_NAME", "metadata.name"),
        k8s.field_env("POD_NAMESPACE", "metadata.namespace"),
        k8s.resource_env("GOMAXPROCS", "limits.cpu"),
        {
            "name": "DATABASE_PASSWORD",
            "valueFrom": {"secretKeyRef": {"key": "password", "name": f"{app}-db"}},
        },
    ]


def init_container(token_volume: str) -> Obj:
    """The init container that waits until the database accepts connections."""
    return {
        "command": ["sh", "-c", "until nc -z postgres.db.svc.cluster.local 5432; do sleep 2; done"],
        "image": WAIT_FOR_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "name": "wait-for-db",
        "resources": k8s.resources(
            requests={"cpu": "10m", "memory": "16Mi"}, limits={"cpu": "100m", "memory": "64Mi"}
        ),
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [k8s.service_account_token_mount(token_volume)],
    }


def app_volumes(app: str, token_volume: str) -> list[Obj]:
    """The volumes of the app's pod: its config, a scratch /tmp, the service-account token."""
    return [
        k8s.config_map_volume("config", f"{app}-config"),
        k8s.empty_dir_volume("tmp", sizeLimit="256Mi"),
        k8s.service_account_token_volume(token_volume),
    ]


def container_status(draws: Draws, spec: Obj, *, ready: bool, started: bool, restarts: int = 0) -> Obj:
    """The status of container `spec` with a fresh container id, its state ({}) for the caller to fill."""
    container_id = draws.container_id()
    image_id = draws.image_digest(spec["image"])
    status = k8s.container_status(
        spec["name"],
        spec["image"],
        image_id,
        container_id,
        {},
        ready=ready,
        started=started,
        restarts=restarts,
    )
    status["started"] = status.pop("started")  # last, as this bundle has always had it
    return status


def never_created(status: Obj) -> None:
    """Make a container's `status` that of a container the runtime never created (no id, no image)."""
    del status["containerID"]
    status.update(imageID="", ready=False, started=False)


def running_status(draws: Draws, spec: Obj, since: datetime) -> Obj:
    """Container `spec` running and ready since `since`."""
    status = container_status(draws, spec, ready=True, started=True)
    status["state"] = k8s.running_state(since)
    return status


def terminated_status(
    draws: Draws,
    spec: Obj,
    reason: str,
    code: int,
    started: datetime,
    finished: datetime,
    ready: bool = False,
) -> Obj:
    """Container `spec` that ran from `started` to `finished` and exited with `code`."""
    status = container_status(draws, spec, ready=ready, started=False)
    status["state"] = k8s.terminated_state(status["containerID"], reason, code, started, finished)
    return status
