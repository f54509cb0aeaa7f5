"""One entry point for notebooks: a Snapshot from a saved bundle, or from the live cluster.

A scheduled notebook (the Helm chart's sweep CronJob) has no bundle: it reads the cluster it runs in.
The same notebook on a laptop reads a bundle. `open_snapshot` hides which, so a notebook takes one
`source` parameter and stays thin. The live path is `sources.live.collect`, exactly what
`incident-lab diagnose --live` runs; its client libraries load only when asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from incident_lib.snapshot import Snapshot
from incident_lib.sources.bundle import read_bundle

LIVE = "live"  # the `source` that means the cluster; a bundle named so is reached as ./live
DEFAULT_WINDOW = "1h"
PROJECT = Path(__file__).resolve().parents[2]  # the repository, where the shipped incidents are


def bundle_path(source: str) -> Path:
    """Where the bundle `source` names is: the path as given when it exists (relative to the working
    directory), else relative to the project, so the notebooks' default (`incidents/oom-drill`) is
    found whether papermill runs them from the repository or from notebooks/."""
    path = Path(source)
    if path.exists() or path.is_absolute():
        return path
    shipped = PROJECT / path
    return shipped if shipped.exists() else path


def open_snapshot(
    source: str,
    namespaces: Sequence[str] = (),
    prometheus_url: str = "",
    window: str = "",
    pod: str | None = None,
    context: str | None = None,
    timeout: float = 15.0,
) -> Snapshot:
    """The snapshot of `source`: a bundle (directory or .tar.gz), or `"live"` for the cluster this runs in.

    Live, the API is found as the CLI finds it (KUBECONFIG, else ~/.kube/config, else the pod's service
    account) and only `namespaces` are read (every namespace when empty; one `pod` of one namespace
    when given). Metrics come from `prometheus_url` over `window` (a duration ending now such as `1h`,
    or START/END in RFC 3339; empty: 1h), with credentials from PROMETHEUS_TOKEN or PROMETHEUS_USER and
    PROMETHEUS_PASSWORD; without a URL the metrics are missing evidence. A bundle is read whole: the
    other arguments are for the live path (notebooks select namespaces and pods themselves).
    """
    if source != LIVE:
        return read_bundle(bundle_path(source))
    return live_snapshot(namespaces, prometheus_url, window or DEFAULT_WINDOW, pod, context, timeout)


def live_snapshot(
    namespaces: Sequence[str],
    prometheus_url: str | None,
    window: str,
    pod: str | None = None,
    context: str | None = None,
    timeout: float = 15.0,
    verify_tls: bool = True,
    progress=None,
) -> Snapshot:
    """Collect the live cluster's snapshot (what `diagnose --live`, `capture` and live notebooks read)."""
    from incident_lib.sources.kubernetes import KubeSource
    from incident_lib.sources.live import collect
    from incident_lib.sources.prometheus import PrometheusSource

    kube = KubeSource.connect(context, timeout=timeout)
    prometheus = (
        PrometheusSource.from_environment(prometheus_url, verify_tls, timeout) if prometheus_url else None
    )
    try:
        return collect(kube, list(namespaces) or None, prometheus, window, pod, progress=progress)
    finally:
        kube.close()
        if prometheus is not None:
            prometheus.close()
