"""The deployment runbook as checks over a snapshot: cluster health, observability, microservices, Istio,
the diagnostics API and the OOM failure drill.

Each check compares what the runbook expects with what the snapshot (a bundle today, a live collection
later: the same `Snapshot`) holds. An object the runbook needs but the snapshot lacks is a failure
("not captured"), never a pass. Checks that need a URL (Prometheus targets, Grafana, the diagnostics
API) are "skipped" without one.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable

from incident_lib.checks.result import CheckReport, CheckResult, check, skipped
from incident_lib.k8s.pod import Pod
from incident_lib.k8s.quantity import parse_quantity
from incident_lib.snapshot import Snapshot

APPS_NAMESPACE = "apps"
APPS = ("backend-api", "orders-service", "payments-service", "users-service")
MEMORY_CAP = "300Mi"  # the LimitRange max of the apps namespace (helm/app values: limitRange.max.memory)
MONITORING_NAMESPACE = "monitoring"
DRILL = ("default", "oom-test")
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

Fetch = Callable[[str], tuple[int, bytes]]


def run_runbook(
    snapshot: Snapshot,
    prometheus_url: str = "",
    grafana_url: str = "",
    diagnostics_url: str = "",
    fetch: Fetch | None = None,
) -> CheckReport:
    """Every check of the runbook, in its order. `fetch` (url → status, body) is for the URL checks."""
    fetch = fetch or http_get
    results: list[CheckResult] = [
        nodes_ready(snapshot),
        calico_nodes(snapshot),
        monitoring_pods(snapshot),
        prometheus_targets(prometheus_url, fetch),
        grafana_reachable(grafana_url, fetch),
        apps_available(snapshot),
        memory_limits(snapshot),
        *istio_objects(snapshot),
        *diagnostics_api(diagnostics_url, fetch),
        oom_drill(snapshot),
    ]
    return CheckReport(tuple(results))


# ---------------------------------------------------------------- cluster health


def nodes_ready(snapshot: Snapshot) -> CheckResult:
    nodes = snapshot.of_kind("Node")
    not_ready = [
        n["metadata"]["name"]
        for n in nodes
        if not any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (n.get("status") or {}).get("conditions") or []
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
    pods = [
        Pod(p)
        for p in snapshot.of_kind("Pod")
        if (p.get("metadata") or {}).get("namespace") == "kube-system"
        and ((p.get("metadata") or {}).get("labels") or {}).get("k8s-app") == "calico-node"
    ]
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


def monitoring_pods(snapshot: Snapshot) -> CheckResult:
    pods = [Pod(p) for p in snapshot.of_kind("Pod") if Pod(p).namespace == MONITORING_NAMESPACE]
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
        "monitoring pods running",
        f"every pod of namespace {MONITORING_NAMESPACE} Running and ready",
        actual,
        bool(pods) and not bad,
        "Diagnose the failing pods (notebooks/diagnose.ipynb) and check the kube-prometheus-stack release: "
        "helm status monitoring -n monitoring.",
        f"kubectl get pods -n {MONITORING_NAMESPACE}",
    )


def prometheus_targets(url: str, fetch: Fetch) -> CheckResult:
    name, expected = "Prometheus targets up", "every active scrape target health=up"
    if not url:
        return skipped("observability", name, expected, "no prometheus_url given")
    try:
        status, body = fetch(url.rstrip("/") + "/api/v1/targets?state=active")
        targets = json.loads(body)["data"]["activeTargets"] if status == 200 else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        targets, status = None, f"error: {exc}"
    if targets is None:
        actual, ok = f"/api/v1/targets answered {status}", False
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
    return check(
        "observability",
        name,
        expected,
        actual,
        ok,
        "Open Status > Targets in Prometheus; a target down usually means a ServiceMonitor selecting the "
        "wrong port or label, or a NetworkPolicy in the way.",
        f"curl -s {url.rstrip('/')}/api/v1/targets?state=active",
    )


def grafana_reachable(url: str, fetch: Fetch) -> CheckResult:
    name, expected = "Grafana reachable", "GET /api/health answers 200 with database ok"
    if not url:
        return skipped("observability", name, expected, "no grafana_url given")
    return _http_check(
        "observability",
        name,
        expected,
        url.rstrip("/") + "/api/health",
        fetch,
        "Check the Grafana pod and its Service/port-forward: kubectl get pods,svc -n monitoring -l "
        "app.kubernetes.io/name=grafana.",
    )


# ---------------------------------------------------------------- microservices


def apps_available(snapshot: Snapshot) -> CheckResult:
    deployments = {
        d["metadata"]["name"]: d
        for d in snapshot.of_kind("Deployment")
        if d["metadata"].get("namespace") == APPS_NAMESPACE
    }
    found = []
    ok = True
    for app in APPS:
        d = deployments.get(app)
        if d is None:
            found.append(f"{app} not captured")
            ok = False
            continue
        wanted = (d.get("spec") or {}).get("replicas", 1)
        available = (d.get("status") or {}).get("availableReplicas") or 0
        ok &= available >= wanted >= 1
        found.append(f"{app} {available}/{wanted}")
    return check(
        "microservices",
        "the four apps deployments available",
        f"{', '.join(APPS)}: availableReplicas = replicas",
        ", ".join(found),
        ok,
        "Diagnose the unavailable deployment's pods: incident-lab diagnose --bundle … -n apps --all, or "
        "notebooks/diagnose.ipynb; then kubectl rollout status.",
        f"kubectl get deployments -n {APPS_NAMESPACE}",
    )


def memory_limits(snapshot: Snapshot) -> CheckResult:
    cap = parse_quantity(MEMORY_CAP)
    over, missing, seen = [], [], 0
    for raw in snapshot.of_kind("Pod"):
        pod = Pod(raw)
        if pod.namespace != APPS_NAMESPACE:
            continue
        for c in pod.containers:
            seen += 1
            limit = c.memory_limit
            if limit is None:
                missing.append(f"{pod.name}/{c.name}")
            elif limit > cap:
                over.append(f"{pod.name}/{c.name} {(c.resources.get('limits') or {}).get('memory')}")
    actual = "no apps container captured" if not seen else f"{seen - len(over) - len(missing)}/{seen} within"
    if over:
        actual += f"; over: {', '.join(over)}"
    if missing:
        actual += f"; no limit: {', '.join(missing)}"
    return check(
        "microservices",
        f"memory limits at or under {MEMORY_CAP}",
        f"every container in {APPS_NAMESPACE} has limits.memory <= {MEMORY_CAP} (the LimitRange cap)",
        actual,
        seen > 0 and not over and not missing,
        f"Lower the limit in the chart values (resources.limits.memory) to {MEMORY_CAP} or less; the "
        "LimitRange rejects new pods above it.",
        f"kubectl get pods -n {APPS_NAMESPACE} -o custom-columns=POD:.metadata.name,"
        "LIMIT:.spec.containers[*].resources.limits.memory",
    )


# ---------------------------------------------------------------- istio


def istio_objects(snapshot: Snapshot) -> list[CheckResult]:
    """DestinationRule, VirtualService and STRICT mTLS in the apps namespace; absent means not captured."""
    out = []
    for kind, apply in (
        ("DestinationRule", "istio/destination-rules.yaml"),
        ("VirtualService", "istio/virtual-services.yaml"),
    ):
        names = sorted(
            o["metadata"]["name"]
            for o in snapshot.of_kind(kind)
            if o["metadata"].get("namespace") == APPS_NAMESPACE
        )
        out.append(
            check(
                "istio",
                f"{kind} present",
                f"a {kind} per service in {APPS_NAMESPACE}",
                ", ".join(names) if names else f"no {kind} (not captured or absent)",
                bool(names),
                f"kubectl apply -f {apply}; if they exist in the cluster, capture them too.",
                f"kubectl get {kind.lower()}s -n {APPS_NAMESPACE}",
            )
        )
    strict = [
        o["metadata"]["name"]
        for o in snapshot.of_kind("PeerAuthentication")
        if o["metadata"].get("namespace") in (APPS_NAMESPACE, "istio-system")
        and ((o.get("spec") or {}).get("mtls") or {}).get("mode") == "STRICT"
    ]
    out.append(
        check(
            "istio",
            "STRICT mTLS",
            f"a PeerAuthentication with mtls.mode STRICT for {APPS_NAMESPACE}",
            f"STRICT: {', '.join(strict)}"
            if strict
            else "no STRICT PeerAuthentication (not captured or absent)",
            bool(strict),
            "kubectl apply -f istio/peer-authentication.yaml; if it exists in the cluster, capture it.",
            f"kubectl get peerauthentication -n {APPS_NAMESPACE} -o yaml",
        )
    )
    return out


# ---------------------------------------------------------------- diagnostics API


def diagnostics_api(url: str, fetch: Fetch) -> list[CheckResult]:
    out = []
    for path in ("/health", "/ready"):
        expected = f"GET {path} answers 200"
        if not url:
            out.append(skipped("diagnostics API", path, expected, "no diagnostics_url given"))
            continue
        out.append(
            _http_check(
                "diagnostics API",
                path,
                expected,
                url.rstrip("/") + path,
                fetch,
                "Check the diagnostics Deployment and its logs: kubectl logs -n apps deploy/diagnostics.",
            )
        )
    return out


# ---------------------------------------------------------------- failure drill


def oom_drill(snapshot: Snapshot) -> CheckResult:
    from incident_lib.diagnose import diagnose_pods

    namespace, app = DRILL
    pods = [
        p["metadata"]["name"]
        for p in snapshot.of_kind("Pod")
        if p["metadata"].get("namespace") == namespace
        and (p["metadata"].get("labels") or {}).get("app") == app
    ]
    causes = [d.root_cause for name in pods for d in diagnose_pods(snapshot, namespace, name)]
    return check(
        "failure drill",
        "OOM drill diagnosed as oom_killed",
        f"the {app} pod in {namespace} (failures/oom.yaml) diagnosed oom_killed",
        ", ".join(f"{n}: {c}" for n, c in zip(pods, causes, strict=True))
        or "no oom-test pod (drill not applied or not captured)",
        bool(causes) and all(c == "oom_killed" for c in causes),
        "Apply the drill (kubectl apply -f failures/oom.yaml), wait for the first OOM kill, capture again; "
        "if the pod is OOM-killed but diagnosed otherwise, the oom_killed rule is wrong: open an issue "
        "with the bundle.",
        f"kubectl get pods -n {namespace} -l app={app}",
        advisory=True,  # it checks the drill and the tooling, not the platform: a warning when it fails
    )


# ---------------------------------------------------------------- HTTP


def http_get(url: str) -> tuple[int, bytes]:
    """GET `url` with a short timeout: the status and the body (an HTTP error's status too)."""
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:
            return response.status, response.read(1 << 20)
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _http_check(
    section: str, name: str, expected: str, url: str, fetch: Fetch, on_failure: str
) -> CheckResult:
    try:
        status, _ = fetch(url)
        actual, ok = f"HTTP {status}", status == 200
    except OSError as exc:
        actual, ok = f"unreachable: {exc}", False
    return check(section, name, expected, actual, ok, on_failure, f"curl -si {url}")
