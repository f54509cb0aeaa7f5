"""Every pod rule on the published corpus: each case gets its label, and every recommendation rests on
evidence of its diagnosis."""

from __future__ import annotations

import pytest

from incident_lib.corpus import load_cases
from incident_lib.diagnose import diagnose_pods
from tests.helpers import CORPUS

CASES = [c for c in load_cases(CORPUS) if c.path.parent.name == "pods"]


@pytest.mark.parametrize("case", CASES, ids=[c.path.stem for c in CASES])
def test_every_published_case_gets_its_label(case):
    [diagnosis] = diagnose_pods(case.snapshot)
    if case.label == "other":  # a failed pod whose cause has no name: any unhealthy answer is right
        assert diagnosis.is_finding
    else:
        assert diagnosis.root_cause == case.label


@pytest.mark.parametrize("case", CASES, ids=[c.path.stem for c in CASES])
def test_recommendations_cite_only_evidence_of_the_diagnosis(case):
    [diagnosis] = diagnose_pods(case.snapshot)
    assert diagnosis.evidence, "every diagnosis rests on evidence"
    for recommendation in diagnosis.recommendations:
        assert recommendation.evidence
        assert {id(e) for e in recommendation.evidence} <= {id(e) for e in diagnosis.evidence}
