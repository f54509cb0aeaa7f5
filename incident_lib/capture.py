"""Writing a snapshot as an `incident-bundle/v1`: a directory, or a `.tar.gz` when the path says so.

The bundle is written beside its destination under a temporary name and moved into place only when
complete, so a capture that fails (Ctrl-C, a full disk, an API error) leaves nothing that looks like a
bundle. What is written reads back as the same snapshot: `read_bundle(write_bundle(s, p))` diagnoses
exactly as `s` does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

from incident_lib.errors import InputError
from incident_lib.k8s.kinds import KINDS, OPTIONAL_GROUPS
from incident_lib.snapshot import Snapshot

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
_SAFE = re.compile(r"^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$")  # DNS names and signal names: safe as path segments
# an add-on's kinds are named with their group (`virtualservices.networking.istio.io`), as kubectl does
_FILE_NAMES = {
    k.kind: f"{k.resource}.{k.group}" if k.group in OPTIONAL_GROUPS else k.resource for k in KINDS.values()
}


def write_bundle(snapshot: Snapshot, path: str | Path, progress=None) -> Path:
    """Write `snapshot` to `path` (a new directory, or a `.tar.gz`/`.tgz` archive) and return the path.

    `progress` is a tqdm bar (or anything with `update`, `total` and `refresh`) advanced per file.
    """
    path = Path(path)
    if path.exists():
        raise InputError(f"{path} already exists: choose another -o, or remove it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    archive = path.name.endswith(ARCHIVE_SUFFIXES)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    partial = path.parent / f"{staging.name}.tar.gz"
    try:
        _write_files(snapshot, staging, progress)
        if archive:
            with tarfile.open(partial, "w:gz") as tar:
                for file in sorted(staging.rglob("*")):
                    if file.is_file():
                        tar.add(file, arcname=file.relative_to(staging).as_posix())
            os.replace(partial, path)
        else:
            staging.rename(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path


def _write_files(snapshot: Snapshot, root: Path, progress) -> None:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for obj in snapshot.objects:
        by_kind[obj.get("kind", "")].append(obj)
    if progress is not None:
        progress.total = (progress.total or 0) + len(by_kind) + len(snapshot.metrics) + len(snapshot.logs) + 1
        progress.refresh()

    def advance(what: str) -> None:
        if progress is not None:
            progress.set_description(what[:40], refresh=False)
            progress.update(1)

    for kind, objects in sorted(by_kind.items()):
        name = _FILE_NAMES.get(kind) or kind.lower()
        _write_json(
            root / "k8s" / f"{_segment(name)}.json", {"apiVersion": "v1", "kind": "List", "items": objects}
        )
        advance(f"write {name}")
    for name, body in sorted(snapshot.metrics.items()):
        _write_json(root / "metrics" / f"{_segment(name)}.json", body)
        advance(f"write {name}")
    for key, read in sorted(snapshot.logs.items()):
        file = f"{_segment(key.container)}{'.previous' if key.previous else ''}.log"
        target = root / "logs" / _segment(key.namespace) / _segment(key.pod) / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(read().encode("utf-8"))
        advance(f"write log {key.pod}")
    # The manifest last: a bundle is a bundle only once everything it lists is there.
    _write_json(root / "manifest.json", snapshot.manifest, indent=2)
    advance("manifest")


def _write_json(file: Path, document, indent: int | None = None) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=indent, ensure_ascii=False)
        handle.write("\n")


def _segment(name: str) -> str:
    if not _SAFE.match(name) or ".." in name:
        raise InputError(f"refusing to write {name!r} as a bundle path: not a Kubernetes name")
    return name
