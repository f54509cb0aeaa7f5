"""The `incident-lab` command: diagnose a bundle, run a notebook, run the demo.

Exit codes: 0 ok; 1 findings at or above `--fail-on`; 2 bad usage or input (one line on stderr);
3 a notebook cell failed (the executed notebook is kept beside the outputs).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

from incident_lib.classify.evidence import SEVERITIES, severity_rank
from incident_lib.errors import InputError

EXIT_FINDINGS, EXIT_INPUT, EXIT_NOTEBOOK = 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except InputError as exc:
        print(f"incident-lab: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="incident-lab", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    diagnose = commands.add_parser("diagnose", help="diagnose the pods of an incident bundle")
    diagnose.add_argument("--bundle", required=True, type=Path, help="bundle directory or .tar.gz")
    diagnose.add_argument("-n", "--namespace", help="only this namespace")
    subject = diagnose.add_mutually_exclusive_group()
    subject.add_argument("--pod", help="only this pod")
    subject.add_argument("--all", action="store_true", help="every pod (the default)")
    diagnose.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    diagnose.add_argument(
        "--fail-on", choices=SEVERITIES, help="exit 1 when a finding is at least this severe"
    )
    diagnose.set_defaults(command=_diagnose)

    run = commands.add_parser(
        "run", help="run a notebook with papermill; executed notebook and HTML in --out"
    )
    run.add_argument("notebook", type=Path)
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    run.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports/)")
    run.set_defaults(command=_run)

    demo = commands.add_parser("demo", help="run every notebook on the shipped incidents")
    demo.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default: reports/)")
    demo.set_defaults(command=_demo)
    return parser


def _diagnose(args: argparse.Namespace) -> int:
    from incident_lib.diagnose import diagnose_pods
    from incident_lib.report.text import markdown, table
    from incident_lib.sources.bundle import read_bundle

    # A one-shot process frees everything at exit; the collector would only re-scan a 10,000-pod graph.
    gc.disable()
    diagnoses = diagnose_pods(read_bundle(args.bundle), args.namespace, args.pod)
    if args.format == "json":
        # A JSON array with one diagnosis per line: readable, and json's fast (unindented) encoder.
        text = "[\n" + ",\n".join(json.dumps(d.to_dict()) for d in diagnoses) + "\n]"
    else:
        text = (markdown if args.format == "markdown" else table)(diagnoses)
    _write(text)
    if args.fail_on and any(
        d.is_finding and severity_rank(d.severity) <= severity_rank(args.fail_on) for d in diagnoses
    ):
        return EXIT_FINDINGS
    return 0


def _run(args: argparse.Namespace) -> int:
    from incident_lib.runner import coerce_parameters

    parameters = coerce_parameters(args.notebook, [tuple(p) for p in args.parameter])
    return _execute([(args.notebook, parameters, None)], args.out)


def _demo(args: argparse.Namespace) -> int:
    from incident_lib.demo import demo_runs, project_root

    return _execute([(r.notebook, r.parameters, r.name) for r in demo_runs(project_root())], args.out)


def _execute(runs: list[tuple[Path, dict, str | None]], out: Path) -> int:
    from incident_lib.runner import NotebookFailed, run_notebook

    for notebook, parameters, name in runs:
        try:
            outputs = run_notebook(notebook, parameters, out, name)
        except NotebookFailed as exc:
            print(f"incident-lab: {exc} (executed notebook kept: {exc.path})", file=sys.stderr)
            return EXIT_NOTEBOOK
        print(f"{outputs.notebook}\n{outputs.html}")
    return 0


def _write(text: str) -> None:
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `incident-lab diagnose … | head` is fine
        sys.stderr.close()


if __name__ == "__main__":
    sys.exit(main())
