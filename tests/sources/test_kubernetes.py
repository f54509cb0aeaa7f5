"""The live Kubernetes source against the API double over real HTTP: raw JSON, pages, and every failure."""

from __future__ import annotations

import time

import pytest
from kubernetes import client

from incident_lib.errors import InputError
from incident_lib.sources.kubernetes import (
    LOG_LIMIT_BYTES,
    MAX_ANSWER_BYTES,
    DeadlinePassed,
    KubeSource,
    NotServed,
    TooLarge,
)
from incident_lib.sources.retry import MAX_WAIT, wait_before_retry
from tests.servers.kube_api import RESET
from tests.sources.conftest import LOAD_PODS

OOM_POD = "oom-test-7f77d89c59-vqgkt"


def test_a_list_is_raw_json_with_the_kind_the_api_left_off_its_items(kubeconfig, kube_api):
    [pod] = KubeSource.connect().list("Pod", "default")
    assert isinstance(pod, dict) and pod["kind"] == "Pod" and pod["apiVersion"] == "v1"
    assert pod["metadata"]["name"] == OOM_POD
    assert pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"] == "OOMKilled"
    [deployment] = KubeSource.connect().list("Deployment", "default")
    assert deployment["apiVersion"] == "apps/v1"


def test_more_than_one_page_of_pods_comes_in_pages_of_500(kubeconfig, kube_api):
    pods = KubeSource.connect().list("Pod", "load")
    assert len({p["metadata"]["name"] for p in pods}) == LOAD_PODS
    pages = [r for r in kube_api.requests if r.path == "/api/v1/namespaces/load/pods"]
    assert [r.query.get("limit") for r in pages] == ["500", "500"]
    assert "continue" not in pages[0].query and pages[1].query["continue"]


def test_an_expired_continue_token_restarts_the_list_from_the_start(kubeconfig, kube_api):
    kube_api.faults.expire_continue = 1
    pods = KubeSource.connect().list("Pod", "load")
    names = [p["metadata"]["name"] for p in pods]
    assert len(names) == len(set(names)) == LOAD_PODS  # one consistent list: no page twice, none lost
    pages = [r for r in kube_api.requests if r.path == "/api/v1/namespaces/load/pods"]
    assert ["continue" in r.query for r in pages] == [False, True, False, True]


def test_a_list_that_never_stays_consistent_gives_up_with_one_line(kubeconfig, kube_api):
    kube_api.faults.expire_continue = 100
    with pytest.raises(InputError, match=r"could not list pods in namespace load: the list changed under us"):
        KubeSource.connect().list("Pod", "load")


def test_events_of_one_pod_are_selected_by_the_server(kubeconfig, kube_api):
    selector = f"involvedObject.kind=Pod,involvedObject.name={OOM_POD}"
    events = KubeSource.connect().list("Event", "default", selector)
    assert events and {e["involvedObject"]["name"] for e in events} == {OOM_POD}
    assert kube_api.count("/events", fieldSelector=selector) == 1


def test_forbidden_names_the_verb_the_resource_and_the_rbac_that_grants_it(kubeconfig, kube_api):
    kube_api.faults.forbidden.add(("list", "deployments"))
    with pytest.raises(InputError) as error:
        KubeSource.connect().list("Deployment", "apps")
    message = str(error.value)
    assert (
        "may not list deployments.apps in namespace apps (it lacks 'list' on 'deployments.apps')" in message
    )
    assert "helm/app/templates/sweep-rbac.yaml" in message and "\n" not in message


def test_rejected_credentials_say_so(kubeconfig):
    with pytest.raises(InputError, match=r"rejected the credentials of context 'lab-stranger' \(401"):
        KubeSource.connect("lab-stranger").list("Pod", "default")


def test_an_unknown_namespace_suggests_the_closest(kubeconfig, kube_api):
    with pytest.raises(InputError, match=r"namespace 'defualt' not found; did you mean default\?"):
        KubeSource.connect().check_namespaces(["defualt"])


