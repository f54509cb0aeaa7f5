"""`python -m services.diagnostics`: serve the API on $HOST:$PORT (default 127.0.0.1:8000).

The source comes from the environment: INCIDENT_BUNDLE=PATH, or INCIDENT_SOURCE=live with
PROMETHEUS_URL (settings.py). A bad setting exits 2 with one line naming the variable.
"""

from __future__ import annotations

import sys

import uvicorn

from services.diagnostics.app import create_app
from services.diagnostics.settings import SettingsError, load_settings


def main() -> int:
    """Serve until stopped; return the exit code."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"diagnostics: invalid setting: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
