"""Sweep benchmark: `incident-lab diagnose --bundle DIR --all` on generated bundles of 1k to 20k pods, each
against the floor of decoding the same files, to show whether time grows linearly with the cluster.

Each bundle is raw Kubernetes API JSON exactly as `kubectl get pods,events,services,endpoints,deployments,
replicasets,nodes -A -o json` prints it (full-size objects, 4-space indentation), generated
deterministically from a seed: per 1,000 pods, 5,000 events, 200 Services and their Endpoints, 100
Deployments and their ReplicaSets and 30 Nodes, over ~50 namespaces.

Like with like: the floor is `json.loads` of the bundle's k8s files in a process of its own with the
cyclic garbage collector off, as the CLI runs (it pauses the collector, `incident_lib.gc_pause`), and both
are timed the same way (wall time from outside, interpreter start included). The floor and the CLI run
interleaved, size after size, `--runs` times; the table gives the median and the spread (min-max), never
the best run. Peak memory is the `ru_maxrss` of each process.

    .venv/bin/python benchmarks/sweep.py                                # 1k, 5k, 10k, 20k pods (~10 min)
    .venv/bin/python benchmarks/sweep.py --sizes 1000,50000 --bundles /tmp/sweep-bundles
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from synthetic_cluster import expected_cause, generate_bundle

SIZES = (1_000, 5_000, 10_000, 20_000)
TARGET_RATIO = 2.0  # issue 14: within 2x of the json.load floor
TARGET_RSS_MIB = 300.0  # issue 14: peak memory of diagnose --all
EXIT_FINDINGS = 1  # "findings at or above --fail-on", not a failure


def shape(pods: int) -> dict[str, int]:
    """The objects generated with `pods` pods: the 10k-pod shape of issue 4, scaled."""
    return {
        "events": 5 * pods,
        "services": pods // 5,
        "deployments": pods // 10,
        "nodes": max(30, 3 * pods // 100),
    }


# The floor: decode every k8s file of the bundle with the collector off, as the CLI reads it.
_FLOOR = """
import gc, json, sys
from pathlib import Path
gc.disable()
documents = [json.loads(p.read_bytes()) for p in sorted(Path(sys.argv[1], "k8s").rglob("*.json"))]
"""

# Runs the command and reports its wall time and peak RSS. A wrapper process, because Linux keeps the
# RSS high-water mark across fork and exec: a child started straight from this (large) process would
# report this process's memory as its own peak. The wrapper is small, so its child's peak is the CLI's.
_MEASURE = """
import resource, subprocess, sys, time
with open(sys.argv[1], "wb") as out:
    start = time.perf_counter()
    code = subprocess.run(sys.argv[2:], stdout=out).returncode
    elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code)
"""


@dataclass
class Run:
    """One measured process: wall and CPU seconds, peak RSS in MiB, and why it failed (empty when it did
    not)."""

    seconds: float
    cpu: float
    rss_mib: float
    error: str = ""


@dataclass
class Size:
    """The runs of one bundle size, and what was generated (empty when the bundle was reused)."""

    pods: int
    root: Path
    bundle_mib: float
    states: dict = field(default_factory=dict)
    floor: list[Run] = field(default_factory=list)
    cli: list[Run] = field(default_factory=list)


def run_measured(command: list[str], stdout: Path | str = os.devnull) -> Run:
    """Run `command` once, its output to `stdout`."""
    wrapper = [sys.executable, "-c", _MEASURE, str(stdout), *command]
    result = subprocess.run(wrapper, capture_output=True, text=True, check=True)
    elapsed, cpu, max_rss_kib, code = result.stdout.split()
    error = "" if int(code) in (0, EXIT_FINDINGS) else f"exit {code}: {result.stderr.strip()}"
    return Run(float(elapsed), float(cpu), int(max_rss_kib) / 1024, error)  # ru_maxrss is in KiB on Linux


def cli_command(root: Path) -> list[str]:
    """The diagnose command a user runs: the venv's `incident-lab` beside this interpreter."""
    script = Path(sys.executable).parent / "incident-lab"
    exe = str(script) if script.exists() else shutil.which("incident-lab")
    if exe is None:
        raise SystemExit("incident-lab not found: install the project in the venv (pip install -e .)")
    return [exe, "diagnose", "--bundle", str(root), "--all", "--format", "json"]


