"""Reading an `incident-bundle/v1`: a directory or a `.tar.gz`, never trusted.

Archive paths are confined to the bundle (no absolute paths, no `..`, no links or devices), and a
malformed file is an `InputError` that names it. What a bundle may cost is bounded before it is paid:

- time: an archive may decompress to `MAX_BUNDLE_BYTES` at most, members read or skipped, checked
  against each member's declared size before its bytes are decompressed, hold `MAX_FILES` members at
  most, and take `MAX_UNPACK_SECONDS` at most;
- memory: a JSON file whose decoding is estimated past `MAX_DENSITY` times its size (a shape no
  Kubernetes object has) is refused before it is decoded; every byte kept (files, log tails) and the
  estimated cost of decoding each JSON file are charged to `MAX_JSON_MEMORY` before they are paid;
  tar's own headers are bounded too;
- a bundle path that is a FIFO or a device is refused without opening it (reading one never ends).

A refusal is one line naming the file or member and the limit.
"""

from __future__ import annotations

import gzip
import json
import re
import stat
import tarfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from incident_lib.errors import InputError
from incident_lib.gc_pause import gc_paused
from incident_lib.k8s.objects import describe, iter_objects, parse_time
from incident_lib.snapshot import LogKey, Snapshot

FORMAT = "incident-bundle/v1"
# A JSON file (a log has no limit: it is kept as its tail). A large cluster's files are to be split per
# namespace (issue 14) rather than this raised.
MAX_FILE_BYTES = 512 << 20
# Decoding Kubernetes JSON costs 4.6-6.1 times its size as `_decoding_cost` estimates it (the synthetic
# 10,000- and 20,000-pod bundles of benchmarks/), hostile shapes 16-200 times (`[{},…]`, `[[[[]]]]`,
# short strings): a file estimated past MAX_DENSITY times its size is refused before it is decoded, so
# a small archive cannot unfold into gigabytes of objects.
MAX_DENSITY = 12
# What a bundle's bytes and decoded JSON may cost in memory, estimated from above before decoding. It
# admits the 20,000-pod synthetic bundle (charged 3.0 GiB, about half of that really used).
MAX_JSON_MEMORY = 4 << 30
MAX_BUNDLE_BYTES = 1 << 30  # what an archive may decompress to, all members read or skipped
# How long an archive may take to read: 1 GiB unpacks in 3-5 s here; this catches what no bound on bytes
# does, gzip spinning over what yields no bytes (a 20 MB file of a million empty gzip members: 18 s).
MAX_UNPACK_SECONDS = 15
# Files of a directory or members of an archive, read or skipped: each costs time and a little memory
# that the budgets above do not see. A capture writes a few hundred (logs of at most 400 containers).
MAX_FILES = 20_000
MAX_LOG_BYTES = 1 << 20  # a log is kept as its last MiB: rules read the tail, people read `kubectl logs`
_READ = ("manifest.json", "k8s/", "metrics/", "logs/")  # what a bundle is made of; the rest is not read
# Names end up in the kubectl commands reports suggest: anything a shell would interpret is refused.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._:-]{0,252})?$")
_CHUNK = 1 << 20  # a member's bytes are decompressed a chunk at a time
# tar's own records (a long name, pax records such as a long path) are read whole by tarfile, and pax
# "global" records add up until a member is reached: these bound what that holds.
_MAX_HEADER_BYTES = 8 << 10
_MAX_GLOBAL_RECORDS = 64  # `git archive` writes one
_WIDE_ESCAPE = re.compile(rb"\\u(?!00[0-7])")  # an escape of a non-ASCII character
_NOT_MARKS = bytes(sorted(set(range(256)) - set(b"{[,:")))  # all but the bytes that delimit JSON values


def read_bundle(path: str | Path) -> Snapshot:
    """Return the snapshot saved in the bundle at `path` (a directory or a `.tar.gz`)."""
    path = Path(path)
    memory = _Memory()
    files = _directory_files(path, memory) if _is_directory(path) else _archive_files(path, memory)
    if "manifest.json" not in files:
        raise InputError(f"{path}: not an incident bundle (no manifest.json)")
    manifest = _manifest(_json(files, "manifest.json", memory))
    objects: list[dict] = []
    metrics: dict[str, dict] = {}
    logs: dict[LogKey, Callable[[], str]] = {}
    for name in sorted(files):
        parts = PurePosixPath(name).parts
        if parts[0] == "k8s" and name.endswith(".json"):
            objects.extend(_objects(_json(files, name, memory), name))
        elif parts[0] == "metrics" and name.endswith(".json") and len(parts) == 2:
            metrics[PurePosixPath(name).stem] = _metric(_json(files, name, memory), name)
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


