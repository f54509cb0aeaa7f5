"""The `kubectl get … -o jsonpath` command that prints one field of an object: how evidence and timeline
rows about an object field say where to look again."""

from __future__ import annotations

import re

from incident_lib.k8s.objects import ObjectView

# `conditions[Ready]` and `containerStatuses[app]` in a field path become jsonpath filters on the
# condition's type and the container's name.
_ITEM = re.compile(r"(\w+)\[([^\]*]+)\]")


def field_lookup(obj: ObjectView, path: str) -> str:
    """The command printing `path` (as in `status.phase` or `status.conditions[Ready].status`) of `obj`."""
    scope = f" -n {obj.namespace}" if obj.namespace else ""
    return f"kubectl get {obj.kind.lower()}{scope} {obj.name} -o jsonpath='{_jsonpath(path)}'"


def _jsonpath(path: str) -> str:
    def item(match: re.Match) -> str:
        key = "type" if match.group(1) == "conditions" else "name"
        return f'{match.group(1)}[?(@.{key}=="{match.group(2)}")]'

    return "{." + _ITEM.sub(item, path) + "}"
