"""``python -m stark_backend bench --device ...``: the CUDA rows' logic, without a GPU.

The core's CUDA entry points and the proving subprocesses are replaced by fakes, so what is
checked here is the bookkeeping: ratios against this run's CPU rows, the bandwidth bound,
host-device bytes and peak memory from ``timings``, and rows left out (with the reason under
``"skipped"``) when the core lacks a feature. The measurements themselves run on a lent GPU
(scripts/device_check.sh).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from stark_backend import _core, bench
from stark_backend.bench import Row


@pytest.fixture
def threads() -> Iterator[None]:
    old = _core.num_threads()
    yield
    _core.set_num_threads(old)


def _cpu_rows() -> list[Row]:
    return [
        Row("poseidon2_permutations_per_s_all_threads", 1.0e8, "perm/s"),
        Row("coset_lde_2^20x64_blowup2_ms", 100.0, "ms"),
        Row("merkle_commit_2^21x64_s", 0.5, "s"),
    ]


def test_cuda_without_gpu_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    if _core.cuda_available():
        pytest.skip("a GPU is usable here")
    assert bench.main(["--device", "cuda", "--quick"]) == 2
    assert "no usable CUDA device" in capsys.readouterr().err


def test_auto_without_gpu_runs_the_cpu_rows_and_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if _core.cuda_available():
        pytest.skip("a GPU is usable here")
    seen: list[str] = []

    def fake_run(quick: bool, repeats: int, end_to_end: bool, device: str) -> dict[str, Any]:
        seen.append(device)
        return {"machine": {"processor": "x", "threads": 1, "simd": "s"}, "rows": []}

    monkeypatch.setattr(bench, "run", fake_run)
    out = tmp_path / "b.json"
    assert bench.main(["--device", "auto", "--json", str(out)]) == 0
    assert seen == ["cpu"]
    assert "no usable CUDA device" in json.loads(out.read_text())["skipped"]["cuda"]


def test_resident_rows_and_bandwidth_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int, int, int]] = []

    def fake_resident(kind: str, log_height: int, width: int, repeats: int) -> float:
        calls.append((kind, log_height, width, repeats))
        return {"poseidon2": (1 << 24) / 2.5e9, "lde": 0.002, "merkle": 0.01}[kind]

    monkeypatch.setattr(bench._core, "cuda_resident_bench", fake_resident, raising=False)
    props = {"name": "Fake H200", "memory_bandwidth_bytes_per_s": 4.0e12, "total_memory_bytes": 1}
    rows, skipped = _cpu_rows(), {}
    bench.bench_cuda_resident(False, rows, skipped, props)
    assert skipped == {}
    assert [c[:3] for c in calls] == [("poseidon2", 24, 16), ("lde", 20, 64), ("merkle", 21, 64)]
    by_name = {r.name: r for r in rows}
    p2 = by_name["poseidon2_permutations_per_s_cuda_resident"]
    assert p2.value == pytest.approx(2.5e9)
    assert p2.ratio == pytest.approx(25.0)
    lde = by_name["coset_lde_2^20x64_blowup2_cuda_resident_ms"]
    assert lde.value == pytest.approx(2.0)
    assert lde.ratio == pytest.approx(50.0)
    moved = 3 * (1 << 20) * 64 * 4
    assert lde.params["bytes_moved"] == moved
    assert lde.params["bandwidth_bound_ms"] == pytest.approx(moved / 4.0e12 * 1e3)
    assert lde.params["measured_over_bound"] == pytest.approx(0.002 / (moved / 4.0e12))
    merkle = by_name["merkle_commit_2^21x64_cuda_resident_s"]
    assert merkle.ratio == pytest.approx(50.0)
    assert merkle.params["measured_over_bound"] > 1
    json.dumps([asdict(r) for r in rows])  # the JSON schema of a row


def test_missing_core_features_are_skipped_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(bench._core, "cuda_resident_bench", raising=False)
    monkeypatch.delattr(bench._core, "cuda_device_properties", raising=False)
    rows, skipped = _cpu_rows(), {}
    assert bench._cuda_properties(skipped) is None
    bench.bench_cuda_resident(True, rows, skipped, None)
    assert len(rows) == 3
    assert set(skipped) == {
        "bandwidth_bound",
        "poseidon2_permutations_per_s_cuda_resident",
        "coset_lde_2^16x64_blowup2_cuda_resident_ms",
        "merkle_commit_2^17x64_cuda_resident_s",
    }

    def broken(*args: Any) -> float:
        raise RuntimeError("kernel failed")

    monkeypatch.setattr(bench._core, "cuda_resident_bench", broken, raising=False)
    skipped = {}
    bench.bench_cuda_resident(True, rows, skipped, None)
    assert "RuntimeError: kernel failed" in skipped["poseidon2_permutations_per_s_cuda_resident"]


def _fake_e2e(timings: dict[str, float]) -> Any:
    def run(
        name: str,
        quick: bool,
        threads: int,
        repeats: int,
        device: str = "cpu",
        fri: str = "standard_fast",
        gpu_sizes: bool = False,
    ) -> dict[str, Any]:
        assert fri == "standard_with_100_bits_security" and gpu_sizes
        return {
            "params": {"rows": 8},
            "threads": threads,
            "device": device,
            "fri": fri,
            "prove_s": 0.5 if device == "cuda" else 6.0,
            "verify_s": 0.01,
            "proof_bytes": 1000,
            "peak_rss_mib": 1.0,
            "trace_bytes": 9000,
            "largest_lde_bytes": 18000,
            "timings": timings if device == "cuda" else {},
        }

    return run


def test_cuda_proof_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    timings = {
        "total": 0.5,
        "host_to_device_bytes": 9500.0,
        "device_to_host_bytes": 1200.0,
        "device_peak_memory_bytes": 40000.0,
    }
    monkeypatch.setattr(bench, "_run_e2e", _fake_e2e(timings))
    rows: list[Row] = []
    skipped: dict[str, str] = {}
    bench.bench_cuda_end_to_end(False, 3, rows, skipped)
    assert skipped == {}
    by_name = {r.name: r for r in rows}
    keccak = by_name["prove_keccak_cuda_s"]
    assert keccak.ratio == pytest.approx(12.0)
    assert keccak.params["target_ratio"] == 10.0
    assert keccak.params["proof_bytes_match_cpu"] is True
    moved = by_name["host_device_bytes_per_proof_fibonacci_cuda"]
    assert moved.value == 10700
    assert moved.params["over_trace_plus_proof"] == pytest.approx(10700 / 10000)
    peak = by_name["device_peak_memory_bytes_keccak_cuda"]
    assert peak.params["over_largest_lde"] == pytest.approx(40000 / 18000)


def test_cuda_proof_rows_without_device_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "_run_e2e", _fake_e2e({"total": 0.5}))
    rows: list[Row] = []
    skipped: dict[str, str] = {}
    bench.bench_cuda_end_to_end(True, 1, rows, skipped)
    assert [r.name for r in rows] == ["prove_keccak_cuda_s", "prove_fibonacci_cuda_s"]
    assert (
        "host_to_device_bytes, device_to_host_bytes"
        in skipped["host_device_bytes_per_proof_keccak_cuda"]
    )
    assert "device_peak_memory_bytes" in skipped["device_peak_memory_bytes_fibonacci_cuda"]


def test_worker_reports_timings_and_sizes(threads: None) -> None:
    out = bench._e2e_worker(
        "fibonacci", True, 1, 1, "cpu", "standard_with_100_bits_security", gpu_sizes=True
    )
    assert out["device"] == "cpu"
    assert out["params"]["rows"] == 1 << 14
    assert out["trace_bytes"] == (1 << 14) * 2 * 4
    assert out["largest_lde_bytes"] == out["trace_bytes"] * 2
    assert out["timings"]["total"] > 0
    json.dumps(out)
