"""A capture keeps none of the seeded secrets: objects as `redact_object` writes them, logs as
`redact_text` does (what `incident_lib.sources.live` applies to everything it collects)."""

from __future__ import annotations

import json

from incident_lib.redact import redact_object, redact_text
from tests.secrets.corpus import SEEDS, seeded_events, seeded_log, seeded_pod
from tests.secrets.leaks import secrets_in

PLACES = {"env", "args", "command", "probe-path", "probe-header", "annotation", "event", "termination", "log"}


def test_the_corpus_seeds_at_least_50_forms_in_every_place():
    assert len(SEEDS) >= 50
    assert {s.place for s in SEEDS} == PLACES
    assert len({s.secret for s in SEEDS}) == len(SEEDS)


def test_every_seed_is_in_what_the_cluster_holds():
    objects = [seeded_pod(), *seeded_events()]
    assert len(secrets_in(json.dumps(objects) + seeded_log())) == len(SEEDS)


def test_a_capture_keeps_none_of_them():
    captured = json.dumps([redact_object(o) for o in [seeded_pod(), *seeded_events()]])
    assert secrets_in(captured + redact_text(seeded_log())) == []


def test_redacting_a_capture_again_changes_nothing():
    once = [redact_object(o) for o in [seeded_pod(), *seeded_events()]]
    assert [redact_object(o) for o in once] == once
    assert redact_text(redact_text(seeded_log())) == redact_text(seeded_log())
