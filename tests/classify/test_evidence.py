"""The confidence model: deterministic, bounded, and never lowered by corroborating evidence."""

from __future__ import annotations

import itertools
import random

from incident_lib.classify.evidence import MAX_CONFIDENCE, confidence


def test_confidence_is_the_noisy_or_of_the_weights():
    assert confidence([0.85]) == 0.85
    assert confidence([0.85, 0.5]) == round(1 - 0.15 * 0.5, 2)
    assert confidence([]) == 0.0


def test_confidence_is_capped_below_certainty():
    assert confidence([0.99, 0.99, 0.99]) == MAX_CONFIDENCE


def test_adding_evidence_never_lowers_confidence_in_any_order():
    rng = random.Random(7)
    for _ in range(200):
        weights = [rng.random() for _ in range(rng.randint(1, 6))]
        for prefix in range(len(weights)):
            assert confidence(weights[: prefix + 1]) >= confidence(weights[:prefix])
        assert len({confidence(p) for p in itertools.permutations(weights)}) == 1
