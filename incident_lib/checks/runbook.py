"""The deployment runbook as checks over a snapshot: cluster health, observability, microservices, Istio,
the diagnostics API and the OOM failure drill.

Each check compares what the runbook expects (`RunbookExpectations`: the app chart's values, the
namespaces, the drill's manifest) with what the snapshot (a bundle or a live collection: the same
`Snapshot`) holds. An object the runbook needs but a namespace the snapshot holds lacks is a failure
("not captured"), never a pass; a check whose namespace, or whose add-on (no Istio object at all), the
snapshot does not hold is "not checked". Checks that need a URL (Prometheus targets, Grafana, the
diagnostics API) are "skipped" without one; Prometheus is asked through the project's Prometheus
client, the others with one plain GET.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from incident_lib.checks.expectations import RunbookExpectations
from incident_lib.checks.result import CheckReport, CheckResult, check, not_checked, skipped
from incident_lib.k8s.kinds import KINDS, OPTIONAL_GROUPS
from incident_lib.k8s.quantity import parse_quantity
from incident_lib.k8s.selectors import matches
from incident_lib.snapshot import Snapshot
from incident_lib.sources.prometheus import PrometheusError, PrometheusSource, display_url

HTTP_TIMEOUT = 5.0

FELIX_FIX = (
    "If calico-node restarts on failed liveness probes, apply the runbook's fix: "
    "kubectl set env daemonset/calico-node -n kube-system FELIX_HEALTHHOST=127.0.0.1. "
    "Why: the kubelet probes felix's health endpoint (port 9099) on localhost; when FELIX_HEALTHHOST is "
    "unset or names a host that DNS resolves to another address, felix listens there instead, the "
    "liveness probe fails and the kubelet restarts calico-node in a loop (and pod networking on that "
    "node goes with it). Otherwise read the previous log: kubectl logs -n kube-system <pod> -c calico-node "
    "--previous."
)


def run_runbook(
    snapshot: Snapshot,
    prometheus_url: str = "",
    grafana_url: str = "",
    diagnostics_url: str = "",
    expectations: RunbookExpectations | None = None,
) -> CheckReport:
    """Every check of the runbook, in its order; `expectations` default to the chart's own values."""
    expected = expectations or RunbookExpectations.from_values()
    results: list[CheckResult] = [
        nodes_ready(snapshot),
        calico_nodes(snapshot),
        monitoring_pods(snapshot, expected),
        prometheus_targets(prometheus_url),
        grafana_reachable(grafana_url, expected),
        apps_available(snapshot, expected),
        memory_limits(snapshot, expected),
        *istio_objects(snapshot, expected),
        *diagnostics_api(diagnostics_url, expected),
        oom_drill(snapshot, expected),
    ]
    return CheckReport(tuple(results))


# ---------------------------------------------------------------- cluster health


def nodes_ready(snapshot: Snapshot) -> CheckResult:
    nodes = snapshot.view.of_kind("Node")
    not_ready = [
        n.name
        for n in nodes
        if not any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in n.status.get("conditions") or ()
        )
    ]
    actual = "no Node captured" if not nodes else f"{len(nodes) - len(not_ready)}/{len(nodes)} Ready"
    if not_ready:
        actual += f" (not Ready: {', '.join(not_ready)})"
    return check(
        "cluster health",
        "all nodes Ready",
        "every Node has condition Ready=True",
        actual,
        bool(nodes) and not not_ready,
        "Describe the node (conditions, kubelet events), then check the kubelet and the CNI on it: "
        "journalctl -u kubelet on the node.",
        "kubectl get nodes -o wide",
    )


