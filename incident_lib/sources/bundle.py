"""Reading an `incident-bundle/v1`: a directory or a `.tar.gz`, never trusted.

Archive paths are confined to the bundle (no absolute paths, no `..`, no links or devices), file sizes
are bounded, and a malformed file is an `InputError` that names it.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from incident_lib.errors import InputError
from incident_lib.gc_pause import gc_paused
from incident_lib.k8s.objects import iter_objects, parse_time
from incident_lib.snapshot import LogKey, Snapshot

FORMAT = "incident-bundle/v1"
MAX_FILE_BYTES = 512 << 20  # the pods of a 10,000-pod cluster are ~200 MiB of JSON; 512 MiB is hostile
MAX_BUNDLE_BYTES = 1 << 30  # what an archive may unpack to in memory, all files together
MAX_LOG_BYTES = 1 << 20  # a log is kept as its last MiB: rules read the tail, people read `kubectl logs`
_READ = ("manifest.json", "k8s/", "metrics/", "logs/")  # what a bundle is made of; the rest is not read
# Names end up in the kubectl commands reports suggest: anything a shell would interpret is refused.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._:-]{0,252})?$")


def read_bundle(path: str | Path) -> Snapshot:
    """Return the snapshot saved in the bundle at `path` (a directory or a `.tar.gz`)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"bundle not found: {path}")
    files = _directory_files(path) if path.is_dir() else _archive_files(path)
    if "manifest.json" not in files:
        raise InputError(f"{path}: not an incident bundle (no manifest.json)")
    manifest = _manifest(_json(files, "manifest.json"))
    objects: list[dict] = []
    metrics: dict[str, dict] = {}
    logs: dict[LogKey, Callable[[], str]] = {}
    for name in sorted(files):
        parts = PurePosixPath(name).parts
        if parts[0] == "k8s" and name.endswith(".json"):
            objects.extend(_objects(_json(files, name), name))
        elif parts[0] == "metrics" and name.endswith(".json") and len(parts) == 2:
            metrics[PurePosixPath(name).stem] = _metric(_json(files, name), name)
        elif parts[0] == "logs" and name.endswith(".log") and len(parts) == 4:
            logs[_log_key(parts)] = _log_reader(files[name])
    return Snapshot(
        captured_at=parse_time(manifest["captured_at"]),
        objects=objects,
        metrics=metrics,
        logs=logs,
        manifest=manifest,
        origin=str(path),
    )


Reader = Callable[[int], bytes]  # reads at most n bytes (the last n for logs), or raises InputError


def _directory_files(root: Path) -> dict[str, Reader]:
    root = root.resolve()
    files: dict[str, Reader] = {}
    for file in root.rglob("*"):
        if file.is_symlink() or not file.is_file():
            continue
        files[file.relative_to(root).as_posix()] = _file_reader(file)
    return files


def _file_reader(file: Path) -> Reader:
    def read(limit: int) -> bytes:
        size = file.stat().st_size
        with file.open("rb") as handle:
            if file.suffix == ".log":
                handle.seek(max(0, size - limit))
            elif size > limit:
                raise InputError(f"{file.name}: {size} bytes is over the {limit}-byte limit of a bundle file")
            return handle.read(limit)

    return read


def _archive_files(path: Path) -> dict[str, Reader]:
    """Read an archive's regular files into memory, refusing members that would escape the bundle."""
    files: dict[str, Reader] = {}
    total = 0
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                name = _member_name(member, path)
                if name is None or not any(part.startswith(_READ) for part in _roots(name)):
                    continue
                is_log = name.endswith(".log")
                if member.size > MAX_FILE_BYTES and not is_log:
                    raise InputError(f"{path}: {name} is {member.size} bytes, over the bundle limit")
                total += min(member.size, MAX_LOG_BYTES) if is_log else member.size
                if total > MAX_BUNDLE_BYTES:
                    raise InputError(f"{path}: unpacks to more than {MAX_BUNDLE_BYTES >> 20} MiB")
                handle = archive.extractfile(member)
                if is_log and member.size > MAX_LOG_BYTES:
                    handle.seek(member.size - MAX_LOG_BYTES)  # a huge log never reaches memory whole
                data = handle.read()
                files[name] = lambda n, data=data: data[-n:]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InputError(f"{path}: not a directory or a readable .tar.gz bundle ({exc})") from None
    return _strip_top_folder(files)


