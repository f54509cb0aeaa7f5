"""Runbook checks: each step of the deployment runbook as a function that looks instead of describing."""