def floor_command(root: Path) -> list[str]:
    return [sys.executable, "-c", _FLOOR, str(root)]


def bundle(pods: int, bundles: Path, seed: int) -> Size:
    """The bundle of `pods` pods under `bundles`, generated unless an earlier run left it there."""
    root = bundles / f"{pods}-pods"
    states = {}
    if not (root / "manifest.json").exists():
        started = time.perf_counter()
        states = generate_bundle(root, pods, seed=seed, **shape(pods))
        gc.collect()
        print(f"generated {root} in {time.perf_counter() - started:.0f} s", flush=True)
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    return Size(pods, root, size / 2**20, states)


def measure(sizes: list[Size], runs: int) -> None:
    """Floor then CLI, size after size, `runs` times: slow drifts of a shared machine hit all alike."""
    for i in range(runs):
        for size in sizes:
            size.floor.append(run_measured(floor_command(size.root)))
            size.cli.append(run_measured(cli_command(size.root)))
            floor, cli = size.floor[-1], size.cli[-1]
            print(
                f"  run {i + 1}/{runs} {size.pods:>7,} pods: floor {floor.seconds:6.2f} s "
                f"({floor.cpu:.2f} s CPU), CLI {cli.seconds:6.2f} s ({cli.cpu:.2f} s CPU) {cli.error}",
                flush=True,
            )


def spread(values: list[float], unit: str = "") -> str:
    """`median [min-max]`."""
    return f"{statistics.median(values):.2f}{unit} [{min(values):.2f}-{max(values):.2f}]"


def print_table(sizes: list[Size]) -> None:
    """One line per size: the floor, the CLI and their ratio run by run, in wall time (what a user waits
    for) and in CPU time (user + system: what a shared machine's load disturbs least), time per 1,000
    pods (flat when time grows linearly) and peak memory."""
    print()
    print(
        f"{'pods':>7}  {'bundle':>6}  {'floor wall, s':>19}  {'CLI wall, s':>20}  {'CLI / floor, wall':>18}"
        f"  {'CLI / floor, CPU':>18}  {'per 1k pods':>11}  {'peak RSS MiB':>13}"
    )
    print(
        f"{'':>7}  {'MiB':>6}  {'median [min-max]':>19}  {'median [min-max]':>20}  {'median [min-max]':>18}"
        f"  {'median [min-max]':>18}  {'wall / CPU':>11}  {'floor / CLI':>13}"
    )
    for size in sizes:
        head = f"{size.pods:>7,}  {size.bundle_mib:>6.0f}  {spread([r.seconds for r in size.floor]):>19}"
        if failed := next((r.error for r in size.cli if r.error), ""):
            print(f"{head}  refused: {failed}")
            continue
        wall = ratios(size.cli, size.floor, "seconds")
        cpu = ratios(size.cli, size.floor, "cpu")
        thousands = size.pods / 1000
        per_1k = (
            f"{statistics.median(r.seconds for r in size.cli) / thousands:.2f} / "
            f"{statistics.median(r.cpu for r in size.cli) / thousands:.2f}"
        )
        rss = f"{max(r.rss_mib for r in size.floor):.0f} / {max(r.rss_mib for r in size.cli):.0f}"
        print(
            f"{head}  {spread([r.seconds for r in size.cli]):>20}  {spread(wall, 'x'):>18}  "
            f"{spread(cpu, 'x'):>18}  {per_1k:>11}  {rss:>13}"
        )
    print()
    print(
        f"targets (issue 14): CLI within {TARGET_RATIO:g}x of the floor, peak RSS under {TARGET_RSS_MIB:g} "
        "MiB; the floor is json.loads of the k8s files with the collector off, in a process of its own, "
        "interpreter start included, as the CLI"
    )


def ratios(cli: list[Run], floor: list[Run], figure: str) -> list[float]:
    """CLI / floor of `figure` run by run: each pair ran back to back, on the same machine's load."""
    return [getattr(c, figure) / getattr(f, figure) for c, f in zip(cli, floor, strict=True)]


