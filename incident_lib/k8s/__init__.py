"""Typed, read-only views over raw Kubernetes API JSON (no client model objects)."""
