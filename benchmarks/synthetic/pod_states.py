"""The pods of a synthetic cluster in the mix of states of `states.MIX`: which workload each belongs
to, its base pod, and what its state changes in it (the state functions of `container_failures`,
`start_failures` and `pod_endings`, each returning the events its state produced)."""

from __future__ import annotations

from collections.abc import Callable

from synthetic import container_failures, pod_endings, start_failures
from synthetic.draws import CAPTURED_AT, Draws
from synthetic.namespaces import Namespaces
from synthetic.nodes import Nodes
from synthetic.pods import GeneratedPod, base_pod, pod_name
from synthetic.states import MIX
from synthetic.workloads import Workload, pod_plan
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj, parse_timestamp, timestamp


def healthy(draws: Draws, nodes: Nodes, pod: GeneratedPod) -> list[Obj]:
    """Running and ready; about 5% restarted once or twice since (an old crash, a node restart)."""
    if draws.chance(0.05):
        status = pod.raw["status"]["containerStatuses"][0]
        status["restartCount"] = draws.randint(1, 2)
        first = parse_timestamp(status["state"]["running"]["startedAt"])
        restarted = first + (CAPTURED_AT - first) * draws.uniform(0.1, 0.9)
        status["state"]["running"]["startedAt"] = timestamp(restarted)
        reason, code = draws.choice((("Error", 1), ("Unknown", 255)))
        status["lastState"] = k8s.terminated_state(draws.container_id(), reason, code, first, restarted)
    return []


StateChange = Callable[[Draws, Nodes, GeneratedPod], list[Obj]]
CHANGES: dict[str, StateChange] = {
    "healthy": healthy,
    "crash_loop": container_failures.crash_loop,
    "oom_killed": container_failures.oom_killed,
    "readiness_failure": container_failures.readiness_failure,
    "liveness_failure": container_failures.liveness_failure,
    "init_failure": container_failures.init_failure,
    "image_pull_error": start_failures.image_pull_error,
    "config_error": start_failures.config_error,
    "container_create_error": start_failures.container_create_error,
    "unschedulable": start_failures.unschedulable,
    "completed": pod_endings.completed,
    "job_failed": pod_endings.job_failed,
    "evicted": pod_endings.evicted,
    "terminating_stuck": pod_endings.terminating_stuck,
}


def pod_states(draws: Draws, count: int) -> list[str]:
    """The states of `count` pods in random order: MIX's shares (exact counts), the rest healthy."""
    states = [state for state, share in MIX.items() for _ in range(round(share * count))][:count]
    states += ["healthy"] * (count - len(states))
    draws.shuffle(states)
    return states


def pods_in_states(
    draws: Draws, namespaces: Namespaces, nodes: Nodes, count: int, deployments: int
) -> tuple[list[GeneratedPod], list[Workload]]:
    """`count` pods in the states of MIX, in `deployments` Deployments, some StatefulSets and CronJobs'
    Jobs; and the Deployments and StatefulSets, in creation order."""
    plan, workloads = pod_plan(draws, namespaces, pod_states(draws, count), deployments)
    taken: set[tuple[str, str]] = set()
    pods = []
    for index, (w, state) in enumerate(plan, start=1):
        pod = base_pod(draws, nodes, w, state, pod_name(draws, w, taken), index)
        w.pods += 1
        w.members.append(pod)
        pod.events = CHANGES[state](draws, nodes, pod)
        pods.append(pod)
    return pods, workloads
