"""What every fault test asks of a refusal: exit 2 and one line of the CLI's own, never an internal error."""

from __future__ import annotations


def the_one_line(code: int, err: str, *phrases: str) -> str:
    """The single stderr line of a refused command, holding each of `phrases`."""
    assert code == 2, err
    [line] = err.strip().splitlines()
    assert line.startswith("incident-lab: error: ") and "could not process the input" not in line, line
    for phrase in phrases:
        assert phrase in line, line
    return line
