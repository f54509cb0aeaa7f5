"""Redaction of secrets in what a capture keeps: env values, command lines, annotations and logs.

Secrets never leave the cluster: Secret objects are not collected, and what else may hold one is
redacted when it is collected, so a live diagnosis and the bundle a capture writes see the same text.
Pure functions, no I/O: objects are copied where they change and returned as they are otherwise.
"""

from __future__ import annotations

import json
import re
from typing import Any

REDACTED = "[REDACTED]"

# An env var whose name says it holds a secret keeps its name and loses its value.
SECRET_NAME = re.compile(
    r"TOKEN|PASSW|PWD|SECRET|KEY|CREDENTIAL|AUTH|PRIVATE|SIGNATURE|COOKIE|SESSION|DSN", re.I
)

_WORD = r"[A-Za-z0-9_.-]*"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization: Bearer x / Basic x / token x (headers echoed in logs)
    (
        re.compile(r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)(bearer|basic|token|digest)\s+[^\s\"',;]+"),
        rf"\1\2 {REDACTED}",
    ),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/-]+=*"), rf"\1 {REDACTED}"),
    # password=x, "api_key": "x", --token x, DB_PASSWORD: x
    (
        re.compile(
            rf"(?i)(\b{_WORD}(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)"
            rf"{_WORD}[\"']?\s*[:=]\s*[\"']?)(?!{re.escape(REDACTED)})[^\s\"'&,;]+"
        ),
        rf"\1{REDACTED}",
    ),
    (
        re.compile(
            r"(?i)(--(?:password|passwd|token|secret|api-key|access-key)[ =])(?!\[REDACTED\])[^\s\"']+"
        ),
        rf"\1{REDACTED}",
    ),
    # scheme://user:password@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+(@)"), rf"\1{REDACTED}\2"),
    # JSON Web Tokens, wherever they appear
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+"), REDACTED),
)


def redact_text(text: str) -> str:
    """Return `text` with bearer tokens, passwords, API keys, URL credentials and JWTs replaced."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_object(obj: Any) -> Any:
    """Return an API object with secret env values and secrets on command lines, in annotations and in
    messages (events, statuses) redacted.

    Walks the whole object, so pod templates (Deployments, Jobs, CronJobs…) are covered as well as pods.
    `valueFrom` references (a Secret's name and key) are kept: they are where a value is, not the value.
    """
    if isinstance(obj, list):
        items = [redact_object(item) for item in obj]
        return obj if all(a is b for a, b in zip(items, obj, strict=True)) else items
    if not isinstance(obj, dict):
        return obj
    changed: dict[str, Any] = {}
    for key, value in obj.items():
        if key in ("env", "httpHeaders") and isinstance(value, list):  # both are [{name, value}]
            new = [_redact_env(var) for var in value]
        elif key in ("command", "args") and isinstance(value, list):
            new = [redact_text(arg) if isinstance(arg, str) else arg for arg in value]
        elif key == "annotations" and isinstance(value, dict):
            new = {name: _redact_annotation(text) for name, text in value.items()}
        elif key in ("message", "note") and isinstance(value, str):
            new = redact_text(value)  # events and status messages quote commands, URLs and pull errors
        elif isinstance(value, dict | list):
            new = redact_object(value)  # the same object when nothing in it changed
            if new is value:
                continue
        else:
            continue
        if new != value:
            changed[key] = new
    return {**obj, **changed} if changed else obj


def _redact_env(var: Any) -> Any:
    if not isinstance(var, dict) or not isinstance(var.get("value"), str):
        return var
    if SECRET_NAME.search(str(var.get("name", ""))):
        return {**var, "value": REDACTED} if var["value"] else var
    redacted = redact_text(var["value"])
    return {**var, "value": redacted} if redacted != var["value"] else var


def _redact_annotation(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    if text.lstrip().startswith("{"):
        # kubectl's last-applied-configuration is the object as JSON: redact it as an object.
        try:
            document = json.loads(text)
        except ValueError:
            return redact_text(text)
        redacted = redact_object(document)
        if redacted is document:
            return redact_text(text)
        return redact_text(
            json.dumps(redacted, separators=(",", ":")) + ("\n" if text.endswith("\n") else "")
        )
    return redact_text(text)
