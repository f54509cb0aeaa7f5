"""The cyclic garbage collector paused while large JSON is decoded or diagnosed.

Decoding a page of pods, a Prometheus answer for a namespace or a bundle's files builds hundreds of
thousands of small dicts and lists and no reference cycles; with the collector on, every few hundred
allocations it re-scans all of them, so decoding grows worse than linearly with what is already held.
Reference counting still frees everything; the collector catches up once, when it is switched back on.

The collector is one switch for the whole process, and the diagnostics API diagnoses on several threads
at once: pauses are counted, so the collector comes back when the last one ends, and only if it was on
when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Switch the collector off for the block (see the module docstring for overlapping blocks)."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
