"""Sources: where snapshots come from (a saved bundle here; the live API and Prometheus later)."""
