"""The incident store, on a local folder and on an S3-compatible server: records, files, the index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_lib.errors import InputError
from incident_lib.incidents.alerts import parse_notification
from incident_lib.incidents.record import new_record
from incident_lib.incidents.store import IncidentStore
from incident_lib.k8s.objects import parse_time
from tests.incidents.conftest import alert, payload

OPENED = parse_time("2025-12-17T10:00:30Z")


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path) -> IncidentStore:
    if request.param == "local":
        return IncidentStore(str(tmp_path / "store"))
    return IncidentStore(request.getfixturevalue("s3_store"))


def _record(group: str, starts_at: str, alertname: str = "KubePodCrashLooping") -> dict:
    labels = {"alertname": alertname, "namespace": "default", "pod": "web-1"}
    document = payload(
        groupKey=group,
        groupLabels={"alertname": alertname},
        alerts=[alert(startsAt=starts_at, labels=labels)],
    )
    return new_record(parse_notification(document), OPENED)


def test_records_read_back_newest_first_and_the_group_finds_its_incident(store):
    older, newer = _record("g1", "2025-12-17T09:00:00Z"), _record("g2", "2025-12-17T10:00:00Z", "OOMKilled")
    store.save(older)
    store.save(newer)
    assert [r["id"] for r in store.incidents()] == [newer["id"], older["id"]]
    assert store.read(older["id"]) == older
    assert store.latest_of_group("g1") == older and store.latest_of_group("g3") is None
    assert store.write_problem() == ""


def test_files_are_copied_into_the_incident_folder_and_the_index_links_them(store, tmp_path):
    record = _record("g1", "2025-12-17T09:00:00Z")
    reports = tmp_path / "reports" / "postmortem" / "20251217T100500Z"
    reports.mkdir(parents=True)
    (reports / "postmortem.html").write_text("<html>report</html>")
    copied = store.put_files(record["id"], tmp_path / "reports")
    store.save(record | {"reports": copied})
    assert copied == ["postmortem/20251217T100500Z/postmortem.html"]
    assert store.fs.cat_file(f"{store.root}/{record['id']}/{copied[0]}") == b"<html>report</html>"
    index = store.fs.cat_file(f"{store.root}/index.html").decode()
    assert (
        f'<a href="{record["id"]}/postmortem/20251217T100500Z/postmortem.html">postmortem.html</a>' in index
    )
    assert f'<a href="{record["id"]}/incident.json">incident.json</a>' in index


def test_the_index_is_readable_offline_and_escapes_what_alerts_say(tmp_path):
    store = IncidentStore(str(tmp_path / "store"))
    store.save(_record("g1", "2025-12-17T09:00:00Z", "<script>alert(1)</script>"))
    index = (tmp_path / "store" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index and "<script>" not in index
    assert "http" not in index  # no stylesheet, script or link to fetch


def test_a_write_leaves_no_temporary_file_behind(tmp_path):
    store = IncidentStore(str(tmp_path / "store"))
    record = _record("g1", "2025-12-17T09:00:00Z")
    store.save(record)
    store.save(record | {"status": "resolved"})
    assert sorted(p.name for p in (tmp_path / "store" / record["id"]).iterdir()) == ["incident.json"]
    assert (
        json.loads((tmp_path / "store" / record["id"] / "incident.json").read_text())["status"] == "resolved"
    )


def test_a_folder_without_its_record_is_not_an_incident(tmp_path):
    store = IncidentStore(str(tmp_path / "store"))
    (tmp_path / "store" / "20251217T090000Z-0123456789" / "bundle").mkdir(parents=True)  # a write cut short
    assert store.incidents() == []


def test_an_unknown_id_suggests_the_closest_and_a_bad_one_is_refused(tmp_path):
    store = IncidentStore(str(tmp_path / "store"))
    record = _record("g1", "2025-12-17T09:00:00Z")
    store.save(record)
    with pytest.raises(InputError, match=f"not found; did you mean {record['id']}"):
        store.read(record["id"][:-1] + ("1" if record["id"].endswith("0") else "0"))  # one digit off
    with pytest.raises(InputError, match=r"invalid incident id '\.\./\.\./etc/passwd'"):
        store.read("../../etc/passwd")


def test_a_store_that_cannot_be_written_says_why(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    problem = IncidentStore(str(tmp_path / "file" / "store")).write_problem()
    assert problem.startswith(f"incident store {tmp_path / 'file' / 'store'} is not writable: ")


def test_a_bucket_that_does_not_exist_is_not_created(s3_store):
    store = IncidentStore("s3://no-such-bucket/incidents")
    assert "is not writable: " in store.write_problem()
    assert not store.fs.exists("no-such-bucket")


def test_a_missing_local_folder_is_made(tmp_path):
    assert IncidentStore(str(tmp_path / "a" / "b")).write_problem() == ""
    assert Path(tmp_path / "a" / "b").is_dir()
