"""Workload rules (Deployments, StatefulSets, DaemonSets, Jobs, HPAs), one module per root cause (the
registry imports every module here)."""
