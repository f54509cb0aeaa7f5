"""The metrics of one subject (a pod, or the service that receives traffic): per signal, its samples and
the query and range that produced them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from incident_lib.metrics.catalogue import POD_SIGNALS, SIGNALS

if TYPE_CHECKING:
    import pandas as pd

    from incident_lib.snapshot import Snapshot


def range_lookup(query: str, start: object, end: object, step: object) -> str:
    """How a reader re-runs a stored range query: the PromQL and its range."""
    return f"{query}  [range {start} .. {end}, step {step}]"


@dataclass(frozen=True)
class Series:
    """Samples of one signal for one pod (`timestamp`, `container`, `value`) and how to fetch them again."""

    signal: str
    frame: pd.DataFrame
    query: str
    start: str
    end: str
    step: str

    @property
    def lookup(self) -> str:
        return range_lookup(self.query, self.start, self.end, self.step)

    def container(self, name: str) -> pd.DataFrame:
        return self.frame[self.frame["container"] == name]


@dataclass(frozen=True)
class SubjectMetrics:
    """The series a snapshot holds for one subject, and the catalogue signals it has no series of."""

    series: dict[str, Series] = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    def get(self, signal: str) -> Series | None:
        return self.series.get(signal)


class NamespaceMetrics:
    """Catalogue signals of one namespace, split by subject (the pod, or the service receiving the
    traffic) once, so per-subject lookups are cheap."""

    def __init__(self, snapshot: Snapshot, namespace: str, signals: tuple[str, ...] = POD_SIGNALS) -> None:
        self._by_subject: dict[str, dict[str, Series]] = {}
        self._signals = signals
        missing = []
        for signal in signals:
            body = snapshot.metric(signal, namespace)
            if body is None:
                missing.append(signal)
                continue
            self._split(signal, body)
        self.missing = tuple(missing)

    def _split(self, signal: str, body: dict) -> None:
        from incident_lib.metrics.frames import response_frame

        frame = response_frame(body)
        subject = SIGNALS[signal].subject
        if subject not in frame:
            return
        for name, rows in frame.groupby(subject, sort=False):
            self._by_subject.setdefault(name, {})[signal] = Series(
                signal=signal,
                frame=rows.reset_index(drop=True),
                query=body["query"],
                start=str(body.get("start", "")),
                end=str(body.get("end", "")),
                step=str(body.get("step", "")),
            )

    def for_subject(self, name: str) -> SubjectMetrics:
        """The series about one pod (resource signals) or one Service (traffic signals).

        A signal is missing for the subject when the namespace lacks it, or has it for others only (a pod
        that started after the window, a gap in scraping): either way the rule could not use it.
        """
        series = self._by_subject.get(name, {})
        return SubjectMetrics(series, tuple(s for s in self._signals if s not in series))
