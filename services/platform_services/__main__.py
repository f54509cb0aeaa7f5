"""Command line: `python -m platform_services --service NAME [--port N] [--host H]`.

Exits with FAULT_EXIT_CODE before serving when that knob is set (the crash-loop drill), and with
code 2 and a one-line message when a setting is invalid.
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from platform_services.app import create_app
from platform_services.settings import SERVICE_NAMES, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, then serve the chosen service until stopped; return the exit code."""
    parser = argparse.ArgumentParser(prog="platform_services", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--service",
        default=os.environ.get("SERVICE_NAME"),
        choices=SERVICE_NAMES,
        help="which service to run (default: $SERVICE_NAME)",
    )
    parser.add_argument("--port", type=int, default=None, help="TCP port (default: $PORT, else 8080)")
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"), help="bind address")
    args = parser.parse_args(argv)
    if args.service is None:
        parser.error("--service or SERVICE_NAME is required")
    try:
        settings = load_settings(args.service, args.port)
    except SettingsError as exc:
        print(f"{args.service}: invalid setting: {exc}", file=sys.stderr)
        return 2
    if settings.faults.exit_code is not None:
        print(
            f"{settings.service}: exiting on start with code {settings.faults.exit_code} (FAULT_EXIT_CODE)",
            file=sys.stderr,
        )
        return settings.faults.exit_code
    uvicorn.run(create_app(settings), host=args.host, port=settings.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
