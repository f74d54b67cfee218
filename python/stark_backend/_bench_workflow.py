"""Bench rows of the proving workflow (issue 11), called by ``bench.py``:

- ``commit_cached_reuse``: a circuit whose cached partition is 90% of its cells, proved with
  the partition committed once (``Engine.commit_cached``) against committing it in every proof
  (the ratio is the speed-up of the reuse). Proof of work is off in this row: grinding is a fixed
  cost per proof that has nothing to do with the trace (``standard_fast`` spends about as long
  grinding as proving a 2^16-row trace), and the row measures what reuse saves;
- ``cli_verify_keccak_s``: ``python -m stark_backend verify vk.bin proof.bin`` of the Keccak-f
  proof in a fresh process, process start included (target < 0.5 s), against the in-process
  ``engine.verify`` of the same proof;
- ``ray_batch``: a batch of Fibonacci proofs on a local 2-worker Ray cluster against the same
  batch proved serially with the same total threads (``_bench_ray``; skipped without ``ray``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import _core
from .air import Air, AirBuilder
from .context import AirProvingContext
from .engine import Engine
from .fri_params import FriParameters
from .primitives import P


class CachedTableAir(Air):
    """A wide cached partition (free columns: a table every proof reuses) beside a narrow common
    main whose first column counts the rows."""

    def __init__(self, cached_width: int = 180, common_width: int = 16) -> None:
        self.name = "CachedTable"
        self.width = cached_width + common_width
        self.cached_main_widths = [cached_width]
        self._cached_width = cached_width

    def eval(self, b: AirBuilder) -> None:
        local, nxt = b.main()
        counter, counter_next = local[self._cached_width], nxt[self._cached_width]
        b.when_first_row().assert_zero(counter)
        b.when_transition().assert_eq(counter_next, counter + 1)


def _median_time(fn: Any, repeats: int) -> float:
    """bench's median timing (after a warm-up), over at least three samples."""
    from .bench import _median_time as median_time

    return median_time(fn, max(repeats, 3))


def commit_cached_reuse(quick: bool, repeats: int) -> dict[str, Any]:
    log_height = 13 if quick else 16
    n = 1 << log_height
    fast = FriParameters.standard_fast()
    engine = Engine(FriParameters(fast.log_blowup, fast.log_final_poly_len, fast.num_queries, 0, 0))
    air = CachedTableAir()
    kb = engine.keygen_builder()
    kb.add_air(air)
    pk = kb.generate_pk()
    rng = np.random.default_rng(0)
    table = rng.integers(0, P, size=(n, air.cached_main_widths[0]), dtype=np.uint32)
    common = rng.integers(0, P, size=(n, air.width - air.cached_main_widths[0]), dtype=np.uint32)
    common[:, 0] = np.arange(n, dtype=np.uint32)
    commit_t0 = time.perf_counter()
    committed = engine.commit_cached(pk, 0, table)
    commit_s = time.perf_counter() - commit_t0
    inline_ctx = [AirProvingContext(0, common, cached_mains=[table])]
    reuse_ctx = [AirProvingContext(0, common, cached_mains=[committed])]
    assert engine.prove(pk, inline_ctx) == engine.prove(pk, reuse_ctx)
    inline_s = _median_time(lambda: engine.prove(pk, inline_ctx), repeats)
    reuse_s = _median_time(lambda: engine.prove(pk, reuse_ctx), repeats)
    cells = n * (air.width + 4 * pk.vk.quotient_degrees[0])
    return {
        "inline_s": inline_s,
        "reuse_s": reuse_s,
        "commit_once_s": commit_s,
        "ratio": inline_s / reuse_s,
        "log_height": log_height,
        "cached_fraction_of_cells": n * air.cached_main_widths[0] / cells,
        "fri": "standard_fast without proof of work",
    }


def cli_verify(quick: bool, repeats: int) -> dict[str, Any]:
    """The CLI's verify of a Keccak-f proof in a fresh interpreter, process start included."""
    from .examples import KeccakAir, keccak_trace

    engine = Engine(FriParameters.standard_fast())
    kb = engine.keygen_builder()
    kb.add_air(KeccakAir())
    pk = kb.generate_pk()
    perms = 24 if quick else 1365
    states = np.random.default_rng(7).integers(0, 2**63, size=(perms, 25), dtype=np.uint64)
    proof = engine.prove(pk, [AirProvingContext(0, keccak_trace(states))])
    in_process = _median_time(lambda: engine.verify(pk.vk, proof), repeats)
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = package_parent + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        vk_path, proof_path = Path(tmp, "vk.bin"), Path(tmp, "proof.bin")
        vk_path.write_bytes(pk.vk.to_bytes())
        proof_path.write_bytes(proof.to_bytes())
        cmd = [sys.executable, "-m", "stark_backend", "verify", str(vk_path), str(proof_path)]

        def run() -> None:
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"CLI verify exited {done.returncode}: {done.stderr.strip()}")

        cli_s = _median_time(run, repeats)
    return {
        "cli_s": cli_s,
        "in_process_s": in_process,
        "keccak_permutations": perms,
        "proof_bytes": len(proof),
        "threads": _core.num_threads(),
    }


def ray_batch(quick: bool) -> dict[str, Any] | None:
    """None without ``ray`` (the row is then skipped)."""
    if importlib.util.find_spec("ray") is None:
        return None
    from ._bench_ray import bench_ray_batch

    return bench_ray_batch(quick)
