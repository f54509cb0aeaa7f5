"""What follows from the rule registry is generated, and the committed files say what the registry says."""

from __future__ import annotations

from tools import generate


def test_the_chart_role_and_the_docs_tables_match_the_registry():
    assert generate.stale(write=False) == [], "run `make generate` and commit the result"


def test_a_block_is_replaced_between_its_markers_and_the_rest_kept():
    text = "before\n<!-- generated:x -->\nold\n<!-- end generated:x -->\nafter\n"
    assert generate.rewritten(text, "x", "<!-- {} -->", "new\n", "f.md") == (
        "before\n<!-- generated:x -->\nnew\n<!-- end generated:x -->\nafter\n"
    )


def test_the_vocabulary_lists_every_rule_with_what_it_needs():
    table = generate.vocabulary_markdown()
    assert "| Pod | `oom_killed` | `pods.oom_killed/1` | critical |" in table
    assert "| Deployment | `unknown` | `deployments.unknown/1` | warning |" in table
