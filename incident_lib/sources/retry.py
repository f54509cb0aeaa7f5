"""How long a live source keeps trying: which answers are worth another attempt, the wait before it,
and the deadline of a whole run.

The waits are fixed (no random jitter): a run against a faulty server takes the same time every time,
and one client reading one cluster has no crowd of peers to spread out from.
"""

from __future__ import annotations

import time

ATTEMPTS = 3  # a transient failure is tried this many times in all before it is reported
TRANSIENT = frozenset({429, 500, 502, 503, 504})  # too many requests, or a server (or its proxy) unwell
FIRST_WAIT = 0.5  # seconds before the second attempt; doubled before each further one
MAX_WAIT = 10.0  # no wait is longer, whatever a Retry-After header asks for


def wait_before_retry(attempt: int, retry_after: str | None = None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1, 2, ...): the server's `Retry-After`
    in seconds when it sent one, else FIRST_WAIT doubled per attempt; at most MAX_WAIT either way."""
    if retry_after is not None and retry_after.strip().isdigit():
        return min(float(retry_after), MAX_WAIT)
    return min(FIRST_WAIT * 2 ** (attempt - 1), MAX_WAIT)


class Deadline:
    """A point in time `seconds` from now, after which a run starts no more requests."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds until the deadline (0 or less once it has passed)."""
        return self._end - time.monotonic()
