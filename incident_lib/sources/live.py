"""A live snapshot: the Kubernetes API and Prometheus, collected into the same `Snapshot` a bundle gives.

Sweeps make one list call per kind per namespace and one PromQL query per signal per namespace; a
single pod is read with field selectors (the pod, its events, its node's events). Logs are fetched only
for containers that restarted or are not ready, bounded. Everything collected is redacted here, so a
live diagnosis and the bundle a capture writes hold the same text. The clock is read once, here:
`captured_at` is the "now" of every rule.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from incident_lib.alert_replay import loaded_rules, namespace_query, series_body, series_name
from incident_lib.durations import parse_duration
from incident_lib.errors import InputError
from incident_lib.k8s.kinds import KINDS, OPTIONAL_GROUPS, Kind
from incident_lib.k8s.objects import format_time
from incident_lib.metrics.catalogue import SIGNALS
from incident_lib.names import dns_label, dns_subdomain, not_found
from incident_lib.needs import collected_kinds, pod_plan
from incident_lib.redact import redact_object, redact_text
from incident_lib.snapshot import LogKey, Snapshot, parse_window
from incident_lib.sources.kubernetes import DeadlinePassed, Forbidden, KubeSource, NotServed, Unreadable
from incident_lib.sources.prometheus import PrometheusError, PrometheusSource

FORMAT = "incident-bundle/v1"
REQUIRED = ("Pod", "Event")  # without these there is nothing to diagnose: a 403 on them stops the run
MAX_LOG_CONTAINERS = 200  # logs of at most this many unhealthy containers per run


def window_from(text: str, now: datetime) -> tuple[datetime, datetime]:
    """The start and end of `1h`, `30m`, `2d` (ending `now`) or `START/END` in RFC 3339."""
    if "/" in text:
        return parse_window(text)
    try:
        length = parse_duration(text.strip())
    except ValueError:
        raise InputError(
            f"window {text!r}: expected a duration (30m, 1h, 6h, 2d) or START/END in RFC 3339"
        ) from None
    if not timedelta(minutes=1) <= length <= timedelta(days=31):
        raise InputError(f"window {text!r}: expected between 1m and 31d")
    return now - length, now


def collect(
    kube: KubeSource,
    namespaces: list[str] | None = None,
    prometheus: PrometheusSource | None = None,
    window: str = "1h",
    pod: str | None = None,
    captured_at: datetime | None = None,
    progress=None,
) -> Snapshot:
    """Collect a snapshot of `namespaces` (every namespace when None), or of one `pod` of one namespace.

    `progress` is a tqdm bar (or anything with `update(n)`, `total` and `refresh()`) advanced per request.
    """
    captured_at = captured_at or datetime.now(UTC).replace(microsecond=0)
    start, end = window_from(window, captured_at)
    kube = kube.for_run()  # the run's deadline starts now
    run = _Run(kube, progress)
    if namespaces:
        namespaces = sorted(set(namespaces), key=namespaces.index)
        kube.check_namespaces(namespaces)
    else:
        namespaces = sorted(n["metadata"]["name"] for n in kube.list("Namespace"))
    if pod is not None:
        if len(namespaces) != 1:
            raise InputError("a live diagnosis of one pod needs its namespace: -n NAMESPACE --pod NAME")
        dns_subdomain(pod, "pod")
        run.plan(5 + len(pod_plan()) + (len(SIGNALS) if prometheus else 0))
        run.one_pod(namespaces[0], pod)
    else:
        kinds = collected_kinds()
        per_namespace = sum(k.namespaced for k in kinds) + (len(SIGNALS) if prometheus else 0)
        run.plan(1 + sum(not k.namespaced for k in kinds) + len(namespaces) * per_namespace)
        run.sweep(namespaces)
    logs = run.logs()
    run.missing += kube.dropped
    metrics: dict[str, dict] = {}
    window = {"start": format_time(start), "end": format_time(end)}
    if prometheus is not None:
        fetched = prometheus.fetch(namespaces, start, end, progress=progress)
        metrics, window["step"] = fetched.metrics, fetched.step
        run.missing += [f"metrics/{name}: {why}" for name, why in sorted(fetched.missing.items())]
        alerts, missing = alert_series(prometheus, namespaces, start, end, fetched.step)
        metrics |= alerts
        run.missing += missing
    else:
        run.missing.append("metrics: no Prometheus URL given (--prometheus-url)")
    manifest = {
        "format": FORMAT,
        "captured_at": format_time(captured_at),
        "window": window,
        "cluster": {"context": kube.context, "server": kube.server, **_version(kube)},
        "namespaces": namespaces,
        "queries": {name: body["query"] for name, body in sorted(metrics.items())},
        "prometheus": prometheus.url if prometheus else None,
        "missing": run.missing,
        "notes": f"Captured live from context {kube.context!r}"
        + (f", pod {namespaces[0]}/{pod}" if pod else "")
        + "; Secrets are not collected and secret values are redacted.",
    }
    return Snapshot(
        captured_at=captured_at,
        objects=run.objects,
        metrics=metrics,
        logs=logs,
        manifest=manifest,
        origin=f"live:{kube.context}",
    )


class _Run:
    """One collection: what was read, what could not be, and the progress bar."""

    def __init__(self, kube: KubeSource, progress) -> None:
        self.kube = kube
        self.progress = progress
        self.objects: list[dict] = []
        self.missing: list[str] = []
        self._uids: set[str] = set()

    def plan(self, steps: int) -> None:
        if self.progress is not None:
            self.progress.total = (self.progress.total or 0) + steps
            self.progress.refresh()

    def step(self, what: str) -> None:
        if self.progress is not None:
            self.progress.set_description(what[:40], refresh=False)
            self.progress.update(1)

    def add(self, objects: list[dict]) -> None:
        for obj in objects:
            uid = (obj.get("metadata") or {}).get("uid")
            if uid and uid in self._uids:
                continue  # a node's event in a swept namespace comes twice
            if uid:
                self._uids.add(uid)
            self.objects.append(redact_object(obj))

    def list(self, kind: Kind, namespace: str | None = None, field_selector: str | None = None) -> None:
        """Add what one list call returns; a kind that cannot be read (forbidden, or too large) becomes
        missing evidence, except Pods and Events (without them there is nothing to diagnose). An add-on
        that is not installed (Istio's kinds, 404) is nothing missing."""
        self.step(f"{kind.kind} {namespace or ''}")
        try:
            self.add(self.kube.list(kind, namespace, field_selector))
        except Unreadable as exc:
            if kind.kind in REQUIRED:
                raise
            self.missing.append(f"{kind.kind}: {exc}")
        except NotServed as exc:
            if kind.group not in OPTIONAL_GROUPS:
                self.missing.append(f"{kind.kind}: not served by this API server ({exc})")

    def sweep(self, namespaces: list[str]) -> None:
        """Every collected kind: namespaced ones per namespace, then cluster-scoped ones and node events."""
        kinds = collected_kinds()
        for namespace in namespaces:
            for kind in kinds:
                if kind.namespaced:
                    self.list(kind, namespace)
        for kind in kinds:
            if not kind.namespaced:
                self.list(kind)
        self.list(KINDS["Event"], None, "involvedObject.kind=Node")

    def one_pod(self, namespace: str, name: str) -> None:
        """The pod, its events, its node and the node's events (field selectors), and what pod rules need."""
        self.step(f"Pod {namespace}/{name}")
        pods = self.kube.list("Pod", namespace, f"metadata.name={name}")
        if not pods:
            raise not_found(f"pod in namespace {namespace}", name, self.kube.pod_names(namespace))
        self.add(pods)
        self.list(KINDS["Event"], namespace, f"involvedObject.kind=Pod,involvedObject.name={name}")
        node = (pods[0].get("spec") or {}).get("nodeName")
        if node:
            self.list(KINDS["Node"], None, f"metadata.name={node}")
            self.list(KINDS["Event"], None, f"involvedObject.kind=Node,involvedObject.name={node}")
        else:
            self.step("no node")
            self.step("no node")
        for kind in pod_plan():
            self.list(kind, namespace if kind.namespaced else None)

    def logs(self) -> dict[LogKey, object]:
        """Logs of containers that restarted or are not ready (current and previous), redacted.

        A log that cannot be read (a 500 after retries, a server that hangs past the timeout) is missing
        evidence for its pod; the rest are still read, until a 403 (no log may be read) or the deadline.
        """
        wanted = [key for pod in self.objects if pod.get("kind") == "Pod" for key in _log_keys(pod)]
        if len(wanted) > MAX_LOG_CONTAINERS * 2:
            self.missing.append(
                f"logs: {len(wanted)} logs of unhealthy containers, "
                f"only the first {MAX_LOG_CONTAINERS * 2} kept"
            )
            wanted = wanted[: MAX_LOG_CONTAINERS * 2]
        self.plan(len(wanted))
        logs: dict[LogKey, object] = {}
        for done, key in enumerate(wanted):
            self.step(f"log {key.pod}")
            try:
                text = self.kube.log(key.namespace, key.pod, key.container, key.previous)
            except Forbidden as exc:
                self.missing.append(f"logs: {exc}")
                break
            except DeadlinePassed as exc:
                self.missing.append(f"logs: {len(wanted) - done} not read: {exc}")
                break
            except InputError as exc:
                self.missing.append(f"logs: {exc}")
                continue
            if text is not None:
                logs[key] = _constant(redact_text(text))
        return logs


def alert_series(
    prometheus: PrometheusSource, namespaces: list[str], start: datetime, end: datetime, step: str
) -> tuple[dict[str, dict], list[str]]:
    """Each chart alert rule Prometheus has loaded, evaluated over the window per namespace (what
    `incident_lib.alert_replay` replays), by metric name; and what could not be read, one line each."""
    try:
        rules = loaded_rules(prometheus.alert_rules())
    except (PrometheusError, ValueError, KeyError, TypeError) as exc:
        return {}, [
            f"alert series: the alert rules could not be read from Prometheus at {prometheus.url}: {exc}"
        ]
    if not rules:
        return {}, [f"alert series: Prometheus at {prometheus.url} has no incident-lab.* alert rules loaded"]
    metrics, missing = {}, []
    for rule in rules:
        for namespace in namespaces:
            name = f"{series_name(rule)}.{namespace}"
            try:
                answer = prometheus.range_query(namespace_query(rule, namespace), start, end, step)
            except PrometheusError as exc:
                missing.append(f"alert series {name}: {exc}")
                continue
            metrics[name] = series_body(rule, answer)
    return metrics, missing


def _constant(text: str):
    return lambda: text


def _log_keys(pod: dict) -> list[LogKey]:
    metadata, status = pod.get("metadata") or {}, pod.get("status") or {}
    try:
        namespace = dns_label(metadata.get("namespace", ""), "namespace")
        name = dns_subdomain(metadata.get("name", ""), "pod")
    except InputError:
        return []
    keys = []
    for container in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        restarted = container.get("restartCount", 0) > 0 or "terminated" in (container.get("lastState") or {})
        finished = ((container.get("state") or {}).get("terminated") or {}).get("exitCode") == 0
        if not restarted and (container.get("ready", False) or finished):
            continue  # healthy, or done (an init container, a Job's pod): its log explains nothing
        if not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", str(container.get("name", ""))):
            continue  # not a name the API would give; it never becomes a path
        keys.append(LogKey(namespace, name, container["name"], False))
        if restarted:
            keys.append(LogKey(namespace, name, container["name"], True))
    return keys


def _version(kube: KubeSource) -> dict:
    version = kube.version().get("gitVersion")
    return {"version": version} if version else {}