def calico_nodes(snapshot: Snapshot) -> CheckResult:
    pods = [p for p in snapshot.view.pods_in("kube-system") if p.labels.get("k8s-app") == "calico-node"]
    bad = []
    for pod in pods:
        ready = sum(c.ready for c in pod.containers if not c.init)
        total = sum(not c.init for c in pod.containers)
        if pod.phase != "Running" or ready != total:
            waiting = next((c.waiting_reason for c in pod.containers if c.waiting_reason), "")
            restarts = sum(c.restart_count for c in pod.containers)
            bad.append(f"{pod.name} {ready}/{total} {waiting or pod.phase}, {restarts} restarts")
    actual = "no calico-node pod captured" if not pods else f"{len(pods) - len(bad)}/{len(pods)} 1/1 Running"
    if bad:
        actual += f" ({'; '.join(bad)})"
    return check(
        "cluster health",
        "calico-node 1/1 Running on every node",
        "every kube-system pod k8s-app=calico-node Running with all containers ready",
        actual,
        bool(pods) and not bad,
        FELIX_FIX,
        "kubectl get pods -n kube-system -l k8s-app=calico-node -o wide",
    )


# ---------------------------------------------------------------- observability


def monitoring_pods(snapshot: Snapshot, expected: RunbookExpectations) -> CheckResult:
    namespace = expected.monitoring_namespace
    name, wanted = "monitoring pods running", f"every pod of namespace {namespace} Running and ready"
    if namespace not in snapshot.namespaces():
        return not_checked("observability", name, wanted, f"namespace {namespace} is not in the snapshot")
    pods = snapshot.view.pods_in(namespace)
    bad = [
        p.name
        for p in pods
        if p.phase not in ("Running", "Succeeded") or not all(c.ready for c in p.containers if not c.init)
    ]
    actual = (
        "no monitoring pod captured" if not pods else f"{len(pods) - len(bad)}/{len(pods)} running and ready"
    )
    if bad:
        actual += f" (not: {', '.join(bad)})"
    return check(
        "observability",
        name,
        wanted,
        actual,
        bool(pods) and not bad,
        "Diagnose the failing pods (notebooks/diagnose.ipynb) and check the kube-prometheus-stack release: "
        f"helm status monitoring -n {namespace}.",
        f"kubectl get pods -n {namespace}",
    )


def prometheus_targets(url: str) -> CheckResult:
    name, expected = "Prometheus targets up", "every active scrape target health=up"
    if not url:
        return skipped("observability", name, expected, "no prometheus_url given")
    source = PrometheusSource.from_environment(url, timeout=HTTP_TIMEOUT)
    try:
        targets = source.active_targets()
    except PrometheusError as exc:
        actual, ok = f"/api/v1/targets: {exc}", False
    else:
        down = [
            f"{t.get('labels', {}).get('job', '?')} {t.get('scrapeUrl', '')}"
            for t in targets
            if t.get("health") != "up"
        ]
        actual = f"{len(targets) - len(down)}/{len(targets)} up" + (
            f" (down: {'; '.join(down)})" if down else ""
        )
        ok = bool(targets) and not down
    finally:
        source.close()
    return check(
        "observability",
        name,
        expected,
        actual,
        ok,
        "Open Status > Targets in Prometheus; a target down usually means a ServiceMonitor selecting the "
        "wrong port or label, or a NetworkPolicy in the way.",
        f"curl -s {display_url(url).rstrip('/')}/api/v1/targets?state=active",
    )


def grafana_reachable(url: str, expected: RunbookExpectations) -> CheckResult:
    name, wanted = "Grafana reachable", "GET /api/health answers 200 with database ok"
    if not url:
        return skipped("observability", name, wanted, "no grafana_url given")
    return _http_check(
        "observability",
        name,
        wanted,
        url.rstrip("/") + "/api/health",
        "Check the Grafana pod and its Service/port-forward: kubectl get pods,svc -n "
        f"{expected.monitoring_namespace} -l app.kubernetes.io/name=grafana.",
    )


# ---------------------------------------------------------------- microservices


