"""Shared fixtures."""

from __future__ import annotations

import pytest

from incident_lib.sources.bundle import read_bundle
from tests.helpers import OOM_DRILL


@pytest.fixture(scope="session")
def oom_drill():
    """The shipped OOM drill incident, read once."""
    return read_bundle(OOM_DRILL)
