"""`POST /alerts`: Alertmanager's notifications, answered at once and handled by a few worker threads.

The queue holds at most `capacity` groups. A notification of a group already waiting replaces the
waiting one (Alertmanager sends a group's whole state each time, so the newest says everything), and a
group is handled by one worker at a time, so the incident of a group is never written by two at once.
When `capacity` other groups wait, `submit` refuses and the API answers 503: Alertmanager retries later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from incident_lib.incidents.alerts import Notification
from incident_lib.incidents.notify import Notifier
from incident_lib.incidents.record import group_hash
from incident_lib.incidents.respond import Responder
from incident_lib.incidents.store import IncidentStore
from services.diagnostics.settings import Settings

log = logging.getLogger("services.diagnostics.alerts")


def responder(settings: Settings) -> Responder:
    """What handles a notification: the settings' store, cluster, Prometheus and notification URLs."""
    return Responder(
        store=IncidentStore(settings.store),
        notifier=Notifier(settings.notify_urls),
        prometheus_url=settings.prometheus_url,
        kube_context=settings.kube_context,
        lookback=settings.lookback,
        timeout_s=settings.timeout_s,
        base_url=settings.base_url,
    )


class StoreCheck:
    """Whether the incident store can be written: checked until it can, then taken as so (a readiness
    probe should not write a file every few seconds)."""

    def __init__(self, store: IncidentStore) -> None:
        self.store = store
        self._ok = False

    def check(self) -> tuple[bool, str]:
        if not self._ok:
            problem = self.store.write_problem()
            if problem:
                return False, problem
            self._ok = True
        return True, f"incident store {self.store.url} is writable"


class AlertQueue:
    """Notifications waiting, at most one per group and `capacity` groups, and the workers handling them."""

    def __init__(self, handle: Callable[[Notification], object], workers: int, capacity: int) -> None:
        self._handle = handle
        self._capacity = capacity
        self._waiting: dict[str, Notification] = {}  # group key -> its newest notification, oldest first
        self._busy: set[str] = set()  # groups a worker is handling
        self._stopping = False
        self._changed = threading.Condition()
        self._workers = [
            threading.Thread(target=self._work, name=f"alerts-{n}", daemon=True) for n in range(workers)
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, notification: Notification) -> bool:
        """Queue `notification`; False when `capacity` other groups are waiting already."""
        with self._changed:
            key = notification.group_key
            if key not in self._waiting and len(self._waiting) >= self._capacity:
                return False
            self._waiting[key] = notification
            self._changed.notify_all()
            return True

    def counts(self) -> tuple[int, int]:
        """How many groups wait, and how many are being handled."""
        with self._changed:
            return len(self._waiting), len(self._busy)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing waits and nothing is being handled; False when `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._waiting and not self._busy, timeout)

    def stop(self) -> None:
        """Let the workers finish what they handle, and end them; what waits is dropped."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        for worker in self._workers:
            worker.join()

    def _next(self) -> Notification | None:
        with self._changed:
            while not self._stopping:
                key = next((k for k in self._waiting if k not in self._busy), None)
                if key is not None:
                    self._busy.add(key)
                    return self._waiting.pop(key)
                self._changed.wait()
            return None

    def _work(self) -> None:
        while (notification := self._next()) is not None:
            try:
                self._handle(notification)
            except Exception:  # one group failing must not end the worker: logged, the next one handled
                log.exception("alert group %s: not recorded", group_hash(notification.group_key))
            finally:
                with self._changed:
                    self._busy.discard(notification.group_key)
                    self._changed.notify_all()
