"""Label selectors as the API applies them: a Service's map, or `matchLabels` plus `matchExpressions`."""

from __future__ import annotations


def matches(selector: dict | None, labels: dict[str, str]) -> bool:
    """True when `labels` satisfy `selector`. An empty or absent selector matches nothing here:
    a Service without one manages its endpoints by hand, and a workload always has one."""
    if not selector:
        return False
    if _is_label_selector(selector):
        plain = selector.get("matchLabels") or {}
        return all(labels.get(k) == v for k, v in plain.items()) and all(
            _expression(e, labels) for e in selector.get("matchExpressions") or []
        )
    return all(labels.get(k) == v for k, v in selector.items())


def required_labels(selector: dict) -> list[tuple[str, str]]:
    """The (key, value) labels every object `selector` matches must carry: a Service map's terms, or
    `matchLabels`. Lets a caller look candidates up in a label index before `matches` decides."""
    plain = (selector.get("matchLabels") or {}) if _is_label_selector(selector) else selector
    return [(k, v) for k, v in plain.items() if isinstance(v, str)]


def _is_label_selector(selector: dict) -> bool:
    """A workload's `matchLabels`/`matchExpressions` selector, not a Service's plain map."""
    return "matchLabels" in selector or "matchExpressions" in selector


def _expression(expression: dict, labels: dict[str, str]) -> bool:
    key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False


def describe(selector: dict) -> str:
    """`app=web,tier=front` for a Service selector or matchLabels (expressions in words)."""
    plain = selector.get("matchLabels", selector if "matchExpressions" not in selector else {})
    parts = [f"{k}={v}" for k, v in sorted(plain.items())]
    parts += [
        f"{e.get('key')} {e.get('operator')} {e.get('values') or ''}".strip()
        for e in selector.get("matchExpressions") or []
    ]
    return ",".join(parts)
