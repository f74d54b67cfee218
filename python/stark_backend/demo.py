"""``python -m stark_backend demo``: prove and verify a multi-chip circuit end to end.

The circuit has four chips that share one proof:

- a Fibonacci AIR (public values: the two seeds and the last element);
- a range-check lookup table of ``[0, 2^8)`` (preprocessed) with a multiplicity column;
- a requester AIR whose every cell is looked up in that table (LogUp bus);
- a batch of Keccak-f[1600] permutations (one row per round).

It prints per-phase timings (trace generation, keygen, proving, verification), the proof size
and the conjectured security level, and exits non-zero if anything fails.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from typing import Any, TextIO

import numpy as np

from . import num_threads
from .context import AirProvingContext
from .engine import Engine
from .examples import (
    FibonacciAir,
    KeccakAir,
    RangeCheckTableAir,
    RangeRequesterAir,
    fibonacci_trace,
    keccak_outputs,
    keccak_permute,
    keccak_trace,
    range_check_traces,
)
from .fri_params import FriParameters
from .plot import phase_bar_lines, top_level_phases

RANGE_BITS = 8


def _seconds(t0: float) -> float:
    return time.perf_counter() - t0


def run_demo(
    log_fib_rows: int, num_keccak: int, log_requester_rows: int, fri: FriParameters
) -> dict[str, Any]:
    """Build, prove and verify the circuit; return the measured phases (seconds) and sizes."""
    rng = np.random.default_rng(7)
    phases: dict[str, float] = {}

    t0 = time.perf_counter()
    fib, fib_pv = fibonacci_trace(1 << log_fib_rows)
    values = rng.integers(0, 1 << RANGE_BITS, size=(1 << log_requester_rows, 4))
    requests, multiplicities = range_check_traces(values, RANGE_BITS)
    states = rng.integers(0, 2**64, size=(num_keccak, 25), dtype=np.uint64)
    keccak = keccak_trace(states)
    phases["trace_generation"] = _seconds(t0)
    # The Keccak trace must compute Keccak-f: check its outputs against the NumPy model.
    if not np.array_equal(keccak_outputs(keccak, num_keccak), keccak_permute(states)):
        raise AssertionError("Keccak trace outputs differ from keccak_permute")

    engine = Engine(fri)
    t0 = time.perf_counter()
    kb = engine.keygen_builder()
    fib_id = kb.add_air(FibonacciAir())
    table_id = kb.add_air(RangeCheckTableAir(RANGE_BITS))
    requester_id = kb.add_air(RangeRequesterAir(4))
    keccak_id = kb.add_air(KeccakAir())
    pk = kb.generate_pk()
    phases["keygen"] = _seconds(t0)

    contexts = [
        AirProvingContext(fib_id, fib, public_values=fib_pv),
        AirProvingContext(table_id, multiplicities),
        AirProvingContext(requester_id, requests),
        AirProvingContext(keccak_id, keccak),
    ]
    prover_phases: dict[str, float] = {}
    t0 = time.perf_counter()
    proof = engine.prove(pk, contexts, timings=prover_phases)
    phases["prove"] = _seconds(t0)

    t0 = time.perf_counter()
    engine.verify(pk.vk, proof)
    phases["verify"] = _seconds(t0)

    proof_bytes = proof.to_bytes()
    return {
        "fri_parameters": {
            "log_blowup": fri.log_blowup,
            "num_queries": fri.num_queries,
            "commit_pow_bits": fri.commit_proof_of_work_bits,
            "query_pow_bits": fri.query_proof_of_work_bits,
        },
        "security_bits": fri.security_bits(),
        "conjectured_security_bits": fri.conjectured_security_bits(),
        "threads": num_threads(),
        "chips": {
            "fibonacci_rows": int(fib.shape[0]),
            "range_table_rows": int(multiplicities.shape[0]),
            "range_requester_rows": int(requests.shape[0]),
            "keccak_permutations": num_keccak,
            "keccak_rows": int(keccak.shape[0]),
            "keccak_width": int(keccak.shape[1]),
        },
        "phases_s": phases,
        "prover_phases_s": prover_phases,
        "proof_bytes": len(proof_bytes),
    }


# Prover phases in the order they run; the cross-cutting totals overlap them.
_SEQUENTIAL_PHASES = (
    "main_commit",
    "logup",
    "quotient",
    "quotient.values",
    "open",
    "open.evaluate",
    "open.fri_fold",
    "open.queries",
)
_CROSS_CUTTING_PHASES = ("lde", "merkle_tree", "pow_grinding")


def _print_prover_phases(prover: dict[str, float], out: TextIO) -> None:
    total = prover.get("total", 0.0)
    for name in _SEQUENTIAL_PHASES + _CROSS_CUTTING_PHASES:
        if name not in prover:
            continue
        indent = "      " if "." in name else "    "
        label = name if name not in _CROSS_CUTTING_PHASES else f"{name} (all phases)"
        share = f"{100 * prover[name] / total:5.1f}%" if total > 0 else ""
        print(f"{indent}{label:<{32 - len(indent)}}{prover[name] * 1e3:10.1f} ms {share}", file=out)


def _print_phase_bar(prover: dict[str, float], out: TextIO, width: int = 40) -> None:
    """The prover's top-level phases as bars scaled to its total: a ``rich`` table when rich is
    installed and ``out`` is a terminal, plain Unicode block characters otherwise."""
    phases, total = top_level_phases(prover)
    if not phases or total <= 0:
        return
    print(f"  prover phases ({total * 1e3:.1f} ms in all):", file=out)
    if out.isatty():
        try:  # importlib: mypy checks this module the same with or without rich
            Bar = importlib.import_module("rich.bar").Bar
            Console = importlib.import_module("rich.console").Console
            Table = importlib.import_module("rich.table").Table
        except ImportError:
            pass
        else:
            table = Table(box=None, show_header=False, padding=(0, 1, 0, 2))
            table.add_column("phase")
            table.add_column("bar", width=width)
            table.add_column("seconds", justify="right")
            table.add_column("share", justify="right")
            colors = ["blue", "green", "red", "magenta", "yellow", "cyan"]
            for i, (name, secs) in enumerate(phases):
                color = "bright_black" if name == "other" else colors[i % len(colors)]
                table.add_row(
                    name,
                    Bar(total, 0, secs, width=width, color=color),
                    f"{secs:.3f} s",
                    f"{100 * secs / total:.1f}%",
                )
            Console(file=out).print(table)
            return
    for line in phase_bar_lines(prover, width):
        print(f"    {line}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stark_backend demo", description=__doc__)
    parser.add_argument("--fib-log-rows", type=int, default=16)
    parser.add_argument("--keccak", type=int, default=64, help="number of Keccak-f permutations")
    parser.add_argument("--requester-log-rows", type=int, default=12)
    parser.add_argument("--log-blowup", type=int, default=1, choices=[1, 2, 3, 4])
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    fri = FriParameters.standard_with_100_bits_security(args.log_blowup)
    result = run_demo(args.fib_log_rows, args.keccak, args.requester_log_rows, fri)
    out = sys.stdout
    chips = result["chips"]
    print("stark_backend demo: Fibonacci + range-checked lookups + Keccak-f", file=out)
    print(
        f"  chips: fibonacci {chips['fibonacci_rows']} rows, range table "
        f"{chips['range_table_rows']} rows, requester {chips['range_requester_rows']} rows, "
        f"keccak {chips['keccak_permutations']} permutations "
        f"({chips['keccak_rows']} x {chips['keccak_width']})",
        file=out,
    )
    for phase, secs in result["phases_s"].items():
        print(f"  {phase:<18} {secs * 1e3:10.1f} ms", file=out)
        if phase == "prove":
            _print_prover_phases(result["prover_phases_s"], out)
    print(f"  proof size         {result['proof_bytes'] / 1024:10.1f} KiB", file=out)
    print(
        f"  security           {result['security_bits']} bits (FRI, unique decoding; "
        f"{result['conjectured_security_bits']} conjectured; log_blowup {fri.log_blowup}, "
        f"{fri.num_queries} queries), threads {result['threads']}",
        file=out,
    )
    _print_phase_bar(result["prover_phases_s"], out)
    print("  verified: OK", file=out)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)
    return 0
