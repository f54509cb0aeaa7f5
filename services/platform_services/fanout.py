"""backend-api's fan-out: call the three downstream services concurrently, each with a timeout.

The answer reports each downstream's outcome; if any failed (error status, timeout, refused
connection) backend-api answers 502 so its own 5xx ratio shows the dependency failure.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from platform_services.settings import LEAF_RESOURCES


@dataclass(frozen=True)
class Outcome:
    """What one downstream call gave: its status (None if no response) and body or error."""

    service: str
    status: int | None
    body: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the downstream answered with a 2xx."""
        return self.status is not None and 200 <= self.status < 300


async def call(client: httpx.AsyncClient, service: str, base_url: str) -> Outcome:
    """GET the downstream's resource list; network errors and timeouts become a failed Outcome."""
    url = f"{base_url}/api/{LEAF_RESOURCES[service]}"
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        return Outcome(service, None, error=f"{type(exc).__name__} calling {url}")
    if response.is_success:
        return Outcome(service, response.status_code, body=response.json())
    return Outcome(service, response.status_code, error=f"HTTP {response.status_code} from {url}")


async def fan_out(client: httpx.AsyncClient, downstreams: dict[str, str]) -> list[Outcome]:
    """Call every downstream at once and return their outcomes in `downstreams` order."""
    return list(await asyncio.gather(*(call(client, name, url) for name, url in downstreams.items())))
