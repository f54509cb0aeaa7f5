"""Rewrite the parts of the repository that follow from the rule registry: `make generate`.

Each generated part sits between two marker lines in a file people also edit by hand:
`generated:NAME` opens it and `end generated:NAME` closes it (in a comment of the file's own syntax).
The chart's read-only role comes from the rules' `needs`; the vocabulary in `docs/design.md` and the
evidence table in `docs/confidence.md` come from the rules themselves. `--check` changes nothing and
exits 1 naming what is stale; `tests/tools/test_generated_files.py` runs it, so drift fails the tests.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from incident_lib.classify.registry import Rule, all_rules, vocabulary
from incident_lib.needs import rbac_yaml

ROOT = Path(__file__).resolve().parents[1]


def vocabulary_markdown() -> str:
    """Root causes by subject kind, each with its rule id, default severity, what it explains and needs."""
    rules = all_rules()
    lines = [
        "| subject | root cause | rule | severity | explains | needs | what it recognises |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for subject, causes in vocabulary().items():
        by_cause = {r.root_cause: r for r in rules.get(subject, [])}
        for cause in causes:
            rule = by_cause.get(cause)
            if rule is None:  # `unknown` on a kind without an unknown rule: the diagnosis' fallback
                unknown = f"`{subject.lower()}s.unknown/1` | warning | | | no rule recognised the state"
                lines.append(f"| {subject} | `{cause}` | {unknown} |")
                continue
            lines.append(
                f"| {subject} | `{cause}` | `{rule.id}` | {rule.severity} | {_names(rule.explains)} | "
                f"{_names([k.kind for k in rule.kinds] + list(rule.signals))} | {rule.doc} |"
            )
    return "\n".join(lines) + "\n"


def evidence_markdown() -> str:
    """The evidence table of docs/confidence.md: each rule's weights, from its docstring."""
    lines = ["| rule | evidence | weight | explains |", "| --- | --- | --- | --- |"]
    for ids, rule in _rules_by_function():
        rows = _evidence_rows(rule)
        first = f"{', '.join(f'`{i}`' for i in ids)}"
        for n, (weight, text) in enumerate(rows):
            explains = _names(sorted(rule.explains)) if n == 0 else ""
            lines.append(f"| {first if n == 0 else ''} | {text} | {weight} | {explains} |")
    return "\n".join(lines) + "\n"


def _rules_by_function() -> list[tuple[list[str], Rule]]:
    """Rules grouped by their detect function (one function may serve several kinds), in registry order."""
    groups: dict[Callable, list[Rule]] = {}
    for rules in all_rules().values():
        for rule in rules:
            groups.setdefault(rule.detect, []).append(rule)
    return [([r.id for r in rules], rules[0]) for rules in groups.values()]


_EVIDENCE_LINE = re.compile(r"^\s*-\s*(?P<weight>[^|]+?)\s*\|\s*(?P<text>.+)$")


def _evidence_rows(rule: Rule) -> list[tuple[str, str]]:
    """The `- WEIGHT | EVIDENCE` items under `Evidence:` in the rule's docstring (an item may go on
    over indented lines)."""
    rows: list[tuple[str, str]] = []
    for line in (rule.detect.__doc__ or "").partition("Evidence:")[2].splitlines():
        if item := _EVIDENCE_LINE.match(line):
            rows.append((item["weight"], item["text"]))
        elif line.strip() and rows:
            rows[-1] = (rows[-1][0], f"{rows[-1][1]} {line.strip()}")
    return rows


def _names(names) -> str:
    return ", ".join(sorted(names))


# file -> (block name, comment syntax, generator)
BLOCKS: list[tuple[str, str, str, Callable[[], str]]] = [
    ("helm/app/templates/sweep-rbac.yaml", "rbac", "  # {}", rbac_yaml),
    ("docs/design.md", "vocabulary", "<!-- {} -->", vocabulary_markdown),
    ("docs/confidence.md", "rules", "<!-- {} -->", evidence_markdown),
]


def rewritten(text: str, name: str, comment: str, body: str, where: str) -> str:
    """`text` with the lines between the markers of block `name` replaced by `body`."""
    start, end = comment.format(f"generated:{name}"), comment.format(f"end generated:{name}")
    pattern = re.compile(rf"(^{re.escape(start)}[^\n]*\n).*?(^{re.escape(end)}$)", re.M | re.S)
    if not pattern.search(text):
        raise SystemExit(f"{where}: no '{start}' ... '{end}' markers")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text, count=1)


def stale(write: bool) -> list[str]:
    """The files whose generated blocks differ from the registry's; rewritten when `write`."""
    changed = []
    for file, name, comment, generate in BLOCKS:
        path = ROOT / file
        text = path.read_text()
        new = rewritten(text, name, comment, generate(), file)
        if new != text:
            changed.append(f"{file} ({name})")
            if write:
                path.write_text(new)
    return changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = stale(write=not check)
    for what in changed:
        print(f"{'stale' if check else 'rewrote'}: {what}", file=sys.stderr if check else sys.stdout)
    if check and changed:
        print("run `make generate` and commit the result", file=sys.stderr)
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
