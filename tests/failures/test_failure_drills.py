"""The failure drills: valid manifests, each annotated with the root cause it should be diagnosed as."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate
import pytest
import yaml

from incident_lib.classify.registry import vocabulary
from incident_lib.durations import parse_duration

ROOT = Path(__file__).resolve().parents[2]
FAILURES = ROOT / "failures"
ANNOTATION = "incident-lab/expected-root-cause"
KUBERNETES_VERSION = "1.30.0"
EXPECTED = {
    "oom.yaml": "oom_killed",
    "bad-service.yaml": "service_no_endpoints",
    "latency.yaml": "high_latency",
    "crashloop.yaml": "crash_loop",
    "image-pull.yaml": "image_pull_error",
}
VOCABULARY = {cause for causes in vocabulary().values() for cause in causes}


def load(name: str) -> list[dict[str, Any]]:
    """The YAML documents of failures/`name`."""
    return [doc for doc in yaml.safe_load_all((FAILURES / name).read_text()) if doc]


def only(name: str, kind: str) -> dict[str, Any]:
    """The single object of `kind` in failures/`name`."""
    (obj,) = [o for o in load(name) if o["kind"] == kind]
    return obj


def seconds(duration: str) -> float:
    """An Istio duration ("1500ms", "5s") in seconds."""
    return parse_duration(duration).total_seconds()


def test_every_drill_file_is_expected() -> None:
    assert {p.name for p in FAILURES.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_drill_objects_carry_their_expected_root_cause(name: str) -> None:
    docs = load(name)
    assert docs
    for obj in docs:
        cause = obj["metadata"]["annotations"][ANNOTATION]
        assert cause in VOCABULARY
        assert cause == EXPECTED[name]
        template = obj.get("spec", {}).get("template")
        if template:
            assert template["metadata"]["annotations"][ANNOTATION] == cause


@pytest.mark.parametrize("name", EXPECTED)
def test_kubernetes_objects_match_their_schema(name: str) -> None:
    for obj in load(name):
        if not obj["apiVersion"].startswith("networking.istio.io/"):
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_oom_drill_allocates_more_than_its_limit() -> None:
    deployment = only("oom.yaml", "Deployment")
    assert (deployment["metadata"]["name"], deployment["metadata"]["namespace"]) == ("oom-test", "default")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"].startswith("polinux/stress")
    allocated = container["args"][container["args"].index("--vm-bytes") + 1]
    limit = container["resources"]["limits"]["memory"]
    assert (allocated, limit) == ("300M", "256Mi")
    # stress's M is 10^6 bytes, Kubernetes' Mi is 2^20: 300M is 286Mi, over the limit.
    assert int(allocated.removesuffix("M")) * 10**6 > int(limit.removesuffix("Mi")) * 2**20


def test_bad_service_selects_no_pod_of_the_drills_or_the_platform() -> None:
    selector = only("bad-service.yaml", "Service")["spec"]["selector"]
    pod_labels = [
        obj["spec"]["template"]["metadata"]["labels"]
        for name in EXPECTED
        for obj in load(name)
        if obj["kind"] == "Deployment"
    ]
    with helm_python.Chart.load(ROOT / "helm" / "app") as chart:
        for path, text in chart.render(name="lab", namespace="apps").items():
            pod_labels += [
                doc["spec"]["template"]["metadata"]["labels"]
                for doc in (yaml.safe_load_all(text) if path.endswith(".yaml") else ())
                if doc and doc["kind"] == "Deployment"
            ]
    assert len(pod_labels) >= 8
    assert not any(selector.items() <= labels.items() for labels in pod_labels)


def test_crashloop_drill_exits_1_on_start() -> None:
    (container,) = only("crashloop.yaml", "Deployment")["spec"]["template"]["spec"]["containers"]
    assert container["command"][-1].rstrip().endswith("exit 1")


def test_image_pull_drill_uses_a_tag_that_does_not_exist() -> None:
    (container,) = only("image-pull.yaml", "Deployment")["spec"]["template"]["spec"]["containers"]
    assert container["image"].rsplit(":", 1)[1].endswith("does-not-exist")


def test_latency_drill_replaces_the_payments_route_with_a_delay_callers_wait_for() -> None:
    drill = only("latency.yaml", "VirtualService")
    istio = [d for d in yaml.safe_load_all((ROOT / "istio" / "virtual-services.yaml").read_text()) if d]
    (regular,) = [d for d in istio if d["metadata"]["name"] == "payments-service"]
    assert drill["metadata"]["namespace"] == regular["metadata"]["namespace"]
    assert drill["spec"]["hosts"] == regular["spec"]["hosts"]
    (route,) = drill["spec"]["http"]
    delay = route["fault"]["delay"]
    assert delay["percentage"]["value"] == 100
    budget = yaml.safe_load((ROOT / "helm" / "app" / "values.yaml").read_text())["downstreamTimeoutSeconds"]
    assert 1 < seconds(delay["fixedDelay"]) < min(seconds(route["timeout"]), budget)
    assert sum(d["weight"] for d in route["route"]) == 100


def test_readme_table_lists_every_drill_with_its_diagnosis() -> None:
    rows = [line for line in (FAILURES / "README.md").read_text().splitlines() if line.startswith("|")]
    for name, cause in EXPECTED.items():
        (row,) = [r for r in rows if f"`{name}`" in r]
        assert f"kubectl apply -f failures/{name}" in row
        assert f"`{cause}`" in row
