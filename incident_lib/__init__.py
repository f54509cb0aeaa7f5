"""Deterministic Kubernetes incident analysis: read a snapshot, diagnose it, show the evidence.

import incident_lib as il
snapshot = il.open_snapshot("incidents/oom-drill")   # or il.open_snapshot("live", ["apps"])
[diagnosis] = il.diagnose_pods(snapshot, "default", "oom-test-7f77d89c59-vqgkt")
diagnosis            # rich HTML in JupyterLab
il.evidence_frame(diagnosis)

Everything a notebook calls is here, so notebooks never reach into submodules.
"""

from importlib import import_module

from incident_lib.classify.diagnosis import Diagnosis
from incident_lib.diagnose import diagnose_all, diagnose_pods
from incident_lib.errors import InputError
from incident_lib.report.text import table as text_table
from incident_lib.snapshot import Snapshot, parse_window
from incident_lib.sources.bundle import read_bundle
from incident_lib.sources.open import open_snapshot

# name -> (module, attribute). Loaded on first use: pandas and matplotlib come only when a notebook asks
# for frames or plots, and the CLI does not pay for the report and runbook modules it does not run.
_LAZY = {
    "diagnoses_frame": ("incident_lib.report.frames", "diagnoses_frame"),
    "evidence_frame": ("incident_lib.report.frames", "evidence_frame"),
    "recommendations_frame": ("incident_lib.report.frames", "recommendations_frame"),
    "pod_metrics_figure": ("incident_lib.report.plots", "pod_metrics_figure"),
    "resource_figure": ("incident_lib.report.metric_plots", "resource_figure"),
    "traffic_figure": ("incident_lib.report.metric_plots", "traffic_figure"),
    "promql": ("incident_lib.metrics.catalogue", "promql"),
    "sweep": ("incident_lib.report.sweep", "sweep"),
    "sweep_counts": ("incident_lib.report.sweep", "sweep_counts"),
    "findings_text": ("incident_lib.report.findings", "findings_text"),
    "hand_over": ("incident_lib.report.findings", "hand_over"),
    "hand_over_checks": ("incident_lib.report.findings", "hand_over_checks"),
    "run_runbook": ("incident_lib.checks.runbook", "run_runbook"),
    "draft_postmortem": ("incident_lib.report.postmortem", "draft_postmortem"),
    "postmortem_markdown": ("incident_lib.report.postmortem", "markdown"),
    "write_postmortem": ("incident_lib.report.postmortem", "write_postmortem"),
    "timeline_frame": ("incident_lib.report.timeline", "timeline_frame"),
    "timeline_text": ("incident_lib.report.timeline", "timeline_text"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'incident_lib' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Diagnosis",
    "InputError",
    "Snapshot",
    "diagnose_all",
    "diagnose_pods",
    "open_snapshot",
    "parse_window",
    "read_bundle",
    "text_table",
    *_LAZY,
]
