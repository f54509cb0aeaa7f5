"""Writing bundles: what is written reads back the same, and a failed write leaves nothing behind."""

from __future__ import annotations

import pytest

from incident_lib.capture import write_bundle
from incident_lib.errors import InputError
from incident_lib.snapshot import LogKey, Snapshot
from incident_lib.sources.bundle import read_bundle


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
