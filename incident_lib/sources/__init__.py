"""Sources: where snapshots come from: a saved bundle, or the live Kubernetes API and Prometheus."""
