"""Raw API objects as `kubectl get … -o json` prints them: Lists, `<Kind>List`s and single objects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any


def iter_objects(document: Any) -> Iterator[dict]:
    """Yield every API object in a parsed JSON document, unwrapping `List` and `<Kind>List` (nested too).

    Items of a `<Kind>List` often lack `kind` (the API omits it), so it is restored from the list's kind.
    A `kind` that is not a string or `items` that are not a list is a ValueError naming the object.
    """
    if not isinstance(document, dict):
        raise ValueError("expected a JSON object (a Kubernetes List or a single API object)")
    kind = document.get("kind", "")
    if not isinstance(kind, str):
        raise ValueError(f"{describe(document)} has a 'kind' that is not a string")
    if "items" in document and (kind == "List" or kind.endswith("List")):
        if not isinstance(document["items"], list | None):
            raise ValueError(f"the 'items' of a {kind} is not a list")
        item_kind = kind[: -len("List")] if kind != "List" else None
        for item in document["items"] or []:
            if not isinstance(item, dict):
                raise ValueError(f"an item of the {kind} is not a JSON object")
            if item_kind and "kind" not in item:
                item = {**item, "kind": item_kind}
            yield from iter_objects(item)
        return
    if not kind:
        raise ValueError("an object has no 'kind'")
    yield document


def describe(obj: dict) -> str:
    """How an error names a raw object: `Pod apps/web-1`, or as much of that as it has of the right type."""
    view = ObjectView(obj)
    where = "/".join(part for part in (view.namespace, view.name) if part)
    return " ".join(part for part in (view.kind or "an object", where) if part)


def parse_time(value: str | None) -> datetime | None:
    """Return the UTC datetime of an RFC 3339 API timestamp, or None when it is absent.

    Anything else (`soon`, month 13, a number) is a ValueError: bundles' fields are checked with it as
    they are read (incident_lib.k8s.shapes), so rules only meet times it reads.
    """
    if not value:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not an RFC 3339 time: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # The API always writes UTC; a time without a zone is read as UTC, never as this machine's zone.
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved off the calendar by its zone
        raise ValueError(f"not an RFC 3339 time: {value!r}") from None


def format_time(value: datetime) -> str:
    """Return the RFC 3339 form the API uses (`2025-12-17T10:01:02Z`)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ObjectView:
    """Common accessors for any raw API object."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict) -> None:
        self.raw = raw

    @property
    def metadata(self) -> dict:
        return _object(self.raw.get("metadata"))

    @property
    def kind(self) -> str:
        return _text(self.raw.get("kind"))

    @property
    def name(self) -> str:
        return _text(self.metadata.get("name"))

    @property
    def namespace(self) -> str:
        return _text(self.metadata.get("namespace"))

    @property
    def uid(self) -> str:
        return _text(self.metadata.get("uid"))

    @property
    def labels(self) -> dict[str, str]:
        return _object(self.metadata.get("labels"))

    @property
    def owner(self) -> dict | None:
        """The controller owner reference (a ReplicaSet, Job, Deployment…), if any."""
        references = self.metadata.get("ownerReferences") or []
        return next((ref for ref in references if ref.get("controller")), None)

    @property
    def spec(self) -> dict:
        return _object(self.raw.get("spec"))

    @property
    def status(self) -> dict:
        return _object(self.raw.get("status"))

    def __repr__(self) -> str:
        return f"<{self.kind} {self.namespace}/{self.name}>"


# The views read raw objects that may not have been checked against their shapes (incident_lib.k8s.shapes):
# a value of another type reads as absent.
def _object(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
