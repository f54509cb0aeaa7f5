"""The Prometheus configuration that scrapes the services as the cluster's ServiceMonitor would, and
evaluates the chart's alert rules, sending what fires to an Alertmanager.

Each service is one static target labelled `namespace` (the cluster's namespace, `apps`), so the
catalogue's `http_*` queries, `sum by (namespace, service)`, answer the same as in the cluster, and so
do the chart's rules. The services put their own `service` label on every series; the target gets no
`service` label, which would rename theirs to `exported_service`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence


def scrape_config(
    targets: dict[str, str],
    interval: str = "5s",
    namespace: str = "apps",
    *,
    rule_files: Sequence[str] = (),
    alertmanager: str = "",
) -> str:
    """prometheus.yml scraping `targets` (service name -> `host:port`) and evaluating `rule_files` every
    `interval`, alerts sent to the Alertmanager at `alertmanager` (`host:port`) when one is given.

    Written as JSON, which is YAML, so no YAML library is needed and no name can break the quoting.
    """
    config = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "scrape_configs": [
            {
                "job_name": name,
                "metrics_path": "/metrics",
                "static_configs": [{"targets": [address], "labels": {"namespace": namespace}}],
            }
            for name, address in sorted(targets.items())
        ],
    }
    if rule_files:
        config["rule_files"] = list(rule_files)
    if alertmanager:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    return json.dumps(config, indent=2) + "\n"
