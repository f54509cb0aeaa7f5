"""Deterministic classifiers: rules that turn facts into findings, and the diagnosis they rank into."""
