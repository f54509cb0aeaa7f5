"""A misbehaving Kubernetes API, one mode per test, through `incident-lab` as a user runs it.

Each mode is switched on in the API double (real HTTP, the real `kubernetes` client) and the command's
outcome asserted: it recovers (a transient answer tried again), degrades (missing evidence, exit 0), or
ends on one line (exit 2); never a traceback, never past its deadline, never a huge answer in memory.
Run with `-s` for the matrix: mode, command, outcome, wall time and peak (traced) memory.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest

from incident_lib.cli import main
from incident_lib.sources.bundle import read_bundle
from incident_lib.sources.kubernetes import MAX_ANSWER_BYTES
from tests.faults.outcomes import the_one_line
from tests.servers.cluster import OOM_DRILL
from tests.servers.kube_api import RESET, RESOURCES

OOM_POD = "oom-test-7f77d89c59-vqgkt"
PODS = "/namespaces/default/pods"
LOGS = f"/pods/{OOM_POD}/log"
ALWAYS = 100  # more failures than any run makes attempts
GENEROUS = 30.0  # seconds: a bound no healthy outcome comes near, so the tests do not time things closely
MiB = 1 << 20

MATRIX: list[tuple[str, str, str, float, float]] = []


@dataclass
class Run:
    """What one command did: exit code, stdout, stderr, wall seconds, peak traced MiB."""

    code: int
    out: str
    err: str
    seconds: float
    peak: float

    def one_line(self, *phrases: str) -> str:
        """The single stderr line of a refused run, holding each of `phrases`."""
        return the_one_line(self.code, self.err, *phrases)

    def diagnoses(self) -> list[dict]:
        assert self.code == 0 and not self.err.strip(), self.err
        return json.loads(self.out)


@pytest.fixture(scope="module", autouse=True)
def matrix():
    """Print the outcomes of the module's runs when it ends (seen with `pytest -s`). A diagnosis of the
    drill's bundle first does the imports and rule loading of first use, so no timed run pays for them."""
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["diagnose", "--bundle", str(OOM_DRILL), "--format", "json"]) == 0
    import tqdm  # noqa: F401 (capture's progress bar, also imported on first use)

    yield
    print(f"\n{'mode':34} {'command':22} {'outcome':26} {'wall s':>7} {'peak MiB':>9}")
    for mode, command, outcome, seconds, peak in MATRIX:
        print(f"{mode:34} {command:22} {outcome:26} {seconds:7.2f} {peak:9.1f}")


def run(capsys, mode: str, *args: str) -> Run:
    """`incident-lab ARGS` in this process, timed and its Python memory traced."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        code = main(list(args))
    finally:
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1] / MiB
        tracemalloc.stop()
    out, err = capsys.readouterr()
    result = Run(code, out, err, seconds, peak)
    outcome = "one line (exit 2)" if code == 2 else f"exit {code}"
    MATRIX.append((mode, " ".join(args[:2]), outcome, seconds, peak))
    assert seconds < GENEROUS
    return result


def note(outcome: str) -> None:
    """Name the last run's outcome in the matrix more exactly than its exit code."""
    mode, command, _, seconds, peak = MATRIX[-1]
    MATRIX[-1] = (mode, command, outcome, seconds, peak)


def live(capsys, mode: str, *args: str) -> Run:
    return run(capsys, mode, "diagnose", "--live", "-n", "default", "--format", "json", *args)


def capture(capsys, mode: str, target: Path, *args: str) -> Run:
    return run(capsys, mode, "capture", "-n", "default", "-o", str(target), *args)


def pod_lists(kube_api) -> int:
    return sum(r.path == f"/api/v1{PODS}" for r in kube_api.requests)


def oom_killed(result: Run) -> dict:
    [diagnosis] = [d for d in result.diagnoses() if d["subject"]["name"] == OOM_POD]
    assert diagnosis["root_cause"] == "oom_killed"
    return diagnosis


# -- transient answers: tried again --------------------------------------------------------------------


def test_a_429_with_retry_after_is_waited_out_and_the_run_succeeds(kubeconfig, kube_api, capsys):
    kube_api.faults.fail[PODS] = [429]
    kube_api.faults.retry_after = "1"
    oom_killed(live(capsys, "429, Retry-After: 1, once"))
    assert pod_lists(kube_api) == 2
    note("recovered (exit 0)")


def test_a_429_that_never_ends_is_one_line_naming_the_status_and_the_list(kubeconfig, kube_api, capsys):
    kube_api.faults.fail[PODS] = [429] * ALWAYS
    kube_api.faults.retry_after = "1"
    line = live(capsys, "429 always").one_line(
        "could not list pods in namespace default: 429", "gave up after 3 attempts"
    )
    assert "cannot reach" not in line
    assert pod_lists(kube_api) == 3


def test_a_500_once_is_tried_again(kubeconfig, kube_api, capsys):
    kube_api.faults.fail[PODS] = [500]
    oom_killed(live(capsys, "500 once"))
    note("recovered (exit 0)")


