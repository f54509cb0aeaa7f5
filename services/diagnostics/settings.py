"""The diagnostics API's settings, read from the environment once and validated.

A setting that cannot work (an unknown source, a port that is not a number, live mode without
Prometheus) is a `SettingsError` with one line naming the variable; `python -m services.diagnostics`
prints it and exits 2. A bundle that does not read is not a settings error: the API starts, `/ready`
says why it is not ready, and it retries, so a volume mounted late still comes up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

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
        raise SettingsError(f"PROMETHEUS_URL={prometheus!r}: expected an http(s) URL")
    return Settings(
        source=source,
        bundle=bundle if source == "bundle" else None,
        prometheus_url=prometheus if source == "live" else None,
        kube_context=env.get("KUBE_CONTEXT", "").strip() or None,
        window=env.get("INCIDENT_WINDOW", "").strip() or "1h",
        host=env.get("HOST", "").strip() or "127.0.0.1",
        port=_int(env, "PORT", 8000, 1, 65_535),
        log_tail_lines=_int(env, "LOG_TAIL_LINES", 50, 1, 1000),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 4096, 256, 1 << 20),
    )
