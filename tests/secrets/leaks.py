"""What of the seeded corpus an output still holds: secrets (raw, JSON-escaped, HTML-escaped) and
terminal control sequences (raw or JSON-escaped)."""

from __future__ import annotations

import html
import json

from tests.secrets.corpus import CONTROLS, SEEDS


def _forms(text: str) -> set[str]:
    return {text, json.dumps(text)[1:-1], html.escape(text)}


def secrets_in(output: str) -> list[str]:
    """`place: secret` of each seed whose secret appears in `output` in any form."""
    return [f"{s.place}: {s.secret}" for s in SEEDS if any(f in output for f in _forms(s.secret))]


def controls_in(output: str) -> list[str]:
    """The names of the control sequences `output` still holds."""
    return [name for name, sequence in CONTROLS.items() if any(f in output for f in _forms(sequence))]
