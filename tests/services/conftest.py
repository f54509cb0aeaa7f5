"""Fixtures that run the services as real processes (see service_procs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service_procs import Launcher, RunningService


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[Launcher]:
    """A launcher whose processes are stopped after the test."""
    launched = Launcher(tmp_path)
    yield launched
    launched.stop_all()


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningService]]:
    """The four services without faults, backend-api wired to the three others."""
    launched = Launcher(tmp_path_factory.mktemp("platform"))
    leaves = {name: launched.start(name) for name in ("users-service", "orders-service", "payments-service")}
    backend = launched.start(
        "backend-api",
        USERS_URL=leaves["users-service"].url,
        ORDERS_URL=leaves["orders-service"].url,
        PAYMENTS_URL=leaves["payments-service"].url,
    )
    yield {"backend-api": backend, **leaves}
    launched.stop_all()
