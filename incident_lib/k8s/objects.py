"""Raw API objects as `kubectl get … -o json` prints them: Lists, `<Kind>List`s and single objects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any


def iter_objects(document: Any) -> Iterator[dict]:
    """Yield every API object in a parsed JSON document, unwrapping `List` and `<Kind>List` (nested too).

    Items of a `<Kind>List` often lack `kind` (the API omits it), so it is restored from the list's kind.
    """
    if not isinstance(document, dict):
        raise ValueError("expected a JSON object (a Kubernetes List or a single API object)")
    kind = document.get("kind", "")
    if "items" in document and (kind == "List" or kind.endswith("List")):
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


def parse_time(value: str | None) -> datetime | None:
    """Return the UTC datetime of an RFC 3339 API timestamp, or None when it is absent."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # The API always writes UTC; a time without a zone is read as UTC, never as this machine's zone.
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


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
        return self.raw.get("metadata") or {}

    @property
    def kind(self) -> str:
        return self.raw.get("kind", "")

    @property
    def name(self) -> str:
        return self.metadata.get("name", "")

    @property
    def namespace(self) -> str:
        return self.metadata.get("namespace", "")

    @property
    def uid(self) -> str:
        return self.metadata.get("uid", "")

    @property
    def labels(self) -> dict[str, str]:
        return self.metadata.get("labels") or {}

    @property
    def owner(self) -> dict | None:
        """The controller owner reference (a ReplicaSet, Job, Deployment…), if any."""
        references = self.metadata.get("ownerReferences") or []
        return next((ref for ref in references if ref.get("controller")), None)

    @property
    def spec(self) -> dict:
        return self.raw.get("spec") or {}

    @property
    def status(self) -> dict:
        return self.raw.get("status") or {}

    def __repr__(self) -> str:
        return f"<{self.kind} {self.namespace}/{self.name}>"
