"""Rules from outside the project: the worked example in examples/cert-manager-rules, installed the way
a team installs its own, changes the diagnosis of its bundle; a broken rule package is reported and
every other rule still runs. Each diagnosis is `incident-lab` in a process of its own, since the
registry loads the installed rules once per process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli

EXAMPLE = ROOT / "examples" / "cert-manager-rules"
BUNDLE = EXAMPLE / "tests" / "bundle"
POD = {"kind": "Pod", "namespace": "shop", "name": "storefront-6d5f8b7c9d-x7k2p"}


@pytest.fixture(scope="module")
def example_source(tmp_path_factory) -> Path:
    """A copy of the example: pip builds in the source folder (build/, *.egg-info), not in the checkout."""
    return shutil.copytree(EXAMPLE, tmp_path_factory.mktemp("example") / "source")


@pytest.fixture(scope="module")
def example_site(example_source) -> Path:
    """The example, installed by pip into a folder of its own: the project's venv is left as it is."""
    site = example_source.parent / "site"
    # With build isolation: the venv's setuptools (65) cannot build a wheel without the `wheel` package,
    # so pip takes setuptools from the configured index.
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", f"--target={site}", str(example_source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    return site


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    """An installed distribution `broken-rules` with two entry points: a module that raises on import
    and a Pod rule that raises on every pod. Written as pip would install it (its package and its
    dist-info, where the entry points are read), since a pip build costs seconds."""
    site = tmp_path_factory.mktemp("broken")
    package = site / "broken_rules"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "needs_a_client.py").write_text("import acme_vault_client  # not installed\n")
    (package / "volumes.py").write_text(
        textwrap.dedent(
            """\
            from incident_lib.classify.registry import rule


            @rule("Pod", "volume_quota", version=1, severity="warning")
            def volume_quota(facts):
                return facts.pod.raw["spec"]["volumes"][0]["quota"]
            """
        )
    )
    info = site / "broken_rules-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-rules\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[incident_lib.rules]\nclient = broken_rules.needs_a_client\nvolumes = broken_rules.volumes\n"
    )
    return site


def diagnose(*installed: Path) -> subprocess.CompletedProcess:
    """`incident-lab diagnose` of the example bundle, with the rule packages in `installed` on the path."""
    return cli("diagnose", "--bundle", str(BUNDLE), "--format", "json", env=environment(*installed))


def environment(*installed: Path) -> dict[str, str]:
    """This process's environment, with only the folders of `installed` on PYTHONPATH."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    if installed:
        env["PYTHONPATH"] = os.pathsep.join(str(site) for site in installed)
    return env


def pod_diagnosis(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return next(d for d in json.loads(result.stdout) if d["subject"] == POD)


@pytest.fixture(scope="module")
def with_broken(example_site, broken_site) -> subprocess.CompletedProcess:
    return diagnose(example_site, broken_site)


def test_the_installed_example_names_the_certificate_behind_the_missing_secret(example_site):
    result = diagnose(example_site)
    diagnosis = pod_diagnosis(result)

    assert result.stderr == ""
    assert diagnosis["root_cause"] == "certificate_not_ready"
    assert diagnosis["rule"] == "pods.certificate_not_ready/1"
    assert diagnosis["severity"] == "critical"
    cited = {(e["source"], e["field"], e["value"]) for e in diagnosis["evidence"]}
    assert (
        "certificate.status",
        "status.conditions[Ready]",
        "False: DoesNotExist Issuing certificate as Secret does not exist",
    ) in cited
    commands = {r["command"] for r in diagnosis["recommendations"]}
    assert "kubectl describe certificate -n shop storefront-tls" in commands
    assert "kubectl get certificaterequests,orders,challenges -n shop" in commands
    # the built-in answer is still there, explained by the external one
    assert [c["root_cause"] for c in diagnosis["other_causes"]] == ["config_error"]


def test_without_the_example_the_same_bundle_is_a_config_error():
    diagnosis = pod_diagnosis(diagnose())

    assert diagnosis["root_cause"] == "config_error"
    assert diagnosis["summary"] == "The pod cannot start: missing secret storefront-tls."


def test_a_rule_package_that_fails_to_load_is_one_line_on_stderr(with_broken):
    assert with_broken.stderr.splitlines() == [
        "incident-lab: warning: rules client (broken-rules) failed to load: "
        "ModuleNotFoundError: No module named 'acme_vault_client'"
    ]
    assert pod_diagnosis(with_broken)["root_cause"] == "certificate_not_ready"


def test_a_rule_that_raises_is_missing_evidence_and_the_other_rules_still_stand(with_broken):
    diagnosis = pod_diagnosis(with_broken)

    assert diagnosis["root_cause"] == "certificate_not_ready"
    assert (
        "rule pods.volume_quota/1 (broken-rules) failed: KeyError: 'quota'" in diagnosis["missing_evidence"]
    )


def test_the_examples_own_test_passes_on_the_installed_package(example_source, example_site):
    """The example's test, run as its README says. Plugins are not loaded: the project's notebook
    plugins are no part of the example, and take seconds to import."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("pytest")), "-q", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=example_source,
        env={**environment(example_site), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )

    assert result.returncode == 0, result.stdout
