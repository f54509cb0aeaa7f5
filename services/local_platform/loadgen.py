"""A small, bounded load generator: a fixed number of GETs at a fixed rate to one loopback URL, then exit.

`python -m services.local_platform.loadgen --url http://127.0.0.1:8081/api/summary --requests 600 --rate 5`

Only 127.0.0.1 is accepted: this drives the local platform, never someone else's server.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx

MAX_REQUESTS = 100_000
MAX_RATE = 200.0


def loopback_url(url: str) -> str:
    """`url` if it is http://127.0.0.1:PORT/…, else ValueError."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise ValueError(f"{url!r}: only http://127.0.0.1 URLs are driven")
    return url


async def drive(url: str, requests: int, rate: float, timeout: float = 5.0) -> Counter[str]:
    """Send `requests` GETs, `rate` per second (each started on schedule, not after the previous one
    returns, so a slow service does not slow the load); return the count of each outcome."""
    outcomes: Counter[str] = Counter()
    started = time.monotonic()

    async def one(client: httpx.AsyncClient) -> None:
        try:
            outcomes[str((await client.get(url)).status_code)] += 1
        except httpx.HTTPError as exc:
            outcomes[type(exc).__name__] += 1

    async with httpx.AsyncClient(timeout=timeout) as client:
        tasks = []
        for i in range(requests):
            await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
            tasks.append(asyncio.create_task(one(client)))
        await asyncio.gather(*tasks)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="loadgen", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT/path")
    parser.add_argument("--requests", type=int, default=600, help=f"how many (1..{MAX_REQUESTS})")
    parser.add_argument("--rate", type=float, default=5.0, help=f"per second (0.1..{MAX_RATE:g})")
    args = parser.parse_args(argv)
    try:
        url = loopback_url(args.url)
    except ValueError as exc:
        parser.error(str(exc))
    if not 1 <= args.requests <= MAX_REQUESTS or not 0.1 <= args.rate <= MAX_RATE:
        parser.error(f"--requests must be 1..{MAX_REQUESTS} and --rate 0.1..{MAX_RATE:g}")
    outcomes = asyncio.run(drive(url, args.requests, args.rate))
    print(f"loadgen: {args.requests} requests to {url}: {dict(sorted(outcomes.items()))}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