def test_a_503_that_never_ends_is_one_line_naming_the_status_and_the_list(kubeconfig, kube_api, capsys):
    kube_api.faults.fail[PODS] = [503] * ALWAYS
    live(capsys, "503 always").one_line("could not list pods in namespace default: 503", "after 3 attempts")


def test_a_connection_reset_once_is_tried_again(kubeconfig, kube_api, capsys):
    kube_api.faults.fail[PODS] = [RESET]
    oom_killed(live(capsys, "connection reset once"))
    note("recovered (exit 0)")


def test_connections_reset_every_time_are_one_line(kubeconfig, kube_api, capsys):
    kube_api.faults.fail[PODS] = [RESET] * ALWAYS
    live(capsys, "connection reset always").one_line("cannot reach the Kubernetes API at", "after 3 attempts")


# -- slow servers: bounded by the timeout and the run's deadline -----------------------------------------


def test_a_list_dripped_a_byte_a_second_ends_at_the_timeout(kubeconfig, kube_api, capsys):
    kube_api.faults.drip[PODS] = 1.0
    result = live(capsys, "pod list dripped 1 B/s", "--timeout", "2")
    result.one_line("did not answer within 2 s (trying to list pods in namespace default)")
    assert result.seconds < 10  # one request of 2 s, not one of as many seconds as the list has bytes


def test_a_run_of_slow_answers_ends_at_its_deadline(kubeconfig, kube_api, capsys, tmp_path):
    kube_api.faults.delay.update(dict.fromkeys(RESOURCES, 0.2))  # each well within the timeout of 0.5 s
    namespaces = [a for ns in ("apps", "default", "kube-system", "monitoring") for a in ("-n", ns)]
    target = tmp_path / "b.tar.gz"
    result = run(capsys, "every answer 0.2 s", "capture", *namespaces, "--timeout", "0.5", "-o", str(target))
    result.one_line("the run reached its deadline of 10 s")  # 20 timeouts; the 80 lists take 16 s
    assert not target.exists()


# -- one pod's log failing: missing evidence for that pod ------------------------------------------------


def test_a_log_that_fails_every_time_is_missing_from_the_capture_not_its_end(
    kubeconfig, kube_api, capsys, tmp_path
):
    kube_api.faults.fail[LOGS] = [500] * ALWAYS
    result = capture(capsys, "log 500 for one pod", tmp_path / "b")
    assert result.code == 0, result.err
    saved = read_bundle(tmp_path / "b")
    assert saved.log("default", OOM_POD, "app", previous=True) is None
    missing = saved.manifest["missing"]
    assert any(f"get pods/log of default/{OOM_POD} container app (previous): 500" in m for m in missing)
    note("degraded (exit 0)")


def test_a_log_that_hangs_is_missing_evidence_after_the_timeout(kubeconfig, kube_api, capsys):
    kube_api.faults.hang.add(LOGS)
    diagnosis = oom_killed(live(capsys, "log hangs", "--timeout", "1"))
    assert any("previous log of container app" in m for m in diagnosis["missing_evidence"])
    note("degraded (exit 0)")


# -- what a list holds: its own kind, and not without end ----------------------------------------------


def test_a_secret_inside_a_pod_list_is_left_out_and_noted(kubeconfig, kube_api, capsys, tmp_path):
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db", "namespace": "default"},
        "data": {"password": "aHVudGVyMg=="},
    }
    kube_api.faults.smuggle[PODS] = [secret]
    result = capture(capsys, "Secret inside the pod list", tmp_path / "b")
    assert result.code == 0, result.err
    written = "".join(f.read_text() for f in (tmp_path / "b").rglob("*") if f.is_file())
    assert "aHVudGVyMg==" not in written
    saved = read_bundle(tmp_path / "b")
    assert {o["kind"] for o in saved.objects} >= {"Pod", "Event"}
    assert [o for o in saved.objects if o["kind"] == "Secret"] == []
    assert any("left out an item of kind 'Secret'" in m for m in saved.manifest["missing"])
    note("item refused, noted")


def test_a_300_mib_pod_list_is_one_line_and_never_in_memory(kubeconfig, kube_api, capsys):
    kube_api.faults.huge[PODS] = 300 * MiB
    result = live(capsys, "pod list of 300 MiB")
    result.one_line("could not list pods in namespace default", f"larger than {MAX_ANSWER_BYTES // MiB} MiB")
    assert kube_api.huge_bytes_sent[f"/api/v1{PODS}"] < 3 * MAX_ANSWER_BYTES  # the client hung up
    assert result.peak < 512


def test_a_300_mib_list_of_an_optional_kind_is_missing_evidence(kubeconfig, kube_api, capsys, tmp_path):
    kube_api.faults.huge["/namespaces/default/deployments"] = 300 * MiB
    result = capture(capsys, "deployment list of 300 MiB", tmp_path / "b")
    assert result.code == 0, result.err
    missing = read_bundle(tmp_path / "b").manifest["missing"]
    assert any(m.startswith("Deployment: ") and "larger than" in m for m in missing)
    assert result.peak < 512
    note("degraded (exit 0)")
