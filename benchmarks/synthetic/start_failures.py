"""Pod states whose app container never started: its image cannot be pulled, its config is missing,
the runtime cannot create it, or no node can take the pod. Each turns a base pod into its state and
returns the events the state produced."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from synthetic.containers import never_created
from synthetic.draws import CAPTURED_AT, Draws
from synthetic.events import already_present, container_path, pod_event, scheduler_event
from synthetic.nodes import Nodes
from synthetic.pods import GeneratedPod
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj, pod_condition

BAD_TAGS = ("v2.0.0-rc1", "latest-fix", "sha-9f3e1c2")


def image_pull_error(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """The app's image tag does not exist, or the registry refuses or throttles the pull: the pod waits in
    ErrImagePull or ImagePullBackOff (70%)."""
    spec, status = pod.app()
    bad_tag = f"{spec['image'].rsplit(':', 1)[0]}:{draws.choice(BAD_TAGS)}"
    spec["image"] = bad_tag
    error = pull_error(draws, bad_tag)
    never_created(status)
    status["image"] = bad_tag
    if draws.chance(0.7):
        status["state"] = k8s.waiting_state("ImagePullBackOff", f'Back-off pulling image "{bad_tag}"')
    else:
        status["state"] = k8s.waiting_state("ErrImagePull", error)
    pod.set_not_ready(pod.created, [spec["name"]], phase="Pending")
    attempts = draws.randint(2, 15)
    last = CAPTURED_AT - timedelta(seconds=draws.randint(5, 200))
    say = partial(
        pod_event, draws, pod, field_path=container_path(spec["name"]), first=pod.created, last=last
    )
    return [
        say("Pulling", f'Pulling image "{bad_tag}"', count=attempts),
        say("Failed", f'Failed to pull image "{bad_tag}": {error}', warning=True, count=attempts),
        say("Failed", "Error: ErrImagePull", warning=True, count=attempts),
        say("BackOff", f'Back-off pulling image "{bad_tag}"', count=attempts * 6),
        say("Failed", "Error: ImagePullBackOff", warning=True, count=attempts * 6),
    ]


def pull_error(draws: Draws, image: str) -> str:
    """What containerd says when it fails to pull `image`: not found, forbidden, or rate-limited."""
    repo = image.rsplit(":", 1)[0]
    host, path = repo.split("/", 1)
    why = draws.choice(
        (
            f"{image}: not found",
            f"failed to authorize: failed to fetch oauth token: unexpected status from GET request to "
            f"https://europe-docker.pkg.dev/v2/token?scope=repository%3A{path}%3Apull: 403 Forbidden",
            f"unexpected status from HEAD request to https://{host}/v2/: 429 Too Many Requests",
        )
    )
    return (
        f'rpc error: code = NotFound desc = failed to pull and unpack image "{image}": '
        f'failed to resolve reference "{image}": {why}'
    )


def config_error(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """A ConfigMap, Secret or key the app needs is missing: stuck in CreateContainerConfigError, or (25%)
    in ContainerCreating on a Secret volume that does not exist."""
    spec, status = pod.app()
    never_created(status)
    last = CAPTURED_AT - timedelta(seconds=draws.randint(5, 100))
    count = draws.randint(5, 200)
    if draws.chance(0.25):
        return missing_secret_volume(draws, pod, count, last)
    ns = pod.raw["metadata"]["namespace"]
    message = draws.choice(
        (
            f'configmap "{spec["name"]}-config" not found',
            f'secret "{spec["name"]}-db" not found',
            f"couldn't find key DATABASE_URL in ConfigMap {ns}/{spec['name']}-config",
        )
    )
    status["state"] = k8s.waiting_state("CreateContainerConfigError", message)
    pod.set_not_ready(pod.created, [spec["name"]], phase="Pending")
    say = partial(
        pod_event,
        draws,
        pod,
        field_path=container_path(spec["name"]),
        count=count,
        first=pod.created,
        last=last,
    )
    return [say("Pulled", already_present(spec["image"])), say("Failed", f"Error: {message}", warning=True)]


def missing_secret_volume(draws: Draws, pod: GeneratedPod, count: int, last: datetime) -> list[Obj]:
    """The app mounts a TLS Secret that does not exist: the kubelet cannot set the volume up."""
    spec, status = pod.app()
    secret = f"{spec['name']}-tls"
    pod.raw["spec"]["volumes"].append({"name": "tls", "secret": {"defaultMode": 420, "secretName": secret}})
    spec["volumeMounts"].append(k8s.volume_mount("/etc/tls", "tls", read_only=True))
    status["state"] = k8s.waiting_state("ContainerCreating")
    pod.set_not_ready(pod.created, [spec["name"]], phase="Pending")
    message = f'MountVolume.SetUp failed for volume "tls" : secret "{secret}" not found'
    return [
        pod_event(draws, pod, "FailedMount", message, warning=True, count=count, first=pod.created, last=last)
    ]


def container_create_error(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """The runtime cannot create or start the app's container (a read-only mkdir, a missing binary)."""
    spec, status = pod.app()
    reason, message = draws.choice(
        (
            (
                "CreateContainerError",
                f'failed to generate container "{draws.hex_digits(64)}" spec: failed to apply OCI '
                'options: failed to mkdir "/data/cache": mkdir /data: read-only file system',
            ),
            (
                "RunContainerError",
                "failed to create containerd task: failed to create shim task: OCI runtime "
                "create failed: runc create failed: unable to start container process: "
                'exec: "/app/server": stat /app/server: no such file or directory: unknown',
            ),
        )
    )
    status.update(ready=False, started=False, restartCount=draws.randint(0, 5))
    status["state"] = k8s.waiting_state(reason, message)
    pod.set_not_ready(pod.created, [spec["name"]])
    count = draws.randint(3, 60)
    last = CAPTURED_AT - timedelta(seconds=30)
    path = container_path(spec["name"])
    return [
        pod_event(
            draws,
            pod,
            "Failed",
            f"Error: {message}",
            field_path=path,
            warning=True,
            count=count,
            first=pod.created,
            last=last,
        )
    ]


