"""The alerting half of the platform: the chart's alert rules as a Prometheus rules file, and an
Alertmanager configuration that sends every alert group to the diagnostics API's `POST /alerts`.

The rules are helm/app's PrometheusRule, rendered by Helm's engine (helm-python-sdk) with the values
given, so the platform fires exactly the alerts the cluster does; only `for` is shortened, so an
incident shows within minutes. The Alertmanager routes as helm/monitoring/values.yaml does (one group
per alert name and namespace, resolutions sent), with shorter waits.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "app"
RULE_TEMPLATE = "app/templates/prometheusrule.yaml"


def chart_rules(values: dict | None = None) -> str:
    """The chart's PrometheusRule groups as a Prometheus rules file (JSON, which is YAML); RuntimeError
    without helm-python-sdk (a development dependency: pip install -e '.[dev]')."""
    try:
        import helm_python
    except ImportError:
        raise RuntimeError(
            "rendering the chart's alert rules needs helm-python-sdk: pip install -e '.[dev]'"
        ) from None
    import yaml

    with helm_python.Chart.load(CHART) as chart:
        manifest = chart.render(values, name="lab", namespace="apps")[RULE_TEMPLATE]
    return json.dumps({"groups": yaml.safe_load(manifest)["spec"]["groups"]}, indent=2) + "\n"


def alertmanager_config(webhook_url: str, group_wait: str, group_interval: str) -> str:
    """alertmanager.yml sending every group (by alert name and namespace) to `webhook_url`, first
    after `group_wait`, then its changes and resolution every `group_interval`."""
    config = {
        "route": {
            "receiver": "incident-lab",
            "group_by": ["alertname", "namespace"],
            "group_wait": group_wait,
            "group_interval": group_interval,
            "repeat_interval": "4h",
        },
        "receivers": [
            {"name": "incident-lab", "webhook_configs": [{"url": webhook_url, "send_resolved": True}]}
        ],
    }
    return json.dumps(config, indent=2) + "\n"
