"""A synthetic pod as its workload's template makes it, admitted, scheduled and running: labels of its
owner kind, annotations, the spec (containers, sidecar, volumes, affinity, tolerations) and a ready
status. The states in `pod_states` then turn it into what each needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from synthetic.containers import app_container, app_volumes, init_container, running_status, terminated_status
from synthetic.draws import Draws
from synthetic.istio import istio_init, istio_proxy, istio_volumes, sidecar_annotations, sidecar_labels
from synthetic.nodes import Nodes
from synthetic.workloads import Workload
from tools import k8s_objects as k8s
from tools.k8s_objects import Obj, parse_timestamp, pod_condition

# Pods generated in these states are as likely as healthy ones to be old; the others are all recent.
OLD_STATES = ("healthy", "completed", "evicted", "terminating_stuck")
SPOT_LABEL = "cloud.google.com/gke-spot"


@dataclass
class GeneratedPod:
    """One generated pod, the state it was generated in, and the events that state produces."""

    raw: dict
    state: str
    events: list[dict] = field(default_factory=list)
    recent: bool = False  # created within the event TTL (1 h), so its lifecycle events still exist

    @property
    def ident(self) -> tuple[str, str, str]:
        """Its name, namespace and uid."""
        meta = self.raw["metadata"]
        return meta["name"], meta["namespace"], meta["uid"]

    @property
    def created(self) -> datetime:
        return parse_timestamp(self.raw["metadata"]["creationTimestamp"])

    def app(self) -> tuple[Obj, Obj]:
        """The app container's spec and status (the first container; a sidecar, if any, comes after)."""
        return self.raw["spec"]["containers"][0], self.raw["status"]["containerStatuses"][0]

    def set_not_ready(self, at: datetime, containers: list[str], phase: str = "Running") -> None:
        """Mark the pod not ready since `at` because of `containers`, in `phase`."""
        status = self.raw["status"]
        status["phase"] = phase
        for condition in status["conditions"]:
            if condition["type"] in ("Ready", "ContainersReady"):
                condition.update(k8s.not_ready_condition(condition["type"], at, containers))


def base_pod(draws: Draws, nodes: Nodes, w: Workload, state: str, name: str, index: int) -> GeneratedPod:
    """The `index`th pod of the cluster, `name` of workload `w`: running and ready, recently created
    unless `state` is one old pods may be in."""
    recent = draws.chance(0.6) or state not in OLD_STATES
    created = (
        draws.ago(timedelta(minutes=3), timedelta(minutes=55))
        if recent
        else draws.ago(timedelta(hours=2), timedelta(days=30))
    )
    node = draws.choice(nodes.schedulable)
    ip = f"10.{64 + index // 65_000}.{(index // 250) % 256}.{index % 250 + 2}"
    labels = pod_labels(w, name)
    annotations = pod_annotations(draws, w)
    spec = pod_spec(draws, w, name, node)
    started = created + timedelta(seconds=draws.randint(1, 4))
    ready_at = started + timedelta(seconds=draws.randint(5, 40))
    metadata = pod_metadata(draws, w, name, created, labels, annotations)
    status = k8s.pod_status(
        ready_conditions(created, started, ready_at),
        [running_status(draws, c, started) for c in spec["containers"]],
        host_ip=nodes.ips[node],
        pod_ip=ip,
        qos_class="Burstable",
        started=created,
    )
    if "initContainers" in spec:
        status["initContainerStatuses"] = [
            terminated_status(draws, c, "Completed", 0, created, started, ready=True)
            for c in spec["initContainers"]
        ]
    return GeneratedPod(k8s.pod(metadata, spec, status), state, recent=recent)


def pod_metadata(
    draws: Draws, w: Workload, name: str, created: datetime, labels: Obj, annotations: Obj
) -> Obj:
    """The pod's metadata: generated from its owner's name (a StatefulSet's pods are named in order)."""
    owner = k8s.owner_reference(
        {"Deployment": "ReplicaSet"}.get(w.kind, w.kind),
        w.owner_name,
        w.owner_uid,
        api_version="batch/v1" if w.kind == "Job" else "apps/v1",
    )
    generated = {"generateName": f"{w.owner_name}-"} if w.kind != "StatefulSet" else {}
    return draws.object_meta(
        name,
        w.namespace,
        created,
        annotations=annotations,
        **generated,
        labels=labels,
        ownerReferences=[owner],
    )