def test_an_unknown_context_suggests_the_closest(kubeconfig):
    with pytest.raises(InputError, match=r"context 'lba' not found; did you mean lab"):
        KubeSource.connect("lba")


def test_no_kubeconfig_and_no_service_account_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(InputError, match=r"no kubeconfig at .*absent"):
        KubeSource.connect()


def test_an_unreachable_api_is_one_line(kubeconfig):
    with pytest.raises(
        InputError, match=r"cannot reach the Kubernetes API at http://127\.0\.0\.1:\d+: .*refused"
    ):
        KubeSource.connect("down").list("Pod", "default")


def test_a_slow_api_times_out_on_the_client_side(kubeconfig, kube_api):
    kube_api.faults.delay["services"] = 2.0
    started = time.monotonic()
    with pytest.raises(
        InputError, match=r"did not answer within 0\.3 s \(trying to list services in namespace apps\)"
    ):
        KubeSource.connect(timeout=0.3).list("Service", "apps")
    assert time.monotonic() - started < 1.5  # one wait, no retries of a read that timed out


def test_an_api_the_cluster_does_not_serve_is_not_an_error_but_not_served(kubeconfig, kube_api):
    with pytest.raises(NotServed):
        KubeSource.connect().list("VirtualService", "apps")  # Istio is not installed


def test_previous_and_current_logs_are_read_and_a_missing_one_is_none(kubeconfig, kube_api):
    kube = KubeSource.connect()
    assert "got signal 9" in kube.log("default", OOM_POD, "app", previous=True)
    assert kube.log("apps", "backend-api-b6x9lqnrjx-smgvh", "backend-api", previous=True) is None
    [request] = [r for r in kube_api.requests if r.query.get("previous") == "true" and OOM_POD in r.path]
    assert request.query["tailLines"] == "500" and request.query["limitBytes"] == str(LOG_LIMIT_BYTES)


def test_a_1gb_log_from_a_server_that_ignores_the_limits_never_reaches_memory(kubeconfig, kube_api):
    key = ("default", OOM_POD, "app", False)
    kube_api.logs[key] = lambda: (b"x" * 1023 + b"\n" for _ in range(1 << 20))  # 1 GiB, streamed
    text = KubeSource.connect().log(*key)
    assert len(text) == LOG_LIMIT_BYTES
    assert kube_api.log_bytes_sent[key] < 64 << 20  # the reader hung up long before the end


def test_each_source_has_its_own_configuration_and_the_global_one_is_untouched(kubeconfig, kube_api):
    before = client.Configuration.get_default_copy().host
    kube = KubeSource.connect()
    assert kube.server == kube_api.url
    assert client.Configuration.get_default_copy().host == before != kube_api.url


def test_managed_fields_keep_who_wrote_when_without_the_fields_they_own(kubeconfig, kube_api):
    served = next(p for p in kube_api.objects["pods"] if p["metadata"]["namespace"] == "load")
    assert served["metadata"]["managedFields"]  # what the API keeps: the kubelet's and controller's fields
    pods = KubeSource.connect().list("Pod", "load")
    pod = next(p for p in pods if p["metadata"]["name"] == served["metadata"]["name"])
    kept = pod["metadata"]["managedFields"]
    assert [e["manager"] for e in kept] == [e["manager"] for e in served["metadata"]["managedFields"]]
    assert all(e["time"] and "fieldsV1" not in e for e in kept)
    assert pod["metadata"]["labels"] == served["metadata"]["labels"]


