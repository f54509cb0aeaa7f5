"""`python -m services.local_platform.kube_api --kubeconfig PATH --port NAME=PORT…`: the Kubernetes API
double (tests/servers/kube_api.py) serving the platform's objects (cluster.py) on a free loopback port.

There is no cluster on the machine; this lets the diagnostics API capture namespace `apps` as it would
in one. Once it serves, the kubeconfig reaching it is written (atomically) at PATH; it serves until
stopped (SIGTERM, as `make platform-down` sends).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from services.local_platform.cluster import platform_objects
from tests.servers.kube_api import KubeApiDouble, kubeconfig_yaml


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kube_api", description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True, type=Path, help="where to write the kubeconfig")
    parser.add_argument("--port", action="append", default=[], metavar="NAME=PORT", help="a service")
    args = parser.parse_args(argv)
    ports = {name: int(port) for name, _, port in (item.partition("=") for item in args.port)}
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with KubeApiDouble(platform_objects(ports)) as server:
        partial = args.kubeconfig.with_suffix(".partial")
        partial.write_text(kubeconfig_yaml(server.url))
        os.replace(partial, args.kubeconfig)
        print(f"kube_api: serving {len(ports)} Services on {server.url}", flush=True)
        stopped.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
