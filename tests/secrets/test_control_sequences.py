"""Terminal control and escape sequences from the cluster are stripped before anything is shown:
`strip_controls` itself, and names, which reach the table and Markdown outside any evidence."""

from __future__ import annotations

import pytest

from incident_lib.diagnose import diagnose_all
from incident_lib.report.text import markdown, table
from incident_lib.snapshot import Snapshot
from incident_lib.text_safety import safe_text, strip_controls
from tests.helpers import CAPTURED_AT
from tests.secrets.corpus import CONTROLS
from tests.secrets.leaks import controls_in


@pytest.mark.parametrize("sequence", CONTROLS.values(), ids=CONTROLS.keys())
def test_each_sequence_is_removed_and_the_text_around_it_kept(sequence):
    assert strip_controls(f"before {sequence}after") == "before after"


def test_a_hyperlink_keeps_its_text_and_loses_its_target():
    assert strip_controls("see \x1b]8;;https://evil.example/\x1b\\the docs\x1b]8;;\x1b\\.") == "see the docs."


def test_newlines_tabs_and_unicode_are_kept_and_carriage_returns_dropped():
    assert strip_controls("a\tb\r\nc — ü\x00\x7f") == "a\tb\nc — ü"


def test_an_unterminated_title_ends_at_the_line_end():
    assert strip_controls("x\x1b]0;title\nnext line") == "x\nnext line"


def test_safe_text_strips_before_it_redacts():
    # an escape sequence inside a keyword would otherwise hide the secret from the detectors
    assert safe_text("pass\x1b[0mword=hunter2") == "password=[REDACTED]"


def test_names_with_escape_sequences_reach_neither_the_table_nor_markdown():
    name = "web\x1b]0;pwned\x07\x1b[2J-1"
    pod = {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"containers": [{"name": "app", "image": "web:1"}]},
        "status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on memory.\x07"},
    }
    diagnoses = diagnose_all(Snapshot(captured_at=CAPTURED_AT, objects=[pod]))
    shown = table(diagnoses) + markdown(diagnoses)
    assert "web-1" in shown and "low on memory" in shown
    assert controls_in(shown) == [] and "\x1b" not in shown and "\x07" not in shown
