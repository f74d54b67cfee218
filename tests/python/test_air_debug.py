"""The debug checker: constraint violations (row, index, expression) and bus balance."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import _air_support  # noqa: F401
from stark_backend.air import (
    Air,
    AirBuilder,
    AirTraces,
    ConstraintSystem,
    PermutationCheckBus,
    check_constraints,
    check_interactions,
    compile_air,
    debug_check,
)
from stark_backend.errors import ConstraintViolation, InputError, UnbalancedInteractions
from stark_backend.examples import FibonacciAir, fibonacci_trace

P = 2013265921


class FnAir(Air):
    def __init__(self, fn: Callable[[AirBuilder], Any], width: int = 2, **kw: Any) -> None:
        self.fn = fn
        self.width = width
        self.name = kw.pop("name", "T")
        self.num_public_values = kw.pop("num_public_values", 0)
        self.cached_main_widths = kw.pop("cached", [])
        self.prep = kw.pop("prep", None)

    def eval(self, b: AirBuilder) -> None:
        self.fn(b)

    def preprocessed_trace(self) -> Any:
        return self.prep


def system_of(fn: Callable[[AirBuilder], Any], **kw: Any) -> ConstraintSystem:
    return compile_air(FnAir(fn, **kw), 2).system


FIB = compile_air(FibonacciAir(), 1).system


@pytest.mark.parametrize("n", [1, 2, 4, 64])
def test_fibonacci_passes(n: int) -> None:
    trace, pv = fibonacci_trace(n)
    check_constraints(FIB, trace, pv)
    check_constraints(FIB, [trace.astype(np.int64)], pv)


def violation(system: ConstraintSystem, trace: Any, pv: Any = (), **kw: Any) -> str:
    with pytest.raises(ConstraintViolation) as info:
        check_constraints(system, trace, pv, **kw)
    return str(info.value)


def test_fibonacci_violation_names_row_constraint_and_expression() -> None:
    trace, _ = fibonacci_trace(16)
    trace[5, 1] += 3
    msg = violation(FIB, trace, [0, 1, int(trace[-1, 1])])
    assert msg == (
        "AIR 'FibonacciAir': constraint 3 fails on row 4 of 16 (value 3): "
        "is_transition * (main[1]' - (main[0] + main[1])) != 0"
    )


def test_first_row_wins_then_lowest_constraint_index() -> None:
    trace, pv = fibonacci_trace(8)
    msg = violation(FIB, trace, [5, 6, pv[2]])
    assert "constraint 0 fails on row 0" in msg and "(value -5)" in msg
    msg = violation(FIB, trace, [0, 1, pv[2] + 1])
    assert "constraint 4 fails on row 7 of 8 (value -1)" in msg
    assert "is_last_row * (main[1] - pub[2])" in msg


def test_transition_not_checked_on_last_row_and_next_wraps() -> None:
    def body(b: AirBuilder) -> None:
        local, nxt = b.main()
        b.when_transition().assert_eq(nxt[0], local[0] + 1)
        b.assert_eq(nxt[1], local[1])  # every row, wrapping to row 0

    sys = system_of(body)
    trace = np.zeros((8, 2), np.uint32)
    trace[:, 0] = np.arange(8)
    trace[:, 1] = 9
    check_constraints(sys, trace)
    trace[7, 1] = 8
    msg = violation(sys, trace)
    assert "constraint 1 fails on row 6" in msg and "main[1]' - main[1]" in msg


def test_normalized_selectors() -> None:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        b.assert_eq(b.is_first_row, local[0])
        b.assert_eq(b.is_last_row, local[1])
        b.assert_eq(b.is_transition + local[1], 1)

    sys = system_of(body)
    for n in (1, 2, 8):
        trace = np.zeros((n, 2), np.uint32)
        trace[0, 0] = 1
        trace[n - 1, 1] = 1
        check_constraints(sys, trace)


def test_constant_and_public_only_constraints() -> None:
    sys = system_of(lambda b: b.assert_eq(b.public_values()[0] * 2, 6), num_public_values=1)
    check_constraints(sys, np.zeros((4, 2), np.uint32), [3])
    msg = violation(sys, np.zeros((4, 2), np.uint32), [4])
    assert "constraint 0 fails on row 0 of 4 (value 2): pub[0] * 2 - 6" in msg
    sys = system_of(lambda b: b.assert_zero(7))
    assert "(value 7): 7 != 0" in violation(sys, np.zeros((2, 2), np.uint32))


def test_preprocessed_and_cached_partitions() -> None:
    prep = np.array([[1], [0], [1], [1]], np.uint32)

    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        (sel,), _ = b.preprocessed()
        b.when(sel).assert_eq(local[0], local[2])
        b.assert_eq(local[1], 5)

    sys = system_of(body, width=3, cached=[1], prep=prep)
    trace = np.array([[1, 5, 1], [2, 5, 3], [4, 5, 4], [6, 5, 6]], np.uint32)
    check_constraints(sys, trace, preprocessed=prep)
    check_constraints(sys, [trace[:, :1], trace[:, 1:]], preprocessed=prep)
    trace[2, 2] = 0
    assert "constraint 0 fails on row 2" in violation(sys, trace, preprocessed=prep)
    assert "prep[0] * (main[0] - main[2])" in violation(sys, trace, preprocessed=prep)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mains": np.zeros((4, 3), np.uint32)}, "3 columns, expected 2"),
        ({"mains": np.full((4, 2), P, np.int64)}, "not a canonical field element"),
        ({"mains": np.zeros((4, 2), np.float32)}, "integer dtype"),
        ({"mains": np.zeros((0, 2), np.uint32)}, "non-zero height"),
        ({"public_values": [1, 2]}, "2 public values given, expected 3"),
        ({"public_values": [1, 2, P]}, "not a canonical"),
    ],
)
def test_input_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"mains": np.zeros((4, 2), np.uint32), "public_values": [0, 0, 0]}
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        check_constraints(FIB, **args)


def test_partition_input_errors() -> None:
    sys = system_of(lambda b: None, width=3, cached=[1])
    with pytest.raises(InputError, match="1 main partitions given, expected 2"):
        check_constraints(sys, [np.zeros((4, 1), np.uint32)])
    with pytest.raises(InputError, match="common non-zero height"):
        check_constraints(sys, [np.zeros((4, 1), np.uint32), np.zeros((2, 2), np.uint32)])
    sys = system_of(lambda b: None, prep=np.zeros((4, 1), np.uint32))
    with pytest.raises(InputError, match="preprocessed trace is missing"):
        check_constraints(sys, np.zeros((4, 2), np.uint32))
    with pytest.raises(InputError, match=r"shape \(2, 1\), expected \(4, 1\)"):
        check_constraints(
            sys, np.zeros((4, 2), np.uint32), preprocessed=np.zeros((2, 1), np.uint32)
        )


# ----------------------------------------------------------------------------- interactions


def bus_air(send: bool, bus: int = 0, name: str = "A") -> ConstraintSystem:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        if send:
            PermutationCheckBus(bus).send(b, [local[1], local[1] * 2], local[0])
        else:
            PermutationCheckBus(bus).receive(b, [local[1], local[1] * 2], local[0])

    return system_of(body, name=name)


def test_balanced_buses() -> None:
    s, r = bus_air(True, name="S"), bus_air(False, name="R")
    sender = np.array([[1, 10], [2, 11], [0, 99], [1, 10]], np.uint32)
    receiver = np.array([[2, 10], [1, 11], [1, 11], [0, 5]], np.uint32)
    receiver2 = np.array([[0, 0], [1, 11], [0, 42], [0, 0]], np.uint32)
    check_interactions(
        [AirTraces(s, sender), AirTraces(r, receiver), AirTraces(r, receiver2[[0, 0, 2, 3]])]
    )
    debug_check([AirTraces(s, sender), AirTraces(r, receiver)])


def test_unbalanced_bus_reports_bus_message_and_multiplicity() -> None:
    s, r = bus_air(True, bus=7, name="S"), bus_air(False, bus=7, name="R")
    sender = np.array([[3, 10], [2, 11]], np.uint32)
    receiver = np.array([[1, 10], [2, 11]], np.uint32)
    with pytest.raises(UnbalancedInteractions) as info:
        check_interactions([AirTraces(s, sender), AirTraces(r, receiver)])
    assert str(info.value) == (
        "bus 7: message [10, 20] has net multiplicity 2 (per AIR: 'S': 3, 'R': -1)"
    )
    with pytest.raises(UnbalancedInteractions, match=re.escape("[11, 22] has net multiplicity -5")):
        check_interactions([AirTraces(r, np.array([[5, 11]], np.uint32))])


def test_same_message_on_other_bus_or_length_does_not_cancel() -> None:
    s = bus_air(True, bus=1)
    r = bus_air(False, bus=2)
    t = np.array([[1, 4]], np.uint32)
    with pytest.raises(UnbalancedInteractions, match="bus 1: message"):
        check_interactions([AirTraces(s, t), AirTraces(r, t)])

    def short(b: AirBuilder) -> None:
        local, _ = b.main()
        PermutationCheckBus(1).receive(b, [local[1]], local[0])

    def padded(b: AirBuilder) -> None:
        local, _ = b.main()
        PermutationCheckBus(1).send(b, [local[1], 0], local[0])

    with pytest.raises(UnbalancedInteractions, match=r"message \[4\] has net multiplicity -1"):
        check_interactions([AirTraces(system_of(short), t), AirTraces(system_of(padded), t)])


def test_multiplicity_wraps_mod_p_and_is_signed() -> None:
    s = bus_air(True)
    t = np.array([[P - 1, 4], [1, 4], [P // 2, 5], [P // 2 + 1, 6]], np.uint32)
    with pytest.raises(UnbalancedInteractions) as info:
        check_interactions([AirTraces(s, t)])
    assert f"[5, 10] has net multiplicity {P // 2}" in str(info.value)
    t2 = np.array([[P - 1, 4], [1, 4], [P // 2 + 1, 6], [0, 0]], np.uint32)
    with pytest.raises(UnbalancedInteractions, match=f"multiplicity {P // 2 + 1 - P}"):
        check_interactions([AirTraces(s, t2)])


def test_interaction_values_use_public_and_next_rows() -> None:
    def body(b: AirBuilder) -> None:
        local, nxt = b.main()
        (pv,) = b.public_values()
        b.push_interaction(3, [nxt[0] + pv], local[1])
        b.push_interaction(3, [local[0] + pv + 1], -local[1])

    sys = system_of(body, num_public_values=1)
    trace = np.array([[0, 1], [1, 1], [2, 1], [3, 1]], np.uint32)  # next of row 3 is row 0
    with pytest.raises(UnbalancedInteractions):
        check_interactions([AirTraces(sys, trace, [10])])
    trace[3, 1] = 0
    trace[3, 0] = 3
    check_interactions([AirTraces(sys, trace, [10])])


def test_debug_check_runs_constraints_first() -> None:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        b.assert_zero(local[1])
        PermutationCheckBus(0).send(b, [local[0]], 1)

    sys = system_of(body)
    trace = np.array([[1, 1], [2, 0]], np.uint32)
    with pytest.raises(ConstraintViolation):
        debug_check([AirTraces(sys, trace)])
    trace[0, 1] = 0
    with pytest.raises(UnbalancedInteractions, match=r"\[1\] has net multiplicity 1"):
        debug_check([AirTraces(sys, trace)])
