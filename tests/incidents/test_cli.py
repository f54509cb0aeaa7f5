"""`incidents list` and `incidents show ID`, through a parser made the way incident_lib/cli.py makes it."""

from __future__ import annotations

import argparse
import json

import pytest

from incident_lib.errors import InputError
from incident_lib.incidents.alerts import parse_notification
from incident_lib.incidents.cli import add_commands
from incident_lib.incidents.record import new_record
from incident_lib.incidents.store import IncidentStore
from incident_lib.k8s.objects import parse_time
from tests.incidents.conftest import alert, payload

OPENED = parse_time("2025-12-17T10:00:30Z")


def run(capsys, *argv: str) -> str:
    parser = argparse.ArgumentParser(prog="incident-lab")
    add_commands(parser.add_subparsers(required=True))
    args = parser.parse_args(list(argv))
    assert args.command(args) == 0
    return capsys.readouterr().out


@pytest.fixture
def store(tmp_path) -> str:
    """Two incidents: an OOM kill diagnosed in default, then a resolved one in apps not diagnosed."""
    store = IncidentStore(str(tmp_path / "store"))
    first = new_record(parse_notification(payload()), OPENED)
    store.save(first | {"root_cause": "oom_killed", "confidence": 0.95})
    labels = {"alertname": "KubeDeploymentReplicasMismatch", "namespace": "apps", "deployment": "web"}
    later = payload(
        groupKey="g2",
        groupLabels={},
        commonLabels={},
        alerts=[alert(labels=labels, startsAt="2025-12-17T11:00:00Z")],
    )
    second = new_record(parse_notification(later), OPENED)
    store.save(second | {"status": "resolved"})
    return str(tmp_path / "store")


def test_list_shows_the_newest_first(capsys, store):
    lines = run(capsys, "incidents", "list", "--store", store).splitlines()
    assert lines[0].split() == [
        "started",
        "alert",
        "namespace",
        "root",
        "cause",
        "confidence",
        "status",
        "id",
    ]
    assert lines[1].split()[:6] == [
        "2025-12-17T11:00:00Z",
        "KubeDeploymentReplicasMismatch",
        "apps",
        "-",
        "-",
        "resolved",
    ]
    assert lines[2].split()[:6] == [
        "2025-12-17T10:00:15Z",
        "KubePodCrashLooping",
        "default",
        "oom_killed",
        "0.95",
        "firing",
    ]


def test_the_store_comes_from_the_environment(capsys, store, monkeypatch):
    monkeypatch.setenv("INCIDENT_STORE", store)
    assert len(run(capsys, "incidents", "list").splitlines()) == 3


def test_show_prints_the_record(capsys, store):
    incident = run(capsys, "incidents", "list", "--store", store).splitlines()[2].split()[-1]
    record = json.loads(run(capsys, "incidents", "show", incident, "--store", store))
    assert record["id"] == incident and record["root_cause"] == "oom_killed"


def test_an_empty_store_says_so(capsys, tmp_path):
    assert run(capsys, "incidents", "list", "--store", str(tmp_path)) == f"no incidents in {tmp_path}\n"


def test_show_of_an_unknown_id_is_one_line(capsys, store):
    with pytest.raises(
        InputError, match=r"^incident in .* '20251217T100015Z-0000000000' not found; did you mean"
    ):
        run(capsys, "incidents", "show", "20251217T100015Z-0000000000", "--store", store)
