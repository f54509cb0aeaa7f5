"""Kubernetes resource quantities (`256Mi`, `200m`, `1.5G`) as numbers."""

from __future__ import annotations

import re

_SUFFIX = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "": 1,
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|K|M|G|T|P|E)?$")


def parse_quantity(value: str | int | float | None) -> float | None:
    """Return the quantity as a plain number (bytes, cores), or None when absent or unparseable."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _QUANTITY.match(value.strip())
    if not match:
        return None
    return float(match.group(1)) * _SUFFIX[match.group(2) or ""]


def format_bytes(value: float) -> str:
    """Return bytes in the binary unit people read in `kubectl top` (`263.1Mi`)."""
    for unit, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if abs(value) >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}B"
