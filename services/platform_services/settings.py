"""Service settings read from the environment, validated once at start-up.

Every knob is an environment variable so a Deployment (or a drill) can turn it on without a new
image. Invalid values stop the process with a message naming the variable, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

#: The services this codebase can run, and for the leaf services the resource each one serves.
LEAF_RESOURCES: dict[str, str] = {
    "users-service": "users",
    "orders-service": "orders",
    "payments-service": "payments",
}
BACKEND = "backend-api"
SERVICE_NAMES: tuple[str, ...] = (BACKEND, *LEAF_RESOURCES)

#: Environment variable holding each downstream's base URL, for backend-api.
DOWNSTREAM_ENV: dict[str, str] = {
    "users-service": "USERS_URL",
    "orders-service": "ORDERS_URL",
    "payments-service": "PAYMENTS_URL",
}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Faults:
    """Fault knobs: what the service does wrong on purpose, for drills and tests."""

    latency_ms: float = 0.0
    error_ratio: float = 0.0
    memory_mib_per_request: float = 0.0
    memory_limit_mib: float = 0.0
    exit_code: int | None = None


@dataclass(frozen=True)
class Settings:
    """Everything a service needs to start: its name, port, downstreams and faults."""

    service: str
    port: int = 8080
    downstreams: dict[str, str] = field(default_factory=dict)
    downstream_timeout_s: float = 2.0
    faults: Faults = Faults()


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """Return env[name] as a float within [low, high], or `default` when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}={raw!r} is outside [{low:g}, {high:g}]")
    return value


def load_faults(env: Mapping[str, str]) -> Faults:
    """Read the FAULT_* variables."""
    exit_raw = env.get("FAULT_EXIT_CODE", "").strip()
    return Faults(
        latency_ms=_number(env, "FAULT_LATENCY_MS", 0.0, 0.0, 600_000.0),
        error_ratio=_number(env, "FAULT_ERROR_RATIO", 0.0, 0.0, 1.0),
        memory_mib_per_request=_number(env, "FAULT_MEMORY_MIB_PER_REQUEST", 0.0, 0.0, 1024.0),
        memory_limit_mib=_number(env, "FAULT_MEMORY_LIMIT_MIB", 0.0, 0.0, 65_536.0),
        exit_code=int(_number(env, "FAULT_EXIT_CODE", 0, 0, 255)) if exit_raw else None,
    )


def load_settings(service: str, port: int | None, env: Mapping[str, str] = os.environ) -> Settings:
    """Build the settings of `service` from `env`; `port` (from the CLI) overrides PORT."""
    if service not in SERVICE_NAMES:
        raise SettingsError(f"unknown service {service!r}; expected one of {', '.join(SERVICE_NAMES)}")
    downstreams: dict[str, str] = {}
    if service == BACKEND:
        for name, var in DOWNSTREAM_ENV.items():
            url = env.get(var, "").strip()
            if not url.startswith(("http://", "https://")):
                raise SettingsError(f"{var}={url!r} must be an http(s) URL (backend-api calls {name})")
            downstreams[name] = url.rstrip("/")
    return Settings(
        service=service,
        port=port if port is not None else int(_number(env, "PORT", 8080, 1, 65_535)),
        downstreams=downstreams,
        downstream_timeout_s=_number(env, "DOWNSTREAM_TIMEOUT_S", 2.0, 0.01, 60.0),
        faults=load_faults(env),
    )
