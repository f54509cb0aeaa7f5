"""Label selectors as the API applies them."""

from __future__ import annotations

import pytest

from incident_lib.k8s.selectors import describe, matches, required_labels

LABELS = {"app": "payments-service", "version": "v1"}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ({"app": "payments-service"}, True),
        ({"app": "payment"}, False),
        (
            {
                "matchLabels": {"app": "payments-service"},
                "matchExpressions": [{"key": "version", "operator": "In", "values": ["v1", "v2"]}],
            },
            True,
        ),
        ({"matchExpressions": [{"key": "version", "operator": "NotIn", "values": ["v1"]}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, False),
        ({}, False),
        (None, False),
    ],
)
def test_selectors_match_like_the_api(selector, expected):
    assert matches(selector, LABELS) is expected


def test_a_selector_reads_as_kubectl_writes_it():
    assert describe({"tier": "front", "app": "web"}) == "app=web,tier=front"


@pytest.mark.parametrize(
    ("selector", "required"),
    [
        ({"tier": "front", "app": "web"}, [("tier", "front"), ("app", "web")]),
        (
            {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "v", "operator": "Exists"}]},
            [("app", "web")],
        ),
        ({"matchExpressions": [{"key": "v", "operator": "Exists"}]}, []),
        ({"app": None}, []),  # matches pods without the label: no value to look up
    ],
)
def test_the_labels_a_selector_requires_are_its_equality_terms(selector, required):
    assert required_labels(selector) == required
