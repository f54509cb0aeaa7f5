"""The Services of a synthetic cluster and their Endpoints: one per workload, then extra ones (metrics,
internal…) up to the count asked for; a few broken on purpose (a typo in the selector, a named target
port no container declares). Endpoints list the ready and not ready pods each Service selects."""

from __future__ import annotations

from synthetic.controllers import (
    active,
    helm_annotations,
    helm_labels,
    made_before,
    ready,
    ready_changed,
    selector,
)
from synthetic.draws import Draws
from synthetic.pods import GeneratedPod
from synthetic.workloads import Workload
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj, parse_timestamp, timestamp

# Service name suffixes of the extra Services a workload may have, and the container port each targets.
EXTRA_SERVICES = (("metrics", "metrics"), ("internal", "http"), ("admin", "http"), ("debug", "http"))
# Named target ports of the broken Services: plausible names that no generated container declares.
UNDECLARED_PORTS = ("grpc", "http-api", "web", "https")
TYPO_SHARE = 0.015
UNDECLARED_SHARE = 0.01


def services(draws: Draws, workloads: list[Workload], count: int) -> list[tuple[Obj, Obj, str]]:
    """`count` Services, each with its Endpoints and the state it was generated in; bad target ports only
    on Services that are fine otherwise, so that the cause is clear."""
    plan = service_plan(draws, workloads, count)
    typos = max(1, round(count * TYPO_SHARE))
    chosen = draws.sample(range(len(plan)), typos + max(1, round(count * UNDECLARED_SHARE)))
    typo, undeclared = set(chosen[:typos]), set(chosen[typos:])
    built = []
    for i, (w, suffix, target) in enumerate(plan):
        pods = w.all_members()
        state = "typo_selector" if i in typo else None
        if i in undeclared and target == "http" and selected_state(pods) == "ready":
            state = "bad_target_port"
        service = service_object(draws, w, suffix, target, state)
        endpoints = endpoints_object(draws, service, w, [] if state else pods, target)
        built.append((service, endpoints, state or selected_state(pods)))
    return built


def service_plan(draws: Draws, workloads: list[Workload], count: int) -> list[tuple[Workload, str, str]]:
    """(workload, name suffix, target port) of each Service: every workload's main one, then each kind of
    extra one for every workload, in random orders, cut at `count`."""
    shuffled = draws.sample(workloads, len(workloads))
    plan = [(w, "", "http") for w in shuffled]
    for suffix, target in EXTRA_SERVICES:
        plan += [(w, suffix, target) for w in draws.sample(shuffled, len(shuffled))]
    if len(plan) < count:
        raise SystemExit(f"{len(workloads)} workloads cannot back {count} Services: ask for fewer")
    return plan[:count]


def selected_state(pods: list[GeneratedPod]) -> str:
    """`ready` when every pod a Service selects that still counts is ready, else `not_ready`."""
    counted = active(pods)
    return "ready" if counted and len(ready(counted)) == len(counted) else "not_ready"


def service_object(draws: Draws, w: Workload, suffix: str, target: str, broken: str | None) -> Obj:
    """A ClusterIP Service of workload `w` (headless for a StatefulSet's main Service), `broken` as the
    state says."""
    name = f"{w.name}-{suffix}" if suffix else w.name
    selects = typo_selector(draws, selector(w)) if broken == "typo_selector" else selector(w)
    if broken == "bad_target_port":
        target = draws.choice(UNDECLARED_PORTS)
    port = 9090 if target == "metrics" else 80 if not suffix else 8080
    headless = w.kind == "StatefulSet" and not suffix
    cluster_ip = "None" if headless else f"10.96.{draws.randint(0, 255)}.{draws.randint(1, 254)}"
    created = made_before(draws, w.all_members())
    annotations = helm_annotations(w)
    if not headless and w.namespace != "kube-system":
        annotations["cloud.google.com/neg"] = '{"ingress":true}'
    metadata = draws.object_meta(name, w.namespace, created, annotations=annotations, labels=helm_labels(w))
    ports = [
        {
            "name": "http-metrics" if target == "metrics" else "http",
            "port": port,
            "protocol": "TCP",
            "targetPort": target,
        }
    ]
    return k8s.service(metadata, cluster_ip, ports, dict(sorted(selects.items())))


def typo_selector(draws: Draws, selects: Obj) -> Obj:
    """`selects` with a typo in one label: a character lost from its value, or two swapped in its key."""
    key = draws.choice(sorted(selects))
    if draws.random() < 0.5:
        selects[key] = selects[key][:-1]  # a character lost: `payments-api-x7` for `-x7k`
    else:
        selects[key.replace("name", "nmae").replace("instance", "instnace")] = selects.pop(key)
    return selects


def endpoints_object(draws: Draws, service: Obj, w: Workload, pods: list[GeneratedPod], target: str) -> Obj:
    """The Endpoints the controller writes for `service`: the ready pods' IPs in `addresses`, the others
    in `notReadyAddresses`, finished, deleted and unscheduled pods left out; no subsets when nothing
    matches."""
    meta = service["metadata"]
    created = parse_timestamp(meta["creationTimestamp"])
    annotations = {
        "endpoints.kubernetes.io/last-change-trigger-time": timestamp(ready_changed(pods, created))
    }
    metadata = draws.object_meta(
        meta["name"], meta["namespace"], created, annotations=annotations, labels=meta["labels"]
    )
    ready_ids = {id(p) for p in ready(pods)}
    addresses: list[Obj] = []
    not_ready: list[Obj] = []
    for pod in sorted(active(pods), key=lambda p: p.raw["status"].get("podIP", "")):
        if pod.raw["status"].get("podIP"):
            (addresses if id(pod) in ready_ids else not_ready).append(endpoint_address(pod))
    if not addresses and not not_ready:
        return k8s.endpoints(metadata)
    port = {
        "name": service["spec"]["ports"][0]["name"],
        "port": 9090 if target == "metrics" else w.port,
        "protocol": "TCP",
    }
    return k8s.endpoints(metadata, [k8s.endpoint_subset(addresses, not_ready, [port])])


def endpoint_address(pod: GeneratedPod) -> Obj:
    """`pod`'s address in an Endpoints subset."""
    name, ns, uid = pod.ident
    return k8s.endpoint_address(pod.raw["status"]["podIP"], pod.raw["spec"]["nodeName"], name, ns, uid)
