"""Example AIRs with NumPy trace generators (importable; used by tests and benchmarks).

- ``FibonacciAir`` / ``fibonacci_trace``: the Fibonacci of the README's "Proving" section.
- ``FibonacciSelectorAir`` / ``fib_selector_trace``: Fibonacci driven by a preprocessed selector.
- ``InteractionAir`` / ``interaction_pair_traces``: a sender/receiver pair on a permutation bus,
  with or without a cached main partition.
- ``RangeCheckTableAir``, ``RangeRequesterAir`` / ``range_check_traces``: a lookup table and
  its requesters.
- ``KeccakAir`` / ``keccak_trace``: Keccak-f[1600], one row per round.
"""

from __future__ import annotations

from .fib_selector import FibonacciSelectorAir, fib_selector_trace
from .fibonacci import FibonacciAir, fibonacci_states, fibonacci_trace
from .interaction import InteractionAir, interaction_pair_traces, interaction_trace
from .keccak import KECCAK_WIDTH, KeccakAir, keccak_outputs, keccak_permute, keccak_trace
from .range_check import RangeCheckTableAir, RangeRequesterAir, range_check_traces

__all__ = [
    "KECCAK_WIDTH",
    "FibonacciAir",
    "FibonacciSelectorAir",
    "InteractionAir",
    "KeccakAir",
    "RangeCheckTableAir",
    "RangeRequesterAir",
    "fib_selector_trace",
    "fibonacci_states",
    "fibonacci_trace",
    "interaction_pair_traces",
    "interaction_trace",
    "keccak_outputs",
    "keccak_permute",
    "keccak_trace",
    "range_check_traces",
]
