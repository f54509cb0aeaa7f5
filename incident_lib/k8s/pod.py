"""Views over a raw Pod: its phase and conditions, and each container's spec and status side by side."""

from __future__ import annotations

from functools import cached_property

from incident_lib.k8s.objects import ObjectView
from incident_lib.k8s.quantity import parse_quantity


class Container:
    """One container of a pod (init or regular): its spec and its status, read from the raw JSON."""

    __slots__ = ("init", "name", "spec", "status")

    def __init__(self, name: str, spec: dict, status: dict, init: bool) -> None:
        self.name = name
        self.spec = spec
        self.status = status
        self.init = init

    @property
    def status_path(self) -> str:
        """Where this container's status lives in the pod, as evidence field paths name it."""
        return f"{'initContainerStatuses' if self.init else 'containerStatuses'}[{self.name}]"

    @property
    def state(self) -> dict:
        return self.status.get("state") or {}

    @property
    def last_state(self) -> dict:
        return self.status.get("lastState") or {}

    @property
    def waiting(self) -> dict | None:
        return self.state.get("waiting")

    @property
    def terminated(self) -> dict | None:
        return self.state.get("terminated")

    @property
    def running(self) -> dict | None:
        return self.state.get("running")

    @property
    def last_terminated(self) -> dict | None:
        return self.last_state.get("terminated")

    @property
    def waiting_reason(self) -> str:
        return (self.waiting or {}).get("reason", "")

    @property
    def ready(self) -> bool:
        return bool(self.status.get("ready"))

    @property
    def restart_count(self) -> int:
        return int(self.status.get("restartCount") or 0)

    @property
    def resources(self) -> dict:
        return self.spec.get("resources") or {}

    @property
    def memory_limit(self) -> float | None:
        """The memory limit in bytes, or None when the container has none."""
        return parse_quantity((self.resources.get("limits") or {}).get("memory"))

    @property
    def cpu_request(self) -> float | None:
        """The CPU request in cores, or None when the container has none."""
        return parse_quantity((self.resources.get("requests") or {}).get("cpu"))

    @property
    def cpu_limit(self) -> float | None:
        return parse_quantity((self.resources.get("limits") or {}).get("cpu"))

    def probe(self, kind: str) -> dict | None:
        """The `liveness`, `readiness` or `startup` probe of the spec, if any."""
        return self.spec.get(f"{kind}Probe")

    def terminations(self) -> list[tuple[str, dict]]:
        """The current and the last termination, with the field path each was read from."""
        found = []
        if self.terminated:
            found.append((f"{self.status_path}.state.terminated", self.terminated))
        if self.last_terminated:
            found.append((f"{self.status_path}.lastState.terminated", self.last_terminated))
        return found


class Pod(ObjectView):
    """A raw Pod with the accessors the rules need."""

    __slots__ = ("__dict__",)

    @property
    def phase(self) -> str:
        return self.status.get("phase", "")

    @property
    def reason(self) -> str:
        return self.status.get("reason", "")

    @property
    def message(self) -> str:
        return self.status.get("message", "")

    @property
    def node_name(self) -> str:
        return self.spec.get("nodeName", "")

    @property
    def deletion_timestamp(self) -> str | None:
        return self.metadata.get("deletionTimestamp")

    @cached_property
    def conditions(self) -> dict[str, dict]:
        """Pod conditions by type (`Ready`, `PodScheduled`, …)."""
        return {c.get("type", ""): c for c in self.status.get("conditions") or []}

    def condition_is(self, kind: str, status: str) -> bool:
        return self.conditions.get(kind, {}).get("status") == status

    @cached_property
    def containers(self) -> list[Container]:
        """Init containers first, then regular ones; a status without a spec still counts (fragments)."""
        return self._containers("initContainers", "initContainerStatuses", True) + self._containers(
            "containers", "containerStatuses", False
        )

    def _containers(self, spec_key: str, status_key: str, init: bool) -> list[Container]:
        specs = {c.get("name", ""): c for c in self.spec.get(spec_key) or []}
        statuses = {s.get("name", ""): s for s in self.status.get(status_key) or []}
        names = list(specs) + [n for n in statuses if n not in specs]
        return [Container(n, specs.get(n, {}), statuses.get(n, {}), init) for n in names]

    @cached_property
    def workload(self) -> str:
        """The `kind/name` a person edits to change this pod: `deployment/web` rather than its ReplicaSet."""
        owner = self.owner
        if owner is None:
            return f"pod/{self.name}"
        name = owner.get("name", "")
        template_hash = self.labels.get("pod-template-hash")
        if owner.get("kind") == "ReplicaSet" and template_hash and name.endswith(f"-{template_hash}"):
            return f"deployment/{name.removesuffix(f'-{template_hash}')}"
        return f"{owner.get('kind', '').lower()}/{name}"

    def container(self, name: str) -> Container | None:
        return next((c for c in self.containers if c.name == name), None)
