"""gc_paused: the collector is off inside, back on after the last of overlapping pauses, on any thread."""

from __future__ import annotations

import gc
import threading

from incident_lib.gc_pause import gc_paused


def test_the_collector_is_off_inside_and_on_again_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_nested_pause_does_not_switch_the_collector_back_on_early():
    with gc_paused():
        with gc_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_on_threads_leave_the_collector_on():
    # Thread A is inside when B enters; A leaves first: B must still be paused, and after B, it is on.
    a_inside, b_inside, a_left = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with gc_paused():
            a_inside.set()
            b_inside.wait(5)
        a_left.set()

    def b():
        a_inside.wait(5)
        with gc_paused():
            b_inside.set()
            a_left.wait(5)
            seen["b after a left"] = gc.isenabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"b after a left": False}
    assert gc.isenabled()
