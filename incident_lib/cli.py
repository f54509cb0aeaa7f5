"""The `incident-lab` command: diagnose a bundle or the live cluster, capture a bundle, run notebooks.

Exit codes: 0 ok; 1 findings at or above `--fail-on`; 2 bad usage or input (one line on stderr);
3 a notebook cell failed (the executed notebook is kept beside the outputs).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from incident_lib.classify.evidence import SEVERITIES, at_least
from incident_lib.classify.registry import LOAD_ERRORS
from incident_lib.classify.thresholds import DEFAULTS
from incident_lib.errors import InputError
from incident_lib.gc_pause import gc_paused
from incident_lib.incidents.cli import add_commands as add_incident_commands

EXIT_FINDINGS, EXIT_INPUT, EXIT_NOTEBOOK = 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except InputError as exc:
        print(f"incident-lab: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt as exc:
        print(f"incident-lab: interrupted{f'; {exc}' if str(exc) else ''}", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, or input no check foresaw: still one line, and never exit 1
        print(
            f"incident-lab: error: could not process the input ({type(exc).__name__}: {exc})", file=sys.stderr
        )
        return EXIT_INPUT
    finally:
        for failed in LOAD_ERRORS:  # rules from an installed package that did not load: the rest ran
            print(f"incident-lab: warning: {failed}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="incident-lab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    diagnose = commands.add_parser(
        "diagnose", help="diagnose the pods, Services, workloads and nodes of a bundle"
    )
    source = diagnose.add_mutually_exclusive_group(required=True)
    source.add_argument("--bundle", type=Path, help="bundle directory or .tar.gz")
    source.add_argument("--live", action="store_true", help="the live cluster (kubeconfig) and Prometheus")
    _live_arguments(diagnose)
    diagnose.add_argument("-n", "--namespace", help="only this namespace")
    subject = diagnose.add_mutually_exclusive_group()
    subject.add_argument("--pod", help="only this pod")
    subject.add_argument("--service", help="only this Service (with its pods' diagnoses behind it)")
    subject.add_argument(
        "--all",
        action="store_true",
        help="every subject, healthy ones too (default: the findings and a count)",
    )
    diagnose.add_argument(
        "--slo-p99",
        type=float,
        default=DEFAULTS.slo_p99_seconds,
        metavar="SECONDS",
        help=f"p99 latency SLO of high_latency (default {DEFAULTS.slo_p99_seconds:g})",
    )
    diagnose.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    diagnose.add_argument(
        "--fail-on", choices=SEVERITIES, help="exit 1 when a finding is at least this severe"
    )
    diagnose.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="FIELD=GLOB,…",
        help="leave out (and list as excluded) what matches: namespace, name, root_cause, labels "
        "(a selector, last), e.g. namespace=sandbox-*; with .incident-lab.yaml or $INCIDENT_LAB_CONFIG",
    )
    diagnose.add_argument(
        "--only", action="append", default=[], metavar="FIELD=GLOB,…", help="report only what matches"
    )
    diagnose.set_defaults(command=_diagnose)

    capture = commands.add_parser(
        "capture", help="save the live cluster's evidence of some namespaces as an incident bundle"
    )
    capture.add_argument("-n", "--namespace", action="append", help="a namespace to capture (repeatable)")
    capture.add_argument("-o", "--output", type=Path, help="a new directory, or a file ending .tar.gz")
    capture.add_argument("--force", action="store_true", help="replace the bundle already at -o")
    capture.add_argument(
        "--clean",
        action="store_true",
        help="capture nothing: remove the partial captures that killed captures left beside -o "
        "(default: in the current directory)",
    )
    _live_arguments(capture)
    capture.set_defaults(command=_capture)

    evaluate = commands.add_parser("eval", help="accuracy of the classifiers over labelled cases")
    evaluate.add_argument("folder", type=Path, help="a folder with pods/*.yaml and cluster/*.yaml cases")
    evaluate.set_defaults(command=_evaluate)

    run = commands.add_parser(
        "run",
        help="run a notebook with papermill into OUT/<notebook>/<UTC timestamp>/: the executed notebook, "
        "its HTML report and findings.json",
        add_help=False,  # `run NOTEBOOK --help` lists the notebook's parameters too
    )
    run.add_argument("-h", "--help", action="store_true", help="show this help and the notebook's parameters")
    run.add_argument("notebook", type=Path, nargs="?", help="the notebook to run, e.g. notebooks/sweep.ipynb")
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter of the notebook's parameters cell (`run NOTEBOOK --help` lists them); a list "
        'parameter takes JSON (["apps"]) or comma-separated names (apps,default)',
    )
    run.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports/)")
    run.add_argument(
        "--fail-on", choices=SEVERITIES, help="exit 1 when a finding is at least this severe (for schedulers)"
    )
    run.set_defaults(command=_run, parser=run)

    demo = commands.add_parser("demo", help="run every notebook on the shipped incidents")
    demo.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports/)")
    demo.set_defaults(command=_demo)

    add_incident_commands(commands)
    return parser


def _diagnose(args: argparse.Namespace) -> int:
    # The collector would only re-scan a 10,000-pod graph that lives until the command ends.
    with gc_paused():
        return _diagnose_without_gc(args)


def _diagnose_without_gc(args: argparse.Namespace) -> int:
    from incident_lib.exclusions import load_config, parse_flag, select
    from incident_lib.sources.bundle import read_bundle

    snapshot = read_bundle(args.bundle) if args.bundle else _live_snapshot(args, args.namespace, args.pod)
    exclusions = load_config() + [parse_flag(f, "--exclude") for f in args.exclude]
    only = [parse_flag(f, "--only") for f in args.only]
    selection = select(_diagnoses(args, snapshot), snapshot, exclusions, only)
    for lapsed in selection.lapsed:
        print(f"incident-lab: warning: exclusion '{lapsed.reason}' lapsed at {lapsed.until}", file=sys.stderr)
    _write(_report(args, selection))
    if args.fail_on:
        severe = [d for d in selection.reported if d.is_finding and at_least(d.severity, args.fail_on)]
        if severe:
            first = severe[0].subject
            print(
                f"incident-lab: {len(severe)} finding{'s' if len(severe) > 1 else ''} at or above "
                f"--fail-on {args.fail_on}, first {first.kind} {first.namespace}/{first.name}: "
                f"{severe[0].root_cause}",
                file=sys.stderr,
            )
            return EXIT_FINDINGS
    return 0


def _diagnoses(args: argparse.Namespace, snapshot) -> list:
    """The diagnoses the subject flags ask for: one pod, one Service, or every subject."""
    from dataclasses import replace

    from incident_lib.diagnose import diagnose_all, diagnose_pods, diagnose_service

    thresholds = replace(DEFAULTS, slo_p99_seconds=args.slo_p99)
    if args.pod:
        return diagnose_pods(snapshot, args.namespace, args.pod, thresholds)
    if args.service:
        if not args.namespace:
            raise InputError("--service needs -n NAMESPACE")
        return [diagnose_service(snapshot, args.namespace, args.service, thresholds)]
    return diagnose_all(snapshot, args.namespace, thresholds)


def _report(args: argparse.Namespace, selection) -> str:
    """The diagnoses in the `--format` asked for. JSON holds every subject (excluded ones marked); the
    table and Markdown of a sweep show findings and a one-line count, healthy subjects only with --all."""
    from incident_lib.exclusions import excluded_dict, excluded_text
    from incident_lib.report.text import findings_summary, markdown, table

    if args.format == "json":
        # A JSON array with one diagnosis per line: readable, and json's fast (unindented) encoder.
        rows = [d.to_dict() for d in selection.reported] + [excluded_dict(e) for e in selection.excluded]
        return "[\n" + ",\n".join(json.dumps(row) for row in rows) + "\n]"
    shown = selection.reported
    sweep = not (args.pod or args.service)
    if sweep and not args.all:
        shown = [d for d in shown if d.is_finding]
    text = (markdown if args.format == "markdown" else table)(shown) if shown else ""
    if sweep:
        text = findings_summary(selection.reported, listed_healthy=args.all) + ("\n\n" + text if text else "")
    return text + excluded_text(selection, args.format)


def _live_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of a live collection; Prometheus credentials come from the environment, never argv."""
    live = parser.add_argument_group(
        "live cluster",
        "KUBECONFIG (else ~/.kube/config, else the pod's service account) says where the API is; "
        "PROMETHEUS_TOKEN (bearer) or PROMETHEUS_USER and PROMETHEUS_PASSWORD (basic) authenticate "
        "to Prometheus",
    )
    live.add_argument("--context", help="kubeconfig context (default: the current one)")
    live.add_argument(
        "--prometheus-url",
        default=os.environ.get("PROMETHEUS_URL"),
        help="Prometheus base URL ($PROMETHEUS_URL); without it the metrics are missing evidence",
    )
    live.add_argument(
        "--prometheus-insecure", action="store_true", help="do not verify Prometheus' TLS certificate"
    )
    live.add_argument(
        "--window",
        default="1h",
        help="metrics window: a duration ending now (30m, 1h, 6h) or START/END in RFC 3339 (default 1h)",
    )
    live.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="each request's total time; a run's deadline is 20 times this (default 15)",
    )


