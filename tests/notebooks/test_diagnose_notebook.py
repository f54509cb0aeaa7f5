"""The diagnose notebook run by papermill, as `incident-lab run` and `demo` run it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from incident_lib.errors import InputError
from incident_lib.runner import coerce_parameters, run_notebook
from tests.helpers import OOM_DRILL, ROOT

NOTEBOOK = ROOT / "notebooks" / "diagnose.ipynb"
BACKEND_POD = "backend-api-b6x9lqnrjx-smgvh"


def checked_outputs(executed: Path) -> str:
    """The text of the golden cells (tagged nbval-check-output) of an executed notebook."""
    cells = json.loads(executed.read_text())["cells"]
    return "".join(
        "".join(output.get("text", ""))
        for cell in cells
        if "nbval-check-output" in cell["metadata"].get("tags", [])
        for output in cell.get("outputs", [])
    )


@pytest.mark.parametrize(
    ("namespace", "pod", "root_cause"),
    [("default", "oom-test-7f77d89c59-vqgkt", "oom_killed"), ("apps", BACKEND_POD, "healthy")],
)
def test_the_notebook_diagnoses_each_shipped_pod(tmp_path, namespace, pod, root_cause):
    parameters = {"source": str(OOM_DRILL), "namespace": namespace, "pod": pod}
    outputs = run_notebook(NOTEBOOK, parameters, tmp_path, name=f"diagnose-{namespace}")
    text = checked_outputs(outputs.notebook)
    assert re.search(rf"^{namespace}\s+Pod\s+{pod}\s+{root_cause}\s", text, re.MULTILINE)
    html = outputs.html.read_text()
    assert root_cause in html and "<img" in html  # the diagnosis card and the metrics figure
    assert "il.read_bundle" not in html  # the report hides code cells
    assert html.count(f"<h4>Pod {namespace}/{pod}: ") == 1  # the diagnosis shown once: its card
    assert "NAMESPACE  KIND" not in html  # the text table stays in the notebook, for nbval and terminals
    assert f"-p namespace {namespace} -p pod {pod}" in html  # the command that makes this report again
    assert outputs.folder.parent == tmp_path / f"diagnose-{namespace}"
    assert sorted(p.name for p in outputs.folder.iterdir()) == [
        f"diagnose-{namespace}.html",
        f"diagnose-{namespace}.ipynb",
        "findings.json",
    ]


def test_parameters_are_converted_to_the_declared_types_and_unknown_ones_refused():
    assert coerce_parameters(NOTEBOOK, [("pod", "web-1")]) == {"pod": "web-1"}
    with pytest.raises(
        InputError, match=r"diagnose\.ipynb has no parameter 'pods'; its parameters: source, namespace"
    ):
        coerce_parameters(NOTEBOOK, [("pods", "web-1")])


def test_a_pod_the_bundle_does_not_hold_is_refused_before_a_kernel_starts(tmp_path):
    with pytest.raises(InputError, match=r"parameter pod \(namespace default\): pod 'no-such-pod' not found"):
        run_notebook(NOTEBOOK, {"source": str(OOM_DRILL), "pod": "no-such-pod"}, tmp_path)
    assert not (tmp_path / "diagnose").exists()


def test_run_with_an_unknown_parameter_exits_2_before_starting_a_kernel(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "incident_lib.cli",
            "run",
            str(NOTEBOOK),
            "-p",
            "podd",
            "x",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "has no parameter 'podd'" in result.stderr and "source, namespace, pod, window" in result.stderr
    assert list(tmp_path.iterdir()) == []
