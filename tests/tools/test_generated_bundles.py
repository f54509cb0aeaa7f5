"""The bundle generators write byte for byte what they wrote before: the shipped incidents are exactly
what incidents/reconstruct*.py write, and the synthetic bundle of benchmarks/ hashes as recorded in
synthetic_bundle.sha256 (two small sizes, every file and the states it reports)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INCIDENTS = ROOT / "incidents"
RECORDED = Path(__file__).with_name("synthetic_bundle.sha256")
# name -> (pods, events, services, deployments, nodes), seed 7
SYNTHETIC_SIZES = {"synthetic-200": (200, 1_000, 40, 20, 10), "synthetic-1000": (1_000, 5_000, 200, 100, 33)}


@pytest.fixture
def generators(monkeypatch):
    """The generator scripts, imported as their directories' scripts import each other."""
    monkeypatch.syspath_prepend(str(INCIDENTS))
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import reconstruct
    import reconstruct_drills
    import synthetic_cluster

    yield reconstruct, reconstruct_drills, synthetic_cluster
    for name in ("reconstruct", "reconstruct_drills", "synthetic_cluster", "synthetic_bundle"):
        sys.modules.pop(name, None)


def file_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_reconstruct_writes_the_shipped_oom_drill(generators, tmp_path, monkeypatch):
    reconstruct, _, _ = generators
    monkeypatch.setattr(reconstruct, "BUNDLE", tmp_path / "oom-drill")
    reconstruct.main()
    written, shipped = file_bytes(tmp_path / "oom-drill"), file_bytes(INCIDENTS / "oom-drill")
    assert written.keys() == shipped.keys()
    assert [path for path in written if written[path] != shipped[path]] == []


def test_reconstruct_drills_write_the_shipped_drills(generators, tmp_path):
    _, drills, _ = generators
    for name, write in (
        ("crash-loop", drills.crash_loop),
        ("bad-service", drills.bad_service_bundle),
        ("latency", drills.latency_bundle),
    ):
        write(tmp_path / name)
        written, shipped = file_bytes(tmp_path / name), file_bytes(INCIDENTS / name)
        assert written.keys() == shipped.keys(), name
        assert [path for path in written if written[path] != shipped[path]] == [], name


def test_the_synthetic_bundle_hashes_as_recorded(generators, tmp_path):
    _, _, synthetic_cluster = generators
    hashes = {}
    for name, (pods, events, services, deployments, nodes) in SYNTHETIC_SIZES.items():
        states = synthetic_cluster.generate_bundle(
            tmp_path / name, pods, events, 7, services=services, deployments=deployments, nodes=nodes
        )
        (tmp_path / name / "states.txt").write_text(
            "".join(f"{key}\t{state}\n" for key, state in sorted(states.items()))
        )
        hashes |= {f"{name}/{path}": sha256(data) for path, data in file_bytes(tmp_path / name).items()}
    recorded = dict(reversed(line.split("  ")) for line in RECORDED.read_text().splitlines())
    assert {path: digest for path, digest in hashes.items() if recorded.get(path) != digest} == {}
    assert hashes.keys() == recorded.keys()
