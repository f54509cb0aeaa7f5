"""Pod states whose containers started and then failed: a crash loop, OOM kills, failing readiness or
liveness probes, a failing init container. Each turns a base pod into its state and returns the events
the state produced."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from synthetic import istio
from synthetic.containers import container_status, init_container, never_created
from synthetic.draws import CAPTURED_AT, Draws
from synthetic.events import already_present, back_off_restarting, container_path, node_event, pod_event
from synthetic.nodes import Nodes
from synthetic.pods import GeneratedPod
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj, parse_timestamp, pod_condition

EXIT_CODES = (1, 1, 1, 1, 2, 3, 101, 126, 127, 134, 139, 255)  # 137/143 are kubelet kills: probe states
OOM_PROCESSES = ("java", "node", "python3", "server")


def crash_looping(pod: GeneratedPod, status: Obj, container: str, since: datetime, delay: str) -> None:
    """Make `container` (its `status`) wait `delay` in CrashLoopBackOff, the pod not ready since `since`."""
    status.update(ready=False, started=False)
    status["state"] = k8s.crash_loop_state(container, *pod.ident, delay)
    pod.set_not_ready(since, [container])


def crash_loop(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """The app exits with an error after each start, and waits in CrashLoopBackOff."""
    spec, status = pod.app()
    restarts = draws.randint(4, 300)
    code = draws.choice(EXIT_CODES)
    finished = draws.ago(timedelta(seconds=5), timedelta(minutes=5))
    status["restartCount"] = restarts
    started = finished - timedelta(seconds=draws.randint(1, 30))
    status["lastState"] = k8s.terminated_state(status["containerID"], "Error", code, started, finished)
    crash_looping(pod, status, spec["name"], finished, "5m0s")
    path = container_path(spec["name"])
    say = partial(pod_event, draws, pod, field_path=path, count=restarts, first=pod.created, last=finished)
    said = [
        say("Pulled", already_present(spec["image"])),
        say("Created", f"Created container {spec['name']}"),
        say("Started", f"Started container {spec['name']}"),
    ]
    last = CAPTURED_AT - timedelta(seconds=draws.randint(1, 20))
    message = back_off_restarting(spec["name"], pod)
    return [*said, say("BackOff", message, warning=True, count=restarts * 4, last=last)]


def oom_killed(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """The app was killed for exceeding its memory limit: looping on it (70%) or running again."""
    spec, status = pod.app()
    finished = draws.ago(timedelta(seconds=10), timedelta(minutes=20))
    restarts = draws.randint(1, 60)
    started = finished - timedelta(minutes=draws.randint(1, 30))
    status["lastState"] = k8s.terminated_state(status["containerID"], "OOMKilled", 137, started, finished)
    status["restartCount"] = restarts
    say = partial(pod_event, draws, pod, field_path=container_path(spec["name"]), first=pod.created)
    said = []
    if draws.chance(0.7):
        crash_looping(pod, status, spec["name"], finished, "2m40s")
        last = CAPTURED_AT - timedelta(seconds=7)
        said.append(
            say(
                "BackOff", back_off_restarting(spec["name"], pod), warning=True, count=restarts * 3, last=last
            )
        )
    else:
        status["state"] = k8s.running_state(finished + timedelta(seconds=1))
    said += [
        say("Pulled", already_present(spec["image"]), count=restarts + 1, last=finished),
        say("Started", f"Started container {spec['name']}", count=restarts + 1, last=finished),
    ]
    if draws.chance(0.3):
        said.append(
            node_event(draws, pod.raw["spec"]["nodeName"], "OOMKilling", kernel_oom_message(draws), finished)
        )
    return said


def kernel_oom_message(draws: Draws) -> str:
    """What the kernel logs when the memory cgroup kills the app's process."""
    return (
        f"Memory cgroup out of memory: Killed process {draws.randint(1000, 99999)} "
        f"({draws.choice(OOM_PROCESSES)}) total-vm:4783112kB, "
        f"anon-rss:{draws.randint(100_000, 4_000_000)}kB, file-rss:21344kB, shmem-rss:0kB, "
        f"UID:10001 pgtables:2480kB oom_score_adj:983"
    )


