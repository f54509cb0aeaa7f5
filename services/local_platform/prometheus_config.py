"""The Prometheus configuration that scrapes the services as the cluster's ServiceMonitor would.

Each service is one static target labelled `namespace` (the cluster's namespace, `apps`), so the
catalogue's `http_*` queries, `sum by (namespace, service)`, answer the same as in the cluster. The
services put their own `service` label on every series; the target gets no `service` label, which
would rename theirs to `exported_service`.
"""

from __future__ import annotations

import json


def scrape_config(targets: dict[str, str], interval: str = "5s", namespace: str = "apps") -> str:
    """prometheus.yml scraping `targets` (service name -> `host:port`) every `interval`.

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
    return json.dumps(config, indent=2) + "\n"
