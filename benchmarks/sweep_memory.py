"""Peak memory of a papermill run of notebooks/sweep.ipynb on the shipped bundle, against the CronJob's
256Mi limit.

    .venv/bin/python benchmarks/sweep_memory.py [--interval 0.05]

Runs the papermill CLI (as the CronJob does) in notebooks/, samples every `--interval` seconds the RSS
of papermill and every process under it (the kernel), and prints the peak of their sum: what the
container's memory cgroup would count, roughly (RSS counts shared pages in each process, so the sum
overestimates a little). It also prints ru_maxrss of the children: the largest single process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 256 * 2**20
MIB = 2**20


def tree_rss(process: psutil.Process) -> dict[str, int]:
    """RSS in bytes of `process` and its descendants, by `name(pid)`."""
    found = {}
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            found[f"{p.name()}({p.pid})"] = p.memory_info().rss
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as out:
        output = Path(out) / "sweep.out.ipynb"
        command = [str(bin_dir / "papermill"), "--no-progress-bar", "sweep.ipynb", str(output)]
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
        started = time.monotonic()
        child = subprocess.Popen(command, cwd=ROOT / "notebooks", env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)  # fmt: skip
        watched = psutil.Process(child.pid)
        peak_total, peak_by_process, samples = 0, {}, 0
        while child.poll() is None:
            rss = tree_rss(watched) if child.poll() is None else {}
            samples += 1
            peak_total = max(peak_total, sum(rss.values()))
            for name, value in rss.items():
                peak_by_process[name] = max(peak_by_process.get(name, 0), value)
            time.sleep(args.interval)
        stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
        elapsed = time.monotonic() - started
    maxrss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(f"papermill notebooks/sweep.ipynb (default source ../incidents/oom-drill): exit {child.returncode},"
          f" {elapsed:.1f} s, {samples} samples every {args.interval:g} s")  # fmt: skip
    if child.returncode:
        print("  papermill failed: " + " | ".join(stderr.strip().splitlines()[-3:]))
    for name, value in sorted(peak_by_process.items(), key=lambda kv: -kv[1]):
        print(f"  peak RSS {name:<28} {value / MIB:7.1f} MiB")
    share = peak_total / LIMIT
    print(
        f"  peak RSS of the tree (sum)         {peak_total / MIB:7.1f} MiB"
        f" = {share:.0%} of the CronJob's 256Mi limit"
    )
    print(f"  ru_maxrss of the largest child     {maxrss_kib / 1024:7.1f} MiB")


if __name__ == "__main__":
    main()