def apps_available(snapshot: Snapshot, expected: RunbookExpectations) -> CheckResult:
    namespace = expected.namespace
    name = "the microservices' deployments available"
    wanted = f"{', '.join(expected.deployments)}: availableReplicas = replicas"
    if namespace not in snapshot.namespaces():
        return not_checked("microservices", name, wanted, f"namespace {namespace} is not in the snapshot")
    found = []
    ok = True
    for deployment in expected.deployments:
        d = snapshot.view.get("Deployment", namespace, deployment)
        if d is None:
            found.append(f"{deployment} not captured")
            ok = False
            continue
        replicas = d.spec.get("replicas", 1)
        available = d.status.get("availableReplicas") or 0
        ok &= available >= replicas >= 1
        found.append(f"{deployment} {available}/{replicas}")
    return check(
        "microservices",
        name,
        wanted,
        ", ".join(found),
        ok,
        f"Diagnose the unavailable deployment's pods: incident-lab diagnose --bundle … -n {namespace} --all, "
        "or notebooks/diagnose.ipynb; then kubectl rollout status.",
        f"kubectl get deployments -n {namespace}",
    )


def memory_limits(snapshot: Snapshot, expected: RunbookExpectations) -> CheckResult:
    namespace, cap = expected.namespace, expected.memory_cap
    if cap is None:
        return skipped(
            "microservices",
            "memory limits at or under the LimitRange cap",
            f"every container in {namespace} has limits.memory <= the LimitRange cap",
            "the chart's values render no LimitRange max.memory",
        )
    name = f"memory limits at or under {cap}"
    wanted = f"every container in {namespace} has limits.memory <= {cap} (the LimitRange cap)"
    if namespace not in snapshot.namespaces():
        return not_checked("microservices", name, wanted, f"namespace {namespace} is not in the snapshot")
    cap_bytes = parse_quantity(cap)
    over, missing, seen = [], [], 0
    for pod in snapshot.view.pods_in(namespace):
        for c in pod.containers:
            seen += 1
            limit = c.memory_limit
            if limit is None:
                missing.append(f"{pod.name}/{c.name}")
            elif limit > cap_bytes:
                over.append(f"{pod.name}/{c.name} {(c.resources.get('limits') or {}).get('memory')}")
    within = seen - len(over) - len(missing)
    actual = f"{within}/{seen} within" if seen else f"no {namespace} container captured"
    if over:
        actual += f"; over: {', '.join(over)}"
    if missing:
        actual += f"; no limit: {', '.join(missing)}"
    return check(
        "microservices",
        name,
        wanted,
        actual,
        seen > 0 and not over and not missing,
        f"Lower the limit in the chart values (resources.limits.memory) to {cap} or less; the "
        "LimitRange rejects new pods above it.",
        f"kubectl get pods -n {namespace} -o custom-columns=POD:.metadata.name,"
        "LIMIT:.spec.containers[*].resources.limits.memory",
    )


# ---------------------------------------------------------------- istio

ISTIO_KINDS = sorted(k.kind for k in KINDS.values() if k.group in OPTIONAL_GROUPS)