def _live_snapshot(args: argparse.Namespace, namespace, pod: str | None = None, progress=None):
    """Collect a snapshot from the live cluster and Prometheus named by the options of `_live_arguments`."""
    from incident_lib.sources.open import live_snapshot

    if pod and not namespace:
        raise InputError("--live --pod needs -n NAMESPACE")
    namespaces = [namespace] if isinstance(namespace, str) else namespace or []
    return live_snapshot(
        namespaces,
        args.prometheus_url,
        args.window,
        pod,
        args.context,
        args.timeout,
        verify_tls=not args.prometheus_insecure,
        progress=progress,
    )


def _capture(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from incident_lib.capture import check_target, clean_partials, write_bundle

    if args.clean:
        for partial in clean_partials(args.output.parent if args.output else Path(".")):
            print(f"removed {partial}")
        return 0
    if not (args.namespace and args.output):
        raise InputError("capture needs -n NAMESPACE and -o PATH (or --clean)")
    check_target(args.output, args.force)  # before minutes of capture; write_bundle checks atomically
    # disable=None: a bar on a terminal, nothing in a pipe or a log file
    with tqdm(total=0, unit="req", desc="capture", disable=None, file=sys.stderr) as progress:
        snapshot = _live_snapshot(args, args.namespace, progress=progress)
        path = write_bundle(snapshot, args.output, progress=progress, force=args.force)
    missing = snapshot.manifest.get("missing") or []
    print(f"{path}  ({len(snapshot.objects)} objects, {len(snapshot.metrics)} metric queries, "
          f"{len(snapshot.logs)} logs, {len(missing)} missing: see manifest.json)")  # fmt: skip
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    """Exit 1 when a case is missed or a recommendation cites absent evidence: usable as a CI gate."""
    from incident_lib.evaluate import evaluate, report

    outcomes = evaluate(args.folder)
    _write(report(outcomes))
    return EXIT_FINDINGS if any(not o.correct or o.uncited for o in outcomes) else 0


def _run(args: argparse.Namespace) -> int:
    from incident_lib.report.findings import reaches
    from incident_lib.runner import coerce_parameters, notebook_help, resolve_paths

    if args.help:
        _write(args.parser.format_help() + (f"\n{notebook_help(args.notebook)}" if args.notebook else ""))
        return 0
    if args.notebook is None:
        raise InputError("run needs a NOTEBOOK, e.g. incident-lab run notebooks/sweep.ipynb (see run --help)")
    parameters = coerce_parameters(args.notebook, [tuple(p) for p in args.parameter])
    runs = _execute([(args.notebook, resolve_paths(parameters, Path.cwd()), None)], args.out)
    if runs is None:
        return EXIT_NOTEBOOK
    if args.fail_on and reaches(runs[0].document["findings"], args.fail_on):
        return EXIT_FINDINGS
    return 0


def _demo(args: argparse.Namespace) -> int:
    from incident_lib.demo import demo_runs, project_root

    runs = [(r.notebook, r.parameters, r.name) for r in demo_runs(project_root())]
    return 0 if _execute(runs, args.out) is not None else EXIT_NOTEBOOK


def _execute(runs: list[tuple[Path, dict, str | None]], out: Path) -> list | None:
    """Run each notebook, printing where its outputs are; None as soon as one fails (exit 3)."""
    from incident_lib.runner import NotebookFailed, run_notebook

    done = []
    for notebook, parameters, name in runs:
        try:
            outputs = run_notebook(notebook, parameters, out, name)
        except NotebookFailed as exc:
            print(f"incident-lab: {exc} (executed notebook kept: {exc.path})", file=sys.stderr)
            return None
        findings = len(outputs.document["findings"])
        print(f"{outputs.folder}  ({findings} findings, {outputs.seconds:.1f}s)")
        done.append(outputs)
    return done


def _write(text: str) -> None:
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `incident-lab diagnose … | head` is fine
        sys.stderr.close()


def console() -> NoReturn:
    """`incident-lab` as installed; `main` stays for in-process callers. A command's objects live until
    it ends: with the collector off for this short process, and no interpreter teardown, nothing
    rescans or frees millions of objects one by one just before the OS takes the memory back (24% of
    the CPU time of a 10,000-pod sweep)."""
    gc.disable()  # gc_paused then leaves it off
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
