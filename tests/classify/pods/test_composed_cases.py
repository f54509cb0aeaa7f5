"""The composed cases of tests/cases are what the API would return: every object of a kind the
Kubernetes 1.30 schema knows validates strictly (a CRD such as Istio's VirtualService has no schema
there and is skipped)."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml

from tests.helpers import ROOT

KUBERNETES_VERSION = "1.30.0"
CASES = sorted((ROOT / "tests" / "cases").glob("*/*.yaml"))


def objects_of(path) -> list[dict]:
    case = yaml.safe_load(path.read_text())
    return case.get("objects") or [case["pod"]]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_object_of_a_composed_case_validates_strictly(path):
    for obj in objects_of(path):
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            continue
