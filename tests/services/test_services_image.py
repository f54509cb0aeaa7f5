"""The services' image recipe: pinned dependencies, multi-stage, non-root, no build tools."""

from __future__ import annotations

import re
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[2] / "services"


def stages() -> list[list[str]]:
    """The Dockerfile's instructions (comments and blank lines dropped), split into build stages."""
    found: list[list[str]] = []
    for line in (SERVICES / "Dockerfile").read_text().splitlines():
        line = line.strip()
        if line.startswith("FROM "):
            found.append([])
        if line and not line.startswith("#") and found:
            found[-1].append(line)
    return found


def test_dockerfile_is_multi_stage_on_a_pinned_slim_base() -> None:
    built = stages()
    assert len(built) >= 2
    for stage in built:
        assert re.fullmatch(r"FROM python:3\.11\.\d+-slim-bookworm( AS \w+)?", stage[0]), stage[0]


def test_final_stage_runs_as_non_root_without_build_tools() -> None:
    final = stages()[-1]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert not any(re.search(r"apt-get|apk |gcc|build-essential|pip install", line) for line in final)
    assert any(line.startswith("COPY --from=") for line in final)


def test_requirements_pin_every_runtime_dependency() -> None:
    lines = [
        line for line in (SERVICES / "requirements.txt").read_text().splitlines() if line and line[0] != "#"
    ]
    pins = dict(line.split("==") for line in lines)
    assert set(pins) == {"fastapi", "uvicorn", "prometheus-client", "httpx"}
    assert all(re.fullmatch(r"\d+(\.\d+)+", pinned) for pinned in pins.values())
