"""The workloads of a synthetic cluster: Deployments (their pods owned by the current ReplicaSet),
StatefulSets and CronJobs' Jobs, and which workload each generated pod belongs to.

Failures cluster, as in a real incident: a few workloads get one failure mode each (on all of their
pods, or on some of them beside healthy ones), the rest only healthy pods. Some failing Deployments are
rollouts stuck half-way: the failing pods are the new revision's, the healthy ones the previous one's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from synthetic.draws import Draws
from synthetic.namespaces import Namespaces, team_of
from synthetic.states import BATCH_STATES, LEFTOVER_STATES, ROLLOUT_STATES

if TYPE_CHECKING:
    from synthetic.pods import GeneratedPod

ROLES = ("api", "worker", "web", "gateway", "consumer", "scheduler", "cache", "sync", "indexer", "grpc")
BATCH_ROLES = ("report", "etl", "backup", "sync")
# Replicas wanted, drawn per workload; the pods are then spread in proportion.
DEPLOYMENT_SIZES = (1, 2, 2, 3, 3, 4, 6, 8, 12, 20, 40)
STATEFUL_SET_SIZES = (1, 3, 3, 5)
JOB_SIZES = (1, 1, 2, 3, 4, 6)
STUCK_ROLLOUT_SHARE = 0.02  # of the Deployments (at least one)


@dataclass
class Workload:
    """A Deployment (pods owned by its ReplicaSet), a StatefulSet or a CronJob's Job.

    For a Deployment, the owner fields are those of its current ReplicaSet; `previous` is the ReplicaSet
    of the previous revision when a rollout is stuck half-way (its pods still serve), else None.
    """

    namespace: str
    name: str
    kind: str  # Deployment, StatefulSet, Job
    replicas: int
    mesh: bool
    owner_name: str
    owner_uid: str
    template_hash: str
    cpu: str
    memory: str
    image: str
    port: int = 8080
    pods: int = 0
    members: list[GeneratedPod] = field(default_factory=list)
    previous: Workload | None = None

    @property
    def app(self) -> str:
        """The app's name: its containers', service account's and `app.kubernetes.io/name`."""
        return self.name.rsplit("-", 1)[0]

    @property
    def version(self) -> str:
        """The app image's tag."""
        return self.image.rsplit(":", 1)[1]

    def all_members(self) -> list[GeneratedPod]:
        """Every pod of the workload, the previous revision's included."""
        return self.members + (self.previous.members if self.previous else [])


def new_workload(draws: Draws, namespaces: Namespaces, namespace: str, kind: str, replicas: int) -> Workload:
    """A Deployment, StatefulSet or Job of `replicas` pods in `namespace`, with a fresh name."""
    batch = kind == "Job"
    role = draws.choice(BATCH_ROLES if batch else ROLES)
    base = team_of(namespace)
    name = f"{base}-{role}-cron" if batch else f"{base}-{role}-{draws.suffix(3)}"
    template_hash = draws.suffix(draws.choice((9, 10)))
    job_name = f"{name}-{29_450_000 + draws.randint(0, 99_999)}"  # drawn for every kind
    owner_name = {"Deployment": f"{name}-{template_hash}", "StatefulSet": name, "Job": job_name}[kind]
    memory = draws.choice(("128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi"))
    cpu = draws.choice(("100m", "250m", "500m", "1", "2"))
    version = f"{draws.randint(1, 4)}.{draws.randint(1, 30)}.{draws.randint(0, 9)}"
    image = f"europe-docker.pkg.dev/acme-prod/{base}/{name.rsplit('-', 1)[0]}:{version}"
    mesh = namespace in namespaces.mesh
    uid = draws.uid()
    port = draws.choice((8080, 8000, 3000, 9000))
    return Workload(
        namespace, name, kind, replicas, mesh, owner_name, uid, template_hash, cpu, memory, image, port
    )


def previous_revision(draws: Draws, w: Workload) -> Workload:
    """The ReplicaSet of `w`'s previous revision (an older image), whose pods serve while it rolls out."""
    repo, version = w.image.rsplit(":", 1)
    major, minor, patch = version.split(".")
    template_hash = draws.suffix(len(w.template_hash))
    return dataclasses.replace(
        w,
        owner_name=f"{w.name}-{template_hash}",
        owner_uid=draws.uid(),
        template_hash=template_hash,
        image=f"{repo}:{major}.{max(int(minor) - 1, 0)}.{patch}",
        pods=0,
        members=[],
        previous=None,
    )