def test_the_wait_before_a_retry_doubles_and_a_retry_after_is_honoured_up_to_a_cap():
    assert [wait_before_retry(attempt) for attempt in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert wait_before_retry(1, "3") == 3.0
    assert wait_before_retry(1, "86400") == MAX_WAIT
    assert wait_before_retry(2, "Wed, 21 Oct 2015 07:28:00 GMT") == 1.0  # a date: the usual wait


def test_transient_answers_are_tried_again_and_the_list_is_whole(kubeconfig, kube_api):
    kube_api.faults.fail["/namespaces/load/pods"] = [500, RESET]
    kube = KubeSource.connect()
    assert len(kube.list("Pod", "load")) == LOAD_PODS
    assert kube.calls == 2 + 2  # two failed attempts, then the two pages


def test_a_server_that_stays_unavailable_is_one_line_naming_the_status_and_the_list(kubeconfig, kube_api):
    kube_api.faults.fail["/namespaces/apps/pods"] = [503] * 10
    with pytest.raises(
        InputError, match=r"could not list pods in namespace apps: 503 .*; gave up after 3 attempts$"
    ):
        KubeSource.connect().list("Pod", "apps")


def test_a_429_is_not_an_unreachable_api(kubeconfig, kube_api):
    kube_api.faults.fail["/namespaces/apps/pods"] = [429] * 10
    kube_api.faults.retry_after = "0"
    with pytest.raises(InputError) as error:
        KubeSource.connect().list("Pod", "apps")
    assert ": 429 " in str(error.value) and "cannot reach" not in str(error.value)


def test_a_dripped_answer_ends_at_the_timeout_not_at_its_last_byte(kubeconfig, kube_api):
    kube_api.faults.drip["/namespaces/apps/services"] = 0.5
    started = time.monotonic()
    with pytest.raises(InputError, match=r"did not answer within 1 s \(trying to list services"):
        KubeSource.connect(timeout=1).list("Service", "apps")
    assert time.monotonic() - started < 10  # the answer has hundreds of bytes: minutes at this pace


def test_the_deadline_bounds_the_run_and_no_request_starts_after_it(kubeconfig, kube_api):
    kube_api.faults.delay["services"] = 0.4
    kube = KubeSource(KubeSource.connect().api_client, "lab", timeout=5, run_deadline=0.6).for_run()
    kube.list("Service", "apps")
    with pytest.raises(DeadlinePassed, match=r"the run reached its deadline of 0\.6 s \(trying to list"):
        kube.list("Service", "apps")
    calls = kube.calls
    with pytest.raises(DeadlinePassed):
        kube.list("Pod", "apps")
    assert kube.calls == calls


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(kubeconfig, kube_api):
    kube_api.faults.fail["/namespaces/apps/pods"] = [429]
    kube_api.faults.retry_after = "5"
    kube = KubeSource(KubeSource.connect().api_client, "lab", timeout=5, run_deadline=2).for_run()
    started = time.monotonic()
    with pytest.raises(InputError, match=r": 429 .*; gave up after 1 attempt$"):
        kube.list("Pod", "apps")
    assert time.monotonic() - started < 2


def test_an_item_of_another_kind_in_a_list_is_left_out_and_described(kubeconfig, kube_api):
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "apps"}}
    kube_api.faults.smuggle["/namespaces/apps/pods"] = [secret, "not an object"]
    kube = KubeSource.connect()
    pods = kube.list("Pod", "apps")
    assert pods and {p["kind"] for p in pods} == {"Pod"}
    assert kube.dropped == [
        "Pod: list pods in namespace apps: left out an item of kind 'Secret' (apiVersion 'v1')",
        "Pod: list pods in namespace apps: left out an item that is not an object",
    ]


def test_an_answer_over_the_limit_is_too_large_and_not_read_to_its_end(kubeconfig, kube_api):
    kube_api.faults.huge["/namespaces/apps/pods"] = 4 * MAX_ANSWER_BYTES
    with pytest.raises(
        TooLarge, match=r"could not list pods in namespace apps: the answer is larger than 32 MiB"
    ):
        KubeSource.connect().list("Pod", "apps")
    assert kube_api.huge_bytes_sent["/api/v1/namespaces/apps/pods"] < 2 * MAX_ANSWER_BYTES