def readiness_failure(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """The app runs but fails its readiness probe: the pod is not ready."""
    spec, status = pod.app()
    status["ready"] = False
    started = parse_timestamp(status["state"]["running"]["startedAt"])
    pod.set_not_ready(started + timedelta(seconds=20), [spec["name"]])
    address = app_address(pod, spec)
    url = f"http://{address}/ready"
    message = draws.choice(
        (
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            f'Readiness probe failed: Get "{url}": dial tcp {address}: connect: connection refused',
            f'Readiness probe failed: Get "{url}": context deadline exceeded '
            "(Client.Timeout exceeded while awaiting headers)",
        )
    )
    count = draws.randint(10, 700)
    last = CAPTURED_AT - timedelta(seconds=draws.randint(1, 10))
    path = container_path(spec["name"])
    return [
        pod_event(
            draws,
            pod,
            "Unhealthy",
            message,
            field_path=path,
            warning=True,
            count=count,
            first=started,
            last=last,
        )
    ]


def app_address(pod: GeneratedPod, spec: Obj) -> str:
    """`ip:port` of the app's first port at the pod's IP, where its probes connect."""
    return f"{pod.raw['status']['podIP']}:{spec['ports'][0]['containerPort']}"


def liveness_failure(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """The app fails its liveness probe and is killed and restarted: looping on it (50%) or running."""
    spec, status = pod.app()
    restarts = draws.randint(2, 80)
    finished = draws.ago(timedelta(seconds=20), timedelta(minutes=8))
    status["restartCount"] = restarts
    code = draws.choice((137, 143))
    started = finished - timedelta(minutes=2)
    status["lastState"] = k8s.terminated_state(status["containerID"], "Error", code, started, finished)
    if draws.chance(0.5):
        crash_looping(pod, status, spec["name"], finished, "1m20s")
    else:
        status["state"] = k8s.running_state(finished + timedelta(seconds=1))
    url = f"http://{app_address(pod, spec)}/healthz"
    path = container_path(spec["name"])
    say = partial(
        pod_event, draws, pod, field_path=path, first=pod.created, last=finished - timedelta(seconds=1)
    )
    return [
        say(
            "Unhealthy",
            f'Liveness probe failed: Get "{url}": context deadline exceeded (Client.Timeout exceeded while '
            "awaiting headers)",
            warning=True,
            count=restarts * 3,
        ),
        say("Killing", f"Container {spec['name']} failed liveness probe, will be restarted", count=restarts),
    ]


def init_failure(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """A database migration init container fails and waits in CrashLoopBackOff: the app containers
    never start."""
    spec, status = pod.raw["spec"], pod.raw["status"]
    migrate = migrate_container(spec["containers"][0])
    spec["initContainers"] = [*injected(spec.get("initContainers", [])), migrate]
    finished = draws.ago(timedelta(seconds=5), timedelta(minutes=5))
    restarts = draws.randint(3, 60)
    failing = failing_init_status(draws, pod, migrate, restarts, finished)
    status["initContainerStatuses"] = [*injected(status.get("initContainerStatuses", [])), failing]
    for c in status["containerStatuses"]:
        never_created(c)
        c["state"] = k8s.waiting_state("PodInitializing")
    message = "containers with incomplete status: [migrate-db]"
    initialized = pod_condition("Initialized", "False", pod.created, "ContainersNotInitialized", message)
    status["conditions"][1] = initialized
    pod.set_not_ready(pod.created, [c["name"] for c in spec["containers"]], phase="Pending")
    path = container_path("migrate-db", "initContainers")
    message = back_off_restarting("migrate-db", pod)
    last = CAPTURED_AT - timedelta(seconds=3)
    return [
        pod_event(
            draws,
            pod,
            "BackOff",
            message,
            field_path=path,
            warning=True,
            count=restarts * 4,
            first=pod.created,
            last=last,
        )
    ]


def migrate_container(app: Obj) -> Obj:
    """An init container that migrates the database with the `app` container's image."""
    token = app["volumeMounts"][-1]["name"]
    return {
        **init_container(token),
        "command": ["/app/migrate", "--to=latest"],
        "image": app["image"],
        "name": "migrate-db",
    }


def injected(containers: list[Obj]) -> list[Obj]:
    """The init containers (or their statuses) Istio's injector added."""
    return [c for c in containers if c["name"] in istio.CONTAINERS]


def failing_init_status(draws: Draws, pod: GeneratedPod, spec: Obj, restarts: int, finished: datetime) -> Obj:
    """The status of init container `spec`, failed at `finished` and waiting to restart."""
    status = container_status(draws, spec, ready=False, started=False, restarts=restarts)
    code = draws.choice((1, 1, 2, 255))
    status["lastState"] = k8s.terminated_state(
        status["containerID"], "Error", code, finished - timedelta(seconds=4), finished
    )
    status["state"] = k8s.crash_loop_state(spec["name"], *pod.ident, "5m0s")
    return status
