"""``python -m stark_backend bench``: throughput of the core's building blocks.

Every row is measured in this run (median of several repetitions) and, where it makes sense,
set against a baseline measured in the *same* run: our scalar path (SIMD speed-up), one
thread (scaling), or ``galois``'s NTT (the library a Python user would otherwise reach for).
Reference figures for Plonky3 (Feb 2025, AVX-512 build, same kind of machine; quoted in the
project's issues) are reported next to the matching rows for context.

With ``--device cuda`` (or ``auto`` on a machine with a usable GPU) the same run adds rows for
the CUDA device, each set against the CPU measured in this run on all cores: Keccak-f and
Fibonacci proofs (``cpu_time / cuda_time``), host-device bytes and peak device memory per proof
(from the prover's ``timings``), and, where the core has them, resident Poseidon2 / LDE / Merkle
kernels with their memory-bandwidth bound. A row the core cannot measure is left out and named,
with the reason, under ``"skipped"``.

Output: a human-readable table on stderr and a JSON document on stdout (or ``--json FILE``);
``--plot FILE.png`` also draws the phase breakdown and the scaling rows (matplotlib, extra
``[plot]``); ``--from-json FILE.json`` prints (and plots) a saved result without benchmarking.
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import _core
from .primitives import GENERATOR, P

# Plonky3 figures quoted in the issues (same kind of machine, AVX-512, fat LTO).
PLONKY3_REFERENCE = {
    "poseidon2_ns_per_perm_1_thread": 116.0,
    "coset_lde_2^20x64_ms_1_thread": 735.0,
    "coset_lde_2^20x64_ms_2_threads": 403.0,
    "merkle_commit_2^21x64_s_1_thread": 2.65,
    "merkle_commit_2^21x64_s_2_threads": 1.32,
    "keccak_1365_perms_prove_s_2_threads": 3.2,
    "keccak_1365_perms_prove_s_1_thread": 5.85,
    "keccak_1365_perms_verify_s": 0.47,
    "keccak_1365_perms_proof_mib": 3.0,
}


@dataclass
class Row:
    name: str
    value: float
    unit: str
    params: dict[str, Any] = field(default_factory=dict)
    baseline: str | None = None
    baseline_value: float | None = None
    ratio: float | None = None  # speed-up over the baseline (>1 is better for us)
    reference: dict[str, float] | None = None


def _median_time(fn: Callable[[], object], repeats: int, calls: int = 1) -> float:
    """Median over ``repeats`` samples of the mean time of ``calls`` back-to-back calls (several
    calls per sample for sub-millisecond work, where one call is below the timer's noise)."""
    fn()  # warm-up (twiddle tables, thread pool, page faults)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times)


class _Threads:
    """Context manager that sets the core's thread count and restores it."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.old = 0

    def __enter__(self) -> None:
        self.old = _core.num_threads()
        _core.set_num_threads(self.n)

    def __exit__(self, *exc: object) -> None:
        _core.set_num_threads(self.old)


class _Simd:
    def __init__(self, level: str) -> None:
        self.level = level
        self.old = ""

    def __enter__(self) -> None:
        self.old = _core.simd_active()
        _core.set_simd_level(self.level)

    def __exit__(self, *exc: object) -> None:
        _core.set_simd_level(self.old)


def _random_matrix(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    return rng.integers(0, P, size=(height, width), dtype=np.uint32)


def bench_poseidon2(quick: bool, rows: list[Row]) -> None:
    count = 1 << (16 if quick else 20)
    best = _core.simd_detected()
    all_threads = _core.num_threads()
    per_s_1 = statistics.median(_core.bench_poseidon2(count, 1) for _ in range(3))
    with _Simd("scalar"):
        scalar_1 = statistics.median(_core.bench_poseidon2(count, 1) for _ in range(3))
    rows.append(
        Row(
            "poseidon2_permutations_per_s_1_thread",
            per_s_1,
            "perm/s",
            {"count": count, "simd": best, "ns_per_perm": 1e9 / per_s_1},
            baseline="scalar path, 1 thread",
            baseline_value=scalar_1,
            ratio=per_s_1 / scalar_1,
            reference={"plonky3_ns_per_perm": PLONKY3_REFERENCE["poseidon2_ns_per_perm_1_thread"]},
        )
    )
    per_s_all = statistics.median(_core.bench_poseidon2(count, all_threads) for _ in range(3))
    rows.append(
        Row(
            "poseidon2_permutations_per_s_all_threads",
            per_s_all,
            "perm/s",
            {"count": count, "threads": all_threads, "simd": best},
            baseline="1 thread",
            baseline_value=per_s_1,
            ratio=per_s_all / per_s_1,
        )
    )


def bench_lde_and_merkle(quick: bool, repeats: int, rows: list[Row]) -> None:
    rng = np.random.default_rng(1)
    log_h = 16 if quick else 20
    width = 64
    evals = _random_matrix(rng, 1 << log_h, width)
    threads = _core.num_threads()
    name = f"2^{log_h}x{width}"

    def lde() -> np.ndarray:
        out: np.ndarray = _core.coset_lde(evals, 1, GENERATOR, True)
        return out

    t_all = _median_time(lde, repeats)
    with _Threads(1):
        t_one = _median_time(lde, repeats)
    ref = None
    if not quick:
        ref = {
            "plonky3_ms_1_thread": PLONKY3_REFERENCE["coset_lde_2^20x64_ms_1_thread"],
            "plonky3_ms_2_threads": PLONKY3_REFERENCE["coset_lde_2^20x64_ms_2_threads"],
        }
    rows.append(
        Row(
            f"coset_lde_{name}_blowup2_ms",
            t_all * 1e3,
            "ms",
            {"threads": threads, "simd": _core.simd_active(), "output": "bit-reversed rows"},
            baseline="1 thread",
            baseline_value=t_one * 1e3,
            ratio=t_one / t_all,
            reference=ref,
        )
    )

    lde_out = lde()
    leaves = lde_out.shape[0]

    def commit() -> np.ndarray:
        out: np.ndarray = _core.merkle_root([lde_out])
        return out

    m_all = _median_time(commit, max(1, repeats - 1))
    with _Threads(1):
        m_one = _median_time(commit, max(1, repeats - 1))
    ref = None
    if not quick:
        ref = {
            "plonky3_s_1_thread": PLONKY3_REFERENCE["merkle_commit_2^21x64_s_1_thread"],
            "plonky3_s_2_threads": PLONKY3_REFERENCE["merkle_commit_2^21x64_s_2_threads"],
        }
    rows.append(
        Row(
            f"merkle_commit_2^{log_h + 1}x{width}_s",
            m_all,
            "s",
            {"threads": threads, "rows_per_s": leaves / m_all},
            baseline="1 thread",
            baseline_value=m_one,
            ratio=m_one / m_all,
            reference=ref,
        )
    )


def bench_field(quick: bool, rows: list[Row]) -> None:
    count = 1 << (24 if quick else 27)
    for ext, label in ((False, "base"), (True, "extension")):
        n = count >> (3 if ext else 0)
        ours = statistics.median(_core.bench_mul_throughput(ext, n) for _ in range(3))
        with _Simd("scalar"):
            scalar = statistics.median(_core.bench_mul_throughput(ext, n) for _ in range(3))
        rows.append(
            Row(
                f"{label}_field_multiplications_per_s",
                ours,
                "mul/s",
                {"threads": 1, "simd": _core.simd_active()},
                baseline="scalar path",
                baseline_value=scalar,
                ratio=ours / scalar,
            )
        )


def bench_ntt_vs_galois(repeats: int, rows: list[Row]) -> None:
    log_n = 14
    rng = np.random.default_rng(2)
    x = rng.integers(0, P, size=(1 << log_n, 1), dtype=np.uint32)
    ours = _median_time(lambda: _core.ntt(x, False), max(repeats, 7), calls=50)
    params: dict[str, Any] = {"size": f"2^{log_n}x1"}
    try:
        import galois
    except ImportError:
        rows.append(Row("ntt_2^14_ms", ours * 1e3, "ms", params | {"galois": "not installed"}))
        return
    xs = x[:, 0].astype(np.int64)
    galois.ntt(xs, modulus=P)  # warm-up: galois compiles its kernels on first use
    theirs = _median_time(lambda: galois.ntt(xs, modulus=P), max(repeats, 7), calls=5)
    rows.append(
        Row(
            "ntt_2^14_ms",
            ours * 1e3,
            "ms",
            params,
            baseline=f"galois {importlib.metadata.version('galois')} ntt",
            baseline_value=theirs * 1e3,
            ratio=theirs / ours,
        )
    )


def _e2e_circuit(
    name: str, quick: bool, gpu_sizes: bool = False
) -> tuple[list[Any], list[Any], list[Any], dict[str, Any]]:
    """(airs, traces, public values, parameters) of an end-to-end benchmark circuit
    (``gpu_sizes``: the CUDA rows' Fibonacci, 2^22 rows)."""
    from .examples import FibonacciAir, KeccakAir, fibonacci_trace, keccak_trace

    if name == "keccak":
        perms = (1 << 6) if quick else (1 << 10)
        rng = np.random.default_rng(3)
        states = rng.integers(0, 2**64, size=(perms, 25), dtype=np.uint64)
        trace = keccak_trace(states)
        params = {"permutations": perms, "rows": trace.shape[0], "width": trace.shape[1]}
        return [KeccakAir()], [trace], [()], params
    if name == "fibonacci":
        log_n = 14 if quick else (22 if gpu_sizes else 20)
        trace, pv = fibonacci_trace(1 << log_n)
        return [FibonacciAir()], [trace], [pv], {"rows": 1 << log_n, "width": 2}
    raise ValueError(f"unknown end-to-end circuit {name!r}")


FRI_PRESETS = ("standard_fast", "standard_with_100_bits_security")


def _fri(preset: str) -> Any:
    from .fri_params import FriParameters

    if preset == "standard_with_100_bits_security":
        # log_blowup 1: both example AIRs have degree <= 3 = 2^1 + 1.
        return FriParameters.standard_with_100_bits_security(1)
    return FriParameters.standard_fast()


def _e2e_worker(
    name: str,
    quick: bool,
    threads: int,
    repeats: int,
    device: str = "cpu",
    fri: str = "standard_fast",
    gpu_sizes: bool = False,
    config: str = "baby_bear_poseidon2",
) -> dict[str, Any]:
    """Runs in a fresh process (so peak RSS belongs to this circuit alone)."""
    from .context import AirProvingContext
    from .engine import Engine

    _core.set_num_threads(threads)
    airs, traces, pvs, params = _e2e_circuit(name, quick, gpu_sizes)
    fri_params = _fri(fri)
    engine = Engine(fri_params, device=device, config=config)
    kb = engine.keygen_builder()
    ids = [kb.add_air(a) for a in airs]
    pk = kb.generate_pk()
    contexts = [
        AirProvingContext(i, t, public_values=pv) for i, t, pv in zip(ids, traces, pvs, strict=True)
    ]
    proofs: list[Any] = []
    timings: dict[str, float] = {}

    def prove() -> None:
        timings.clear()
        proofs.append(engine.prove(pk, contexts, timings=timings))

    t_prove = _median_time(prove, repeats)
    proof = proofs[-1]
    t_verify = _median_time(lambda: engine.verify(pk.vk, proof), max(repeats, 3))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    trace_bytes = [int(t.nbytes) for t in traces]
    return {
        "params": params,
        "threads": threads,
        "device": engine.device,
        "fri": fri,
        "config": config,
        "prove_s": t_prove,
        "verify_s": t_verify,
        "proof_bytes": len(proof.to_bytes()),
        "peak_rss_mib": peak_kib / 1024.0,
        "trace_bytes": sum(trace_bytes),
        # The largest committed LDE: the biggest main trace at rate 2^-log_blowup.
        "largest_lde_bytes": max(trace_bytes) << fri_params.log_blowup,
        "timings": {k: float(v) for k, v in timings.items()},
    }


def _run_e2e(
    name: str,
    quick: bool,
    threads: int,
    repeats: int,
    device: str = "cpu",
    fri: str = "standard_fast",
    gpu_sizes: bool = False,
    config: str = "baby_bear_poseidon2",
) -> dict[str, Any]:
    cmd = [
        sys.executable, "-m", "stark_backend", "bench", "--e2e-worker", name,
        "--threads", str(threads), "--repeats", str(repeats),
        "--worker-device", device, "--worker-fri", fri, "--worker-config", config,
    ]  # fmt: skip
    if quick:
        cmd.append("--quick")
    if gpu_sizes:
        cmd.append("--worker-gpu-sizes")
    env = dict(os.environ)
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def bench_end_to_end(quick: bool, repeats: int, rows: list[Row]) -> None:
    threads = _core.num_threads()
    for name in ("keccak", "fibonacci"):
        ours = _run_e2e(name, quick, threads, repeats)
        one = _run_e2e(name, quick, 1, 1) if threads > 1 else ours
        ref = None
        if name == "keccak" and not quick:
            ref = {
                "plonky3_prove_s_2_threads": PLONKY3_REFERENCE[
                    "keccak_1365_perms_prove_s_2_threads"
                ],
                "plonky3_verify_s": PLONKY3_REFERENCE["keccak_1365_perms_verify_s"],
                "plonky3_proof_mib": PLONKY3_REFERENCE["keccak_1365_perms_proof_mib"],
            }
        params = dict(ours["params"])
        params.update(
            threads=threads,
            fri="standard_fast",
            verify_ms=ours["verify_s"] * 1e3,
            proof_bytes=ours["proof_bytes"],
            peak_rss_mib=ours["peak_rss_mib"],
            # The core's per-phase seconds of the last proof (``Engine.prove(timings=)``).
            prover_timings=ours.get("timings", {}),
        )
        rows.append(
            Row(
                f"prove_{name}_s",
                ours["prove_s"],
                "s",
                params,
                baseline="1 thread",
                baseline_value=one["prove_s"],
                ratio=one["prove_s"] / ours["prove_s"],
                reference=ref,
            )
        )


# ---- configurations (issue 10) ------------------------------------------------------------------

CONFIGS = (
    "baby_bear_poseidon2",
    "baby_bear_keccak",
    "baby_bear_blake3",
    "baby_bear_poseidon2_root",
)
CONFIG_TARGETS = {
    # Merkle commit time over the Poseidon2 configuration's (lower is better).
    "merkle_baby_bear_keccak_over_poseidon2": 2.0,
    "merkle_baby_bear_blake3_over_poseidon2": 1.2,
    # Keccak-f prove time of the root configuration over the Poseidon2 one.
    "prove_baby_bear_poseidon2_root_over_poseidon2": 2.5,
    "keccak256_gb_per_s_per_core_avx512": 1.0,
}


def bench_hash_throughput(quick: bool, rows: list[Row]) -> None:
    """Leaf hashing of the byte-hash configurations, one core, every SIMD level (ratio: scalar)."""
    leaves = 1 << (12 if quick else 15)
    order = ("scalar", "avx2", "avx512")
    levels = list(order[: order.index(_core.simd_detected()) + 1])
    for kind in ("keccak256", "blake3"):
        per_level: dict[str, float] = {}
        for level in levels:
            with _Simd(level):
                per_level[level] = _core.bench_byte_hash(kind, leaves, 64, 1) / 1e9
        for level in levels:
            rows.append(
                Row(
                    f"{kind}_leaf_hash_gb_per_s_1_thread_{level}",
                    per_level[level],
                    "GB/s",
                    {"rows": leaves, "width": 64, "simd": level},
                    baseline="scalar",
                    baseline_value=per_level["scalar"],
                    ratio=per_level[level] / per_level["scalar"],
                    reference={
                        "target_gb_per_s_avx512": CONFIG_TARGETS[
                            "keccak256_gb_per_s_per_core_avx512"
                        ]
                    }
                    if kind == "keccak256" and level == "avx512"
                    else None,
                )
            )
    count = 1 << (10 if quick else 14)
    rows.append(
        Row(
            "bn254_poseidon2_perm_per_s_1_thread",
            _core.bench_bn254_poseidon2(count, 1),
            "perm/s",
            {"width": 3, "rounds": "8 full + 56 partial"},
        )
    )


def _config_security(config: str) -> dict[str, int]:
    from .configs import by_name
    from .fri_params import FriParameters

    return by_name(config).security_report(FriParameters.standard_fast())


def bench_configs(quick: bool, repeats: int, rows: list[Row], end_to_end: bool) -> None:
    """Per configuration, in one run: Merkle commit of 2^21 x 64 (quick: 2^15 x 64) and the
    Keccak-f proof (prove, verify, size); ratios against baby_bear_poseidon2."""
    rng = np.random.default_rng(4)
    log_h = 15 if quick else 21
    mat = _random_matrix(rng, 1 << log_h, 64)
    threads = _core.num_threads()
    commit: dict[str, float] = {}
    for config in CONFIGS:
        # The root configuration hashes ~40x slower per word: one repetition at full size.
        reps = 1 if config.endswith("root") and not quick else max(1, repeats - 1)
        commit[config] = _median_time(functools.partial(_core.merkle_root, [mat], config), reps)
    base = commit["baby_bear_poseidon2"]
    for config in CONFIGS:
        target = CONFIG_TARGETS.get(f"merkle_{config}_over_poseidon2")
        rows.append(
            Row(
                f"merkle_commit_2^{log_h}x64_{config}_s",
                commit[config],
                "s",
                {
                    "threads": threads,
                    "time_over_poseidon2": commit[config] / base,
                    "config": config,
                },
                baseline="baby_bear_poseidon2",
                baseline_value=base,
                ratio=base / commit[config],
                reference={"target_time_over_poseidon2": target} if target else None,
            )
        )
    if not end_to_end:
        return
    e2e = {c: _run_e2e("keccak", quick, threads, repeats, config=c) for c in CONFIGS}
    base_prove = e2e["baby_bear_poseidon2"]["prove_s"]
    for config in CONFIGS:
        r = e2e[config]
        target = CONFIG_TARGETS.get(f"prove_{config}_over_poseidon2")
        rows.append(
            Row(
                f"prove_keccak_{config}_s",
                r["prove_s"],
                "s",
                {
                    **r["params"],
                    "threads": threads,
                    "config": config,
                    "verify_ms": r["verify_s"] * 1e3,
                    "proof_bytes": r["proof_bytes"],
                    "time_over_poseidon2": r["prove_s"] / base_prove,
                    "security": _config_security(config),
                    "merkle_tree_s": r["timings"].get("merkle_tree"),
                    "pow_grinding_s": r["timings"].get("pow_grinding"),
                    "prover_timings": r["timings"],
                },
                baseline="baby_bear_poseidon2",
                baseline_value=base_prove,
                ratio=base_prove / r["prove_s"],
                reference={"target_time_over_poseidon2": target} if target else None,
            )
        )


# ---- the CUDA device ----------------------------------------------------------------------------

CUDA_TARGETS = {
    "prove_keccak_cuda_over_cpu": 10.0,
    "poseidon2_resident_per_s": 2.5e9,
    "measured_over_bandwidth_bound": 2.0,
    "host_device_bytes_over_trace_plus_proof": 1.1,
    "device_peak_memory_over_largest_lde": 3.0,
}


def _cuda_properties(skipped: dict[str, str]) -> dict[str, Any] | None:
    """``_core.cuda_device_properties()`` (name, memory bandwidth, memory), or None (noted)."""
    fn = getattr(_core, "cuda_device_properties", None)
    if fn is None:
        skipped["bandwidth_bound"] = "the core has no cuda_device_properties()"
        return None
    try:
        props = dict(fn())
    except Exception as exc:  # a core error must not end the run
        skipped["bandwidth_bound"] = f"cuda_device_properties() raised {type(exc).__name__}: {exc}"
        return None
    return {str(k): v for k, v in props.items()}


def _row_value(rows: list[Row], name: str) -> float | None:
    for r in rows:
        if r.name == name:
            return r.value
    return None


def _lde_bytes_moved(log_h: int, width: int) -> int:
    """An LDE with blowup 2 reads its input once and writes its output once."""
    n = 1 << log_h
    return (n * width + 2 * n * width) * 4


def _merkle_bytes_moved(log_leaves: int, width: int) -> int:
    """A Merkle commitment reads the matrix once, writes every digest (leaves and internal
    nodes, 32 bytes each) once and reads each internal node's two children once."""
    leaves = 1 << log_leaves
    return leaves * width * 4 + (2 * leaves - 1) * 32 + 2 * (leaves - 1) * 32


def _bound_params(props: dict[str, Any] | None, bytes_moved: int, seconds: float) -> dict[str, Any]:
    if not props or not props.get("memory_bandwidth_bytes_per_s"):
        return {"bytes_moved": bytes_moved}
    bandwidth = float(props["memory_bandwidth_bytes_per_s"])
    bound = bytes_moved / bandwidth
    return {
        "bytes_moved": bytes_moved,
        "bandwidth_bytes_per_s": bandwidth,
        "bandwidth_bound_ms": bound * 1e3,
        "measured_over_bound": seconds / bound,
        "target_measured_over_bound": CUDA_TARGETS["measured_over_bandwidth_bound"],
    }


def _resident(
    kind: str, log_h: int, width: int, repeats: int, skipped: dict[str, str], row: str
) -> float | None:
    """Median seconds of ``_core.cuda_resident_bench(kind, ...)``, or None (noted under
    ``skipped[row]``) when the core lacks it or it fails."""
    fn = getattr(_core, "cuda_resident_bench", None)
    if fn is None:
        skipped[row] = "the core has no cuda_resident_bench()"
        return None
    try:
        return float(fn(kind, log_h, width, repeats))
    except Exception as exc:  # a core error must not end the run
        skipped[row] = f"cuda_resident_bench({kind!r}) raised {type(exc).__name__}: {exc}"
        return None


def bench_cuda_resident(
    quick: bool, rows: list[Row], skipped: dict[str, str], props: dict[str, Any] | None
) -> None:
    """Kernels with their data already on the device, against this run's CPU rows (all
    threads): Poseidon2 permutations, the LDE and the Merkle commitment of the CPU rows' sizes."""
    threads = _core.num_threads()
    repeats = 5
    log_perms = 16 if quick else 24
    name = "poseidon2_permutations_per_s_cuda_resident"
    t = _resident("poseidon2", log_perms, 16, repeats, skipped, name)
    if t is not None:
        cpu = _row_value(rows, "poseidon2_permutations_per_s_all_threads")
        per_s = (1 << log_perms) / t
        rows.append(
            Row(
                name,
                per_s,
                "perm/s",
                {
                    "count": 1 << log_perms,
                    "target_per_s": CUDA_TARGETS["poseidon2_resident_per_s"],
                    "reference_openvm_cuda_per_s": 2.0e9,
                },
                baseline=f"cpu, {threads} threads",
                baseline_value=cpu,
                ratio=None if cpu is None else per_s / cpu,
            )
        )

    log_h, width = (16 if quick else 20), 64
    cpu_name = f"coset_lde_2^{log_h}x{width}_blowup2_ms"
    name = f"coset_lde_2^{log_h}x{width}_blowup2_cuda_resident_ms"
    t = _resident("lde", log_h, width, repeats, skipped, name)
    if t is not None:
        cpu_ms = _row_value(rows, cpu_name)
        rows.append(
            Row(
                name,
                t * 1e3,
                "ms",
                {"output": "bit-reversed rows"}
                | _bound_params(props, _lde_bytes_moved(log_h, width), t),
                baseline=f"cpu, {threads} threads ({cpu_name})",
                baseline_value=cpu_ms,
                ratio=None if cpu_ms is None else cpu_ms / (t * 1e3),
            )
        )

    log_leaves = log_h + 1
    cpu_name = f"merkle_commit_2^{log_leaves}x{width}_s"
    name = f"merkle_commit_2^{log_leaves}x{width}_cuda_resident_s"
    t = _resident("merkle", log_leaves, width, repeats, skipped, name)
    if t is not None:
        cpu_s = _row_value(rows, cpu_name)
        rows.append(
            Row(
                name,
                t,
                "s",
                {"rows_per_s": (1 << log_leaves) / t}
                | _bound_params(props, _merkle_bytes_moved(log_leaves, width), t),
                baseline=f"cpu, {threads} threads ({cpu_name})",
                baseline_value=cpu_s,
                ratio=None if cpu_s is None else cpu_s / t,
            )
        )


def bench_cuda_end_to_end(
    quick: bool, repeats: int, rows: list[Row], skipped: dict[str, str]
) -> None:
    """Keccak-f (1024 permutations) and Fibonacci (2^22 rows) proofs at 100-bit security on
    the CUDA device against the CPU device on all cores; host-device bytes and peak device
    memory per proof from the CUDA proof's ``timings``."""
    threads = _core.num_threads()
    fri = "standard_with_100_bits_security"
    for name in ("keccak", "fibonacci"):
        cuda = _run_e2e(name, quick, threads, repeats, "cuda", fri, gpu_sizes=True)
        cpu = _run_e2e(name, quick, threads, 1, "cpu", fri, gpu_sizes=True)
        params = dict(cuda["params"])
        params.update(
            threads=threads,
            fri=f"{fri}(1)",
            verify_ms=cuda["verify_s"] * 1e3,
            proof_bytes=cuda["proof_bytes"],
            proof_bytes_match_cpu=cuda["proof_bytes"] == cpu["proof_bytes"],
            cuda_timings=cuda["timings"],
        )
        if name == "keccak":
            params["target_ratio"] = CUDA_TARGETS["prove_keccak_cuda_over_cpu"]
        rows.append(
            Row(
                f"prove_{name}_cuda_s",
                cuda["prove_s"],
                "s",
                params,
                baseline=f"cpu device, {threads} threads",
                baseline_value=cpu["prove_s"],
                ratio=cpu["prove_s"] / cuda["prove_s"],
            )
        )
        timings = cuda["timings"]
        moved = f"host_device_bytes_per_proof_{name}_cuda"
        keys = ("host_to_device_bytes", "device_to_host_bytes")
        if all(k in timings for k in keys):
            h2d, d2h = (int(timings[k]) for k in keys)
            floor = cuda["trace_bytes"] + cuda["proof_bytes"]
            rows.append(
                Row(
                    moved,
                    float(h2d + d2h),
                    "B",
                    {
                        "host_to_device_bytes": h2d,
                        "device_to_host_bytes": d2h,
                        "trace_bytes": cuda["trace_bytes"],
                        "proof_bytes": cuda["proof_bytes"],
                        "over_trace_plus_proof": (h2d + d2h) / floor,
                        "target_over_trace_plus_proof": CUDA_TARGETS[
                            "host_device_bytes_over_trace_plus_proof"
                        ],
                    },
                )
            )
        else:
            missing = [k for k in keys if k not in timings]
            skipped[moved] = f"the CUDA prover's timings lack {', '.join(missing)}"
        peak = f"device_peak_memory_bytes_{name}_cuda"
        if "device_peak_memory_bytes" in timings:
            value = int(timings["device_peak_memory_bytes"])
            rows.append(
                Row(
                    peak,
                    float(value),
                    "B",
                    {
                        "largest_lde_bytes": cuda["largest_lde_bytes"],
                        "over_largest_lde": value / cuda["largest_lde_bytes"],
                        "target_over_largest_lde": CUDA_TARGETS[
                            "device_peak_memory_over_largest_lde"
                        ],
                    },
                )
            )
        else:
            skipped[peak] = "the CUDA prover's timings lack device_peak_memory_bytes"


# ---- the proving workflow (issue 11) -------------------------------------------------------------

WORKFLOW_TARGETS = {
    "commit_cached_reuse_ratio": 3.0,  # inline / reused, at least
    "cli_verify_keccak_s": 0.5,  # at most, process start included
    "ray_batch_throughput_ratio": 0.85,  # serial / Ray, at least
}


def bench_workflow(quick: bool, repeats: int, rows: list[Row], skipped: dict[str, str]) -> None:
    from . import _bench_workflow as wf

    r = wf.commit_cached_reuse(quick, repeats)
    rows.append(
        Row(
            "commit_cached_reuse_s",
            r["reuse_s"],
            "s",
            {**r, "target_ratio": WORKFLOW_TARGETS["commit_cached_reuse_ratio"]},
            baseline="committing the cached partition in the proof",
            baseline_value=r["inline_s"],
            ratio=r["ratio"],
        )
    )
    c = wf.cli_verify(quick, repeats)
    rows.append(
        Row(
            "cli_verify_keccak_s",
            c["cli_s"],
            "s",
            {**c, "target_s": WORKFLOW_TARGETS["cli_verify_keccak_s"]},
            baseline="engine.verify in process",
            baseline_value=c["in_process_s"],
            ratio=c["in_process_s"] / c["cli_s"],
        )
    )
    try:
        ray_row = wf.ray_batch(quick)
    except Exception as exc:  # a cluster that cannot start is reported, not fatal
        skipped["ray_batch"] = f"{type(exc).__name__}: {exc}"
        return
    if ray_row is None:
        skipped["ray_batch"] = "ray is not installed (pip install stark-backend[ray])"
        return
    rows.append(
        Row(
            "ray_batch_s",
            ray_row["ray_seconds"],
            "s",
            {**ray_row, "target_ratio": WORKFLOW_TARGETS["ray_batch_throughput_ratio"]},
            baseline="the same batch serially in one process, same total threads",
            baseline_value=ray_row["serial_seconds"],
            ratio=ray_row["ratio"],
        )
    )


def write_calibration(path: str | None) -> dict[str, Any]:
    """``bench --calibrate``: measure the estimate's calibration and store it."""
    from .estimate import calibrate

    cal = calibrate()
    where = cal.save(path)
    print(f"# calibration written to {where}", file=sys.stderr)
    return {"calibration": cal.to_dict(), "path": str(where)}


def run(quick: bool, repeats: int, end_to_end: bool = True, device: str = "cpu") -> dict[str, Any]:
    """All rows; ``device="cuda"`` adds the CUDA rows (the caller checked that a GPU is usable)."""
    rows: list[Row] = []
    skipped: dict[str, str] = {}
    bench_poseidon2(quick, rows)
    bench_lde_and_merkle(quick, repeats, rows)
    bench_field(quick, rows)
    bench_ntt_vs_galois(repeats, rows)
    if end_to_end:
        bench_end_to_end(quick, repeats, rows)
    bench_hash_throughput(quick, rows)
    bench_configs(quick, repeats, rows, end_to_end)
    if end_to_end:
        bench_workflow(quick, repeats, rows, skipped)
    machine: dict[str, Any] = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "threads": _core.num_threads(),
        "simd": _core.simd_detected(),
        "cuda": bool(_core.cuda_available()),
    }
    if device == "cuda":
        machine["cuda_device"] = _cuda_properties(skipped)
        bench_cuda_resident(quick, rows, skipped, machine["cuda_device"])
        if end_to_end:
            bench_cuda_end_to_end(quick, repeats, rows, skipped)
    result: dict[str, Any] = {
        "machine": machine,
        "quick": quick,
        "device": device,
        "rows": [asdict(r) for r in rows],
    }
    if device != "cpu" or skipped:
        result["skipped"] = skipped
    return result


def _print_table(result: dict[str, Any]) -> None:
    err = sys.stderr
    m = result["machine"]
    print(f"# {m['processor']}  threads={m['threads']}  simd={m['simd']}", file=err)
    if m.get("cuda_device"):
        d = m["cuda_device"]
        bw = d.get("memory_bandwidth_bytes_per_s")
        print(
            f"# cuda: {d.get('name', '?')}"
            + (f"  bandwidth={float(bw) / 1e9:.0f} GB/s" if bw else ""),
            file=err,
        )
    for r in result["rows"]:
        line = f"{r['name']:<48} {r['value']:>14.6g} {r['unit']:<6}"
        if r["ratio"] is not None:
            line += f"  x{r['ratio']:.2f} vs {r['baseline']}"
        p = r["params"]
        if "bandwidth_bound_ms" in p:
            line += (
                f"  bandwidth bound {p['bandwidth_bound_ms']:.3g} ms"
                f" (measured/bound {p['measured_over_bound']:.2f})"
            )
        for key in ("over_trace_plus_proof", "over_largest_lde"):
            if key in p:
                line += f"  {key}={p[key]:.2f}"
        print(line, file=err)
    for name, reason in result.get("skipped", {}).items():
        print(f"{name:<48} skipped: {reason}", file=err)


def _load_result(path: str) -> dict[str, Any]:
    """A bench result written by ``--json``; ValueError naming the file and field if not."""
    try:
        with open(path, encoding="utf-8") as f:
            result = json.load(f)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(result, dict):
        raise ValueError(f"{path}: not a bench result (a JSON object with 'machine' and 'rows')")
    machine = result.get("machine")
    if not isinstance(machine, dict):
        raise ValueError(f"{path}: field 'machine': missing or not an object")
    for key in ("processor", "threads", "simd"):
        if key not in machine:
            raise ValueError(f"{path}: field 'machine.{key}': missing")
    rows = result.get("rows")
    if not isinstance(rows, list):
        raise ValueError(f"{path}: field 'rows': missing or not a list")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValueError(f"{path}: field 'rows[{i}]': not an object")
        row.setdefault("params", {})
        row.setdefault("baseline", None)
        row.setdefault("ratio", None)
        for key, kind in (("name", str), ("value", (int, float)), ("unit", str)):
            if not isinstance(row.get(key), kind):
                raise ValueError(f"{path}: field 'rows[{i}].{key}': missing or of the wrong type")
    return result


def _plot(result: dict[str, Any], path: str) -> int:
    """``--plot``: draw ``result`` to ``path`` (exit status: 2 without matplotlib)."""
    from .plot import plot_bench

    try:
        plot_bench(result, path)
    except ImportError as exc:
        print(f"bench --plot: {exc}", file=sys.stderr)
        return 2
    print(f"# plot written to {path}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stark_backend bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds, not minutes)")
    parser.add_argument("--json", metavar="FILE", help="write the JSON here instead of stdout")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions per row (median)")
    parser.add_argument(
        "--no-end-to-end", action="store_true", help="skip the proving rows (Keccak, Fibonacci)"
    )
    parser.add_argument(
        "--device",
        choices=["cpu", "cuda", "auto"],
        default="cpu",
        help="cuda: add the CUDA device's rows, against the CPU in the same run (exit 2 "
        "without a usable GPU); auto: cuda when a GPU is usable, else cpu (default: cpu)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw the phase breakdown and the scaling rows to this PNG (needs matplotlib: "
        "pip install stark-backend[plot])",
    )
    parser.add_argument(
        "--from-json",
        metavar="FILE.json",
        help="do not benchmark: load a result written by --json, print its table (and --plot it)",
    )
    parser.add_argument(
        "--calibrate",
        nargs="?",
        const="",
        metavar="FILE",
        help="measure the machine calibration of engine.estimate and store it (default path: "
        "$STARK_BACKEND_CALIBRATION or ~/.cache/stark_backend/calibration.json), then exit",
    )
    parser.add_argument("--e2e-worker", choices=["keccak", "fibonacci"], help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--worker-device", default="cpu", help=argparse.SUPPRESS)
    parser.add_argument(
        "--worker-fri", choices=FRI_PRESETS, default=FRI_PRESETS[0], help=argparse.SUPPRESS
    )
    parser.add_argument("--worker-gpu-sizes", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-config", default="baby_bear_poseidon2", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.e2e_worker:
        out = _e2e_worker(
            args.e2e_worker,
            args.quick,
            args.threads,
            max(1, args.repeats),
            args.worker_device,
            args.worker_fri,
            args.worker_gpu_sizes,
            args.worker_config,
        )
        print(json.dumps(out))
        return 0
    if args.plot and importlib.util.find_spec("matplotlib") is None:
        print(
            "bench --plot: plotting needs matplotlib, which is not installed: "
            "pip install stark-backend[plot]",
            file=sys.stderr,
        )
        return 2
    if args.from_json:
        try:
            loaded = _load_result(args.from_json)
        except ValueError as exc:
            print(f"bench --from-json: {exc}", file=sys.stderr)
            return 2
        _print_table(loaded)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                f.write(json.dumps(loaded, indent=2) + "\n")
        return _plot(loaded, args.plot) if args.plot else 0
    if args.calibrate is not None:
        print(json.dumps(write_calibration(args.calibrate or None), indent=2))
        return 0
    device = args.device
    cuda_ok = bool(_core.cuda_available())
    if device == "cuda" and not cuda_ok:
        print(
            f"bench --device cuda: no usable CUDA device ({_core.cuda_describe()})",
            file=sys.stderr,
        )
        return 2
    if device == "auto":
        device = "cuda" if cuda_ok else "cpu"
    result = run(args.quick, max(1, args.repeats), not args.no_end_to_end, device)
    if args.device == "auto" and device == "cpu":
        result["skipped"] = {"cuda": f"no usable CUDA device ({_core.cuda_describe()})"}
    _print_table(result)
    text = json.dumps(result, indent=2)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    return _plot(result, args.plot) if args.plot else 0