class _Memory:
    """What reading one bundle holds in memory, charged before it is held: past `MAX_JSON_MEMORY` it is
    a one-line error naming the file."""

    def __init__(self) -> None:
        self.spent = 0

    def spend(self, n: int, doing: str) -> None:
        self.spent += n
        if self.spent > MAX_JSON_MEMORY:
            raise InputError(
                f"{doing} would take the bundle over the {MAX_JSON_MEMORY >> 20} MiB of memory it may use"
            )


def _is_directory(path: Path) -> bool:
    """Whether `path` is a directory; a FIFO or a device is refused here, before anything opens it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"bundle not found: {path}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from None
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        raise InputError(f"{path}: not a bundle: a FIFO, socket or device, not a directory or a .tar.gz")
    return stat.S_ISDIR(mode)


Reader = Callable[[int], bytes | bytearray]  # at most n bytes (the last n for logs), or InputError


def _directory_files(root: Path, memory: _Memory) -> dict[str, Reader]:
    root = root.resolve()
    files: dict[str, Reader] = {}
    for count, file in enumerate(root.rglob("*")):
        if count == MAX_FILES:
            raise InputError(f"{root}: more than {MAX_FILES} files, not a bundle")
        if file.is_symlink() or not file.is_file():
            continue
        name = file.relative_to(root).as_posix()
        files[name] = _file_reader(file, name, memory)
    return files


def _file_reader(file: Path, name: str, memory: _Memory) -> Reader:
    def read(limit: int) -> bytes | bytearray:
        size = file.stat().st_size
        with file.open("rb") as handle:
            if file.suffix == ".log":  # read when a rule asks, a MiB at a time: not held, not charged
                handle.seek(max(0, size - limit))
                return handle.read(limit)
            _check_size(name, size)
            memory.spend(size, f"{name}: reading it")
            return handle.read(limit)

    return read


def _check_size(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{name} is {size} bytes, over the {MAX_FILE_BYTES >> 20} MiB limit of a bundle file"
        )


def _archive_files(path: Path, memory: _Memory) -> dict[str, Reader]:
    """Read an archive's regular files into memory, refusing members that would escape the bundle or
    cost more than a bundle may."""
    with path.open("rb") as raw:
        if raw.read(2) != b"\x1f\x8b":  # gzip's magic number: anything else is one line, not tar's five
            raise InputError(f"{path}: not a directory or a readable .tar.gz bundle (not gzip)")
        raw.seek(0)
        try:
            with (
                gzip.GzipFile(fileobj=_Timed(raw, path)) as unzipped,
                tarfile.open(fileobj=_Headers(unzipped, path), mode="r:") as archive,
            ):
                return _strip_top_folder(_members(archive, unzipped, path, memory))
        except (tarfile.TarError, OSError, EOFError, zlib.error, RecursionError) as exc:
            # RecursionError: tarfile reads a chain of extended headers recursively
            raise InputError(f"{path}: not a directory or a readable .tar.gz bundle ({exc})") from None


def _members(
    archive: tarfile.TarFile, unzipped: gzip.GzipFile, path: Path, memory: _Memory
) -> dict[str, Reader]:
    """The bundle files of `archive`, each checked against its declared size before it is unpacked."""
    files: dict[str, Reader] = {}
    for count, member in enumerate(iter(archive.next, None)):
        if count == MAX_FILES:
            raise InputError(f"{path}: more than {MAX_FILES} members, not a bundle")
        archive.members.clear()  # tarfile keeps every header it read: a flood of members would add up
        if len(archive.pax_headers) > _MAX_GLOBAL_RECORDS:
            raise InputError(f"{path}: more than {_MAX_GLOBAL_RECORDS} pax global records, not a bundle")
        if member.offset_data + member.size > MAX_BUNDLE_BYTES:
            raise InputError(
                f"{path}: unpacks to more than {MAX_BUNDLE_BYTES >> 20} MiB "
                f"({member.name} is {member.size} bytes)"
            )
        name = _member_name(member, path)
        if name is None or not any(part.startswith(_READ) for part in _roots(name)):
            continue  # skipped, and still counted: tarfile decompresses it to reach the next header
        is_log = name.endswith(".log")
        if not is_log:
            _check_size(f"{path}: {name}", member.size)
        kept = min(member.size, MAX_LOG_BYTES) if is_log else member.size
        memory.spend(kept, f"{path}: {name}: unpacking it")
        data = _tail(unzipped, member.offset_data + member.size, kept)
        files[name] = lambda n, data=data: data if len(data) <= n else data[-n:]  # no copy when it fits
    return files


def _tail(unzipped: gzip.GzipFile, end: int, kept: int) -> bytearray:
    """The `kept` bytes before `end` in the decompressed stream, read in place: what comes before (a
    log's head, skipped members) is decompressed and dropped, never held."""
    unzipped.seek(end - kept)
    data = bytearray(kept)
    view = memoryview(data)
    for at in range(0, kept, _CHUNK):
        chunk = view[at : at + _CHUNK]
        if unzipped.readinto(chunk) != len(chunk):
            raise tarfile.ReadError("unexpected end of data")
    return data


class _Timed:
    """The archive file as gzip reads it, refused once reading it has taken `MAX_UNPACK_SECONDS`."""

    def __init__(self, raw, archive: Path) -> None:
        self._raw, self._archive = raw, archive
        self._deadline = time.monotonic() + MAX_UNPACK_SECONDS

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() > self._deadline:
            raise InputError(f"{self._archive}: took more than {MAX_UNPACK_SECONDS} s to unpack")
        return self._raw.read(size)


class _Headers:
    """The decompressed stream of an archive as tarfile reads its headers: refused past `MAX_BUNDLE_BYTES`
    before the bytes are decompressed, and in reads of at most `_MAX_HEADER_BYTES`, so that a header
    claiming megabytes is refused before it is read whole. Members' bytes are read by `_tail`."""

    def __init__(self, unzipped: gzip.GzipFile, archive: Path) -> None:
        self._unzipped, self._archive = unzipped, archive

    def read(self, size: int) -> bytes:
        if size > _MAX_HEADER_BYTES:
            raise InputError(f"{self._archive}: a tar header of {size} bytes, not a bundle")
        self._allow(self._unzipped.tell() + size)
        return self._unzipped.read(size)

    def seek(self, offset: int) -> int:
        self._allow(offset)
        return self._unzipped.seek(offset)

    def tell(self) -> int:
        return self._unzipped.tell()

    def seekable(self) -> bool:
        return True

    def _allow(self, end: int) -> None:
        if end > MAX_BUNDLE_BYTES:
            raise InputError(f"{self._archive}: unpacks to more than {MAX_BUNDLE_BYTES >> 20} MiB")


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
    if member.issparse():  # its bytes are not where `_tail` reads them
        raise InputError(f"{archive}: member {member.name!r} is a sparse file, not a bundle file")
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


def _json(files: dict[str, Reader], name: str, memory: _Memory):
    data = files[name](MAX_FILE_BYTES)
    cost = _decoding_cost(data)
    if cost > MAX_DENSITY * max(len(data), 1 << 20):
        raise InputError(
            f"{name}: decoding it would take {cost // max(len(data), 1)} times its size in memory, "
            f"more than Kubernetes JSON does (at most {MAX_DENSITY}): not a bundle file"
        )
    memory.spend(cost, f"{name}: decoding it")
    try:
        with gc_paused():
            return json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: malformed JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    except RecursionError:
        raise InputError(f"{name}: JSON nested too deeply") from None


def _decoding_cost(data: bytes) -> int:
    """An upper bound on the memory `json.loads(data)` takes: the text decoded from the bytes, the
    strings parsed out of it (4 bytes a character once one is outside ASCII), and the containers and
    values, counted from the characters that make them.

    Measured on CPython 3.11, the estimate is 1.0 to 4 times the real cost of hostile shapes (`[{},…]`,
    `[[[[…]]]]`, unique keys, short strings, numbers, a string made 4 bytes a letter by one emoji) and
    about 2 times that of Kubernetes JSON (tests/sources/test_bundle.py holds it to both). The real cost
    per byte depends on the shape: 2.5-3.6 for kubectl's indented output, 3.8-5.6 for a capture's
    (the text decoded included), up to 50 for the worst shapes.
    """
    width = 1 if data.isascii() and not _WIDE_ESCAPE.search(data) else 4
    marks = data.translate(None, _NOT_MARKS)  # a few percent of the bytes: counted faster than the whole
    return (
        4096  # the decoder's own tables
        + 2 * width * len(data)
        + 200 * marks.count(b"{")  # a dict and its table of keys
        + 128 * marks.count(b"[")  # a list
        + 80 * (marks.count(b",") + marks.count(b":"))  # a value or a key, and its slot
    )


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
    """What no reading can be lenient about: an object must be an object of a kind, with a name that is
    a name (names reach the commands the reports suggest). Other fields of the wrong type are read as
    absent (incident_lib.k8s.shapes)."""
    kind = obj.get("kind")
    for key in ("metadata", "spec", "status"):
        if not isinstance(obj.get(key, {}), dict):
            raise InputError(f"{file}: a {kind} has a '{key}' that is not an object ({describe(obj)})")
    meta = obj.get("metadata") or {}
    names = [("metadata.name", meta.get("name")), ("metadata.namespace", meta.get("namespace"))]
    if kind == "Pod":
        spec = obj.get("spec") or {}
        names += [
            (f"spec.{key}[{i}].name", container.get("name"))
            for key in ("containers", "initContainers")
            if isinstance(spec.get(key), list)
            for i, container in enumerate(spec[key])
            if isinstance(container, dict)
        ]
    for field, value in names:
        if value is not None and not (isinstance(value, str) and _SAFE_NAME.match(value)):
            raise InputError(f"{file}: a {kind} has an invalid name {value!r} ({field} of {describe(obj)})")


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
