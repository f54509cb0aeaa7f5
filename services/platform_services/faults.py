"""Fault injection for business requests: added latency, a deterministic error ratio, memory growth.

Faults apply only to the `/api/...` routes, never to probes or `/metrics`, so a drill shows the
symptom it is about (slow or failing traffic, memory climbing to the limit) and not probe noise.
"""

from __future__ import annotations

import asyncio
import math

from fastapi import HTTPException

from platform_services.settings import Faults

_MIB = 1024 * 1024


class FaultInjector:
    """Applies the configured faults to each business request (a FastAPI dependency)."""

    def __init__(self, faults: Faults) -> None:
        self._faults = faults
        self._requests = 0
        self._ballast: list[bytes] = []

    @property
    def ballast_mib(self) -> float:
        """Memory held on purpose so far, in MiB."""
        return sum(len(chunk) for chunk in self._ballast) / _MIB

    def should_fail(self, n: int) -> bool:
        """Whether request number `n` (1-based) fails: exactly `error_ratio` of any run of requests.

        Request n fails when floor(n * ratio) steps up, so 0.5 fails every 2nd request and 0.1 every
        10th: deterministic, hence testable, and still spread evenly over time.
        """
        ratio = self._faults.error_ratio
        return math.floor(n * ratio) > math.floor((n - 1) * ratio)

    def _grow_memory(self) -> None:
        """Hold `memory_mib_per_request` more MiB, until `memory_limit_mib` (0 means no limit)."""
        step = self._faults.memory_mib_per_request
        limit = self._faults.memory_limit_mib
        if step <= 0 or (limit and self.ballast_mib + step > limit):
            return
        # Filled with a non-zero byte so the pages are really resident, not lazily zero-mapped.
        self._ballast.append(b"\xa5" * int(step * _MIB))

    async def __call__(self) -> None:
        """Apply the faults to one request; raise a 500 when this request is due to fail."""
        self._requests += 1
        self._grow_memory()
        if self._faults.latency_ms > 0:
            await asyncio.sleep(self._faults.latency_ms / 1000)
        if self.should_fail(self._requests):
            raise HTTPException(status_code=500, detail="injected fault (FAULT_ERROR_RATIO)")