def istio_objects(snapshot: Snapshot, expected: RunbookExpectations) -> list[CheckResult]:
    """A DestinationRule and a VirtualService named after each microservice, and STRICT mTLS, in the apps
    namespace; absent means not captured, unless the snapshot holds no Istio object at all (Istio not
    captured, or not installed): then none of them is checked."""
    namespace = expected.namespace
    applied = {
        "DestinationRule": "istio/destination-rules.yaml",
        "VirtualService": "istio/virtual-services.yaml",
    }
    mtls = f"a PeerAuthentication with mtls.mode STRICT for {namespace}"
    if not any(snapshot.of_kind(kind) for kind in ISTIO_KINDS):
        why = "no Istio object in the snapshot (not captured, or Istio is not installed)"
        present = [(f"{kind} present", f"a {kind} per service in {namespace}") for kind in applied]
        return [not_checked("istio", name, wanted, why) for name, wanted in [*present, ("STRICT mTLS", mtls)]]
    out = []
    for kind, apply in applied.items():
        present = [s for s in expected.services if snapshot.view.get(kind, namespace, s)]
        missing = [s for s in expected.services if s not in present]
        if not present:
            actual = f"no {kind} (not captured or absent)"
        else:
            actual = ", ".join(present) + (f"; missing: {', '.join(missing)}" if missing else "")
        out.append(
            check(
                "istio",
                f"{kind} present",
                f"a {kind} per service in {namespace}",
                actual,
                not missing,
                f"kubectl apply -f {apply}; if they exist in the cluster, capture them too.",
                f"kubectl get {kind.lower()}s -n {namespace}",
            )
        )
    strict = [
        o.name
        for o in snapshot.view.of_kind("PeerAuthentication")
        if o.namespace in (namespace, "istio-system") and (o.spec.get("mtls") or {}).get("mode") == "STRICT"
    ]
    out.append(
        check(
            "istio",
            "STRICT mTLS",
            mtls,
            f"STRICT: {', '.join(strict)}"
            if strict
            else "no STRICT PeerAuthentication (not captured or absent)",
            bool(strict),
            "kubectl apply -f istio/peer-authentication.yaml; if it exists in the cluster, capture it.",
            f"kubectl get peerauthentication -n {namespace} -o yaml",
        )
    )
    return out


# ---------------------------------------------------------------- diagnostics API


def diagnostics_api(url: str, expected: RunbookExpectations) -> list[CheckResult]:
    out = []
    for path in ("/health", "/ready"):
        wanted = f"GET {path} answers 200"
        if not expected.diagnostics:
            out.append(skipped("diagnostics API", path, wanted, "diagnostics.enabled is false in the values"))
        elif not url:
            out.append(skipped("diagnostics API", path, wanted, "no diagnostics_url given"))
        else:
            out.append(
                _http_check(
                    "diagnostics API",
                    path,
                    wanted,
                    url.rstrip("/") + path,
                    "Check the diagnostics Deployment and its logs: kubectl logs -n "
                    f"{expected.namespace} deploy/diagnostics-api.",
                )
            )
    return out


# ---------------------------------------------------------------- failure drill


def oom_drill(snapshot: Snapshot, expected: RunbookExpectations) -> CheckResult:
    from incident_lib.diagnose import diagnose_pods

    drill = expected.drill
    pods = [p.name for p in snapshot.view.pods_in(drill.namespace) if matches(drill.selector, p.labels)]
    causes = [d.root_cause for name in pods for d in diagnose_pods(snapshot, drill.namespace, name)]
    labels = ",".join(f"{k}={v}" for k, v in sorted(drill.selector.items()))
    return check(
        "failure drill",
        f"OOM drill diagnosed as {drill.root_cause}",
        f"the {drill.name} pod in {drill.namespace} ({drill.manifest}) diagnosed {drill.root_cause}",
        ", ".join(f"{n}: {c}" for n, c in zip(pods, causes, strict=True))
        or f"no {drill.name} pod (drill not applied or not captured)",
        bool(causes) and all(c == drill.root_cause for c in causes),
        f"Apply the drill (kubectl apply -f {drill.manifest}), wait for the first OOM kill, capture again; "
        f"if the pod is OOM-killed but diagnosed otherwise, the {drill.root_cause} rule is wrong: open an "
        "issue with the bundle.",
        f"kubectl get pods -n {drill.namespace} -l {labels}",
        advisory=True,  # it checks the drill and the tooling, not the platform: a warning when it fails
    )


# ---------------------------------------------------------------- HTTP


def http_status(url: str) -> int:
    """The status of a GET of `url` with a short timeout (an HTTP error's too); raises OSError when
    nothing answers. The one plain HTTP request of the runbook: Prometheus has its own client."""
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _http_check(section: str, name: str, expected: str, url: str, on_failure: str) -> CheckResult:
    try:
        status = http_status(url)
        actual, ok = f"HTTP {status}", status == 200
    except OSError as exc:
        actual, ok = f"unreachable: {exc}", False
    return check(section, name, expected, actual, ok, on_failure, f"curl -si {url}")
