"""The cyclic garbage collector paused while large JSON is decoded or diagnosed.

Decoding a page of pods, a Prometheus answer for a namespace or a bundle's files builds hundreds of
thousands of small dicts and lists and no reference cycles; with the collector on, every few hundred
allocations it re-scans all of them, so decoding grows worse than linearly with what is already held.
Reference counting still frees everything; the collector catches up once, when it is switched back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Switch the collector off for the block; back on after it, unless it was off already."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
