"""The platform on one machine: the four services, the diagnostics API, a real Prometheus scraping the
services, and a bounded load generator, all on loopback; `make platform` / `make platform-down`.

Everything it starts is recorded in the state folder (`.platform/pids`), so stopping it stops exactly
those processes and nothing else.
"""