def unschedulable(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """No node can take the pod (resources, taints, affinity, an unbound claim): Pending, unscheduled."""
    raw = pod.raw
    created = pod.created
    message = unschedulable_message(draws, len(nodes.names))
    del raw["spec"]["nodeName"]
    raw["status"] = {
        "conditions": [pod_condition("PodScheduled", "False", created, "Unschedulable", message)],
        "phase": "Pending",
        "qosClass": "Burstable",
    }
    return [scheduler_event(draws, pod, "FailedScheduling", message, created, draws.randint(2, 40))]


def unschedulable_message(draws: Draws, n: int) -> str:
    """Why the scheduler found none of the `n` nodes fit, and why preemption would not help."""
    a = draws.randint(1, n // 3)
    b = draws.randint(1, n // 3)
    no_victims = f"preemption: 0/{n} nodes are available: {n} No preemption victims found for incoming pod."
    not_helpful = f"preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling."
    return draws.choice(
        (
            f"0/{n} nodes are available: {a} Insufficient cpu, {n - a} Insufficient memory. {no_victims}",
            f"0/{n} nodes are available: {a} node(s) had untolerated taint {{dedicated: gpu}}, "
            f"{n - a} node(s) didn't match Pod's node affinity/selector. {not_helpful}",
            f"0/{n} nodes are available: pod has unbound immediate PersistentVolumeClaims. {not_helpful}",
            f"0/{n} nodes are available: {a} Insufficient cpu, "
            f"{b} node(s) had volume node affinity conflict, "
            f"{n - a - b} node(s) didn't match pod anti-affinity rules. {no_victims}",
        )
    )
