"""The diagnostics API: `/health`, `/ready` and `/ask` over incident_lib, on a live cluster or a bundle.

`POST /ask` answers with the Diagnosis JSON of docs/design.md for one pod or Service. The source is chosen by
the environment (see `settings.py`): a saved bundle (`INCIDENT_BUNDLE=PATH`, read once at start-up)
or the live cluster (`INCIDENT_SOURCE=live`, with `PROMETHEUS_URL`).
"""
