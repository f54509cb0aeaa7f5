"""Deterministic Kubernetes incident analysis: read a snapshot, diagnose it, show the evidence.

import incident_lib as il
snapshot = il.read_bundle("incidents/oom-drill")
[diagnosis] = il.diagnose_pods(snapshot, "default", "oom-test-7f77d89c59-vqgkt")
diagnosis            # rich HTML in JupyterLab
il.evidence_frame(diagnosis)
"""

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.diagnose import diagnose_all, diagnose_pods
from incident_lib.errors import InputError
from incident_lib.report.text import table as text_table
from incident_lib.snapshot import Snapshot, parse_window
from incident_lib.sources.bundle import read_bundle


def __getattr__(name: str):
    # pandas and matplotlib load only when a notebook asks for frames or plots, keeping the CLI fast.
    if name in ("diagnoses_frame", "evidence_frame", "recommendations_frame"):
        from incident_lib.report import frames

        return getattr(frames, name)
    if name == "pod_metrics_figure":
        from incident_lib.report.plots import pod_metrics_figure

        return pod_metrics_figure
    raise AttributeError(name)


__all__ = [
    "Diagnosis",
    "InputError",
    "Snapshot",
    "diagnose_all",
    "diagnose_pods",
    "diagnoses_frame",
    "evidence_frame",
    "parse_window",
    "pod_metrics_figure",
    "read_bundle",
    "recommendations_frame",
    "text_table",
]
