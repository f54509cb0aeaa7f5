"""What the deployment runbook expects of a cluster: read from the app chart's values and the drill's
manifest, not kept as constants beside the checks.

The chart renders the apps namespace from `helm/app/values.yaml`, merged with the override file a user
passes to `helm install -f`, so the checks read the same merge: the microservices and their canaries
(`services`), the LimitRange's memory cap (`limitRange`) and whether the diagnostics API is deployed
(`diagnostics`). The namespaces are not values (Helm's `--namespace` and the monitoring release's) and
come from the caller: the notebook's parameters. The OOM drill's namespace, pod labels and expected root
cause are read from the manifest the runbook applies (`failures/oom.yaml`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import yaml

from incident_lib.errors import InputError
from incident_lib.k8s.quantity import parse_quantity

ROOT = Path(__file__).resolve().parents[2]
CHART_VALUES = ROOT / "helm" / "app" / "values.yaml"
OOM_DRILL = ROOT / "failures" / "oom.yaml"
EXPECTED_ROOT_CAUSE = "incident-lab/expected-root-cause"  # the drill manifest's annotation


@dataclass(frozen=True)
class Drill:
    """A failure drill as its manifest deploys it: the Deployment's name, the namespace and labels of its
    pods and the root cause the tooling must find in them. `manifest` is the path the runbook applies,
    relative to the project."""

    manifest: str
    name: str
    namespace: str
    selector: dict[str, str]
    root_cause: str

    @classmethod
    def oom(cls) -> Drill:
        """The OOM drill, from the Deployment in failures/oom.yaml."""
        deployment = _Values([(OOM_DRILL, _mapping(OOM_DRILL))])
        return cls(
            manifest=OOM_DRILL.relative_to(ROOT).as_posix(),
            name=deployment.get(("metadata", "name"), str, "a name"),
            namespace=deployment.get(("metadata", "namespace"), str, "a namespace", "default"),
            selector=deployment.get(("spec", "selector", "matchLabels"), dict, "a mapping of labels"),
            root_cause=deployment.get(("metadata", "annotations", EXPECTED_ROOT_CAUSE), str, "a root cause"),
        )


@dataclass(frozen=True)
class RunbookExpectations:
    """What the runbook checks against.

    `namespace` is the app chart's release namespace; `deployments` its microservices in the order Helm
    renders them, each followed by its canary (`<name>-v2`) when enabled; `services` the microservices
    (one DestinationRule and one VirtualService each); `memory_cap` the LimitRange's `max.memory`, or
    None when the chart renders no LimitRange cap; `diagnostics` whether the diagnostics API is deployed.
    """

    namespace: str
    monitoring_namespace: str
    services: tuple[str, ...]
    deployments: tuple[str, ...]
    memory_cap: str | None
    diagnostics: bool
    drill: Drill

    @classmethod
    def from_values(
        cls,
        override: str | Path | dict = "",
        namespace: str = "apps",
        monitoring_namespace: str = "monitoring",
    ) -> RunbookExpectations:
        """The expectations of the chart's values.yaml merged with `override` (a values file, or its
        parsed mapping) as `helm install -f` merges them; empty: the chart's defaults. The defaults of
        the namespaces are the ones the runbook installs into."""
        layers = [(CHART_VALUES, _mapping(CHART_VALUES))]
        if isinstance(override, dict):
            layers.append(("values given", override))
        elif override:
            layers.append((Path(override), _mapping(Path(override))))
        values = _Values(layers)
        services = tuple(sorted(values.get(("services",), dict, "a mapping of microservices")))
        deployments = []
        for name in services:
            values.get(("services", name), dict, "a mapping")
            deployments.append(name)
            if values.get(("services", name, "canary", "enabled"), bool, "true or false", False):
                deployments.append(f"{name}-v2")
        return cls(
            namespace=namespace,
            monitoring_namespace=monitoring_namespace,
            services=services,
            deployments=tuple(deployments),
            memory_cap=_memory_cap(values),
            diagnostics=values.get(("diagnostics", "enabled"), bool, "true or false"),
            drill=Drill.oom(),
        )


def _memory_cap(values: _Values) -> str | None:
    if not values.get(("limitRange", "enabled"), bool, "true or false"):
        return None
    cap = values.get(("limitRange", "max", "memory"), str, "a memory quantity such as 300Mi", None)
    if cap is not None and parse_quantity(cap) is None:
        raise values.error(("limitRange", "max", "memory"), "a memory quantity such as 300Mi", cap)
    return cap


_REQUIRED = object()


class _Values:
    """Layers of values merged as Helm merges them, read key by key; a missing or mistyped value is an
    InputError naming the file it came from and its key."""

    def __init__(self, layers: list[tuple[Path | str, dict]]) -> None:
        self.layers = layers
        self.merged = reduce(_merged, (values for _, values in layers), {})

    def get(self, keys: tuple[str, ...], kind: type, what: str, default: object = _REQUIRED):
        value: object = self.merged
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None and default is not _REQUIRED:
            return default
        if not isinstance(value, kind):
            raise self.error(keys, what, value)
        return value

    def error(self, keys: tuple[str, ...], what: str, value: object) -> InputError:
        """The one-line error of a bad value: the file it came from, its key, what was expected."""
        got = "nothing" if value is None else repr(value)
        return InputError(f"{self._origin(keys)}: {'.'.join(keys)}: expected {what}, got {got}")

    def _origin(self, keys: tuple[str, ...]) -> Path | str:
        """The last layer that decides `keys`: it sets them, or sets (or deletes) a key above them."""
        for name, values in reversed(self.layers):
            node = values
            for key in keys:
                if key not in node:
                    break
                node = node[key]
                if not isinstance(node, dict):
                    return name
            else:
                return name
        return self.layers[0][0]


def _merged(base: dict, override: dict) -> dict:
    """`override` over `base` as Helm coalesces values: mappings merge key by key, any other value
    replaces, and null deletes the key."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def _mapping(path: Path) -> dict:
    """The YAML mapping of `path`; an unreadable file, malformed YAML or another shape is an InputError."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InputError(f"{path}: not valid YAML{where} ({getattr(exc, 'problem', None) or exc})") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected a mapping of keys, got {type(document).__name__}")
    return document