def profile(root: Path, top: int = 15) -> str:
    """cProfile of read_bundle + diagnose_all + JSON output with the collector paused, as in the CLI: the
    `top` entries by cumulative time, then by own time."""
    from incident_lib.diagnose import diagnose_all
    from incident_lib.gc_pause import gc_paused
    from incident_lib.sources.bundle import read_bundle

    profiler = cProfile.Profile()
    with gc_paused():
        profiler.enable()
        diagnoses = diagnose_all(read_bundle(root))
        json.dumps([d.to_dict() for d in diagnoses])
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


Subject = tuple[str, str, str]  # (kind, namespace, name); namespace "" for nodes


def read_diagnoses(path: Path) -> list[tuple[Subject, str]]:
    """((kind, namespace, name), root cause) of each diagnosis in the CLI's JSON output."""
    return [
        ((d["subject"]["kind"], d["subject"].get("namespace") or "", d["subject"]["name"]), d["root_cause"])
        for d in json.loads(path.read_bytes())
    ]


KINDS = ("Pod", "Service", "Deployment", "Node")  # the order subjects are reported in


def _rank(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def print_sanity(size: Size) -> None:
    """Diagnoses and root causes per subject kind next to what was generated, then the subjects
    diagnosed otherwise than generated: the figures are only worth something if the answers are right."""
    output = size.root / "diagnosis.json"
    run = run_measured(cli_command(size.root), output)
    if run.error:
        return
    diagnoses = read_diagnoses(output)
    output.unlink()
    got = Counter((subject[0], cause) for subject, cause in diagnoses)
    expected = Counter((kind, expected_cause(kind, state)) for (kind, _, _), state in size.states.items())
    print()
    print(f"root causes at {size.pods:,} pods   CLI JSON   generated as")
    for kind in sorted({k for k, _ in (*expected, *got)}, key=_rank):
        print(f"  {kind}")
        causes = {c for k, c in (*expected, *got) if k == kind}
        for cause in sorted(causes, key=lambda c: (-got[(kind, c)], -expected[(kind, c)], c)):
            print(f"    {cause:<28}{got[(kind, cause)]:>8,}  {expected[(kind, cause)]:>10,}")
    wrong = Counter(
        (subject[0], size.states.get(subject, "(not generated)"), cause)
        for subject, cause in diagnoses
        if cause != expected_cause(subject[0], size.states.get(subject, "(not generated)"))
    )
    print(f"recognised as generated   {len(diagnoses) - wrong.total():>10,} of {len(diagnoses):,}")
    for (kind, state, cause), n in sorted(wrong.items(), key=lambda kv: (_rank(kv[0][0]), kv[0])):
        print(f"  {kind} generated {state} (expected {expected_cause(kind, state)}): diagnosed {cause} {n}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n) for n in text.split(",")],
        default=list(SIZES),
        help="pods per bundle, comma-separated (default 1000,5000,10000,20000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs of each size (default 3)")
    parser.add_argument(
        "--bundles", type=Path, metavar="DIR", help="keep the bundles in DIR, and reuse those already there"
    )
    parser.add_argument("--seed", type=int, default=20251217)
    parser.add_argument("--profile", action="store_true", help="print a profile of the largest size")
    args = parser.parse_args(argv)

    bundles = args.bundles or Path(tempfile.mkdtemp(prefix="sweep-bundles-"))
    try:
        print(
            f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
            f"Python {sys.version.split()[0]} on {sys.platform}"
        )
        sizes = [bundle(pods, bundles, args.seed) for pods in args.sizes]
        measure(sizes, args.runs)
        print_table(sizes)
        generated = [s for s in sizes if s.states]
        if generated:
            print_sanity(generated[-1])
        if args.profile:
            print()
            print(f"profile at {sizes[-1].pods:,} pods (top 15 by cumulative time, then by own time)")
            print(profile(sizes[-1].root))
    finally:
        if args.bundles is None:
            shutil.rmtree(bundles, ignore_errors=True)
    return 0  # a measurement, not a test: the targets are reported, never enforced


if __name__ == "__main__":
    sys.exit(main())
