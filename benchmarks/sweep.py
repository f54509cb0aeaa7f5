"""Sweep benchmark: diagnose every subject of a generated 10,000-pod incident bundle, and time it.

The bundle is raw Kubernetes API JSON exactly as `kubectl get pods,events,services,endpoints,deployments,
replicasets,nodes -A -o json` prints it (full-size objects, 4-space indentation): 10,000 pods in a
realistic mix of states over ~50 namespaces, 2,000 Services and their Endpoints, 1,000 Deployments and
their ReplicaSets, 300 Nodes and 50,000 events. It is generated deterministically from a seed.

Figures printed: the bare `json.load` of the k8s files, the wall time and peak memory of
`incident-lab diagnose --bundle DIR --all --format json` (what a user waits for, interpreter start
included), and an in-process breakdown (read_bundle, diagnose_all, JSON output). Targets: diagnosis
under 5 s, within 3x of `json.load`, peak RSS under 1 GiB. This is a measurement: it exits 0 whether
or not the targets are met.

    .venv/bin/python benchmarks/sweep.py                  # the full size (~100 s on 2 CPUs)
    .venv/bin/python benchmarks/sweep.py --pods 2000 --events 10000 --services 400 --deployments 200 \
        --nodes 60 --keep /tmp/sweep-bundle
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
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from synthetic_cluster import expected_cause, generate_bundle

TARGET_SECONDS = 5.0
TARGET_RATIO = 3.0
TARGET_RSS_MIB = 1024.0


@dataclass
class Figures:
    """What the sweep measured, as `report` prints it."""

    pods: int = 0
    events: int = 0
    services: int = 0
    deployments: int = 0
    nodes: int = 0
    bundle_mib: float = 0.0
    json_load_s: float = 0.0
    json_load_nogc_s: float = 0.0
    cli_s: float = 0.0
    cli_rss_mib: float = 0.0
    read_s: float = 0.0
    diagnose_s: float = 0.0
    output_s: float = 0.0
    diagnoses: Counter = field(default_factory=Counter)  # by subject kind
    histogram: Counter = field(default_factory=Counter)  # by (kind, root cause)


def time_json_load(root: Path, runs: int, collect: bool = True) -> float:
    """Best wall time of `json.load` over the k8s files, the floor any reader of the bundle pays.

    `collect=False` disables the cyclic garbage collector meanwhile: with it on, the collector walks the
    growing heap of decoded containers again and again, which is most of the time of a large load.
    """
    best = float("inf")
    for _ in range(runs):
        if not collect:
            gc.disable()
        try:
            start = time.perf_counter()
            documents = []
            for file in sorted((root / "k8s").glob("*.json")):
                with file.open("rb") as handle:
                    documents.append(json.load(handle))
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
        del documents
        gc.collect()
    return best


def cli_command(root: Path) -> list[str]:
    """The diagnose command a user runs: the venv's `incident-lab` beside this interpreter."""
    script = Path(sys.executable).parent / "incident-lab"
    exe = str(script) if script.exists() else shutil.which("incident-lab")
    if exe is None:
        raise SystemExit("incident-lab not found: install the project in the venv (pip install -e .)")
    return [exe, "diagnose", "--bundle", str(root), "--all", "--format", "json"]


