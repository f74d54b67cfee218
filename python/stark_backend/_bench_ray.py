"""Bench row of issue 11: a batch on a local 2-worker Ray cluster vs. the same batch serially.

``bench_ray_batch(quick)`` proves a batch of Fibonacci proofs (32 of height 2^16; quick: 8 of
2^12) under ``FriParameters.standard_fast()`` two ways with the same total core threads:

- serially in this process: ``engine.prove`` in a loop with ``set_num_threads(total)``;
- with :class:`stark_backend.distributed.RayProver` on a local Ray cluster of ``total`` CPUs
  (2 workers x 1 thread by default).

Both runs prove one warm-up item per worker first (untimed), so neither pays first-call costs
in its timed part; the Ray workers' start-up (actor processes, decoding the key) is measured
separately as ``startup_seconds``. ``ratio`` is the throughput ratio ``serial / ray`` (target
>= 0.85); ``ratio_with_startup`` counts the start-up against Ray. Needs ``ray`` (the
``[ray]`` extra); a cluster this process is already connected to is used as it is (it must have
the CPUs), else a local one on 127.0.0.1 is started and shut down.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from .context import AirProvingContext
from .engine import Engine
from .examples.fibonacci import FibonacciAir, fibonacci_trace
from .fri_params import FriParameters
from .runtime import num_threads, set_num_threads

__all__ = ["bench_ray_batch"]


def bench_ray_batch(
    quick: bool = False, *, workers: int = 2, threads_per_worker: int = 1
) -> dict[str, Any]:
    """Measure the Ray batch against the serial batch; see the module docstring. Returns
    ``{"ray_seconds", "serial_seconds", "ratio", "proofs", "log_height", ...}``."""
    import ray  # the [ray] extra; imported here so that bench.py imports without it

    from . import distributed

    count, log_height = (8, 12) if quick else (32, 16)
    total = workers * threads_per_worker
    engine = Engine(FriParameters.standard_fast(), device="cpu")
    kb = engine.keygen_builder()
    air_id = kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    batch: list[list[AirProvingContext]] = []
    for i in range(count):
        trace, pv = fibonacci_trace(1 << log_height, i, 2 * i + 1)
        batch.append([AirProvingContext(air_id, trace, public_values=pv)])
    warmup = batch[:workers]

    old_threads = num_threads()
    set_num_threads(total)
    try:
        for item in warmup[:1]:
            engine.prove(pk, item)
        start = time.perf_counter()
        serial = [engine.prove(pk, item).to_bytes() for item in batch]
        serial_seconds = time.perf_counter() - start
    finally:
        set_num_threads(old_threads)

    started_here = not ray.is_initialized()
    if started_here:
        package_parent = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p)
        ray.init(
            address="local",
            num_cpus=total,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            log_to_driver=False,
            runtime_env={"env_vars": {"PYTHONPATH": path}},
        )
    try:
        start = time.perf_counter()
        with distributed.RayProver(
            engine, pk, num_workers=workers, threads_per_worker=threads_per_worker
        ) as prover:
            prover.workers()  # wait until every worker has started and decoded the key
            startup_seconds = time.perf_counter() - start
            prover.prove_batch(warmup)
            start = time.perf_counter()
            proofs = prover.prove_batch(batch)
            ray_seconds = time.perf_counter() - start
    finally:
        if started_here:
            ray.shutdown()

    identical = [p.to_bytes() for p in proofs] == serial
    return {
        "ray_seconds": ray_seconds,
        "serial_seconds": serial_seconds,
        "ratio": serial_seconds / ray_seconds,
        "ratio_with_startup": serial_seconds / (ray_seconds + startup_seconds),
        "startup_seconds": startup_seconds,
        "proofs": count,
        "log_height": log_height,
        "workers": workers,
        "threads_per_worker": threads_per_worker,
        "total_threads": total,
        "identical": identical,
        "target_ratio": 0.85,
    }
