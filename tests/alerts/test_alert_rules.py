"""The chart's PrometheusRule checked and unit-tested by Prometheus's own `promtool`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

HERE = Path(__file__).resolve().parent
CHART = HERE.parents[1] / "helm" / "app"
UNIT_TESTS = HERE / "alert_rules_test.yaml"
PROMTOOL = shutil.which("promtool")

pytestmark = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not found (Debian package `prometheus`; .ci/run installs it)"
)


def write_rules(directory: Path, values: dict[str, Any] | None = None) -> Path:
    """Render the chart, write its PrometheusRule's groups as a Prometheus rules file; return its path."""
    with helm_python.Chart.load(CHART) as chart:
        manifest = chart.render(values, name="lab", namespace="apps")["app/templates/prometheusrule.yaml"]
    rules = directory / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": yaml.safe_load(manifest)["spec"]["groups"]}))
    return rules


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run promtool with `args`; return the finished process (output captured as text)."""
    return subprocess.run([PROMTOOL, *map(str, args)], capture_output=True, text=True, timeout=60)


def test_rules_pass_promtool_check(tmp_path: Path) -> None:
    done = promtool("check", "rules", write_rules(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 4 rules found" in done.stdout


def test_alerts_fire_on_failing_series_and_not_on_healthy_ones(tmp_path: Path) -> None:
    write_rules(tmp_path)
    tests = shutil.copy(UNIT_TESTS, tmp_path)
    done = promtool("test", "rules", tests)
    assert done.returncode == 0, done.stdout + done.stderr


def test_thresholds_come_from_values(tmp_path: Path) -> None:
    write_rules(tmp_path, {"monitoring": {"prometheusRule": {"errorRatioThreshold": 0.5}}})
    tests = shutil.copy(UNIT_TESTS, tmp_path)
    done = promtool("test", "rules", tests)
    assert done.returncode == 1
    assert "ServiceHighErrorRate" in done.stdout + done.stderr