# Runs the command and reports its wall time and peak RSS. A wrapper process, because Linux keeps the
# RSS high-water mark across fork and exec: a child started straight from this (large) process would
# report this process's memory as its own peak. The wrapper is small, so its child's peak is the CLI's.
_MEASURE = """
import resource, subprocess, sys, time
with open(sys.argv[1], "wb") as out:
    start = time.perf_counter()
    code = subprocess.run(sys.argv[2:], stdout=out).returncode
    elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


def run_cli(command: list[str], stdout: Path | str = os.devnull) -> tuple[float, float]:
    """Run `command` once, its output to `stdout`: (wall seconds, peak RSS in MiB)."""
    wrapper = [sys.executable, "-c", _MEASURE, str(stdout), *command]
    result = subprocess.run(wrapper, capture_output=True, text=True, check=True)
    elapsed, max_rss_kib, code = result.stdout.split()
    if int(code) not in (0, 1):  # 1 is "findings at or above --fail-on", not a failure
        raise SystemExit(f"{' '.join(command)} exited {code}: {result.stderr.strip()}")
    return float(elapsed), int(max_rss_kib) / 1024  # ru_maxrss is in KiB on Linux


def time_in_process(root: Path, runs: int) -> tuple[float, float, float]:
    """Best seconds of read_bundle, diagnose_all and the JSON output, each over `runs` runs."""
    from incident_lib.diagnose import diagnose_all
    from incident_lib.sources.bundle import read_bundle

    best = [float("inf")] * 3
    for _ in range(runs):
        t0 = time.perf_counter()
        snapshot = read_bundle(root)
        t1 = time.perf_counter()
        diagnoses = diagnose_all(snapshot)
        t2 = time.perf_counter()
        json.dumps([d.to_dict() for d in diagnoses], indent=2)
        t3 = time.perf_counter()
        best = [min(b, t) for b, t in zip(best, (t1 - t0, t2 - t1, t3 - t2), strict=True)]
        del snapshot, diagnoses
        gc.collect()
    return best[0], best[1], best[2]


def profile_in_process(root: Path, top: int = 15) -> str:
    """cProfile of read_bundle + diagnose_all + JSON output: the `top` entries by cumulative time, then
    by own (total) time."""
    from incident_lib.diagnose import diagnose_all
    from incident_lib.sources.bundle import read_bundle

    profiler = cProfile.Profile()
    profiler.enable()
    diagnoses = diagnose_all(read_bundle(root))
    json.dumps([d.to_dict() for d in diagnoses], indent=2)
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


def confusion(
    states: dict[Subject, str], diagnoses: list[tuple[Subject, str]]
) -> dict[tuple[str, str], Counter]:
    """For each (kind, generated state), the root causes the diagnosis gave those subjects."""
    table: dict[tuple[str, str], Counter] = {}
    for subject, cause in diagnoses:
        state = states.get(subject, "(not generated)")
        table.setdefault((subject[0], state), Counter())[cause] += 1
    return table


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(f: Figures, table: dict[tuple[str, str], Counter], generated: Counter) -> bool:
    """Print the figures and the targets; return whether every target passed."""
    ratio = f.cli_s / f.json_load_s if f.json_load_s else float("inf")
    print(f"pods                      {f.pods:>10,}")
    print(f"services (+ endpoints)    {f.services:>10,}")
    print(f"deployments (+ rs)        {f.deployments:>10,}")
    print(f"nodes                     {f.nodes:>10,}")
    print(f"events                    {f.events:>10,}")
    print(f"bundle size               {f.bundle_mib:>10.1f} MiB")
    print(f"json.load (k8s files)     {f.json_load_s:>10.2f} s   best of runs, in-process")
    print(f"json.load, gc disabled    {f.json_load_nogc_s:>10.2f} s   reference only, not in the ratio")
    print(f"diagnose CLI              {f.cli_s:>10.2f} s   best of runs, wall, incl. interpreter start")
    print(f"ratio CLI / json.load     {ratio:>10.2f} x")
    in_process = f.read_s + f.diagnose_s
    print(
        f"in-process read+diagnose  {in_process:>10.2f} s   (read_bundle {f.read_s:.2f} s, "
        f"diagnose_all {f.diagnose_s:.2f} s; JSON output {f.output_s:.2f} s)"
    )
    print(f"peak RSS of the CLI       {f.cli_rss_mib:>10.1f} MiB")
    print()
    checks = [
        (f"diagnosis < {TARGET_SECONDS:g} s", f.cli_s < TARGET_SECONDS, f"{f.cli_s:.2f} s"),
        (f"within {TARGET_RATIO:g}x of json.load", ratio <= TARGET_RATIO, f"{ratio:.2f}x"),
        (
            f"peak RSS < {TARGET_RSS_MIB / 1024:g} GiB",
            f.cli_rss_mib < TARGET_RSS_MIB,
            f"{f.cli_rss_mib:.0f} MiB",
        ),
    ]
    print("targets")
    for name, ok, value in checks:
        print(f"  {_verdict(ok)}  {name:<28} {value}")
    print()
    print_sanity(f, table, generated)
    return all(ok for _, ok, _ in checks)


KINDS = ("Pod", "Service", "Deployment", "Node")  # the order subjects are reported in


def _rank(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def _kinds(*counters: Counter) -> list[str]:
    """The subject kinds the counters mention (keys are kinds or (kind, …) tuples), in report order."""
    return sorted({k[0] if isinstance(k, tuple) else k for c in counters for k in c}, key=_rank)


def print_sanity(f: Figures, table: dict[tuple[str, str], Counter], generated: Counter) -> None:
    """Diagnoses per subject kind and root causes per kind, each next to what was generated, then the
    subjects diagnosed otherwise than generated.

    `generated` counts (kind, state); each state maps to the root cause a diagnosis should give it.
    """
    per_kind = Counter()
    expected = Counter()
    for (kind, state), n in generated.items():
        per_kind[kind] += n
        expected[(kind, expected_cause(kind, state))] += n
    print("diagnoses by kind          CLI JSON   generated")
    for kind in _kinds(per_kind, f.diagnoses):
        ok = f.diagnoses[kind] == per_kind[kind]
        print(f"  {kind:<22}{f.diagnoses[kind]:>10,}  {per_kind[kind]:>10,}   {_verdict(ok)}")
    print(f"  {'total':<22}{f.diagnoses.total():>10,}  {per_kind.total():>10,}")
    print()
    print("root causes by kind        CLI JSON   generated as")
    for kind in _kinds(expected, f.histogram):
        print(f"  {kind}")
        causes = {c for k, c in (*expected, *f.histogram) if k == kind}
        for cause in sorted(causes, key=lambda c: (-f.histogram[(kind, c)], -expected[(kind, c)], c)):
            print(f"    {cause:<28}{f.histogram[(kind, cause)]:>8,}  {expected[(kind, cause)]:>10,}")
    recognised = sum(c[expected_cause(kind, state)] for (kind, state), c in table.items())
    print(f"recognised as generated   {recognised:>10,} of {f.diagnoses.total():,}")
    for (kind, state), causes in sorted(table.items(), key=lambda kv: (_rank(kv[0][0]), kv[0])):
        want = expected_cause(kind, state)
        wrong = ", ".join(f"{k} {v}" for k, v in causes.most_common() if k != want)
        if wrong:
            print(f"  {kind} generated {state} (expected {want}): diagnosed {wrong}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000, help="pods to generate (default 10,000)")
    parser.add_argument("--events", type=int, default=50_000, help="events to generate (default 50,000)")
    parser.add_argument(
        "--services", type=int, default=2_000, help="Services (and Endpoints) to generate (default 2,000)"
    )
    parser.add_argument(
        "--deployments",
        type=int,
        default=1_000,
        help="Deployments (and ReplicaSets) to generate (default 1,000)",
    )
    parser.add_argument("--nodes", type=int, default=300, help="Nodes to generate (default 300)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the bundle to DIR and keep it")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each measurement, best kept")
    parser.add_argument("--seed", type=int, default=20251217)
    parser.add_argument("--profile", action="store_true", help="print the profile even when targets pass")
    args = parser.parse_args(argv)

    root = args.keep or Path(tempfile.mkdtemp(prefix="sweep-bundle-"))
    try:
        started = time.perf_counter()
        states = generate_bundle(
            root, args.pods, args.events, args.seed, args.services, args.deployments, args.nodes
        )
        gc.collect()
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        print(f"bundle: {root} (generated in {time.perf_counter() - started:.1f} s)")
        print(
            f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
            f"Python {sys.version.split()[0]} on {sys.platform}"
        )
        print()

        figures = Figures(
            pods=args.pods,
            events=args.events,
            services=args.services,
            deployments=args.deployments,
            nodes=args.nodes,
            bundle_mib=size / 2**20,
        )
        figures.json_load_s = time_json_load(root, args.runs)
        figures.json_load_nogc_s = time_json_load(root, args.runs, collect=False)
        command = cli_command(root)
        runs = [run_cli(command) for _ in range(args.runs)]
        figures.cli_s = min(r[0] for r in runs)
        figures.cli_rss_mib = max(r[1] for r in runs)
        figures.read_s, figures.diagnose_s, figures.output_s = time_in_process(root, args.runs)

        output = root / "diagnosis.json"
        run_cli(command, output)
        diagnoses = read_diagnoses(output)
        output.unlink()
        figures.diagnoses = Counter(subject[0] for subject, _ in diagnoses)
        figures.histogram = Counter((subject[0], cause) for subject, cause in diagnoses)

        generated = Counter((subject[0], state) for subject, state in states.items())
        passed = report(figures, confusion(states, diagnoses), generated)
        if args.profile or not passed:
            print()
            print(
                "profile (in-process read_bundle + diagnose_all + JSON output, top 15 by cumulative time, "
                "then by own time)"
            )
            print(profile_in_process(root))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0  # a measurement, not a test: the targets are reported, never enforced


if __name__ == "__main__":
    sys.exit(main())
