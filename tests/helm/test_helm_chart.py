"""The app chart, linted and rendered by Helm's engine, checked against Kubernetes schemas and policy."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate
import pytest
import yaml
from chart_render import (
    CHART,
    CRD_KINDS,
    CUSTOM_VALUES,
    NAMESPACE,
    RELEASE,
    objects,
    of_kind,
    pod_specs,
    quantity_bytes,
)

from incident_lib.needs import rbac_rules
from services.diagnostics.settings import load_settings

KUBERNETES_VERSION = "1.30.0"
SERVICES = {"backend-api", "users-service", "orders-service", "payments-service"}
READ_VERBS = {"get", "list", "watch"}
ROOT = Path(__file__).resolve().parents[2]
MONITORING_VALUES = ROOT / "helm" / "monitoring" / "values.yaml"
APP_VERSION = yaml.safe_load((CHART / "Chart.yaml").read_text())["appVersion"]
DEFAULT_PROMETHEUS = yaml.safe_load((CHART / "values.yaml").read_text())["prometheusUrl"]
CREDENTIALS = ("PROMETHEUS_TOKEN", "PROMETHEUS_USER", "PROMETHEUS_PASSWORD")
AMTOOL = shutil.which("amtool")
NOTIFY_VALUES: dict[str, Any] = {
    "diagnostics": {"incidents": {"notify": {"existingSecret": "incident-notify", "key": "apprise-urls"}}}
}
#: An existing Secret with key names other than the defaults, so that ignoring them shows.
AUTH_VALUES: dict[str, Any] = {
    "prometheusAuth": {
        "existingSecret": "prometheus-auth",
        "tokenKey": "bearer-token",
        "usernameKey": "user",
        "passwordKey": "pass.txt",
    }
}


def windows(items: list[str], size: int) -> list[list[str]]:
    """Every run of `size` consecutive items (to find `-p source live` in a command)."""
    return [items[i : i + size] for i in range(len(items) - size + 1)]


def sweep_container(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    """The one container of the sweep CronJob."""
    (cronjob,) = of_kind(rendered, "CronJob")
    (container,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return container


def secret_refs(secret: str, keys: tuple[str, str, str]) -> list[dict[str, Any]]:
    """The env entries PROMETHEUS_TOKEN, _USER and _PASSWORD from the optional `keys` of `secret`."""
    return [
        {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key, "optional": True}}}
        for name, key in zip(CREDENTIALS, keys, strict=True)
    ]


def credential_env(rendered: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """workload/container → its PROMETHEUS_TOKEN, _USER and _PASSWORD env entries, for every container."""
    return {
        f"{name}/{container['name']}": [e for e in container.get("env", []) if e["name"] in CREDENTIALS]
        for name, spec in pod_specs(rendered)
        for container in spec["containers"]
    }


def diagnostics_pod(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    """The pod spec of the diagnostics API's Deployment."""
    (deployment,) = [d for d in of_kind(rendered, "Deployment") if d["metadata"]["name"] == "diagnostics-api"]
    return deployment["spec"]["template"]["spec"]


