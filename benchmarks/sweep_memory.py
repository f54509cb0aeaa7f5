"""Peak memory of the sweep CronJob's command, `incident-lab run notebooks/sweep.ipynb`, against its
256Mi limit: on the shipped bundle, and live against clusters of given sizes.

    .venv/bin/python benchmarks/sweep_memory.py [--live-pods 1000 --live-pods 3000] [--interval 0.05]

Runs the command as the chart's CronJob does (from the project root, `--fail-on critical`, reports to
a temporary folder), samples every `--interval` seconds the RSS of the process and every process
under it (the kernel), and prints the peak of their sum: what the container's memory cgroup would
count, roughly (RSS counts shared pages in each process, so the sum overestimates a little). Each
`--live-pods N` runs it with `-p source live` against the Kubernetes API double serving N running
pods (with the managedFields a real API server keeps), in its own process, found through KUBECONFIG;
metrics are not queried. As in the image, which installs no dev extras, kubernetes-validate is kept
out of reach: the `kubernetes` package imports it when it is there (about 30 MiB in every process).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 256 * 2**20
MIB = 2**20
NOT_IN_IMAGE = 'raise ImportError("kubernetes-validate is a dev dependency, not in the image")\n'


@dataclass
class Peak:
    """One run: its exit code, duration, and the peak RSS of the process tree and of each process."""

    returncode: int
    seconds: float
    total: int
    by_process: dict[str, int]
    stderr: str


def tree_rss(process: psutil.Process) -> dict[str, int]:
    """RSS in bytes of `process` and its descendants, by `name(pid)`."""
    found = {}
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            found[f"{p.name()}({p.pid})"] = p.memory_info().rss
    return found


def sweep_peak(parameters: list[str], env: dict[str, str], interval: float) -> Peak:
    """Run the CronJob's command with `parameters` and sample its tree's memory."""
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        hidden = Path(tmp) / "hidden"
        hidden.mkdir()
        (hidden / "kubernetes_validate.py").write_text(NOT_IN_IMAGE)
        command = [str(bin_dir / "incident-lab"), "run", "notebooks/sweep.ipynb", *parameters,
                   "--out", str(Path(tmp) / "reports"), "--fail-on", "critical"]  # fmt: skip
        env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "PYTHONPATH": str(hidden)}
        started = time.monotonic()
        child = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        watched = psutil.Process(child.pid)
        total, by_process = 0, {}
        while child.poll() is None:
            rss = tree_rss(watched)
            total = max(total, sum(rss.values()))
            for name, value in rss.items():
                by_process[name] = max(by_process.get(name, 0), value)
            time.sleep(interval)
        stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    return Peak(child.returncode, time.monotonic() - started, total, by_process, stderr)


def live_peak(pods: int, interval: float) -> Peak:
    """The sweep's peak with `source live` against the API double serving `pods` pods."""
    from tests.servers.kube_api import TOKEN

    server = subprocess.Popen([sys.executable, "-m", "tests.servers.kube_api", "--pods", str(pods)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as tmp:
            kubeconfig = Path(tmp) / "kubeconfig"
            kubeconfig.write_text(
                "apiVersion: v1\nkind: Config\ncurrent-context: bench\n"
                f"clusters: [{{name: double, cluster: {{server: '{url}'}}}}]\n"
                f"users: [{{name: sweep, user: {{token: {TOKEN}}}}}]\n"
                "contexts: [{name: bench, context: {cluster: double, user: sweep}}]\n"
            )
            env = {k: v for k, v in os.environ.items() if k != "KUBERNETES_SERVICE_HOST"}
            return sweep_peak(["-p", "source", "live"], {**env, "KUBECONFIG": str(kubeconfig)}, interval)
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def report(title: str, peak: Peak) -> None:
    print(f"{title}: exit {peak.returncode}, {peak.seconds:.1f} s")
    if peak.returncode not in (0, 1):  # 1: findings at --fail-on critical, a normal end for the CronJob
        print("  the run failed: " + " | ".join(peak.stderr.strip().splitlines()[-3:]))
    for name, value in sorted(peak.by_process.items(), key=lambda kv: -kv[1]):
        print(f"  peak RSS {name:<28} {value / MIB:7.1f} MiB")
    print(
        f"  peak RSS of the tree (sum)         {peak.total / MIB:7.1f} MiB"
        f" = {peak.total / LIMIT:.0%} of the CronJob's 256Mi limit"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between samples (default 0.05)")
    parser.add_argument("--live-pods", type=int, action="append", default=[], metavar="N",
                        help="also sweep a live cluster of N pods (repeatable)")  # fmt: skip
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    report("incident-lab run notebooks/sweep.ipynb (its default source, incidents/oom-drill)",
           sweep_peak([], dict(os.environ), args.interval))  # fmt: skip
    for pods in args.live_pods:
        report(f"the same, -p source live, {pods} pods", live_peak(pods, args.interval))


if __name__ == "__main__":
    main()
