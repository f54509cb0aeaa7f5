"""The services' image recipe: pinned dependencies, multi-stage, non-root, no build tools."""

from __future__ import annotations

import re
from pathlib import Path

from tests.dockerfile import BUILD_TOOLS, PINNED_SLIM_BASE, final_user, stages

SERVICES = Path(__file__).resolve().parents[2] / "services"


def test_dockerfile_is_multi_stage_on_a_pinned_slim_base() -> None:
    built = stages(SERVICES / "Dockerfile")
    assert len(built) >= 2
    for stage in built:
        assert PINNED_SLIM_BASE.fullmatch(stage[0]), stage[0]


def test_final_stage_runs_as_non_root_without_build_tools() -> None:
    final = stages(SERVICES / "Dockerfile")[-1]
    assert final_user(final) not in {"", "0", "root"}
    assert not any(BUILD_TOOLS.search(line) for line in final)
    assert any(line.startswith("COPY --from=") for line in final)


def test_requirements_pin_every_runtime_dependency() -> None:
    lines = [
        line for line in (SERVICES / "requirements.txt").read_text().splitlines() if line and line[0] != "#"
    ]
    pins = dict(line.split("==") for line in lines)
    assert set(pins) == {"fastapi", "uvicorn", "prometheus-client", "httpx"}
    assert all(re.fullmatch(r"\d+(\.\d+)+", pinned) for pinned in pins.values())
