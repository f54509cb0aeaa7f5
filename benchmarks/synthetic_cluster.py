"""The synthetic incident bundle of `sweep.py`: `generate_bundle` writes it and returns the state each
subject was generated in; `expected_cause` gives the root cause a diagnosis should give that state.

The cluster is drawn by the modules of `synthetic/` (its docstring says what each holds).
"""

from __future__ import annotations

from synthetic.bundle import generate_bundle, write_bundle
from synthetic.states import EXPECTED_CAUSE, expected_cause

__all__ = ["EXPECTED_CAUSE", "expected_cause", "generate_bundle", "write_bundle"]