def _roots(name: str) -> tuple[str, str]:
    """The name, and the name below a top folder (`tar czf b.tar.gz bundle/` adds one)."""
    return name, name.split("/", 1)[-1]


def _member_name(member: tarfile.TarInfo, archive: Path) -> str | None:
    if member.isdir():
        return None
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        raise InputError(f"{archive}: member {member.name!r} points outside the bundle")
    if not member.isfile():
        raise InputError(f"{archive}: member {member.name!r} is a link or device, not a file")
    return name.as_posix().removeprefix("./")


def _strip_top_folder(files: dict[str, Reader]) -> dict[str, Reader]:
    """`tar czf b.tar.gz bundle/` puts everything under `bundle/`: read it as the bundle root."""
    if "manifest.json" in files:
        return files
    tops = {PurePosixPath(n).parts[0] for n in files}
    if len(tops) == 1 and f"{next(iter(tops))}/manifest.json" in files:
        prefix = f"{next(iter(tops))}/"
        return {n.removeprefix(prefix): r for n, r in files.items()}
    return files


def _json(files: dict[str, Reader], name: str):
    try:
        with gc_paused():
            return json.loads(files[name](MAX_FILE_BYTES))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: malformed JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None


def _manifest(manifest) -> dict:
    if not isinstance(manifest, dict):
        raise InputError("manifest.json: expected a JSON object")
    if manifest.get("format") != FORMAT:
        raise InputError(f"manifest.json: format is {manifest.get('format')!r}, expected {FORMAT!r}")
    try:
        if parse_time(manifest.get("captured_at")) is None:
            raise ValueError
    except (ValueError, TypeError, AttributeError):
        raise InputError("manifest.json: captured_at must be an RFC 3339 time") from None
    return manifest


def _objects(document, name: str) -> list[dict]:
    try:
        objects = list(iter_objects(document))
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from None
    for obj in objects:
        _check_shape(obj, name)
    return objects


def _check_shape(obj: dict, file: str) -> None:
    """The fields every rule reads must have the API's types, and names must be names: a bundle is not
    trusted, and its names reach the commands the reports suggest."""
    for key in ("metadata", "spec", "status"):
        if not isinstance(obj.get(key, {}), dict):
            raise InputError(f"{file}: a {obj.get('kind')} has a '{key}' that is not an object")
    meta = obj.get("metadata") or {}
    names = [meta.get("name"), meta.get("namespace")]
    if obj.get("kind") == "Pod":
        spec = obj.get("spec") or {}
        names += [c.get("name") for key in ("containers", "initContainers") for c in spec.get(key) or []]
    for value in names:
        if value is not None and not (isinstance(value, str) and _SAFE_NAME.match(value)):
            raise InputError(f"{file}: a {obj.get('kind')} has an invalid name {value!r}")


def _metric(body, name: str) -> dict:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("result"), list):
        raise InputError(f"{name}: not a Prometheus API response (no data.result)")
    if not isinstance(body.get("query"), str):
        raise InputError(f"{name}: missing the 'query' that produced it")
    return body


def _log_key(parts: tuple[str, ...]) -> LogKey:
    _, namespace, pod, file = parts
    previous = file.endswith(".previous.log")
    return LogKey(namespace, pod, file.removesuffix(".log").removesuffix(".previous"), previous)


def _log_reader(read: Reader) -> Callable[[], str]:
    return lambda: read(MAX_LOG_BYTES).decode("utf-8", errors="replace")
