"""Deterministic Kubernetes incident analysis: read a snapshot, diagnose it, show the evidence.

import incident_lib as il
snapshot = il.open_snapshot("incidents/oom-drill")   # or il.open_snapshot("live", ["apps"])
[diagnosis] = il.diagnose_pods(snapshot, "default", "oom-test-7f77d89c59-vqgkt")
diagnosis            # rich HTML in JupyterLab
il.evidence_frame(diagnosis)

Everything a notebook calls is here, so notebooks never reach into submodules.
"""

from importlib import import_module

# name -> (module, attribute). Loaded on first use: importing a submodule (the CLI's `run`, which only
# drives papermill) does not load pandas with the rules, and a notebook loads matplotlib only for plots.
_LAZY = {
    "Diagnosis": ("incident_lib.classify.diagnosis", "Diagnosis"),
    "InputError": ("incident_lib.errors", "InputError"),
    "Snapshot": ("incident_lib.snapshot", "Snapshot"),
    "diagnose_all": ("incident_lib.diagnose", "diagnose_all"),
    "diagnose_pods": ("incident_lib.diagnose", "diagnose_pods"),
    "open_snapshot": ("incident_lib.sources.open", "open_snapshot"),
    "parse_window": ("incident_lib.snapshot", "parse_window"),
    "read_bundle": ("incident_lib.sources.bundle", "read_bundle"),
    "text_table": ("incident_lib.report.text", "table"),
    "diagnoses_frame": ("incident_lib.report.frames", "diagnoses_frame"),
    "evidence_frame": ("incident_lib.report.frames", "evidence_frame"),
    "recommendations_frame": ("incident_lib.report.frames", "recommendations_frame"),
    "pod_metrics_figure": ("incident_lib.report.plots", "pod_metrics_figure"),
    "resource_figure": ("incident_lib.report.metric_plots", "resource_figure"),
    "traffic_figure": ("incident_lib.report.metric_plots", "traffic_figure"),
    "promql": ("incident_lib.metrics.catalogue", "promql"),
    "sweep": ("incident_lib.report.sweep", "sweep"),
    "sweep_counts": ("incident_lib.report.sweep", "sweep_counts"),
    "exclude": ("incident_lib.exclusions", "apply_config"),
    "rerun_command": ("incident_lib.report.rerun", "rerun_command"),
    "excluded_dict": ("incident_lib.exclusions", "excluded_dict"),
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


__all__ = list(_LAZY)