def store_volume(rendered: list[dict[str, Any]]) -> dict[str, Any]:
    """The volume the diagnostics API mounts at INCIDENT_STORE, without its name."""
    pod = diagnostics_pod(rendered)
    (container,) = pod["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == env["INCIDENT_STORE"]]
    (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    return {k: v for k, v in volume.items() if k != "name"}


def bound_to_the_reader(rendered: list[dict[str, Any]]) -> set[str]:
    """The ServiceAccounts of the release namespace bound to the chart's one (read-only) ClusterRole."""
    (role,) = of_kind(rendered, "ClusterRole")
    bindings = [
        b for b in of_kind(rendered, "ClusterRoleBinding") if b["roleRef"]["name"] == role["metadata"]["name"]
    ]
    assert [b["roleRef"]["kind"] for b in bindings] == ["ClusterRole"]
    return {
        s["name"]
        for s in bindings[0]["subjects"]
        if s["kind"] == "ServiceAccount" and s["namespace"] == NAMESPACE
    }


@pytest.mark.parametrize("values", [None, CUSTOM_VALUES], ids=["default", "custom"])
def test_lint_reports_no_warning_or_error(values: dict[str, Any] | None) -> None:
    report = helm_python.lint(CHART, values, namespace=NAMESPACE, kube_version=f"v{KUBERNETES_VERSION}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_rendered_objects_match_kubernetes_schemas(rendered: list[dict[str, Any]]) -> None:
    checked = 0
    for obj in rendered:
        if obj["kind"] not in CRD_KINDS:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
            checked += 1
    assert checked >= 10


def test_every_container_has_requests_and_a_memory_limit_of_at_most_256mi(
    rendered: list[dict[str, Any]],
) -> None:
    containers = [(name, c) for name, spec in pod_specs(rendered) for c in spec["containers"]]
    assert len(containers) >= 5
    for name, container in containers:
        resources = container.get("resources", {})
        assert resources.get("requests"), f"{name}/{container['name']} has no requests"
        limit = resources.get("limits", {}).get("memory")
        assert limit, f"{name}/{container['name']} has no memory limit"
        assert quantity_bytes(limit) <= 256 * 2**20, f"{name}/{container['name']} limit {limit}"


def test_limitrange_caps_containers_at_300mi(default_objects: list[dict[str, Any]]) -> None:
    (limit_range,) = of_kind(default_objects, "LimitRange")
    (container_limits,) = [lim for lim in limit_range["spec"]["limits"] if lim["type"] == "Container"]
    assert quantity_bytes(container_limits["max"]["memory"]) == 300 * 2**20


def test_probes_check_ready_and_health_on_a_declared_port(rendered: list[dict[str, Any]]) -> None:
    deployments = of_kind(rendered, "Deployment")
    assert {d["metadata"]["name"] for d in deployments} >= SERVICES | {"diagnostics-api"}
    for deployment in deployments:
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            ports = {p["name"] for p in container["ports"]}
            assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
            assert container["livenessProbe"]["httpGet"]["path"] == "/health"
            assert container["readinessProbe"]["httpGet"]["port"] in ports
            assert container["livenessProbe"]["httpGet"]["port"] in ports


def test_diagnostics_api_serves_on_its_configured_port() -> None:
    for values, port in ((None, 8000), (CUSTOM_VALUES, 8001)):
        rendered = objects(values)
        (deployment,) = [
            d for d in of_kind(rendered, "Deployment") if d["metadata"]["name"] == "diagnostics-api"
        ]
        (service,) = [s for s in of_kind(rendered, "Service") if s["metadata"]["name"] == "diagnostics-api"]
        assert deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] == port
        assert service["spec"]["ports"][0]["port"] == port


def test_services_select_their_pods(rendered: list[dict[str, Any]]) -> None:
    pods = [d["spec"]["template"]["metadata"]["labels"] for d in of_kind(rendered, "Deployment")]
    for service in of_kind(rendered, "Service"):
        selector = service["spec"]["selector"]
        assert any(selector.items() <= labels.items() for labels in pods), service["metadata"]["name"]


def test_backend_api_is_wired_to_the_downstream_services() -> None:
    rendered = objects(CUSTOM_VALUES)
    (backend,) = [d for d in of_kind(rendered, "Deployment") if d["metadata"]["name"] == "backend-api"]
    env = {e["name"]: e["value"] for e in backend["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["USERS_URL"] == "http://users-service:8080"
    assert env["PAYMENTS_URL"] == "http://payments-service:9090"
    assert env["SERVICE_NAME"] == "backend-api"


def test_canary_values_add_a_v2_deployment_with_its_own_tag() -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind(objects(CUSTOM_VALUES), "Deployment")}
    canary = deployments["payments-service-v2"]["spec"]["template"]
    stable = deployments["payments-service"]["spec"]["template"]
    assert (canary["metadata"]["labels"]["version"], stable["metadata"]["labels"]["version"]) == ("v2", "v1")
    assert canary["spec"]["containers"][0]["image"].endswith(":1.3.0-rc1")
    assert stable["spec"]["containers"][0]["image"].endswith(":1.2.3")
    env = {e["name"]: e["value"] for e in stable["spec"]["containers"][0]["env"]}
    assert env["FAULT_LATENCY_MS"] == "250"
    assert "users-service-v2" not in deployments
    assert "payments-service-v2" not in {d["metadata"]["name"] for d in of_kind(objects(), "Deployment")}


def test_rbac_is_one_read_only_role_that_never_touches_secrets(rendered: list[dict[str, Any]]) -> None:
    (role,) = of_kind(rendered, "ClusterRole")
    assert of_kind(rendered, "Role") == []
    granted: dict[tuple[str, str], set[str]] = {}
    for rule in role["rules"]:
        assert not rule.get("nonResourceURLs") and not rule.get("resourceNames")
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                granted.setdefault((group, resource), set()).update(rule["verbs"])
    assert all(verbs <= READ_VERBS for verbs in granted.values()), granted
    assert not any("*" in (group, resource) or resource.startswith("secrets") for group, resource in granted)
    assert granted[("", "pods/log")] == {"get"}
    # exactly what the rules' needs call for: nothing the diagnosis does not read
    needed = {(r.group, resource): set(r.verbs) for r in rbac_rules() for resource in r.resources}
    assert granted == needed


def test_sweep_cronjob_runs_the_sweep_notebook_live_under_the_read_only_role(
    default_objects: list[dict[str, Any]],
) -> None:
    (cronjob,) = of_kind(default_objects, "CronJob")
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    command = container["command"]
    assert command[:3] == ["incident-lab", "run", "notebooks/sweep.ipynb"]
    assert ["-p", "source", "live"] in windows(command, 3)
    assert ["--out", "/reports"] in windows(command, 2)
    assert container["args"] == ["-p", "namespaces", '["apps"]', "-p", "prometheus_url", DEFAULT_PROMETHEUS]
    assert container["image"] == f"ghcr.io/incident-lab/incident-lab:{APP_VERSION}"
    assert pod["serviceAccountName"] in bound_to_the_reader(default_objects)
    assert cronjob["spec"]["schedule"] == "*/30 * * * *"


def test_diagnostics_api_diagnoses_the_live_cluster_under_the_read_only_role(
    rendered: list[dict[str, Any]],
) -> None:
    (deployment,) = [d for d in of_kind(rendered, "Deployment") if d["metadata"]["name"] == "diagnostics-api"]
    pod = deployment["spec"]["template"]["spec"]
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
    assert env["INCIDENT_SOURCE"] == "live"
    assert env["PROMETHEUS_URL"] in {DEFAULT_PROMETHEUS, CUSTOM_VALUES["prometheusUrl"]}
    assert env["HOST"] == "0.0.0.0"
    assert "INCIDENT_BUNDLE" not in env
    assert pod["automountServiceAccountToken"] is True
    assert pod["serviceAccountName"] in {a["metadata"]["name"] for a in of_kind(rendered, "ServiceAccount")}
    assert pod["serviceAccountName"] in bound_to_the_reader(rendered)


def test_the_diagnostics_api_and_the_sweep_share_the_project_image_and_prometheus() -> None:
    for values, tag, prometheus in (
        (None, APP_VERSION, DEFAULT_PROMETHEUS),
        ({"labImage": {"tag": "9.9.9"}, "prometheusUrl": "http://prom:9090"}, "9.9.9", "http://prom:9090"),
    ):
        specs = dict(pod_specs(objects(values)))
        (api,) = specs["diagnostics-api"]["containers"]
        (sweep,) = specs[f"{RELEASE}-app-sweep"]["containers"]
        assert api["image"] == sweep["image"] == f"ghcr.io/incident-lab/incident-lab:{tag}"
        assert {e["name"]: e["value"] for e in api["env"]}["PROMETHEUS_URL"] == prometheus
        assert sweep["args"][-3:] == ["-p", "prometheus_url", prometheus]
        services_image = specs["backend-api"]["containers"][0]["image"]
        assert services_image.startswith("ghcr.io/incident-lab/services:")


def test_project_image_containers_write_only_to_tmp_and_reports(rendered: list[dict[str, Any]]) -> None:
    checked = 0
    for name, spec in pod_specs(rendered):
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for container in spec["containers"]:
            if "/incident-lab:" not in container["image"]:
                continue
            checked += 1
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
            assert mounts["/tmp"]["emptyDir"] == {}, name
            env = {e["name"]: e["value"] for e in container["env"]}
            for variable in ("HOME", "MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
                assert env[variable] == "/tmp" or env[variable].startswith("/tmp/"), (name, variable)
            if "--out" in container.get("command", []):
                out = container["command"][container["command"].index("--out") + 1]
                assert out in mounts, (name, out)
    assert checked >= 1


def test_sweep_reports_go_to_an_emptydir_or_the_claim_named_in_the_values() -> None:
    def reports_volume(values: dict[str, Any] | None) -> dict[str, Any]:
        (cronjob,) = of_kind(objects(values), "CronJob")
        volumes = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
        (volume,) = [v for v in volumes if v["name"] == "reports"]
        return volume

    assert reports_volume(None) == {"name": "reports", "emptyDir": {}}
    claimed = reports_volume({"sweep": {"reports": {"existingClaim": "sweep-reports"}}})
    assert claimed == {"name": "reports", "persistentVolumeClaim": {"claimName": "sweep-reports"}}


@pytest.mark.parametrize("namespace", [NAMESPACE, "incident-lab"])
def test_by_default_the_sweep_reads_only_the_release_namespace(namespace: str) -> None:
    args = sweep_container(objects(namespace=namespace))["args"]
    assert args == ["-p", "namespaces", f'["{namespace}"]', "-p", "prometheus_url", DEFAULT_PROMETHEUS]


def test_the_sweep_reads_the_namespaces_listed_in_the_values() -> None:
    args = sweep_container(objects({"sweep": {"namespaces": ["apps", "default"]}}))["args"]
    assert args == ["-p", "namespaces", '["apps","default"]', "-p", "prometheus_url", DEFAULT_PROMETHEUS]
    assert json.loads(args[2]) == ["apps", "default"]


def test_all_namespaces_passes_no_namespaces_so_the_notebook_sweeps_every_one() -> None:
    args = sweep_container(objects({"sweep": {"allNamespaces": True}}))["args"]
    assert args == ["-p", "prometheus_url", DEFAULT_PROMETHEUS]
    assert not any("namespace" in arg for arg in args)


@pytest.mark.parametrize(
    ("values", "namespaces"),
    [
        (None, [NAMESPACE]),
        ({"sweep": {"namespaces": ["apps", "default"]}}, ["apps", "default"]),
        ({"sweep": {"allNamespaces": True}}, []),
    ],
    ids=["default", "listed", "all"],
)
def test_the_rendered_command_parses_with_the_cli_to_the_namespaces(
    values: dict[str, Any] | None, namespaces: list[str]
) -> None:
    """The chart's command and args, through `incident-lab run`'s own parser and parameter checks (the
    notebook's parameters cell is read, no kernel starts): the chart and the CLI cannot drift apart."""
    from incident_lib.cli import _parser
    from incident_lib.runner import coerce_parameters, notebook_parameters

    container = sweep_container(objects(values))
    program, *argv = container["command"] + container.get("args", [])
    assert program == "incident-lab"
    args = _parser().parse_args(argv)
    notebook = ROOT / args.notebook
    parameters = coerce_parameters(notebook, [tuple(p) for p in args.parameter])
    if "namespaces" not in parameters:  # the notebook's default applies: [] = every namespace
        assert json.loads(notebook_parameters(notebook)["namespaces"]["default"]) == []
    assert parameters.get("namespaces", []) == namespaces
    assert (parameters["source"], parameters["prometheus_url"]) == ("live", DEFAULT_PROMETHEUS)
    assert (args.out, args.fail_on) == (Path("/reports"), "critical")


@pytest.mark.parametrize(
    "values",
    [
        {"sweep": {"reports": {"existingClaim": "sweep-reports"}}, "labImage": {"tag": "9.9.9"}},
        {"diagnostics": {"enabled": False}, "prometheusUrl": ""},
        AUTH_VALUES,
        {"sweep": {"namespaces": ["apps", "default", "kube-system"]}},
        {"sweep": {"allNamespaces": True}},
        {"sweep": {"allNamespaces": True}, "diagnostics": {"enabled": False}, "prometheusUrl": ""},
        NOTIFY_VALUES,
    ],
    ids=[
        "reports-claim",
        "sweep-only-without-prometheus",
        "prometheus-auth",
        "sweep-namespaces",
        "sweep-all-namespaces",
        "sweep-all-namespaces-without-args",
        "incident-notifications",
    ],
)
def test_other_values_still_match_kubernetes_schemas(values: dict[str, Any]) -> None:
    rendered = objects(values)
    for obj in rendered:
        if obj["kind"] not in CRD_KINDS:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    report = helm_python.lint(CHART, values, namespace=NAMESPACE, kube_version=f"v{KUBERNETES_VERSION}")
    assert report["errors"] == []


def test_without_prometheus_the_sweep_runs_without_metrics_and_the_api_refuses_to_render() -> None:
    sweep = sweep_container(objects({"diagnostics": {"enabled": False}, "prometheusUrl": ""}))
    assert sweep["args"] == ["-p", "namespaces", '["apps"]']
    everywhere = {"diagnostics": {"enabled": False}, "prometheusUrl": "", "sweep": {"allNamespaces": True}}
    assert "args" not in sweep_container(objects(everywhere))
    with (
        helm_python.Chart.load(CHART) as chart,
        pytest.raises(helm_python.HelmRenderError, match="prometheusUrl"),
    ):
        chart.render({"prometheusUrl": ""}, name=RELEASE, namespace=NAMESPACE)


@pytest.mark.parametrize(
    ("values", "keys"),
    [
        (AUTH_VALUES, ("bearer-token", "user", "pass.txt")),
        ({"prometheusAuth": {"existingSecret": "prometheus-auth"}}, ("token", "username", "password")),
    ],
    ids=["key-names-set", "default-key-names"],
)
def test_prometheus_credentials_reach_the_api_and_the_sweep_from_the_existing_secret(
    values: dict[str, Any], keys: tuple[str, str, str]
) -> None:
    rendered = objects(values)
    found = credential_env(rendered)
    expected = secret_refs("prometheus-auth", keys)
    assert found.pop("diagnostics-api/diagnostics-api") == expected
    assert found.pop(f"{RELEASE}-app-sweep/sweep") == expected
    assert len(found) >= 4 and not any(found.values()), found  # the services query no Prometheus
    assert of_kind(rendered, "Secret") == []


def test_prometheus_credentials_add_nothing_but_the_secret_references() -> None:
    without = objects()
    with_auth = objects(AUTH_VALUES)
    for _, spec in pod_specs(with_auth):
        for container in spec["containers"]:
            if "env" in container:
                container["env"] = [e for e in container["env"] if e["name"] not in CREDENTIALS]
    assert with_auth == without


@pytest.mark.parametrize(
    "values",
    [
        None,
        CUSTOM_VALUES,
        {"prometheusAuth": {"existingSecret": "", "tokenKey": "bearer-token"}},
        # The sweep alone, without a Prometheus URL, has nothing to authenticate to.
        {"diagnostics": {"enabled": False}, "prometheusUrl": "", **AUTH_VALUES},
    ],
    ids=["default", "custom", "no-secret-keys-set", "secret-without-prometheus"],
)
def test_without_a_secret_or_a_prometheus_no_container_gets_credentials(
    values: dict[str, Any] | None,
) -> None:
    found = credential_env(objects(values))
    assert len(found) >= 1 and not any(found.values()), found


def test_disabling_a_component_removes_its_workload_and_its_permissions() -> None:
    sweep_off = objects(CUSTOM_VALUES)  # the sweep disabled, the diagnostics API enabled
    assert of_kind(sweep_off, "CronJob") == []
    assert [a["metadata"]["name"] for a in of_kind(sweep_off, "ServiceAccount")] == [
        f"{RELEASE}-app-diagnostics"
    ]
    assert bound_to_the_reader(sweep_off) == {f"{RELEASE}-app-diagnostics"}
    kinds = {o["kind"] for o in objects({"sweep": {"enabled": False}, "diagnostics": {"enabled": False}})}
    assert not kinds & {"CronJob", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"}


def test_the_incident_store_is_an_emptydir_unless_persistence_makes_it_a_claim() -> None:
    assert store_volume(objects()) == {"emptyDir": {}}
    assert of_kind(objects(), "PersistentVolumeClaim") == []

    claimed = {"enabled": True, "size": "5Gi", "storageClassName": "standard"}
    persistent = {"diagnostics": {"incidents": {"persistence": claimed}}}
    rendered = objects(persistent)
    (claim,) = of_kind(rendered, "PersistentVolumeClaim")
    assert store_volume(rendered) == {"persistentVolumeClaim": {"claimName": claim["metadata"]["name"]}}
    assert claim["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "standard",
        "resources": {"requests": {"storage": "5Gi"}},
    }
    # a ReadWriteOnce claim is held by the old pod until it stops: a rolling update would wait forever
    (deployment,) = [d for d in of_kind(rendered, "Deployment") if d["metadata"]["name"] == "diagnostics-api"]
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}


def test_incident_settings_reach_the_api_and_read_as_its_settings() -> None:
    values = {"diagnostics": {"incidents": {"lookback": "2h", "workers": 3, "queueSize": 50,
                                            "baseUrl": "https://incidents.example.org"}}}  # fmt: skip
    (container,) = diagnostics_pod(objects(values))["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert "INCIDENT_NOTIFY_URLS" not in env  # no Secret named: no notifications
    # through the API's own settings loader: the chart and the API cannot drift apart
    settings = load_settings(env)
    assert (settings.store, settings.lookback.total_seconds()) == ("/incidents", 7200)
    assert (settings.alert_workers, settings.alert_queue) == (3, 50)
    assert settings.base_url == "https://incidents.example.org"
    defaults = {e["name"]: e["value"] for e in diagnostics_pod(objects())["containers"][0]["env"]}
    assert "INCIDENT_BASE_URL" not in defaults
    assert load_settings(defaults).alert_queue == 100


def test_notification_urls_come_from_the_secret_reference_only() -> None:
    rendered = objects(NOTIFY_VALUES)
    (container,) = diagnostics_pod(rendered)["containers"]
    (notify,) = [e for e in container["env"] if e["name"] == "INCIDENT_NOTIFY_URLS"]
    assert notify == {
        "name": "INCIDENT_NOTIFY_URLS",
        "valueFrom": {"secretKeyRef": {"name": "incident-notify", "key": "apprise-urls"}},
    }
    assert of_kind(rendered, "Secret") == []
    everywhere = [e for _, spec in pod_specs(rendered) for c in spec["containers"] for e in c.get("env", [])
                  if e["name"] == "INCIDENT_NOTIFY_URLS"]  # fmt: skip
    assert everywhere == [notify]  # the sweep and the services never see them


def test_servicemonitor_selects_exactly_the_four_services(rendered: list[dict[str, Any]]) -> None:
    (monitor,) = of_kind(rendered, "ServiceMonitor")
    selector = monitor["spec"]["selector"]
    (expression,) = selector["matchExpressions"]
    assert expression["operator"] == "In"

    def selected(labels: dict[str, str]) -> bool:
        return selector["matchLabels"].items() <= labels.items() and labels.get(expression["key"]) in set(
            expression["values"]
        )

    services = of_kind(rendered, "Service")
    assert {s["metadata"]["name"] for s in services if selected(s["metadata"]["labels"])} == SERVICES
    endpoint_ports = {e["port"] for e in monitor["spec"]["endpoints"]}
    assert all(endpoint_ports <= {p["name"] for p in s["spec"]["ports"]} for s in services)
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"


def test_prometheusrule_alerts_link_their_runbook_notebook(default_objects: list[dict[str, Any]]) -> None:
    (rule,) = of_kind(default_objects, "PrometheusRule")
    alerts = {r["alert"]: r for group in rule["spec"]["groups"] for r in group["rules"]}
    notebooks = {
        "ContainerOOMKilled": "diagnose.ipynb",
        "ContainerCrashLooping": "diagnose.ipynb",
        "ServiceHighErrorRate": "metrics.ipynb",
        "ServiceHighLatencyP99": "metrics.ipynb",
    }
    assert set(alerts) == set(notebooks)
    for name, notebook in notebooks.items():
        assert alerts[name]["annotations"]["runbook_url"].endswith(f"/notebooks/{notebook}")
        assert alerts[name]["labels"]["severity"] in {"warning", "critical"}
    assert 'reason="OOMKilled"' in alerts["ContainerOOMKilled"]["expr"]
    assert 'reason="CrashLoopBackOff"' in alerts["ContainerCrashLooping"]["expr"]
    assert "histogram_quantile(0.99" in alerts["ServiceHighLatencyP99"]["expr"]


def test_dashboard_configmap_carries_the_sidecar_label_and_the_dashboard(
    default_objects: list[dict[str, Any]],
) -> None:
    (configmap,) = of_kind(default_objects, "ConfigMap")
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    dashboard = json.loads(configmap["data"]["services.json"])
    assert dashboard == json.loads((CHART / "dashboards" / "services.json").read_text())
    exprs = " ".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])
    assert "http_requests_total" in exprs and "http_request_duration_seconds_bucket" in exprs


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ({"services": {"users-service": {"replicas": "two"}}}, "/services/users-service/replicas"),
        ({"resources": {"limits": {"memory": "512Mi"}}}, "/resources/limits/memory"),
        ({"runbookBaseUrl": "not a url"}, "/runbookBaseUrl"),
        ({"replicaCount": 2}, "replicaCount"),
        ({"labImage": {"repository": ""}}, "/labImage/repository"),
        ({"prometheusUrl": "prometheus:9090"}, "/prometheusUrl"),
        ({"sweep": {"reports": {"existingClaim": "Not_A_Name"}}}, "/sweep/reports/existingClaim"),
        ({"sweep": {"namespaces": ["apps", "Apps_1"]}}, "/sweep/namespaces/1"),
        ({"sweep": {"namespaces": ["-apps"]}}, "/sweep/namespaces/0"),
        ({"sweep": {"namespaces": ["a" * 64]}}, "/sweep/namespaces/0"),
        ({"sweep": {"namespaces": ["apps", "apps"]}}, "/sweep/namespaces'"),
        ({"sweep": {"namespaces": "apps"}}, "/sweep/namespaces'"),
        ({"sweep": {"allNamespaces": "true"}}, "/sweep/allNamespaces"),
        ({"sweep": {"allNamespaces": 1}}, "/sweep/allNamespaces"),
        # Every namespace and a list of them: which one was meant? Refused rather than one ignored.
        ({"sweep": {"allNamespaces": True, "namespaces": ["apps"]}}, "/sweep/namespaces'"),
        ({"prometheusAuth": {"existingSecret": 42}}, "/prometheusAuth/existingSecret"),
        ({"prometheusAuth": {"existingSecret": True}}, "/prometheusAuth/existingSecret"),
        ({"prometheusAuth": {"existingSecret": "Prometheus_Auth"}}, "/prometheusAuth/existingSecret"),
        ({"prometheusAuth": {"tokenKey": ""}}, "/prometheusAuth/tokenKey"),
        ({"prometheusAuth": {"passwordKey": "a/b"}}, "/prometheusAuth/passwordKey"),
        # No place for the credentials themselves.
        ({"prometheusAuth": {"existingSecret": "prometheus-auth", "password": "hunter2"}}, "'password'"),
        ({"diagnostics": {"incidents": {"workers": 0}}}, "/diagnostics/incidents/workers"),
        ({"diagnostics": {"incidents": {"queueSize": "100"}}}, "/diagnostics/incidents/queueSize"),
        ({"diagnostics": {"incidents": {"lookback": "1 hour"}}}, "/diagnostics/incidents/lookback"),
        (
            {"diagnostics": {"incidents": {"baseUrl": "incidents.example.org"}}},
            "/diagnostics/incidents/baseUrl",
        ),
        (
            {"diagnostics": {"incidents": {"persistence": {"size": "lots"}}}},
            "/diagnostics/incidents/persistence/size",
        ),
        (
            {"diagnostics": {"incidents": {"persistence": {"enabled": "yes"}}}},
            "/diagnostics/incidents/persistence/enabled",
        ),
        (
            {"diagnostics": {"incidents": {"notify": {"existingSecret": "Notify_Urls"}}}},
            "/diagnostics/incidents/notify/existingSecret",
        ),
        # No place for the notification URLs themselves: they hold tokens.
        ({"diagnostics": {"incidents": {"notify": {"urls": "slack://T/B/C"}}}}, "'urls'"),
    ],
)
def test_schema_rejects_bad_values_naming_the_key(values: dict[str, Any], where: str) -> None:
    with helm_python.Chart.load(CHART) as chart, pytest.raises(helm_python.HelmValuesError, match=where):
        chart.render(values, name="lab", namespace=NAMESPACE)


def test_monitoring_values_make_an_ephemeral_six_hour_prometheus() -> None:
    values = yaml.safe_load(MONITORING_VALUES.read_text())
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "6h"
    assert not spec.get("storageSpec")
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is False
    assert values["grafana"]["sidecar"]["dashboards"]["label"] == "grafana_dashboard"
    components = [
        spec,
        values["grafana"],
        values["alertmanager"]["alertmanagerSpec"],
        values["kube-state-metrics"],
        values["prometheus-node-exporter"],
        values["prometheusOperator"],
    ]
    for component in components:
        assert component["resources"]["requests"] and component["resources"]["limits"]["memory"]


def amtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run Alertmanager's amtool with `args`; the finished process, output captured as text."""
    return subprocess.run([AMTOOL, *map(str, args)], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(
    AMTOOL is None, reason="amtool not found (Debian package `prometheus-alertmanager`; .ci/run installs it)"
)
def test_monitoring_values_route_every_alert_but_watchdog_to_the_diagnostics_api(tmp_path: Path) -> None:
    config = yaml.safe_load(MONITORING_VALUES.read_text())["alertmanager"]["config"]
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config))
    checked = amtool("check-config", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout

    def receiver(*labels: str) -> str:
        done = amtool("config", "routes", "test", f"--config.file={path}", *labels)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.strip()

    assert receiver("alertname=ServiceHighLatencyP99", "namespace=apps", "service=payments-service") == (
        "incident-lab"
    )
    assert receiver("alertname=Watchdog") == "null"
    assert config["route"]["group_by"] == ["alertname", "namespace"]
    (webhook,) = next(r for r in config["receivers"] if r["name"] == "incident-lab")["webhook_configs"]
    assert webhook["send_resolved"] is True
    # the URL is the app chart's diagnostics Service, installed as the runbook does (namespace apps)
    (service,) = [s for s in of_kind(objects(), "Service") if s["metadata"]["name"] == "diagnostics-api"]
    port = service["spec"]["ports"][0]["port"]
    assert webhook["url"] == f"http://{service['metadata']['name']}.{NAMESPACE}.svc:{port}/alerts"
