"""The synthetic cluster's expected root causes are the registry's: each generated state maps to a cause
a rule gives its kind, and a cause renamed or removed in the registry fails by name."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from incident_lib.classify.registry import vocabulary

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def states(monkeypatch):
    """benchmarks/synthetic/states.py, imported as the benchmark scripts import it."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    from synthetic import states

    yield states
    for name in [n for n in sys.modules if n == "synthetic" or n.startswith("synthetic.")]:
        sys.modules.pop(name)


def test_each_generated_state_expects_a_cause_its_kind_can_be_given(states):
    causes = vocabulary()
    table = states.EXPECTED_CAUSE
    assert {kind: tuple(row) for kind, row in table.items()} == states.STATES
    assert [(kind, c) for kind, row in table.items() for c in row.values() if c not in causes[kind]] == []


def test_a_state_is_its_own_cause_unless_renamed(states):
    assert states.expected_cause("Pod", "crash_loop") == "crash_loop"
    assert states.expected_cause("Pod", "liveness_failure") == "probe_failure"
    assert states.expected_cause("Service", "typo_selector") == "service_no_endpoints"
    assert states.expected_cause("StatefulSet", "(not generated)") == "(not generated)"


def test_a_cause_the_registry_no_longer_gives_fails_by_name(states):
    renamed = {
        kind: tuple(c for c in causes if c != "probe_failure") for kind, causes in vocabulary().items()
    }
    with pytest.raises(LookupError, match=r"not in the rule registry's vocabulary: Pod probe_failure$"):
        states.expected_causes(renamed)