def pod_plan(
    draws: Draws, namespaces: Namespaces, states: list[str], deployments: int
) -> tuple[list[tuple[Workload, str]], list[Workload]]:
    """Which workload each pod of `states` belongs to, as (workload, state) pairs, batch pods first; and
    the Deployments and StatefulSets, in creation order."""
    jobs: dict[str, Workload] = {}
    plan = [
        (job_for(draws, namespaces, jobs, namespaces.pick(draws)), s) for s in states if s in BATCH_STATES
    ]
    served = [s for s in states if s not in BATCH_STATES]
    workloads = served_workloads(draws, namespaces, served, deployments)
    return plan + served_plan(draws, workloads, served, deployments), workloads


def job_for(draws: Draws, namespaces: Namespaces, jobs: dict[str, Workload], namespace: str) -> Workload:
    """The CronJob's Job that gets the next batch pod of `namespace`; a new one when it is full."""
    current = jobs.get(namespace)
    if current and current.pods < current.replicas:
        return current
    jobs[namespace] = new_workload(draws, namespaces, namespace, "Job", draws.choice(JOB_SIZES))
    return jobs[namespace]


def served_workloads(
    draws: Draws, namespaces: Namespaces, states: list[str], deployments: int
) -> list[Workload]:
    """`deployments` Deployments and about 12% more StatefulSets, their replicas adding up to the pods of
    `states` that are not leftovers."""
    replicas_total = sum(s not in LEFTOVER_STATES for s in states)
    if replicas_total < deployments or (replicas_total and deployments < 1):
        raise SystemExit(
            f"{replicas_total} pods cannot fill {deployments} Deployments: ask for more pods or fewer "
            "Deployments"
        )
    stateful_sets = round(deployments * 0.12 / 0.88)  # 12% of the long-running workloads
    kinds = ["Deployment"] * deployments + ["StatefulSet"] * min(stateful_sets, replicas_total - deployments)
    wanted = [draws.choice(DEPLOYMENT_SIZES if k == "Deployment" else STATEFUL_SET_SIZES) for k in kinds]
    sizes = spread(replicas_total, wanted)
    return [
        new_workload(draws, namespaces, namespaces.pick(draws), k, n)
        for k, n in zip(kinds, sizes, strict=True)
    ]


def served_plan(
    draws: Draws, workloads: list[Workload], states: list[str], deployments: int
) -> list[tuple[Workload, str]]:
    """(workload, state) of each non-batch pod: each workload's replicas filled with a run of one failure
    (or none) and healthy pods, then the leftovers (evicted, stuck terminating) beside the replicas."""
    failing = sorted(s for s in states if s not in LEFTOVER_STATES and s != "healthy")  # grouped by state
    healthy = [s for s in states if s == "healthy"]
    stuck_left = max(1, round(deployments * STUCK_ROLLOUT_SHARE)) if deployments else 0
    plan: list[tuple[Workload, str]] = []
    for w in draws.sample(workloads, len(workloads)):
        bad, failing = failing_share(draws, w, failing)
        good, healthy = healthy[: w.replicas - len(bad)], healthy[w.replicas - len(bad) :]
        if len(bad) + len(good) < w.replicas:  # healthy pods ran out: the rest fail too
            more = w.replicas - len(bad) - len(good)
            bad, failing = bad + failing[:more], failing[more:]
        if stuck_left and w.kind == "Deployment" and bad and good and bad[0] in ROLLOUT_STATES:
            stuck_left -= 1
            w.previous = previous_revision(draws, w)
            plan += [(w, s) for s in bad] + [(w.previous, s) for s in good]
        else:
            plan += [(w, s) for s in bad + good]
    for state in (s for s in states if s in LEFTOVER_STATES):
        w = draws.choice(workloads)
        plan.append((w.previous or w, state))
    return plan


def failing_share(draws: Draws, w: Workload, failing: list[str]) -> tuple[list[str], list[str]]:
    """The failing states `w` gets (one run of a single state: all its replicas, or at least half of
    them), and those left for the next workloads."""
    if not failing:
        return [], failing
    run = next((i for i, s in enumerate(failing) if s != failing[0]), len(failing))
    whole = draws.chance(0.5) or w.replicas == 1
    take = min(w.replicas if whole else draws.randint((w.replicas + 1) // 2, w.replicas - 1), run)
    return failing[:take], failing[take:]


def spread(total: int, weights: list[int]) -> list[int]:
    """Positive integers proportional to `weights` that add up to `total` (at least one each)."""
    extra = total - len(weights)
    shares = [extra * w / sum(weights) for w in weights]
    sizes = [1 + int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (int(shares[i]) - shares[i], i))
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes
