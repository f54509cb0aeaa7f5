"""The container builders of tools/k8s_objects.py write what the API server returns, keys in kubectl's
order."""

from __future__ import annotations

from tools import k8s_objects as k8s


def test_a_probe_has_the_api_defaults_and_an_initial_delay_only_when_given():
    assert list(k8s.probe(k8s.http_get("/ready", "http"))) == [
        "httpGet",
        "failureThreshold",
        "periodSeconds",
        "successThreshold",
        "timeoutSeconds",
    ]
    assert k8s.probe({"tcpSocket": {"port": "http"}}, initial_delay=15, timeout=2) == {
        "tcpSocket": {"port": "http"},
        "failureThreshold": 3,
        "initialDelaySeconds": 15,
        "periodSeconds": 10,
        "successThreshold": 1,
        "timeoutSeconds": 2,
    }


def test_resources_leave_out_what_is_not_set():
    assert k8s.resources(requests={"cpu": "10m"}) == {"requests": {"cpu": "10m"}}
    assert list(k8s.resources({"cpu": "10m"}, {"memory": "64Mi"})) == ["limits", "requests"]
    assert k8s.resources() == {}


def test_env_vars_from_a_value_a_pod_field_and_a_limit():
    assert k8s.env_var("LOG_LEVEL", "info") == {"name": "LOG_LEVEL", "value": "info"}
    assert k8s.field_env("POD_IP", "status.podIP") == {
        "name": "POD_IP",
        "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}},
    }
    assert k8s.resource_env("GOMAXPROCS", "limits.cpu") == {
        "name": "GOMAXPROCS",
        "valueFrom": {"resourceFieldRef": {"divisor": "0", "resource": "limits.cpu"}},
    }


def test_volumes_and_mounts():
    assert k8s.config_map_volume("config", "app-config") == {
        "configMap": {"defaultMode": 420, "name": "app-config"},
        "name": "config",
    }
    assert k8s.empty_dir_volume("envoy", medium="Memory") == {
        "emptyDir": {"medium": "Memory"},
        "name": "envoy",
    }
    assert k8s.volume_mount("/tmp", "tmp") == {"mountPath": "/tmp", "name": "tmp"}
    assert k8s.service_account_token_mount("token") == {
        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
        "name": "token",
        "readOnly": True,
    }
