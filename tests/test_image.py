"""The project's image (root Dockerfile), checked by its recipe: the Helm chart's diagnostics API and
sweep CronJob run it, so it must hold the library with its `services` extra, the notebooks and the
shipped incidents, run as uid 10001 with a read-only root filesystem, and serve the API by default."""

from __future__ import annotations

import fnmatch
import json

from tests.dockerfile import (
    BUILD_TOOLS,
    PINNED_SLIM_BASE,
    arguments,
    copies,
    environment,
    final_user,
    stages,
)
from tests.helpers import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def test_multi_stage_on_the_same_pinned_slim_base_as_the_services_image() -> None:
    built = stages(DOCKERFILE)
    services_base = stages(ROOT / "services" / "Dockerfile")[-1][0].split()[1]
    assert len(built) >= 2
    for stage in built:
        assert PINNED_SLIM_BASE.fullmatch(stage[0]), stage[0]
        assert stage[0].split()[1] == services_base


def test_a_build_stage_builds_the_wheels_and_installs_the_services_extra() -> None:
    *builders, final = stages(DOCKERFILE)
    runs = [run for stage in builders for run in arguments(stage, "RUN")]
    assert any("pip wheel" in run for run in runs)
    installs = [run for run in runs if "pip install" in run]
    assert any("incident-lib[services]" in run or ".[services]" in run for run in installs), installs
    # papermill starts the `python3` kernel: the build fails when ipykernel's kernelspec is missing
    assert any("get_kernel_spec('python3')" in run for run in runs)
    assert any(line.startswith("COPY --from=") for line in final)


def test_final_stage_runs_as_uid_10001_without_build_tools() -> None:
    final = stages(DOCKERFILE)[-1]
    assert final_user(final) == "10001"
    assert not [line for line in final if BUILD_TOOLS.search(line)]


def test_notebooks_incidents_and_the_api_are_where_the_chart_runs_them() -> None:
    final = stages(DOCKERFILE)[-1]
    workdir = arguments(final, "WORKDIR")[-1]
    copied = {source: destination for sources, destination in copies(final) for source in sources}
    # the CronJob runs `incident-lab run notebooks/sweep.ipynb` from the working directory, and the
    # default command `python -m services.diagnostics` imports from it
    assert copied["notebooks"] == f"{workdir}/notebooks"
    assert copied["incidents"] == f"{workdir}/incidents"
    assert copied["services/diagnostics"] == f"{workdir}/services/diagnostics"
    assert (ROOT / "notebooks" / "sweep.ipynb").is_file()


def test_default_command_serves_the_diagnostics_api_on_port_8000_of_every_interface() -> None:
    final = stages(DOCKERFILE)[-1]
    assert json.loads(arguments(final, "CMD")[-1]) == ["python", "-m", "services.diagnostics"]
    assert arguments(final, "ENTRYPOINT") == []  # `docker run IMAGE incident-lab run …` works too
    env = environment(final)
    assert (env["HOST"], env["PORT"]) == ("0.0.0.0", "8000")
    assert arguments(final, "EXPOSE") == ["8000"]
    # the API reads a shipped bundle only when told to (INCIDENT_BUNDLE), never by default
    assert not {"INCIDENT_BUNDLE", "INCIDENT_SOURCE"} & env.keys()


def test_runtime_writes_go_to_tmp_and_reports_so_the_root_filesystem_can_be_read_only() -> None:
    final = stages(DOCKERFILE)[-1]
    env = environment(final)
    for name in ("HOME", "MPLCONFIGDIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        assert env[name] == "/tmp" or env[name].startswith("/tmp/"), name
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert any("/reports" in json.loads(volume) for volume in arguments(final, "VOLUME"))


def test_dockerignore_keeps_local_state_out_and_everything_the_image_copies_in() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".venv", "reports", "tests", ".git"} <= set(patterns)
    for stage in stages(DOCKERFILE):
        for sources, _ in copies(stage):
            for source in sources:
                parts = source.split("/")
                prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
                ignored = [p for p in patterns if any(fnmatch.fnmatch(x, p) for x in prefixes)]
                assert not ignored, f"{source} is excluded by .dockerignore {ignored}"
                assert (ROOT / source).exists(), source
