"""The diagnostics API's settings, read from the environment once and validated.

A setting that cannot work (an unknown source, a port that is not a number, live mode without
Prometheus) is a `SettingsError` with one line naming the variable; `python -m services.diagnostics`
prints it and exits 2. A bundle that does not read is not a settings error: the API starts, `/ready`
says why it is not ready (one line naming the bundle and the problem), `POST /ask` answers 503 with
the same line, and it retries, so a volume mounted late still comes up. Nor is an incident
store that cannot be written: `/ready` says so from the start, and `POST /alerts` answers 503.

`POST /ask` runs its diagnoses on ASK_WORKERS threads (default 4) with at most ASK_QUEUE_SIZE requests
waiting for one (default 100); past that it answers 503 with Retry-After at once.

`POST /alerts` reads INCIDENT_STORE (a folder or an fsspec URL), INCIDENT_LOOKBACK (how long before the
first alert the captured metrics start, default 1h), INCIDENT_WORKERS (default 2), INCIDENT_QUEUE_SIZE
(groups waiting at most, default 100), INCIDENT_BASE_URL (where the store is served, for the links in
notifications), INCIDENT_NOTIFY_URLS (apprise URLs, never shown) and ALERTS_MAX_BODY_BYTES (default
1 MiB). It captures with PROMETHEUS_URL whatever the source of `/ask`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from incident_lib.durations import parse_duration
from incident_lib.incidents.notify import notify_urls
from incident_lib.incidents.store import DEFAULT_STORE
from incident_lib.sources.prometheus import display_url

SOURCES = ("bundle", "live")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Where diagnoses come from and how the server listens."""

    source: str  # "bundle" or "live"
    bundle: str | None = None
    prometheus_url: str | None = None
    kube_context: str | None = None
    window: str = "1h"
    host: str = "127.0.0.1"
    port: int = 8000
    log_tail_lines: int = 50
    max_body_bytes: int = 4096
    timeout_s: float = 10.0
    store: str = DEFAULT_STORE
    lookback: timedelta = timedelta(hours=1)
    alert_workers: int = 2
    alert_queue: int = 100
    base_url: str = ""
    alerts_max_body_bytes: int = 1 << 20
    ask_workers: int = 4
    ask_queue: int = 100
    notify_urls: tuple[str, ...] = field(default=(), repr=False)  # they hold tokens: never shown


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name}={raw!r}: expected a whole number in [{low}, {high}]")
    return int(raw)


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Build the settings from `env`: INCIDENT_BUNDLE, or INCIDENT_SOURCE=live with PROMETHEUS_URL."""
    bundle = env.get("INCIDENT_BUNDLE", "").strip() or None
    source = env.get("INCIDENT_SOURCE", "").strip().lower() or ("bundle" if bundle else "")
    if source not in SOURCES:
        raise SettingsError(
            f"INCIDENT_SOURCE={source!r}: set INCIDENT_BUNDLE=PATH (a saved incident) "
            "or INCIDENT_SOURCE=live (the cluster of KUBECONFIG, or the pod's service account)"
        )
    if source == "bundle" and not bundle:
        raise SettingsError("INCIDENT_SOURCE=bundle needs INCIDENT_BUNDLE=PATH (a directory or .tar.gz)")
    prometheus = env.get("PROMETHEUS_URL", "").strip() or None
    if source == "live" and not prometheus:
        raise SettingsError(
            "INCIDENT_SOURCE=live needs PROMETHEUS_URL (e.g. http://prometheus.monitoring:9090)"
        )
    if prometheus and not prometheus.startswith(("http://", "https://")):
        raise SettingsError(f"PROMETHEUS_URL={display_url(prometheus)!r}: expected an http(s) URL")
    base_url = env.get("INCIDENT_BASE_URL", "").strip()
    if base_url and not base_url.startswith(("http://", "https://")):
        raise SettingsError(f"INCIDENT_BASE_URL={base_url!r}: expected an http(s) URL")
    return Settings(
        source=source,
        bundle=bundle if source == "bundle" else None,
        prometheus_url=prometheus,
        kube_context=env.get("KUBE_CONTEXT", "").strip() or None,
        window=env.get("INCIDENT_WINDOW", "").strip() or "1h",
        host=env.get("HOST", "").strip() or "127.0.0.1",
        port=_int(env, "PORT", 8000, 1, 65_535),
        log_tail_lines=_int(env, "LOG_TAIL_LINES", 50, 1, 1000),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 4096, 256, 1 << 20),
        store=env.get("INCIDENT_STORE", "").strip() or DEFAULT_STORE,
        lookback=_duration(env, "INCIDENT_LOOKBACK", "1h"),
        alert_workers=_int(env, "INCIDENT_WORKERS", 2, 1, 16),
        alert_queue=_int(env, "INCIDENT_QUEUE_SIZE", 100, 1, 100_000),
        base_url=base_url,
        alerts_max_body_bytes=_int(env, "ALERTS_MAX_BODY_BYTES", 1 << 20, 1024, 64 << 20),
        notify_urls=notify_urls(env.get("INCIDENT_NOTIFY_URLS", "")),
        ask_workers=_int(env, "ASK_WORKERS", 4, 1, 64),
        ask_queue=_int(env, "ASK_QUEUE_SIZE", 100, 0, 10_000),
    )


def _duration(env: Mapping[str, str], name: str, default: str) -> timedelta:
    raw = env.get(name, "").strip() or default
    try:
        length = parse_duration(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: expected a duration such as 30m, 1h or 6h") from None
    if not timedelta(0) < length <= timedelta(days=7):
        raise SettingsError(f"{name}={raw!r}: expected more than 0 and at most 7d")
    return length
