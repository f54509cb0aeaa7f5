"""Objects of the wrong shape handed to `incident-lab diagnose --bundle`, as hand-made bundles have them.

The shipped incidents' objects are mutated field by field (a value of another JSON type, a field dropped,
a hostile string or number, deep nesting) and diagnosed in-process. Every outcome is handled: a diagnosis
(exit 0 or 1) that reads the wrong field as absent and lists it as missing evidence, or a refusal in one
line naming the file, the object and the field (exit 2); never an internal error.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_lib.cli import main
from incident_lib.k8s.objects import iter_objects
from tests.helpers import OOM_DRILL, OOM_POD, ROOT, write_bundle

INTERNAL = "could not process the input"
ERROR = "incident-lab: error: "


@dataclass(frozen=True)
class Incident:
    """A shipped incident as `write_bundle` takes it: its objects (as JSON text, parsed afresh for each
    mutation), its manifest, and its metrics and logs."""

    objects: str
    manifest: dict
    files: dict[str, str]

    def bundle(self, root: Path, objects: list[dict]) -> Path:
        return write_bundle(root, objects, self.manifest, **self.files)


def _incident(folder: Path) -> Incident:
    objects = [
        o for f in sorted((folder / "k8s").glob("*.json")) for o in iter_objects(json.loads(f.read_text()))
    ]
    files = {
        f.relative_to(folder).as_posix().replace("/", "__"): f.read_text()
        for top in ("metrics", "logs")
        for f in sorted((folder / top).rglob("*"))
        if f.is_file()
    }
    return Incident(json.dumps(objects), json.loads((folder / "manifest.json").read_text()), files)


INCIDENTS = {p.name: _incident(p) for p in sorted((ROOT / "incidents").iterdir()) if (p / "k8s").is_dir()}


def diagnose(root: Path, capsys) -> tuple[int, str, str]:
    """`incident-lab diagnose --bundle ROOT --format json` in this process: exit code, stdout, stderr."""
    code = main(["diagnose", "--bundle", str(root), "--format", "json"])
    out, err = capsys.readouterr()
    return code, out, err


def assert_handled(code: int, out: str, err: str) -> None:
    """A diagnosis, or a refusal in one line; never an internal error."""
    assert INTERNAL not in err, err
    assert code in (0, 1, 2), err
    if code == 2:
        assert err.startswith(ERROR) and err.count("\n") == 1, err
    else:
        assert err == "", err
        assert isinstance(json.loads(out), list)


# Mutations ---------------------------------------------------------------------------------------------

DROP = "<dropped>"
HOSTILE_STRINGS = ["", "abc", "soon", "2025-13-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "-1", "1e400",
                   "NaN", "Ki", "\u0000", "é", "9" * 40, "../../etc/passwd", "$(id)"]  # fmt: skip
HOSTILE_NUMBERS = [0, -1, 137, 2**63, -(2**64), 1e308, -0.0, 0.5]


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


REPLACEMENTS = st.one_of(
    st.just(DROP),
    st.none(),
    st.booleans(),
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(),
    st.sampled_from(HOSTILE_STRINGS),
    st.lists(st.sampled_from([0, "a", None, {}, []]), max_size=2),
    st.dictionaries(
        st.sampled_from(["kind", "name", "items", "a"]), st.sampled_from([1, "x", [], {}]), max_size=2
    ),
    st.integers(1, 300).map(nested),
)


@dataclass
class Mutated:
    """An incident's objects with some fields changed; printed as the changes alone."""

    incident: str
    changes: list[str]
    objects: list[dict] = field(repr=False)