def pod_labels(w: Workload, name: str) -> Obj:
    """The app's labels, those its owner kind adds, and the sidecar injector's in a mesh namespace."""
    team = w.namespace.split("-")[0]
    labels = {
        "app.kubernetes.io/instance": w.name,
        "app.kubernetes.io/name": w.app,
        "app.kubernetes.io/part-of": team,
        "app.kubernetes.io/version": w.version,
        "team": team,
    }
    if w.kind == "Deployment":
        labels["pod-template-hash"] = w.template_hash
    elif w.kind == "StatefulSet":
        labels["controller-revision-hash"] = f"{w.name}-{w.template_hash}"
        labels["statefulset.kubernetes.io/pod-name"] = name
    else:
        labels.update(
            {
                "batch.kubernetes.io/controller-uid": w.owner_uid,
                "batch.kubernetes.io/job-name": w.owner_name,
                "controller-uid": w.owner_uid,
                "job-name": w.owner_name,
            }
        )
    if w.mesh:
        labels.update(sidecar_labels(w.app, w.version))
    return labels


def pod_annotations(draws: Draws, w: Workload) -> Obj:
    """Prometheus scraping, the config's checksum, and the sidecar injector's in a mesh namespace."""
    annotations = {
        "kubectl.kubernetes.io/default-container": w.app,
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090",
        "prometheus.io/path": "/metrics",
        "checksum/config": draws.hex_digits(64),
    }
    if w.mesh:
        annotations.update(sidecar_annotations())
    return annotations


def pod_spec(draws: Draws, w: Workload, name: str, node: str) -> Obj:
    """The pod's spec on `node`: its containers, spread over hosts and zones; about 20% on spot nodes."""
    containers, init_containers, volumes = pod_containers(draws, w)
    spec = {
        "affinity": {
            "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [host_spread(w.app)]}
        },
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": node,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Never" if w.kind == "Job" else "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "serviceAccount": w.app,
        "serviceAccountName": w.app,
        "terminationGracePeriodSeconds": 30,
        "tolerations": k8s.not_ready_tolerations(),
        "topologySpreadConstraints": [zone_spread(w.app)],
        "volumes": volumes,
    }
    if init_containers:
        spec["initContainers"] = init_containers
    if w.kind == "StatefulSet":
        spec["hostname"], spec["subdomain"] = name, w.name
    if draws.chance(0.2):
        spec["tolerations"].append(
            {"effect": "NoSchedule", "key": SPOT_LABEL, "operator": "Equal", "value": "true"}
        )
        spec["nodeSelector"] = {SPOT_LABEL: "true"}
    return spec


def pod_containers(draws: Draws, w: Workload) -> tuple[list[Obj], list[Obj], list[Obj]]:
    """The containers, init containers and volumes of a pod of `w`: the app, about 15% with an init
    container, and Istio's sidecar in a mesh namespace."""
    token_volume = f"kube-api-access-{draws.suffix(5)}"
    containers = [app_container(draws, w, token_volume)]
    init_containers = [init_container(token_volume)] if draws.chance(0.15) else []
    volumes = app_volumes(w.app, token_volume)
    if w.mesh:
        containers.append(istio_proxy(w, token_volume))
        init_containers.insert(0, istio_init(token_volume))
        volumes += istio_volumes()
    return containers, init_containers, volumes


def host_spread(app: str) -> Obj:
    """The preference to put the pods of `app` on different hosts."""
    term = {"labelSelector": same_app(app), "topologyKey": "kubernetes.io/hostname"}
    return {"podAffinityTerm": term, "weight": 100}


def zone_spread(app: str) -> Obj:
    """The constraint to spread the pods of `app` evenly over zones, as far as it can."""
    return {
        "labelSelector": same_app(app),
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "ScheduleAnyway",
    }


def same_app(app: str) -> Obj:
    """The label selector of the pods of `app`."""
    return {"matchLabels": {"app.kubernetes.io/name": app}}


def ready_conditions(created: datetime, started: datetime, ready_at: datetime) -> list[Obj]:
    """The conditions of a pod scheduled at `created`, its containers started at `started` and ready at
    `ready_at`."""
    return [
        pod_condition("PodReadyToStartContainers", "True", started),
        pod_condition("Initialized", "True", started),
        pod_condition("Ready", "True", ready_at),
        pod_condition("ContainersReady", "True", ready_at),
        pod_condition("PodScheduled", "True", created),
    ]


def pod_name(draws: Draws, w: Workload, taken: set[tuple[str, str]]) -> str:
    """A name for the next pod of `w` not `taken` in its namespace (and now taken): `<owner>-<suffix>`,
    or a StatefulSet's `<name>-<ordinal>`."""
    while True:
        name = f"{w.name}-{w.pods}" if w.kind == "StatefulSet" else f"{w.owner_name}-{draws.suffix(5)}"
        if (w.namespace, name) not in taken:
            taken.add((w.namespace, name))
            return name
        w.pods += 1
