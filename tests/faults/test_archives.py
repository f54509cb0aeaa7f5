"""Crafted bundles and paths handed to `incident-lab diagnose --bundle`, as a user (or an attacker) would.

Each is refused with one line on stderr and exit 2, quickly and in bounded memory: gzip bombs, members
that declare or add up to more than an archive may unpack to, JSON whose decoding would cost too much
memory or nests too deeply, tar headers that claim megabytes, members that leave the bundle, and paths
that are no bundle at all (a FIFO, a device, an empty file, a README). The command runs in a process of
its own, under a small wrapper that reports its peak RSS, so the memory figure is the command's alone.
Run with `-s` for the matrix: mode, outcome, wall time, peak memory.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from incident_lib.errors import InputError
from incident_lib.sources import bundle
from incident_lib.sources.bundle import (
    MAX_BUNDLE_BYTES,
    MAX_DENSITY,
    MAX_FILE_BYTES,
    MAX_FILES,
)
from tests.faults.outcomes import the_one_line
from tests.helpers import ROOT

GENEROUS = 30.0  # seconds: no refusal comes near it; it catches a hang or a 10 GiB decompression
PEAK_LIMIT_MIB = 512  # issue 15: peak memory on every hostile input
MiB = 1 << 20
MANIFEST = json.dumps({"format": "incident-bundle/v1", "captured_at": "2025-12-17T10:05:00Z"}).encode()

# Runs the command and prints its wall time and peak RSS: a child of the test process would report the
# test process's own high-water mark, a child of this small wrapper only the command's.
_MEASURE = """
import resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
sys.stdout.write(f"{done.returncode} {time.monotonic() - start:.3f} {peak:.1f}\\n{done.stderr}")
"""

MATRIX: list[tuple[str, str, float, float]] = []


@dataclass
class Refusal:
    """What `diagnose --bundle` did with a crafted input: exit code, stderr, wall seconds, peak MiB."""

    code: int
    err: str
    seconds: float
    peak: float

    def one_line(self, *phrases: str) -> str:
        """The single stderr line, holding each of `phrases` (and no internal error)."""
        line = the_one_line(self.code, self.err, *phrases)
        assert self.seconds < GENEROUS
        assert self.peak < PEAK_LIMIT_MIB
        return line


@pytest.fixture(scope="module", autouse=True)
def matrix():
    yield
    print(f"\n{'mode':42} {'wall s':>7} {'peak MiB':>9}  outcome (exit 2, one line)")
    for mode, outcome, seconds, peak in MATRIX:
        print(f"{mode:42} {seconds:7.2f} {peak:9.1f}  {outcome}")


def diagnose(mode: str, bundle: Path | str) -> Refusal:
    """`incident-lab diagnose --bundle BUNDLE` in a process of its own, measured; recorded for the matrix."""
    command = [sys.executable, "-m", "incident_lib.cli", "diagnose", "--bundle", str(bundle)]
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    figures, _, err = measured.stdout.partition("\n")
    code, seconds, peak = figures.split()
    result = Refusal(int(code), err, float(seconds), float(peak))
    outcome = err.strip().splitlines()[-1].removeprefix("incident-lab: error: ") if err.strip() else "exit 0"
    MATRIX.append((mode, outcome.replace(str(bundle), "BUNDLE"), result.seconds, result.peak))
    return result


class Repeated:
    """`head`, then `body` repeated `times`, then `tail`, produced as read: a member of hundreds of MiB
    without holding it."""

    def __init__(self, head: bytes, body: bytes, times: int, tail: bytes) -> None:
        per_chunk = max(1, MiB // len(body))
        whole, rest = divmod(times, per_chunk)
        self.size = len(head) + len(body) * times + len(tail)
        self._chunks = itertools.chain([head], itertools.repeat(body * per_chunk, whole), [body * rest, tail])
        self._chunk, self._at = b"", 0

    def read(self, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            if self._at == len(self._chunk):
                self._chunk, self._at = next(self._chunks, None), 0
                if self._chunk is None:
                    break
            piece = self._chunk[self._at : self._at + n - len(out)]
            out += piece
            self._at += len(piece)
        return bytes(out)


Content = Repeated | bytes


def archive(
    path: Path, *members: tuple[str | tarfile.TarInfo, Content], fmt: int = tarfile.PAX_FORMAT
) -> Path:
    """A `.tar.gz` of a valid manifest.json then `members` (a name or a header, and the content)."""
    with tarfile.open(path, "w:gz", format=fmt, compresslevel=1) as tar:
        for name, content in (("manifest.json", MANIFEST), *members):
            info = name if isinstance(name, tarfile.TarInfo) else tarfile.TarInfo(name)
            if isinstance(content, bytes):
                info.size, content = len(content), io.BytesIO(content)
            else:
                info.size = content.size
            tar.addfile(info, content)
    return path


def manifest() -> tuple[tarfile.TarInfo, io.BytesIO]:
    """A valid manifest.json, as `TarFile.addfile` takes it."""
    info = tarfile.TarInfo("manifest.json")
    info.size = len(MANIFEST)
    return info, io.BytesIO(MANIFEST)


def json_list(body: bytes, mib: int) -> Repeated:
    """A `kind: List` whose items are `body` repeated over about `mib` MiB."""
    return Repeated(b'{"kind": "List", "items": [', body, mib * MiB // len(body), b"{}]}")


def test_a_gzip_bomb_of_600_mib_of_json_is_refused_by_its_declared_size(tmp_path):
    bomb = archive(tmp_path / "bomb.tar.gz", ("k8s/pods.json", json_list(b"{},", 600)))
    assert bomb.stat().st_size < 3 * MiB
    diagnose("gzip bomb: 600 MiB of {} in a member", bomb).one_line(
        "k8s/pods.json is", f"over the {MAX_FILE_BYTES >> 20} MiB limit of a bundle file"
    )


@pytest.mark.parametrize(
    ("shape", "body"),
    [("{}", b"{},"), ("[[[[]]]]", b"[[[[]]]],"), ('{"k": 0}', b'{"k": 0},'), ('"ab"', b'"ab",')],
)
def test_json_whose_decoding_would_cost_more_than_kubernetes_json_is_refused_before_it_is_decoded(
    tmp_path, shape, body
):
    bomb = archive(tmp_path / "bomb.tar.gz", ("k8s/pods.json", json_list(body, 200)))
    diagnose(f"200 MiB of {shape} (under the file limit)", bomb).one_line(
        "k8s/pods.json: decoding it would take", f"more than Kubernetes JSON does (at most {MAX_DENSITY})"
    )


def test_members_that_add_up_past_what_an_archive_may_unpack_to_are_refused(tmp_path):
    zeros = [Repeated(b"", b"\0", 200 * MiB, b"") for _ in range(8)]  # not bundle files: skipped, unpacked
    bomb = archive(tmp_path / "many.tar.gz", *((f"junk/{i}.bin", z) for i, z in enumerate(zeros)))
    diagnose("8 skipped members of 200 MiB of zeros", bomb).one_line(
        f"unpacks to more than {MAX_BUNDLE_BYTES >> 20} MiB", "junk/5.bin"
    )


def test_a_member_declaring_10_gib_is_refused_before_a_byte_of_it_is_unpacked(tmp_path):
    header = tarfile.TarInfo("junk/huge.bin")
    header.size = 10 << 30
    bomb = tmp_path / "huge.tar.gz"
    with tarfile.open(bomb, "w:gz") as tar:  # the header alone: what follows it is never read
        tar.addfile(*manifest())
        tar.fileobj.write(header.tobuf(tarfile.GNU_FORMAT))
    diagnose("a member declaring 10 GiB", bomb).one_line(
        f"unpacks to more than {MAX_BUNDLE_BYTES >> 20} MiB", f"junk/huge.bin is {10 << 30} bytes"
    )


def test_gzip_spinning_over_empty_gzip_members_is_stopped_at_the_deadline(tmp_path, monkeypatch):
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w") as tar:
        tar.addfile(*manifest())
    spin = tmp_path / "spin.tar.gz"  # 30 MB that gunzip takes seconds to find nothing in
    spin.write_bytes(gzip.compress(b"", mtime=0) * 1_500_000 + gzip.compress(plain.getvalue()))
    # The deadline made short, so that a fast machine spins past it too: what is tested is that the
    # deadline holds while gzip yields no bytes, not how long the default is.
    monkeypatch.setattr(bundle, "MAX_UNPACK_SECONDS", 0.5)
    with pytest.raises(InputError, match=r"took more than 0\.5 s to unpack"):
        bundle.read_bundle(spin)


def test_a_flood_of_empty_members_is_refused_by_their_number(tmp_path):
    flood = archive(tmp_path / "flood.tar.gz", *((f"junk/{i}", b"") for i in range(MAX_FILES + 1)))
    diagnose(f"{MAX_FILES + 1} empty members", flood).one_line(f"more than {MAX_FILES} members")


def test_a_tar_header_claiming_megabytes_is_refused_before_it_is_read(tmp_path):
    long_name = "k8s/" + "x" * (8 * MiB) + ".json"  # a GNU long name: tarfile reads it whole
    bomb = archive(tmp_path / "header.tar.gz", (long_name, b"{}"), fmt=tarfile.GNU_FORMAT)
    diagnose("an 8 MiB member name", bomb).one_line("a tar header of", "not a bundle")


@pytest.mark.parametrize(
    ("mode", "headers", "message"),
    [
        (
            "2,000 chained pax global headers",
            [{"comment": "x"}] * 2_000,
            "not a directory or a readable .tar.gz",
        ),
        (
            "100 pax global headers of 100 records",
            [{f"k{i}.{j}": "v" for j in range(100)} for i in range(100)],
            "more than 64 pax global records",
        ),
    ],
)
def test_pax_global_headers_that_pile_up_are_refused(tmp_path, mode, headers, message):
    plain = io.BytesIO()
    for records in headers:
        plain.write(tarfile.TarInfo.create_pax_global_header(records))
    with tarfile.open(fileobj=plain, mode="w") as tar:  # after the headers, where `plain` stands
        tar.addfile(*manifest())
    bomb = tmp_path / "headers.tar.gz"
    bomb.write_bytes(gzip.compress(plain.getvalue()))
    diagnose(mode, bomb).one_line(message)


def test_json_nested_past_the_recursion_limit_is_refused(tmp_path):
    bomb = archive(tmp_path / "deep.tar.gz", ("k8s/pods.json", b"[" * 50_000 + b"]" * 50_000))
    diagnose("JSON nested 50,000 deep", bomb).one_line("k8s/pods.json: JSON nested too deeply")


def link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


@pytest.mark.parametrize(
    ("mode", "info", "message"),
    [
        ("a symbolic link member", link("k8s/pods.json", "/etc/passwd"), "is a link or device"),
        ("an absolute member path", tarfile.TarInfo("/etc/cron.d/x"), "points outside the bundle"),
        ("a .. member path", tarfile.TarInfo("k8s/../../x.json"), "points outside the bundle"),
    ],
)
def test_members_that_leave_the_bundle_are_refused(tmp_path, mode, info, message):
    diagnose(mode, archive(tmp_path / "evil.tar.gz", (info, b""))).one_line(repr(info.name), message)


def test_a_fifo_is_refused_at_once_not_read_for_ever(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    diagnose("a FIFO", tmp_path / "fifo").one_line("not a bundle: a FIFO, socket or device")


def test_a_device_is_refused_at_once(tmp_path):
    diagnose("/dev/zero", "/dev/zero").one_line("/dev/zero: not a bundle: a FIFO, socket or device")


def truncated(tmp_path: Path) -> bytes:
    whole = archive(tmp_path / "whole.tar.gz", ("k8s/pods.json", b"{}" * 50_000)).read_bytes()
    return whole[: len(whole) // 2]


@pytest.mark.parametrize(
    ("mode", "content", "message"),
    [
        ("an empty file", lambda _: b"", "(not gzip)"),
        ("a file that is not gzip", lambda _: b"PK\x03\x04 a zip", "(not gzip)"),
        (
            "gzip of something not tar",
            lambda _: gzip.compress(b"not a tar archive\n" * 100),
            "(invalid header)",
        ),
        ("a truncated .tar.gz", truncated, "(Compressed file ended before the end-of-stream marker"),
    ],
)
def test_a_file_that_is_no_archive_is_one_line(tmp_path, mode, content, message):
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(content(tmp_path))
    diagnose(mode, path).one_line(f"bundle.tar.gz: not a directory or a readable .tar.gz bundle {message}")


def test_the_readme_is_not_a_bundle():
    diagnose("README.md", ROOT / "README.md").one_line(
        "README.md: not a directory or a readable .tar.gz bundle (not gzip)"
    )