def field_paths(value, path: tuple = ()):
    """Every field of a JSON value (object keys and list positions), outermost first."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        yield (*path, key)
        yield from field_paths(inner, (*path, key))


def replace(obj: dict, path: tuple, value) -> None:
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    if value == DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


@st.composite
def mutated_incidents(draw) -> Mutated:
    name = draw(st.sampled_from(sorted(INCIDENTS)))
    objects = json.loads(INCIDENTS[name].objects)
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(objects) - 1))
        path = draw(st.sampled_from(list(field_paths(objects[index]))))
        value = draw(REPLACEMENTS)
        replace(objects[index], path, value)
        shown = (
            value
            if not isinstance(value, list) or len(json.dumps(value)) < 40
            else f"<nested list of {path}>"
        )
        changes.append(f"objects[{index}].{'.'.join(map(str, path))} = {shown!r}")
    return Mutated(name, changes, objects)


OUTCOMES: Counter[str] = Counter()


def outcome(code: int, out: str) -> str:
    """How a mutated bundle was handled, for the summary printed with `-s`."""
    if code == 2:
        return "refused in one line (exit 2)"
    missing = [line for d in json.loads(out) for line in d["missing_evidence"]]
    if any(line.startswith("k8s: ") for line in missing):
        return "diagnosed, the wrong fields listed as missing evidence"
    return "diagnosed (no field a rule reads was wrong)"


@pytest.fixture(scope="module", autouse=True)
def summary():
    yield
    print(f"\nschema fuzz: {OUTCOMES.total()} mutated bundles, all handled")
    for line, count in OUTCOMES.most_common():
        print(f"{count:5}  {line}")


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated_incidents())
def test_any_field_of_the_wrong_type_gives_a_diagnosis_or_a_one_line_refusal(case: Mutated, capsys):
    with tempfile.TemporaryDirectory() as folder:
        root = INCIDENTS[case.incident].bundle(Path(folder) / "b", case.objects)
        code, out, err = diagnose(root, capsys)
    assert_handled(code, out, err)
    OUTCOMES[outcome(code, out)] += 1


# Each form a user reported ----------------------------------------------------------------------------

OOM_DRILL_OBJECTS = INCIDENTS[OOM_DRILL.name]


def oom_pod(objects: list[dict]) -> dict:
    return next(o for o in objects if o["kind"] == "Pod" and o["metadata"]["name"] == OOM_POD[1])


def backoff_event(objects: list[dict]) -> dict:
    return next(
        o
        for o in objects
        if o["kind"] == "Event" and o["reason"] == "BackOff" and o["involvedObject"]["name"] == OOM_POD[1]
    )


def last_terminated(objects: list[dict]) -> dict:
    return oom_pod(objects)["status"]["containerStatuses"][0]["lastState"]["terminated"]


REFUSED = [
    pytest.param(
        lambda objects: oom_pod(objects).update(kind=["Pod"]),
        "k8s/cluster.json: an object default/oom-test-7f77d89c59-vqgkt has a 'kind' that is not a string",
        id="kind a list",
    ),
    pytest.param(
        lambda objects: oom_pod(objects).update(kind=5),
        "k8s/cluster.json: an object default/oom-test-7f77d89c59-vqgkt has a 'kind' that is not a string",
        id="kind a number",
    ),
    pytest.param(
        lambda objects: objects.append({"kind": "PodList", "items": 5}),
        "k8s/cluster.json: the 'items' of a PodList is not a list",
        id="items an int",
    ),
    pytest.param(
        lambda objects: oom_pod(objects)["metadata"].update(name=["oom"]),
        "k8s/cluster.json: a Pod has an invalid name ['oom'] (metadata.name of Pod default)",
        id="name a list",
    ),
    pytest.param(
        lambda objects: oom_pod(objects).update(status=DEEP),
        "k8s/cluster.json: JSON nested too deeply",
        id="nested past the recursion limit",
    ),
]
DEEP = "<5000 nested lists>"  # written into the file as text: json.dumps itself stops at about 1000


@pytest.mark.parametrize(("damage", "line"), REFUSED)
def test_what_cannot_be_read_leniently_is_refused_naming_the_file_object_and_field(
    tmp_path, capsys, damage: Callable[[list[dict]], None], line: str
):
    objects = json.loads(OOM_DRILL_OBJECTS.objects)
    damage(objects)
    root = OOM_DRILL_OBJECTS.bundle(tmp_path / "b", objects)
    cluster = root / "k8s" / "cluster.json"
    cluster.write_text(cluster.read_text().replace(json.dumps(DEEP), "[" * 5000 + "]" * 5000))
    code, _, err = diagnose(root, capsys)
    assert (code, err) == (2, f"{ERROR}{line}\n")


STATUS = "status.containerStatuses[0]"
EVENT = "event oom-test-7f77d89c59-vqgkt.1881f82b23bdc29e"
DEGRADED = [
    pytest.param(
        lambda objects: last_terminated(objects).update(exitCode="abc"),
        f"{STATUS}.lastState.terminated.exitCode is a string, not an integer",
        id="exitCode abc",
    ),
    pytest.param(
        lambda objects: last_terminated(objects).update(finishedAt="soon"),
        f"{STATUS}.lastState.terminated.finishedAt is a string, not an RFC 3339 time",
        id="finishedAt soon",
    ),
    pytest.param(
        lambda objects: last_terminated(objects).update(startedAt="2025-13-17T10:00:00Z"),
        f"{STATUS}.lastState.terminated.startedAt is a string, not an RFC 3339 time",
        id="month 13",
    ),
    pytest.param(
        lambda objects: last_terminated(objects).update(finishedAt=1765965827),
        f"{STATUS}.lastState.terminated.finishedAt is an integer, not an RFC 3339 time",
        id="finishedAt a number",
    ),
    pytest.param(
        lambda objects: oom_pod(objects)["metadata"].update(labels=["app=oom-test"]),
        "metadata.labels is a list, not an object",
        id="labels a list",
    ),
    pytest.param(
        lambda objects: backoff_event(objects).update(message=404),
        f"{EVENT}: message is an integer, not a string",
        id="message a number",
    ),
    pytest.param(
        lambda objects: backoff_event(objects).update(count="abc"),
        f"{EVENT}: count is a string, not an integer",
        id="count abc",
    ),
]


@pytest.mark.parametrize(("damage", "unread"), DEGRADED)
def test_a_field_of_the_wrong_type_is_read_as_absent_and_listed_as_missing_evidence(
    tmp_path, capsys, damage: Callable[[list[dict]], None], unread: str
):
    objects = json.loads(OOM_DRILL_OBJECTS.objects)
    damage(objects)
    code, out, err = diagnose(OOM_DRILL_OBJECTS.bundle(tmp_path / "b", objects), capsys)
    [pod] = [d for d in json.loads(out) if d["subject"]["name"] == OOM_POD[1]]
    assert (code, err, pod["root_cause"]) == (0, "", "oom_killed")
    assert f"k8s: {unread} (read as absent)" in pod["missing_evidence"]


def test_an_event_about_nothing_readable_is_left_out_and_the_rest_stands(tmp_path, capsys):
    objects = json.loads(OOM_DRILL_OBJECTS.objects)
    backoff_event(objects)["involvedObject"] = "pod/oom-test"
    code, out, err = diagnose(OOM_DRILL_OBJECTS.bundle(tmp_path / "b", objects), capsys)
    [pod] = [d for d in json.loads(out) if d["subject"]["name"] == OOM_POD[1]]
    assert (code, err, pod["root_cause"]) == (0, "", "oom_killed")


def test_containers_given_as_an_object_are_read_as_absent(tmp_path, capsys):
    objects = json.loads(OOM_DRILL_OBJECTS.objects)
    pod = oom_pod(objects)
    pod["spec"]["containers"] = {"app": pod["spec"]["containers"][0]}
    code, out, err = diagnose(OOM_DRILL_OBJECTS.bundle(tmp_path / "b", objects), capsys)
    [diagnosis] = [d for d in json.loads(out) if d["subject"]["name"] == OOM_POD[1]]
    assert (code, err) == (0, "")
    assert "k8s: spec.containers is an object, not a list (read as absent)" in diagnosis["missing_evidence"]
