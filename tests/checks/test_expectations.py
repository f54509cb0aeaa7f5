"""What the runbook expects comes from the app chart's values (merged with an override as `helm -f`
merges it) and the drill's manifest: changing a value changes the check; a bad value is one line."""

from __future__ import annotations

import copy

import pytest
import yaml

from incident_lib.checks.expectations import RunbookExpectations
from incident_lib.checks.runbook import run_runbook
from incident_lib.errors import InputError
from incident_lib.sources.bundle import read_bundle
from tests.checks.test_runbook import result
from tests.helpers import cli, write_bundle
from tests.notebooks.test_diagnose_notebook import checked_outputs


def with_backend_memory_limit(objects: list[dict], limit: str) -> list[dict]:
    """The shipped cluster with the backend-api pod's memory limit set to `limit`."""
    objects = copy.deepcopy(objects)
    pod = next(o for o in objects if o["kind"] == "Pod" and o["metadata"]["name"].startswith("backend-api-"))
    pod["spec"]["containers"][0]["resources"]["limits"]["memory"] = limit
    return objects


def override(tmp_path, values: dict):
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def test_the_chart_defaults_are_the_expectations():
    expected = RunbookExpectations.from_values()
    assert expected.memory_cap == "300Mi"
    assert expected.deployments == ("backend-api", "orders-service", "payments-service", "users-service")
    assert expected.services == expected.deployments and expected.diagnostics
    assert (expected.namespace, expected.monitoring_namespace) == ("apps", "monitoring")
    drill = expected.drill
    assert (drill.manifest, drill.namespace, drill.selector, drill.root_cause) == (
        "failures/oom.yaml",
        "default",
        {"app": "oom-test"},
        "oom_killed",
    )


def test_a_limitrange_max_of_512mi_in_an_override_raises_the_cap_the_check_expects(tmp_path, oom_drill):
    snapshot = read_bundle(
        write_bundle(tmp_path / "b", with_backend_memory_limit(oom_drill.objects, "400Mi"))
    )
    default = result(run_runbook(snapshot), "memory limits at or under 300Mi")
    assert (
        default.status == "fail" and "over: backend-api-b6x9lqnrjx-smgvh/backend-api 400Mi" in default.actual
    )

    raised = RunbookExpectations.from_values(override(tmp_path, {"limitRange": {"max": {"memory": "512Mi"}}}))
    assert raised.memory_cap == "512Mi" and raised.diagnostics  # the rest of the chart's values kept
    check = result(run_runbook(snapshot, expectations=raised), "memory limits at or under 512Mi")
    assert check.status == "pass" and check.expected.endswith("<= 512Mi (the LimitRange cap)")


def test_no_limitrange_cap_in_the_values_skips_the_memory_check(oom_drill):
    for values in ({"limitRange": {"enabled": False}}, {"limitRange": {"max": {"memory": None}}}):
        report = run_runbook(oom_drill, expectations=RunbookExpectations.from_values(values))
        check = result(report, "memory limits at or under the LimitRange cap")
        assert check.status == "skipped"


def test_an_enabled_canary_is_a_deployment_the_runbook_expects(oom_drill):
    values = {"services": {"payments-service": {"canary": {"enabled": True, "tag": "1.1.0"}}}}
    report = run_runbook(oom_drill, expectations=RunbookExpectations.from_values(values))
    apps = result(report, "the microservices' deployments available")
    assert apps.status == "fail"
    assert "payments-service 1/1, payments-service-v2 not captured, users-service 1/1" in apps.actual


def test_istio_objects_are_expected_one_per_microservice(tmp_path, oom_drill):
    rules = [
        {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
         "metadata": {"name": name, "namespace": "apps"}, "spec": {"host": name}}
        for name in ("backend-api", "users-service")
    ]  # fmt: skip
    report = run_runbook(read_bundle(write_bundle(tmp_path / "b", oom_drill.objects + rules)))
    check = result(report, "DestinationRule present")
    assert check.status == "fail"
    assert check.actual == "backend-api, users-service; missing: orders-service, payments-service"


def test_a_disabled_diagnostics_api_is_not_checked_even_with_a_url(oom_drill):
    expected = RunbookExpectations.from_values({"diagnostics": {"enabled": False}})
    report = run_runbook(oom_drill, diagnostics_url="http://127.0.0.1:1", expectations=expected)
    assert result(report, "/health").actual == "skipped: diagnostics.enabled is false in the values"


def test_the_namespaces_are_the_callers(oom_drill):
    expected = RunbookExpectations.from_values(namespace="shop", monitoring_namespace="observability")
    report = run_runbook(oom_drill, expectations=expected)
    # the bundle holds neither namespace: not checked, not failed
    assert result(report, "the microservices' deployments available").actual == (
        "not checked: namespace shop is not in the snapshot"
    )
    assert result(report, "monitoring pods running").actual == (
        "not checked: namespace observability is not in the snapshot"
    )


QUANTITY = "expected a memory quantity such as 300Mi"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("limitRange: {max: {memory: 512}}", f"limitRange.max.memory: {QUANTITY}, got 512"),
        ("limitRange: {max: {memory: lots}}", f"limitRange.max.memory: {QUANTITY}, got 'lots'"),
        ("limitRange: {enabled: 'yes'}", "limitRange.enabled: expected true or false, got 'yes'"),
        ("services: {backend-api: 2}", "services.backend-api: expected a mapping, got 2"),
        (
            "services: {users-service: {canary: {enabled: 1}}}",
            "services.users-service.canary.enabled: expected true or false, got 1",
        ),
        ("diagnostics: null", "diagnostics.enabled: expected true or false, got nothing"),
        ("limitRange: [300Mi\n", "not valid YAML at line 2"),
        ("- 300Mi", "expected a mapping of keys, got list"),
    ],
)
def test_a_bad_override_is_one_line_naming_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "override.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        RunbookExpectations.from_values(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)
    assert "\n" not in str(error.value)


def test_an_unreadable_override_is_one_line_naming_it(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(InputError, match=f"^{missing}: cannot read it \\(No such file or directory\\)$"):
        RunbookExpectations.from_values(missing)


def test_the_runbook_notebook_takes_an_override_file(tmp_path):
    values = override(tmp_path, {"limitRange": {"max": {"memory": "512Mi"}}})
    out = tmp_path / "out"
    command = ["run", "notebooks/runbook.ipynb", "-p", "values_file", str(values), "--out", str(out)]
    run = cli(*command)
    assert run.returncode == 0, run.stderr
    [folder] = (out / "runbook").iterdir()
    line = next(line for line in checked_outputs(folder / "runbook.ipynb").splitlines() if "memory" in line)
    assert "memory limits at or under 512Mi" in line and "PASS" in line
