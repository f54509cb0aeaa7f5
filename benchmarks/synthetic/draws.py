"""The one seeded random source of a synthetic cluster, and what it hands out as the API server would:
uids, generated-name suffixes, resource versions, container and image ids, times before the capture.

Everything in a synthetic bundle is drawn from one `Draws`, in a fixed order: the same seed gives the
same bundle, byte for byte, as long as every draw stays where it is.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tools import k8s_objects as k8s

CAPTURED_AT = datetime(2025, 12, 17, 10, 5, 0, tzinfo=UTC)
K8S_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # what the API server uses for generated name suffixes


class Draws(random.Random):
    """A seeded `random.Random` that also counts resource versions up, as one API server would."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.last_resource_version = 48_000_000

    def chance(self, probability: float) -> bool:
        """True with `probability`."""
        return self.random() < probability

    def uid(self) -> str:
        """A random (version 4) uid."""
        return str(uuid.UUID(int=self.getrandbits(128), version=4))

    def suffix(self, n: int) -> str:
        """`n` characters of a generated name's suffix (`-7f9c4`)."""
        return "".join(self.choices(K8S_ALPHABET, k=n))

    def hex_digits(self, n: int) -> str:
        """`n` lowercase hex digits."""
        return "".join(self.choices("0123456789abcdef", k=n))

    def resource_version(self) -> str:
        """The next resource version: higher than the last by a few writes elsewhere in the cluster."""
        self.last_resource_version += self.randint(1, 40)
        return str(self.last_resource_version)

    def object_meta(
        self, name: str, namespace: str | None, created: datetime, **fields: Any
    ) -> dict[str, Any]:
        """The metadata of a new object: the next resource version, then a fresh uid."""
        return k8s.object_meta(
            name, namespace, created, resource_version=self.resource_version(), uid=self.uid(), **fields
        )

    def container_id(self) -> str:
        """A containerd container id."""
        return f"containerd://{self.hex_digits(64)}"

    def image_digest(self, image: str) -> str:
        """`image`'s repository with a sha256 digest, as an imageID or a node's image name reads."""
        return f"{image.rsplit(':', 1)[0]}@sha256:{self.hex_digits(64)}"

    def ago(self, low: timedelta, high: timedelta) -> datetime:
        """A whole-second time between `high` and `low` before the capture."""
        span = (high - low).total_seconds()
        return CAPTURED_AT - low - timedelta(seconds=int(self.random() * span))
