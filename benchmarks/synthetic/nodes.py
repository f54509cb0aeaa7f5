"""The nodes of a synthetic cluster: names in five GKE pools, internal IPs, and the state each is in
(most ready, a few under memory or disk pressure, one or two NotReady, since some minutes ago).

The Node objects themselves are `node_objects`: they list the images of the pods, so they come last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from synthetic.draws import Draws

MACHINES = {  # node pool: machine type, CPUs, memory (Ki) of the machine, allocatable memory (Ki)
    "general-a": ("e2-standard-8", 8, 32_880_872, 29_094_632),
    "general-b": ("e2-standard-8", 8, 32_880_872, 29_094_632),
    "memory-opt": ("n2-highmem-8", 8, 65_842_664, 60_652_072),
    "compute-opt": ("c2-standard-16", 16, 65_842_664, 60_652_072),
    "spot": ("e2-standard-8", 8, 32_880_872, 29_094_632),
}
POOLS = tuple(MACHINES)
# Share of nodes in each state other than ready (NotReady: at least one).
STATE_SHARES = {"not_ready": 0.006, "memory_pressure": 0.02, "disk_pressure": 0.01}


@dataclass(frozen=True)
class Nodes:
    """The nodes by name, their IPs, their states and when each left the ready state; `schedulable`
    those pods run on (NotReady nodes were drained when their pods' 300 s tolerations ran out)."""

    names: list[str]
    ips: dict[str, str]
    states: dict[str, str]
    since: dict[str, datetime]
    schedulable: list[str]

    def in_state(self, state: str) -> list[str]:
        """The nodes in `state`."""
        return [name for name, s in self.states.items() if s == state]


def nodes(draws: Draws, count: int) -> Nodes:
    """`count` nodes, round-robin over the pools."""
    names = [
        f"gke-prod-eu1-{POOLS[i % len(POOLS)]}-{draws.hex_digits(8)}-{draws.suffix(4)}" for i in range(count)
    ]
    ips = {name: f"10.{20 + i // 250}.{i % 250}.{draws.randint(2, 250)}" for i, name in enumerate(names)}
    states, since = node_states(draws, names)
    return Nodes(names, ips, states, since, [n for n in names if states[n] != "not_ready"])


def node_states(draws: Draws, names: list[str]) -> tuple[dict[str, str], dict[str, datetime]]:
    """Each node's state, and when each node not ready left the ready state (10 to 50 minutes ago)."""
    n = len(names)
    shuffled = draws.sample(names, n)
    counts = {state: round(n * share) for state, share in STATE_SHARES.items()}
    counts["not_ready"] = min(n, max(1, counts["not_ready"]))
    states = dict.fromkeys(names, "ready")
    since: dict[str, datetime] = {}
    start = 0
    for state, count in counts.items():
        for name in shuffled[start : start + count]:
            states[name] = state
            since[name] = draws.ago(timedelta(minutes=10), timedelta(minutes=50))
        start += count
    return states, since
