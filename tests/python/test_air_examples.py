"""The example AIRs: their trace generators satisfy them, and tampering is caught."""

from __future__ import annotations

import numpy as np
import pytest

import _air_support  # noqa: F401
from stark_backend.air import AirTraces, check_constraints, compile_air, debug_check
from stark_backend.errors import ConstraintViolation, UnbalancedInteractions
from stark_backend.examples import (
    FibonacciAir,
    FibonacciSelectorAir,
    InteractionAir,
    RangeCheckTableAir,
    RangeRequesterAir,
    fib_selector_trace,
    fibonacci_states,
    fibonacci_trace,
    interaction_pair_traces,
    interaction_trace,
    range_check_traces,
)

P = 2013265921


def naive_fibonacci(n: int, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(n):
        out.append((a, b))
        a, b = b, (a + b) % P
    return out


@pytest.mark.parametrize(("n", "a", "b"), [(1, 0, 1), (2, 0, 1), (37, 5, 7), (1024, P - 1, 3)])
def test_fibonacci_states_match_naive(n: int, a: int, b: int) -> None:
    assert fibonacci_states(n, a, b).tolist() == [list(r) for r in naive_fibonacci(n, a, b)]


def test_fibonacci_example() -> None:
    system = compile_air(FibonacciAir(), 1).system
    trace, pv = fibonacci_trace(8)
    assert trace.dtype == np.uint32 and pv == [0, 1, 21]
    check_constraints(system, trace, pv)
    trace[3, 0] ^= 1
    with pytest.raises(ConstraintViolation, match="FibonacciAir"):
        check_constraints(system, trace, pv)


def test_fib_selector_example() -> None:
    sels = [1, 0, 1, 1, 0, 0, 1, 1]
    air = FibonacciSelectorAir(sels)
    compiled = compile_air(air, 1)
    assert compiled.system.preprocessed_width == 1 and compiled.system.preprocessed_height == 8
    trace, pv = fib_selector_trace(sels, 2, 3)
    # steps before each row: 0 1 1 2 3 3 3 4
    fib = naive_fibonacci(5, 2, 3)
    assert [tuple(r) for r in trace.tolist()] == [fib[k] for k in (0, 1, 1, 2, 3, 3, 3, 4)]
    assert pv == [2, 3, fib[4][1]]
    check_constraints(compiled.system, trace, pv, preprocessed=compiled.preprocessed_trace)
    trace[5] = trace[6] = fib[4]
    with pytest.raises(ConstraintViolation, match="row 4"):
        check_constraints(compiled.system, trace, pv, preprocessed=compiled.preprocessed_trace)
    with pytest.raises(ValueError):
        FibonacciSelectorAir([0, 2])


@pytest.mark.parametrize("cached", [False, True])
def test_interaction_pair(cached: bool) -> None:
    sender = InteractionAir(3, send=True, bus_index=4, cached=cached)
    receiver = InteractionAir(3, send=False, bus_index=4, cached=cached)
    s_sys, r_sys = compile_air(sender, 1).system, compile_air(receiver, 1).system
    assert s_sys.cached_main_widths == ((3,) if cached else ())
    assert s_sys.main_width == 4 and s_sys.after_challenge_width == 2
    s_trace, r_trace = interaction_pair_traces(16, 3, cached=cached, seed=1)
    debug_check([AirTraces(s_sys, s_trace), AirTraces(r_sys, r_trace)])
    debug_check([AirTraces(s_sys, sender.partitions(s_trace)), AirTraces(r_sys, r_trace)])
    count_col = 3 if cached else 0
    r_trace[0, count_col] += 1
    with pytest.raises(UnbalancedInteractions, match="bus 4"):
        debug_check([AirTraces(s_sys, s_trace), AirTraces(r_sys, r_trace)])


def test_interaction_trace_layout() -> None:
    counts = np.array([1, 2])
    fields = np.array([[5, 6], [7, 8]])
    assert interaction_trace(counts, fields).tolist() == [[1, 5, 6], [2, 7, 8]]
    assert interaction_trace(counts, fields, cached=True).tolist() == [[5, 6, 1], [7, 8, 2]]


def test_range_check_example() -> None:
    table = compile_air(RangeCheckTableAir(4), 1)
    requester = compile_air(RangeRequesterAir(3), 1)
    assert table.system.interactions[0].count_weight == 0
    assert requester.system.num_interactions == 3
    rng = np.random.default_rng(3)
    values = rng.integers(0, 16, size=(32, 3))
    req_trace, mult = range_check_traces(values, 4)
    assert int(mult.sum()) == values.size
    airs = [
        AirTraces(table.system, mult, preprocessed=table.preprocessed_trace),
        AirTraces(requester.system, req_trace),
    ]
    debug_check(airs)
    bad, bad_mult = req_trace.copy(), mult.copy()
    bad_mult[bad[7, 2], 0] -= 1
    bad[7, 2] = 16  # out of range: nothing in the table provides it
    table_traces = AirTraces(table.system, bad_mult, preprocessed=table.preprocessed_trace)
    with pytest.raises(UnbalancedInteractions, match=r"bus 1: message \[16\] has net multip"):
        debug_check([table_traces, AirTraces(requester.system, bad)])
    with pytest.raises(ValueError):
        range_check_traces([[16]], 4)
