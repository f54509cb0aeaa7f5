"""Writing bundles: what is written reads back the same, a failed or killed write leaves nothing behind for
long, and no capture replaces another unless told to."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from incident_lib.capture import clean_partials, write_bundle
from incident_lib.errors import InputError
from incident_lib.snapshot import LogKey, Snapshot
from incident_lib.sources.bundle import read_bundle
from tests.helpers import OOM_DRILL


def test_the_shipped_incident_written_again_reads_back_the_same(oom_drill, tmp_path):
    for target in (tmp_path / "copy", tmp_path / "copy.tgz"):
        again = read_bundle(write_bundle(oom_drill, target))
        assert sorted(map(repr, again.objects)) == sorted(map(repr, oom_drill.objects))
        assert again.metrics == oom_drill.metrics and again.manifest == oom_drill.manifest
        assert {k: r() for k, r in again.logs.items()} == {k: r() for k, r in oom_drill.logs.items()}


def test_an_existing_destination_is_never_overwritten(oom_drill, tmp_path):
    (tmp_path / "b").mkdir()
    with pytest.raises(InputError, match="already exists"):
        write_bundle(oom_drill, tmp_path / "b")


def _failing_snapshot(oom_drill) -> Snapshot:
    def broken() -> str:
        raise OSError("No space left on device")

    logs = {**oom_drill.logs, LogKey("default", "zz-last", "app", False): broken}
    return Snapshot(oom_drill.captured_at, oom_drill.objects, oom_drill.metrics, logs, oom_drill.manifest)


@pytest.mark.parametrize("name", ["b", "b.tar.gz"])
def test_a_failed_write_leaves_nothing_that_looks_like_a_bundle(oom_drill, tmp_path, name):
    with pytest.raises(OSError, match="No space left"):
        write_bundle(_failing_snapshot(oom_drill), tmp_path / "out" / name)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_name_that_is_not_a_kubernetes_name_never_becomes_a_path(oom_drill, tmp_path):
    logs = {LogKey("default", "../../etc", "app", False): lambda: "x"}
    snapshot = Snapshot(oom_drill.captured_at, [], {}, logs, oom_drill.manifest)
    with pytest.raises(InputError, match="not a Kubernetes name"):
        write_bundle(snapshot, tmp_path / "b")
    assert list(tmp_path.iterdir()) == []


def test_a_second_capture_to_the_same_archive_is_refused_and_the_first_kept(oom_drill, tmp_path):
    first = write_bundle(oom_drill, tmp_path / "b.tar.gz")
    saved = first.read_bytes()
    with pytest.raises(InputError, match=r"b\.tar\.gz already exists: choose another -o"):
        write_bundle(_empty(oom_drill), first)
    assert first.read_bytes() == saved
    assert [p.name for p in tmp_path.iterdir()] == ["b.tar.gz"]


class TakenAtTheEnd:
    """A progress bar that, as a capture writes its last file, lets `take` make its destination exist:
    another capture finishing first, after the early check and before the move into place."""

    total = 0

    def __init__(self, take) -> None:
        self.take, self.what = take, ""

    def refresh(self) -> None:
        pass

    def set_description(self, what: str, refresh: bool = False) -> None:
        self.what = what

    def update(self, n: int) -> None:
        if self.what == "manifest":
            self.take()


@pytest.mark.parametrize(
    ("name", "take"),
    [
        ("b", lambda target: target.mkdir()),  # empty: `rename` alone would replace it
        ("b", lambda target: write_bundle(_empty_drill(), target)),
        ("b.tar.gz", lambda target: target.write_text("the other capture")),
    ],
    ids=["empty-directory", "directory-bundle", "archive"],
)
def test_a_destination_taken_during_the_capture_is_never_replaced(oom_drill, tmp_path, name, take):
    target = tmp_path / name
    with pytest.raises(InputError, match="already exists: another capture wrote it first"):
        write_bundle(oom_drill, target, progress=TakenAtTheEnd(lambda: take(target)))
    assert [p.name for p in tmp_path.iterdir()] == [name]
    if target.is_file():
        assert target.read_text() == "the other capture"
    else:
        assert not (target / "k8s" / "pods.json").exists()


@pytest.mark.parametrize("name", ["b", "b.tgz"])
def test_force_replaces_a_bundle(oom_drill, tmp_path, name):
    target = write_bundle(_empty(oom_drill), tmp_path / name)
    write_bundle(oom_drill, target, force=True)
    assert sorted(map(repr, read_bundle(target).objects)) == sorted(map(repr, oom_drill.objects))
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_force_never_replaces_what_is_not_a_bundle(oom_drill, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    with pytest.raises(InputError, match="notes exists and is not a bundle: --force replaces only a bundle"):
        write_bundle(oom_drill, tmp_path / "notes", force=True)
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"


# A capture of the shipped incident that stops at its first file: killed (`kill`) or waiting until its
# stdin closes (`wait`), the partial folder written so far left as it is.
_CAPTURE_THAT_STOPS = """
import os, signal, sys
from incident_lib.capture import write_bundle
from incident_lib.sources.bundle import read_bundle

class Stop:
    total = 0
    def refresh(self): pass
    def set_description(self, what, refresh=False): pass
    def update(self, n):
        if sys.argv[3] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        print("writing", flush=True)
        sys.stdin.read()

write_bundle(read_bundle(sys.argv[1]), sys.argv[2], progress=Stop())
"""


def _capture_that_stops(target: Path, how: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", _CAPTURE_THAT_STOPS, str(OOM_DRILL), str(target), how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if how == "kill":
        assert process.wait(timeout=60) == -signal.SIGKILL
    else:
        assert process.stdout.readline() == "writing\n"
    return process


def test_a_capture_killed_mid_write_leaves_a_partial_the_next_capture_removes(oom_drill, tmp_path):
    killed = _capture_that_stops(tmp_path / "b.tar.gz", "kill")
    [partial] = tmp_path.glob(".b.tar.gz.*.partial")
    assert (partial / "owner").read_text() == f"{killed.pid}\n"
    write_bundle(oom_drill, tmp_path / "c")
    assert [p.name for p in tmp_path.iterdir()] == ["c"]


def test_clean_partials_removes_only_abandoned_captures(tmp_path):
    waiting = _capture_that_stops(tmp_path / "waiting", "wait")
    _capture_that_stops(tmp_path / "killed", "kill")  # it cleaned up first, and left `waiting` alone
    (tmp_path / ".other.tool.partial").mkdir()  # not made by a capture: no owner file
    try:
        removed = clean_partials(tmp_path)
        assert [p.name.split(".")[1] for p in removed] == ["killed"]
        assert sorted(p.name.split(".")[1] for p in tmp_path.iterdir()) == ["other", "waiting"]
    finally:
        waiting.communicate("", timeout=60)
    assert waiting.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.tool.partial", "waiting"]


def _empty(snapshot: Snapshot) -> Snapshot:
    return Snapshot(snapshot.captured_at, [], {}, {}, snapshot.manifest)


def _empty_drill() -> Snapshot:
    return _empty(read_bundle(OOM_DRILL))
