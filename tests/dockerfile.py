"""Reading a Dockerfile's instructions, for the structural checks of the project's images.

No Docker engine runs the tests, so the images are checked by their recipe: each stage's instructions
(continuation lines joined, comments and blank lines dropped).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from pathlib import Path

#: The base every stage of every image of the project uses: CPython 3.11, a pinned patch release, slim.
PINNED_SLIM_BASE = re.compile(r"FROM python:3\.11\.\d+-slim-bookworm( AS \w+)?")

#: What a runtime stage must not run: package managers, compilers, pip.
BUILD_TOOLS = re.compile(r"apt-get|apk |gcc|g\+\+|build-essential|pip install|pip wheel")


def stages(dockerfile: Path) -> list[list[str]]:
    """The Dockerfile's instructions, one string each, split into build stages (one list per FROM)."""
    found: list[list[str]] = []
    pending = ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # Docker drops comment lines, inside a continued instruction too
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        line, pending = pending + line, ""
        if line.startswith("FROM "):
            found.append([])
        if found:
            found[-1].append(line)
    return found


def arguments(stage: list[str], keyword: str) -> list[str]:
    """What follows KEYWORD in each of the stage's KEYWORD instructions, in order."""
    return [line[len(keyword) + 1 :].strip() for line in stage if line.split(maxsplit=1)[0] == keyword]


def environment(stage: list[str]) -> dict[str, str]:
    """The variables the stage's ENV instructions set (`ENV A=1 B=2` form), the last value winning."""
    env: dict[str, str] = {}
    for args in arguments(stage, "ENV"):
        env.update(word.split("=", 1) for word in shlex.split(args))
    return env


def final_user(stage: list[str]) -> str:
    """The user (name or uid, without the group) the stage's last USER instruction sets; "" if none."""
    users = arguments(stage, "USER")
    return users[-1].split(":")[0] if users else ""


def copies(stage: list[str]) -> list[tuple[list[str], str]]:
    """(sources, absolute destination) of each COPY from the build context (not `--from=` a stage),
    the destination resolved against the WORKDIR in force at that instruction."""
    found: list[tuple[list[str], str]] = []
    workdir = "/"
    for line in stage:
        keyword, _, rest = line.partition(" ")
        if keyword == "WORKDIR":
            workdir = posixpath.join(workdir, rest.strip())
        elif keyword == "COPY" and "--from=" not in rest:
            *sources, destination = [word for word in shlex.split(rest) if not word.startswith("--")]
            absolute = posixpath.normpath(posixpath.join(workdir, destination))
            found.append((sources, absolute + ("/" if destination.endswith("/") else "")))
    return found
