"""The repository's own tools, apart from incident_lib: builders of test data shared by the bundle
generators (k8s_objects, prometheus_responses), and what else the repository generates.

Importable from the repository root: tests have it on sys.path already; the scripts under benchmarks/ and
incidents/ put it there themselves, as they do for tests.servers.
"""
