"""`incident-lab run` and `demo` as schedulers use them: one folder per run, findings.json, --fail-on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest

from incident_lib.cli import main
from incident_lib.errors import InputError
from incident_lib.runner import coerce_parameters, notebook_parameters, run_folder, validate_parameters
from tests.helpers import OOM_DRILL, ROOT, cli

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SWEEP = ROOT / "notebooks" / "sweep.ipynb"
METRICS = ROOT / "notebooks" / "metrics.ipynb"
DIAGNOSE = ROOT / "notebooks" / "diagnose.ipynb"
CRASH_LOOP = ROOT / "incidents" / "crash-loop"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_declares_typed_and_documented_parameters(notebook):
    declared = notebook_parameters(notebook)
    assert declared, f"{notebook.name} has no cell tagged parameters"
    for name, parameter in declared.items():
        assert parameter["inferred_type_name"] != "None", f"{notebook.name}: {name} has no type annotation"
        assert parameter["help"], f"{notebook.name}: {name} has no # comment"


def test_a_run_folder_is_the_utc_time_and_never_one_that_exists(tmp_path):
    at = datetime(2025, 12, 17, 11, 5, tzinfo=UTC)
    first, second = run_folder(tmp_path, "sweep", at), run_folder(tmp_path, "sweep", at)
    assert first == tmp_path / "sweep" / "20251217T110500Z"
    assert second == tmp_path / "sweep" / "20251217T110500Z-2"


def test_parameters_of_the_wrong_type_are_refused_naming_the_types():
    with pytest.raises(InputError, match=r"parameter namespaces expects list, got str 'apps'.*source: str"):
        validate_parameters(SWEEP, {"namespaces": "apps"})


def test_run_sweep_writes_findings_json_and_fail_on_critical_exits_1(tmp_path):
    result = cli("run", "notebooks/sweep.ipynb", "--out", str(tmp_path), "--fail-on", "critical")
    assert result.returncode == 1, result.stderr
    [folder] = (tmp_path / "sweep").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["findings.json", "sweep.html", "sweep.ipynb"]
    document = json.loads((folder / "findings.json").read_text())
    assert document["notebook"] == "sweep.ipynb"
    assert document["parameters"] == {
        "source": "incidents/oom-drill",
        "namespaces": [],
        "prometheus_url": "",
        "window": "1h",
    }
    assert document["captured_at"] == "2025-12-17T10:05:00Z"  # the bundle's, what the rules' "now" is
    ran = datetime.fromisoformat(document["generated_at"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - ran).total_seconds()) < 600  # when the run happened
    oom = next(f for f in document["findings"] if f["subject"]["kind"] == "Pod")
    assert oom["subject"]["name"] == "oom-test-7f77d89c59-vqgkt" and oom["root_cause"] == "oom_killed"
    assert all(f["root_cause"] not in ("healthy", "completed") for f in document["findings"])
    # The kernel talks over sockets in Jupyter's runtime folder, not loopback TCP: no warning in the log.
    assert "without encryption" not in result.stderr
    html = (folder / "sweep.html").read_text()
    assert "<title>sweep: oom-drill</title>" in html
    assert (
        '<th style="text-align: left; padding-right: 1em;">captured at</th><td><code>2025-12-17T10:05:00Z'
        in html
    )
    assert "pods.oom_killed/" in html.split("</header>")[0]  # the rules behind the findings, in the header
    assert "<script src=" not in html and "MathJax" not in html  # nothing fetched: it opens offline


@pytest.mark.parametrize("cwd", [ROOT, ROOT / "notebooks"], ids=["from-the-repository", "from-notebooks"])
def test_papermill_runs_a_notebook_on_its_default_source_from_the_repository_or_notebooks(cwd, tmp_path):
    import papermill

    papermill.execute_notebook(str(SWEEP), str(tmp_path / "out.ipynb"), cwd=str(cwd), progress_bar=False)
    assert "oom_killed" in (tmp_path / "out.ipynb").read_text()


def test_a_runtime_folder_too_long_for_socket_paths_runs_the_kernel_over_loopback_tcp(tmp_path):
    runtime = tmp_path / ("r" * 100)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    result = cli("run", "notebooks/sweep.ipynb", "--out", str(tmp_path), env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sweep").is_dir()


def test_run_on_a_healthy_namespace_exits_0_and_bundle_paths_are_relative_to_the_caller(tmp_path):
    result = cli(
        "run", str(SWEEP), "-p", "source", "incidents/oom-drill", "-p", "namespaces", '["apps"]',
        "--out", str(tmp_path), "--fail-on", "warning",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [folder] = (tmp_path / "sweep").iterdir()
    document = json.loads((folder / "findings.json").read_text())
    assert document["findings"] == [] and document["parameters"]["namespaces"] == ["apps"]
    assert document["parameters"]["source"] == str(OOM_DRILL)


def test_run_with_a_value_of_the_wrong_type_exits_2_listing_the_parameters(tmp_path):
    result = cli("run", str(METRICS), "-p", "slo_p99_seconds", "fast", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "slo_p99_seconds expects float" in result.stderr and "source: str, namespace: str" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("parameter", "value", "error"),
    [
        ("window", "yesterday", "parameter window 'yesterday': expected a duration ending now"),
        ("window", "2025-12-17T10:00:00Z/2025-12-17T09:00:00Z", "parameter window '2025-12-17T10:00:00Z/"),
        ("source", "no/such/bundle", "parameter source: "),
        (
            "namespaces",
            "apps,nope",
            "parameter namespaces: namespace 'nope' not found; the snapshot holds apps",
        ),
        ("namespaces", "Apps", "invalid namespace name 'Apps'"),
        ("prometheus_url", "http://sre:s3cret@prometheus:9090", "keep the credentials in the URL"),
    ],
)
def test_parameters_that_mean_nothing_are_refused_before_a_kernel_starts(
    parameter, value, error, tmp_path, capsys
):
    assert main(["run", str(SWEEP), "-p", parameter, value, "--out", str(tmp_path)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert error in line
    assert list(tmp_path.iterdir()) == []  # no run folder: no kernel was started


def test_a_pod_not_in_the_bundle_is_refused_with_the_closest_names(tmp_path, capsys):
    assert (
        main(
            ["run", str(DIAGNOSE), "-p", "namespace", "apps", "-p", "pod", "backend", "--out", str(tmp_path)]
        )
        == 2
    )
    assert capsys.readouterr().err == (
        "incident-lab: error: parameter pod (namespace apps): pod 'backend' not found; "
        "did you mean backend-api-b6x9lqnrjx-smgvh?\n"
    )


def test_a_list_parameter_takes_names_as_well_as_json():
    assert coerce_parameters(SWEEP, [("namespaces", "apps, default")]) == {"namespaces": ["apps", "default"]}
    assert coerce_parameters(SWEEP, [("namespaces", '["apps"]')]) == {"namespaces": ["apps"]}


def test_run_notebook_help_lists_its_parameters_with_types_defaults_and_help(capsys):
    assert main(["run", str(SWEEP), "--help"]) == 0
    out = capsys.readouterr().out
    assert "Parameters of sweep.ipynb (-p NAME VALUE):" in out
    assert '  window: str = "1h"\n      live only: metrics window' in out


def test_a_bundle_a_cell_cannot_read_is_the_clis_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert (
        main(["run", str(SWEEP), "-p", "source", str(tmp_path / "empty"), "--out", str(tmp_path / "out")])
        == 2
    )
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(
        f"incident-lab: error: {tmp_path / 'empty'}: not an incident bundle (no manifest.json)"
    )
    [folder] = (tmp_path / "out" / "sweep").iterdir()
    assert [p.name for p in folder.iterdir()] == ["sweep.failed.ipynb"]


def write_notebook(path: Path, *cells: str) -> Path:
    """A notebook whose first cell is its parameters cell."""
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": kernel})
    notebook.cells = [nbformat.v4.new_code_cell(cells[0], metadata={"tags": ["parameters"]})]
    notebook.cells += [nbformat.v4.new_code_cell(cell) for cell in cells[1:]]
    nbformat.write(notebook, path)
    return path


def test_a_failing_cell_exits_3_and_keeps_the_notebook(tmp_path):
    write_notebook(
        tmp_path / "buggy.ipynb",
        "limit: int = 1  # how many",
        "raise RuntimeError(f'a bug, with limit {limit}')",
    )
    result = cli("run", str(tmp_path / "buggy.ipynb"), "-p", "limit", "2", "--out", str(tmp_path / "out"))
    assert result.returncode == 3
    assert "raised RuntimeError: a bug, with limit 2" in result.stderr
    [folder] = (tmp_path / "out" / "buggy").iterdir()
    assert [p.name for p in folder.iterdir()] == ["buggy.failed.ipynb"]


def test_ctrl_c_exits_130_with_one_line_and_keeps_the_notebook_so_far(tmp_path):
    started = tmp_path / "started"
    notebook = write_notebook(
        tmp_path / "slow.ipynb",
        "seconds: int = 120  # how long",
        f"open({str(started)!r}, 'w').close()",
        "import time; time.sleep(seconds)",
    )
    run = subprocess.Popen(
        [sys.executable, "-m", "incident_lib.cli", "run", str(notebook), "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not started.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=60)

    assert run.returncode == 130
    [line] = stderr.splitlines()  # no ZMQ traceback: the kernel's own messages went to its log
    assert line.startswith("incident-lab: interrupted; the executed notebook so far is kept: ")
    [folder] = (tmp_path / "out" / "slow").iterdir()
    assert "slow.interrupted.ipynb" in {p.name for p in folder.iterdir()}


def test_postmortem_run_writes_the_draft_with_its_graph_beside_the_notebook(tmp_path):
    result = cli("run", "notebooks/postmortem.ipynb", "-p", "source", str(CRASH_LOOP), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    [folder] = (tmp_path / "postmortem").iterdir()
    assert {"postmortem.md", "pod-metrics.png", "postmortem.html", "findings.json"} <= {
        p.name for p in folder.iterdir()
    }
    draft = (folder / "postmortem.md").read_text()
    assert "# Postmortem (draft): crash_loop on Pod default/crashloop-test-5d8f9c7b6d-w4k2x" in draft
    assert "fatal: required setting DATABASE_URL is not set" in draft  # evidence from the previous log
    assert "| 2025-12-17T10:20:06Z | event | Pod default/crashloop-test-5d8f9c7b6d-w4k2x | BackOff:" in draft
    assert "x27 until 10:28:53Z" in draft
    assert "![" in draft and "(pod-metrics.png)" in draft
    for kind in ("mitigate", "prevent", "process"):
        assert f"| {kind} |" in draft
    assert "### What went well" in draft


def test_demo_runs_every_notebook_on_the_shipped_incidents(tmp_path):
    result = cli("demo", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "diagnose-backend-api",
        "diagnose-oom-test",
        "metrics-bad-service",
        "metrics-default",
        "metrics-latency",
        "postmortem-bad-service",
        "postmortem-crash-loop",
        "postmortem-latency",
        "postmortem-oom-drill",
        "runbook",
        "sweep",
    ]
    [postmortem] = (tmp_path / "postmortem-oom-drill").iterdir()
    assert "oom_killed" in (postmortem / "postmortem.md").read_text()
    [latency] = (tmp_path / "postmortem-latency").iterdir()
    assert "high_latency on Service apps/payments-service" in (latency / "postmortem.md").read_text()
    [bad] = (tmp_path / "postmortem-bad-service").iterdir()
    assert (
        json.loads((bad / "findings.json").read_text())["findings"][0]["root_cause"] == "service_no_endpoints"
    )
    [oom] = (tmp_path / "diagnose-oom-test").iterdir()
    [finding] = json.loads((oom / "findings.json").read_text())["findings"]
    assert finding["root_cause"] == "oom_killed"
    [backend] = (tmp_path / "diagnose-backend-api").iterdir()
    assert json.loads((backend / "findings.json").read_text())["findings"] == []
