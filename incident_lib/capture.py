"""Writing a snapshot as an `incident-bundle/v1`: a directory, or a `.tar.gz` when the path says so.

The bundle is written beside its destination, in a hidden `.NAME.XXXX.partial` folder, and moved into
place only when complete, so a capture that fails (Ctrl-C, a full disk, an API error) leaves nothing
that looks like a bundle. What is written reads back as the same snapshot:
`read_bundle(write_bundle(s, p))` diagnoses exactly as `s` does.

A capture never replaces another: the move into place fails if the destination exists, atomically,
so two captures to the same `-o` cannot both win (see `_place`); `force` replaces a bundle on purpose.

A capture killed mid-write (SIGKILL, a power cut) cannot remove its partial folder; the next capture
into the same directory does (`clean_partials`). Each partial folder is locked (`flock`) by the process
writing it for as long as that process lives: the kernel drops the lock when the process ends however
it ends, so a partial whose lock can be taken is abandoned, whatever pid the system has reused since.
The pid is written inside it (`owner`) for people; the lock is what counts.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from incident_lib.errors import InputError
from incident_lib.k8s.kinds import KINDS, OPTIONAL_GROUPS
from incident_lib.snapshot import Snapshot

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")
PARTIAL_SUFFIX = ".partial"
OWNER = "owner"  # inside a partial folder: the pid of the capture writing it, written once it is locked
_SAFE = re.compile(r"^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$")  # DNS names and signal names: safe as path segments
# an add-on's kinds are named with their group (`virtualservices.networking.istio.io`), as kubectl does
_FILE_NAMES = {
    k.kind: f"{k.resource}.{k.group}" if k.group in OPTIONAL_GROUPS else k.resource for k in KINDS.values()
}


def write_bundle(snapshot: Snapshot, path: str | Path, progress=None, force: bool = False) -> Path:
    """Write `snapshot` to `path` (a new directory, or a `.tar.gz`/`.tgz` archive) and return the path.

    An existing `path` is refused, unless `force`: then a bundle there (an archive, or a directory with
    a manifest.json or empty) is replaced, and anything else still refused. Abandoned partial captures
    beside `path` are removed first. `progress` is a tqdm bar (or anything with `update`, `total` and
    `refresh`) advanced per file.
    """
    path = Path(path)
    check_target(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_partials(path.parent)
    with _partial_folder(path) as staging:
        _write_files(snapshot, staging / "bundle", progress)
        if path.name.endswith(ARCHIVE_SUFFIXES):
            with tarfile.open(staging / "bundle.tar.gz", "w:gz") as tar:
                for file in sorted((staging / "bundle").rglob("*")):
                    if file.is_file():
                        tar.add(file, arcname=file.relative_to(staging / "bundle").as_posix())
            _place(staging / "bundle.tar.gz", path, staging, force)
        else:
            _place(staging / "bundle", path, staging, force)
    return path


def clean_partials(directory: str | Path) -> list[Path]:
    """Remove the partial captures in `directory` whose capture is gone, and return them (sorted).

    Only folders named as `write_bundle` names them, with its `owner` file, and not locked by a living
    process are removed: a capture in progress, or a folder some other tool made, is left alone.
    """
    removed = []
    for partial in sorted(Path(directory).glob(f".*{PARTIAL_SUFFIX}")):
        if partial.is_symlink() or not (partial / OWNER).is_file():
            continue
        try:
            with _locked(partial):
                shutil.rmtree(partial)
        except (BlockingIOError, FileNotFoundError):
            continue  # in progress, or removed by another capture meanwhile
        removed.append(partial)
    return removed


def check_target(path: Path, force: bool = False) -> None:
    """Refuse a destination `write_bundle` would refuse: the CLI asks before a capture that takes minutes.

    This is a courtesy, not the guard: the destination may appear meanwhile, and `write_bundle` refuses
    it then, atomically (`_place`)."""
    if not (path.exists() or path.is_symlink()):
        return
    if not force:
        raise InputError(f"{path} already exists: choose another -o, remove it, or replace it with --force")
    if not _is_bundle(path):
        raise InputError(f"{path} exists and is not a bundle: --force replaces only a bundle")


def _is_bundle(path: Path) -> bool:
    if path.is_symlink() or not path.is_dir():
        return path.is_file() and path.name.endswith(ARCHIVE_SUFFIXES)
    return (path / "manifest.json").is_file() or not any(path.iterdir())


@contextmanager
def _partial_folder(path: Path) -> Iterator[Path]:
    """A new partial folder beside `path`, locked and owned by this process, removed when done."""
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=PARTIAL_SUFFIX, dir=path.parent))
    try:
        with _locked(staging):
            (staging / OWNER).write_text(f"{os.getpid()}\n")  # only once locked: see clean_partials
            yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on `folder`, or raise BlockingIOError at once if a process holds it."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


def _place(built: Path, path: Path, staging: Path, force: bool) -> None:
    """Move the finished bundle `built` to `path`, failing if `path` exists, atomically.

    An archive is hard-linked into place (`link` never replaces its target). A directory cannot be
    linked, and `rename` onto an empty directory replaces it: so `path` is first made with `mkdir`,
    which fails if anything is there, and the bundle is renamed onto that empty directory of ours.
    With `force`, what is at `path` is first moved into the partial folder, which removes it with
    the rest.
    """
    if force and (path.exists() or path.is_symlink()):
        check_target(path, force)  # still a bundle
        path.rename(staging / "replaced")
    try:
        if built.is_dir():
            path.mkdir()
            built.rename(path)
        else:
            os.link(built, path)
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):  # ENOTEMPTY: something wrote into ours
            raise
        raise InputError(f"{path} already exists: another capture wrote it first") from None


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
