"""Fixtures with the app chart rendered by Helm's engine (see chart_render)."""

from __future__ import annotations

from typing import Any

import pytest
from chart_render import CUSTOM_VALUES, objects


@pytest.fixture(scope="session", params=["default", "custom"])
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """The chart's objects with the default values, then with CUSTOM_VALUES."""
    return objects(None if request.param == "default" else CUSTOM_VALUES)


@pytest.fixture(scope="session")
def default_objects() -> list[dict[str, Any]]:
    """The chart's objects with the default values."""
    return objects()
