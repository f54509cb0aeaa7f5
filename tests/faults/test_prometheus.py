"""A Prometheus that answers badly never fails a live diagnosis or a capture, and what capture writes reads.

Each fault mode of tests/servers/fault_prometheus.py is put behind `diagnose --live` and `capture`
(against the Kubernetes API double serving the OOM drill), and the bundle is read back and diagnosed:
the spoiled signal is missing evidence with its reason, never an exception, and the bundle diagnoses
exactly as the live cluster did. `pytest -s` prints a summary: mode, command, outcome, wall time.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from pathlib import Path

import pytest

from incident_lib.cli import main
from incident_lib.sources.bundle import read_bundle
from tests.servers.fault_prometheus import PASSWORD, USER, FaultPrometheus

WINDOW = "2025-12-17T09:35:00Z/2025-12-17T10:05:00Z"
TIMEOUT = 2.0
OOM_POD = "oom-test-7f77d89c59-vqgkt"
MEMORY = "memory_working_set.default"
NO_MEMORY = "prometheus: no memory_working_set series for this pod"

# mode -> what the manifest says of the OOM pod's memory, which is left out
LEFT_OUT = {
    "inf": "{container='app', namespace='default', pod='oom-test-7f77d89c59-vqgkt'}: value '+Inf' at",
    "text": "value '12 MiB' at 1765965000 is not a number",
    "timestamp": "time 'yesterday' is not Unix seconds",
    "vector": "answered a 'vector' result, not the matrix a range query gives",
    "scalar": "answered a 'scalar' result, not the matrix a range query gives",
    "string": "answered a 'string' result, not the matrix a range query gives",
    "oversize": "answer over 16 MiB, not read further",
    "samples": "samples, over the 300,000 of one answer",
    "error": "HTTP 500: query processing would load too many samples into memory",
    "slow": f"no answer within {TIMEOUT:g} s",
    "drip": f"no whole answer within {TIMEOUT:g} s",
}

SUMMARY: list[tuple[str, str, str, float]] = []  # mode, command, outcome, seconds


@pytest.fixture(scope="module", autouse=True)
def summary():
    """Print what each command did under each mode once the module's tests are done (seen with -s)."""
    yield
    print(f"\n{'mode':<12} {'command':<18} {'outcome':<44} wall time")
    for mode, command, outcome, seconds in SUMMARY:
        print(f"{mode:<12} {command:<18} {outcome:<44} {seconds:6.2f} s")


def run(capsys, mode: str, *args: str) -> subprocess.CompletedProcess:
    """`incident-lab ARGS` in this process, timed and added to the summary."""
    started = time.monotonic()
    code = main(list(args))
    seconds = time.monotonic() - started
    out, err = capsys.readouterr()
    command = f"{args[0]} {args[1]}" if args[0] == "diagnose" else args[0]
    SUMMARY.append((mode, command, _outcome(code, err, args), seconds))
    return subprocess.CompletedProcess(args, code, out, err)


def _outcome(code: int, err: str, args: tuple[str, ...]) -> str:
    if code not in (0, 1):
        return f"exit {code}: {err.strip().splitlines()[-1][:40]}"
    if args[0] != "capture":
        return f"exit {code}"
    manifest = read_bundle(args[args.index("-o") + 1]).manifest
    spoiled = sum(line.startswith("metrics/") and "Prometheus at" in line for line in manifest["missing"])
    return f"exit {code}, {spoiled} signals spoiled"


