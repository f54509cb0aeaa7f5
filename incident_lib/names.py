"""Validation of the names users pass, before they reach a URL, a file path or a PromQL query."""

from __future__ import annotations

import difflib
import re

from incident_lib.errors import InputError, NotFound

# RFC 1123 label (namespaces, services, containers) and subdomain (pods and most other objects).
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def dns_label(value: str, what: str) -> str:
    """Return `value` if it is a valid DNS-1123 label (63 characters at most), else raise InputError."""
    if not isinstance(value, str) or len(value) > 63 or not _LABEL.match(value):
        raise InputError(
            f"invalid {what} name {value!r}: expected a DNS-1123 label (lowercase a-z, 0-9, '-')"
        )
    return value


def dns_subdomain(value: str, what: str) -> str:
    """Return `value` if it is a valid DNS-1123 subdomain (253 characters at most), else raise InputError."""
    if not isinstance(value, str) or len(value) > 253 or not _SUBDOMAIN.match(value):
        raise InputError(
            f"invalid {what} name {value!r}: expected a DNS-1123 subdomain (lowercase a-z, 0-9, '-', '.')"
        )
    return value


def closest(name: str, candidates: list[str], limit: int = 3) -> list[str]:
    """Return up to `limit` candidates that look most like `name`, best first.

    Names that start with `name` come first: people type the Deployment's name for its pods.
    """
    names = sorted(set(candidates))
    prefixed = [c for c in names if c.startswith(name)]
    similar = difflib.get_close_matches(name, names, n=limit, cutoff=0.5)
    return list(dict.fromkeys(prefixed + similar))[:limit]


def not_found(what: str, name: str, candidates: list[str]) -> NotFound:
    """Return the error for a name that does not exist, suggesting the closest ones that do."""
    near = closest(name, candidates)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    return NotFound(f"{what} {name!r} not found{hint}")
