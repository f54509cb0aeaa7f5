"""The namespaces of a synthetic cluster: a few system ones, then teams' applications per environment;
the first get the most pods, and about half of the application namespaces have Istio sidecars injected."""

from __future__ import annotations

from dataclasses import dataclass

from synthetic.draws import Draws

SYSTEM_NAMESPACES = (
    "kube-system",
    "istio-system",
    "monitoring",
    "logging",
    "ingress-nginx",
    "cert-manager",
    "argocd",
)
TEAMS = (
    "payments",
    "checkout",
    "catalog",
    "search",
    "orders",
    "users",
    "inventory",
    "shipping",
    "billing",
    "notifications",
    "recommendations",
    "reviews",
    "pricing",
    "fraud",
    "identity",
    "media",
    "analytics",
    "ledger",
    "loyalty",
    "partners",
    "support",
    "reporting",
)
ENVIRONMENTS = ("prod", "staging", "canary", "batch", "edge")


@dataclass(frozen=True)
class Namespaces:
    """The namespaces, how likely each is to get the next workload, and those in the mesh."""

    names: list[str]
    weights: list[float]
    mesh: frozenset[str]

    def pick(self, draws: Draws) -> str:
        """A namespace for the next workload, by weight."""
        return draws.choices(self.names, self.weights)[0]


def namespaces(draws: Draws, count: int) -> Namespaces:
    """`count` namespaces: up to seven system ones (one per five), the rest team-environment ones."""
    apps = [f"{team}-{env}" for env in ENVIRONMENTS for team in TEAMS]
    draws.shuffle(apps)
    system = min(7, count // 5)
    names = list(SYSTEM_NAMESPACES[:system]) + apps[: count - system]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(names))]
    mesh = frozenset(ns for ns in names if ns not in SYSTEM_NAMESPACES and draws.chance(0.5))
    return Namespaces(names, weights, mesh)


def team_of(namespace: str) -> str:
    """The team (or, for a system namespace, the component) a namespace's workloads are named after."""
    return namespace.split("-")[0] if namespace not in SYSTEM_NAMESPACES else namespace.split("-")[-1]