def diagnose_and_capture(capsys, prometheus: FaultPrometheus, tmp_path: Path):
    """`diagnose --live`, `capture` and `diagnose --bundle` of what was captured, against `prometheus`:
    the live diagnoses, the bundle read back, and everything the commands printed."""
    live_args = ["--prometheus-url", prometheus.url, "--window", WINDOW, "--timeout", f"{TIMEOUT:g}"]
    mode, archive = prometheus.mode, str(tmp_path / "incident.tar.gz")
    live = run(capsys, mode, "diagnose", "--live", "-n", "default", *live_args, "--format", "json")
    captured = run(capsys, mode, "capture", "-n", "default", *live_args, "-o", archive)
    offline = run(capsys, mode, "diagnose", "--bundle", archive, "-n", "default", "--format", "json")
    for done in (live, captured, offline):
        assert done.returncode == 0, done.stderr
    assert offline.stdout == live.stdout
    printed = "".join(done.stdout + done.stderr for done in (live, captured, offline))
    return json.loads(live.stdout), read_bundle(archive), printed


def memory_reason(bundle) -> str:
    return next((line for line in bundle.manifest["missing"] if line.startswith(f"metrics/{MEMORY}:")), "")


def oom_diagnosis(diagnoses: list[dict]) -> dict:
    return next(d for d in diagnoses if d["subject"]["name"] == OOM_POD)


def test_a_healthy_prometheus_gives_the_memory_evidence(kubeconfig, tmp_path, capsys):
    with FaultPrometheus("healthy") as prometheus:
        diagnoses, bundle, _ = diagnose_and_capture(capsys, prometheus, tmp_path)
    assert oom_diagnosis(diagnoses)["root_cause"] == "oom_killed"
    assert NO_MEMORY not in oom_diagnosis(diagnoses)["missing_evidence"]
    assert MEMORY in bundle.metrics and memory_reason(bundle) == ""


@pytest.mark.parametrize(("mode", "reason"), LEFT_OUT.items(), ids=list(LEFT_OUT))
def test_a_spoiled_answer_is_missing_evidence_with_its_reason(mode, reason, kubeconfig, tmp_path, capsys):
    started = time.monotonic()
    with FaultPrometheus(mode) as prometheus:
        diagnoses, bundle, _ = diagnose_and_capture(capsys, prometheus, tmp_path)
    oom = oom_diagnosis(diagnoses)
    assert oom["root_cause"] == "oom_killed"  # from the Kubernetes evidence alone
    assert NO_MEMORY in oom["missing_evidence"]
    assert MEMORY not in bundle.metrics
    assert memory_reason(bundle).startswith(f"metrics/{MEMORY}: Prometheus at {prometheus.url}: ")
    assert reason in memory_reason(bundle)
    assert time.monotonic() - started < 3 * 3 * TIMEOUT  # three commands, none held past its timeout


def test_nan_samples_are_dropped_and_the_rest_of_their_series_kept(kubeconfig, tmp_path, capsys):
    with FaultPrometheus("nan") as prometheus:
        diagnoses, bundle, _ = diagnose_and_capture(capsys, prometheus, tmp_path)
    assert NO_MEMORY not in oom_diagnosis(diagnoses)["missing_evidence"]
    (series,) = bundle.metrics[MEMORY]["data"]["result"]  # the all-NaN `idle` container is left out
    assert series["metric"]["container"] == "app"
    assert len(series["values"]) == 60 and {value for _, value in series["values"]} == {"1048576"}
    assert memory_reason(bundle).endswith(
        "1 series left out: {container='idle', namespace='default', pod='oom-test-7f77d89c59-vqgkt'}: "
        "every sample is NaN"
    )


def test_credentials_in_the_url_authenticate_and_are_never_shown(kubeconfig, tmp_path, capsys):
    with FaultPrometheus("credentials") as prometheus:
        assert PASSWORD in prometheus.url
        _, bundle, printed = diagnose_and_capture(capsys, prometheus, tmp_path)
    assert MEMORY in bundle.metrics  # the server answers only to the URL's user and password
    assert bundle.manifest["prometheus"] == prometheus.url.replace(f"{USER}:{PASSWORD}@", "")
    assert PASSWORD not in printed
    assert PASSWORD.encode() not in gzip.decompress((tmp_path / "incident.tar.gz").read_bytes())
