"""Keygen logic: chunking, LogUp constraints, degrees, quotient degree, validation, limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import _air_support  # noqa: F401
from stark_backend.air import (
    Air,
    AirBuilder,
    ConstraintSystem,
    LinearConstraint,
    NodeKind,
    PermutationCheckBus,
    check_keygen_limits,
    compile_air,
    find_interaction_chunks,
    max_constraint_degree,
    quotient_degree,
    trace_height_constraints,
)
from stark_backend.errors import KeygenError

P = 2013265921


class FnAir(Air):
    def __init__(
        self,
        fn: Callable[[AirBuilder], Any],
        width: int = 4,
        num_public_values: int = 0,
        prep: Any = None,
        name: str = "T",
    ) -> None:
        self.fn = fn
        self.width = width
        self.num_public_values = num_public_values
        self.prep = prep
        self.name = name

    def eval(self, b: AirBuilder) -> None:
        self.fn(b)

    def preprocessed_trace(self) -> Any:
        return self.prep


def system_of(fn: Callable[[AirBuilder], Any], log_blowup: int = 1, **kw: Any) -> ConstraintSystem:
    return compile_air(FnAir(fn, **kw), log_blowup).system


@pytest.mark.parametrize(
    ("degree", "q"),
    [(0, 1), (1, 1), (2, 1), (3, 2), (4, 4), (5, 4), (6, 8), (9, 8), (10, 16), (17, 16)],
)
def test_quotient_degree(degree: int, q: int) -> None:
    assert quotient_degree(degree) == q


def test_max_constraint_degree() -> None:
    assert [max_constraint_degree(b) for b in (1, 2, 3, 4)] == [3, 5, 9, 17]


@pytest.mark.parametrize(
    ("fd", "cd", "max_degree", "expected"),
    [
        ([], [], 3, []),
        ([1], [0], 3, [[0]]),
        ([1, 1, 1], [0, 0, 0], 3, [[0, 1], [2]]),
        # sorted by (field degree, count degree): order 2, 3, 1, 0
        ([2, 1, 0, 1], [0, 1, 1, 0], 3, [[2, 3, 1], [0]]),
        ([1, 1, 1, 1, 1], [1, 1, 1, 1, 1], 5, [[0, 1, 2, 3], [4]]),
        ([1, 1, 1, 1, 1], [1, 1, 1, 1, 1], 3, [[0, 1], [2, 3], [4]]),
        ([0, 0, 0], [2, 2, 2], 3, [[0, 1, 2]]),
        ([1, 0, 1], [2, 0, 0], 3, [[1, 2, 0]]),
        ([2, 2], [1, 1], 3, [[0], [1]]),
        ([1, 1], [2, 2], 3, [[0, 1]]),
        ([1, 1, 1], [2, 2, 2], 3, [[0, 1], [2]]),
        ([2, 1, 1, 2], [0, 0, 0, 0], 9, [[1, 2, 0, 3]]),
    ],
)
def test_chunking(fd: list[int], cd: list[int], max_degree: int, expected: list[list[int]]) -> None:
    assert find_interaction_chunks(fd, cd, max_degree) == expected


@pytest.mark.parametrize(("fd", "cd"), [([3], [0]), ([0], [4]), ([1, 3], [0, 0])])
def test_chunking_single_interaction_too_large(fd: list[int], cd: list[int]) -> None:
    with pytest.raises(KeygenError, match="alone exceeds"):
        find_interaction_chunks(fd, cd, 3, "A")


def test_fibonacci_like_system_without_interactions() -> None:
    def body(b: AirBuilder) -> None:
        local, nxt = b.main()
        b.when_first_row().assert_zero(local[0])
        b.when_transition().assert_eq(nxt[0], local[0] + local[1])

    sys = system_of(body)
    assert sys.num_air_constraints == len(sys.constraints) == 2
    assert sys.max_degree == 2 and sys.quotient_degree == 1
    assert sys.after_challenge_width == 0 and sys.chunks == ()
    assert sys.total_width == 4 and sys.main_width == 4


def test_logup_constraints_appended() -> None:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        bus = PermutationCheckBus(2)
        bus.send(b, [local[0], local[1]], local[2])
        bus.receive(b, [local[1] * local[0]], 1)
        b.push_interaction(7, [5], local[3])

    sys = system_of(body, log_blowup=1)
    # field degrees 1, 2, 0; count degrees 1, 0, 1; sorted: 2, 0, 1
    assert sys.chunks == ((2, 0), (1,))
    assert sys.after_challenge_width == 3
    assert sys.total_width == 4 + 4 * 3
    assert sys.num_air_constraints == 0
    assert len(sys.constraints) == 2 + 3
    strs = sys.constraint_strs
    assert strs[2] == "is_transition * (perm[2]' - perm[2] - (perm[0]' + perm[1]'))"
    assert strs[3] == "is_first_row * (perm[2] - (perm[0] + perm[1]))"
    assert strs[4] == "is_last_row * (perm[2] - logup_sum)"
    d_third = "logup_alpha + 5 + logup_beta * 8"  # beta^1 * (bus + 1) with bus 7
    d_first = "logup_alpha + main[0] + logup_beta * main[1] + logup_beta * logup_beta * 3"
    assert strs[0] == (
        f"perm[0] * (({d_third}) * ({d_first})) - (main[3] * ({d_first}) + main[2] * ({d_third}))"
    )
    degrees = [sys.degrees[c] for c in sys.constraints]
    # chunk 0: max(1 + 0 + 1, 1 + 1, 1 + 0) = 2; chunk 1: max(1 + 2, 0) = 3
    assert degrees == [2, 3, 1, 2, 2]
    assert sys.max_degree == 3 and sys.quotient_degree == 2
    kinds = {n.kind for n in sys.nodes}
    assert {NodeKind.CHALLENGE, NodeKind.EXPOSED, NodeKind.PERMUTATION} <= kinds


def test_degree_above_maximum_is_refused() -> None:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        b.assert_zero(local[0])
        b.assert_zero(local[0] ** 4 - local[1])

    with pytest.raises(KeygenError, match=r"'T': constraint 1 has degree 4 > maximum 3"):
        system_of(body, log_blowup=1)
    sys = system_of(body, log_blowup=2)
    assert sys.max_degree == 4 and sys.quotient_degree == 4


def test_quotient_degree_includes_logup() -> None:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        b.push_interaction(0, [local[0] * local[1]], local[2])

    sys = system_of(body, log_blowup=1)
    assert sys.max_degree == 3 and sys.quotient_degree == 2
    # alone: max(cd + 0, 1 + fd) = 3 ok; with fd 3 it cannot fit under max degree 3
    with pytest.raises(KeygenError, match="alone exceeds"):
        system_of(lambda b: b.push_interaction(0, [b.main()[0][0] ** 3], 1))
    assert system_of(lambda b: b.push_interaction(0, [b.main()[0][0] ** 3], 1), 2).max_degree == 4


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"width": 0}, "width = 0"),
        ({"width": "3"}, "width must be an int"),
        ({"width": None}, "'width' is not set"),
        ({"num_public_values": -1}, "num_public_values = -1"),
        ({"prep": np.zeros((3, 1), np.uint32)}, "height 3 is not a power of two"),
        ({"prep": np.full((4, 1), P, np.uint64)}, "not a canonical field element"),
        ({"prep": np.zeros((4, 1), np.float64)}, "integer dtype"),
        ({"prep": [[1, 2], [3]]}, "preprocessed trace"),
        ({"prep": np.zeros((4, 0), np.uint32)}, "no columns"),
        ({"prep": np.zeros((0, 1), np.uint32)}, "height 0"),
        ({"prep": np.zeros((2, 2, 2), np.uint32)}, "2-D"),
    ],
)
def test_bad_air_attributes(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(KeygenError, match=message) as info:
        system_of(lambda b: None, **kw)
    assert "'T'" in str(info.value)


def test_preprocessed_too_tall_for_blowup() -> None:
    prep = np.zeros((256, 1), np.uint32)
    assert system_of(lambda b: None, log_blowup=19, prep=prep).preprocessed_height == 256
    with pytest.raises(KeygenError, match="too large"):
        system_of(lambda b: None, log_blowup=20, prep=prep)


def test_cached_widths_validation() -> None:
    class Cached(Air):
        width = 3

        def __init__(self, cached: Any) -> None:
            self.cached_main_widths = cached

        def eval(self, b: AirBuilder) -> None:
            b.assert_zero(b.main()[0][2])

    sys = compile_air(Cached([1, 2]), 1).system
    assert sys.cached_main_widths == (1, 2) and sys.common_main_width == 0
    assert sys.main_part_offsets == [0, 1, 3]
    for bad, msg in [([0, 1], ">= 1"), ([2, 2], "exceed"), (["a"], "list of ints")]:
        with pytest.raises(KeygenError, match=msg):
            compile_air(Cached(bad), 1)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda b, x: b.push_interaction(0, [], 1), "message length 0"),
        (lambda b, x: b.push_interaction(0, [x] * 128, 1), "message length 128"),
        (lambda b, x: b.push_interaction(-1, [x], 1), "bus index -1"),
        (lambda b, x: b.push_interaction(65536, [x], 1), "bus index 65536"),
        (lambda b, x: b.push_interaction(0, [x], 1, count_weight=-1), "count_weight -1"),
        (lambda b, x: b.push_interaction(0, [x], 1, count_weight=1 << 32), "not a u32"),
        (lambda b, x: b.push_interaction(0, [x], 1, count_weight="1"), "must be ints"),
        (lambda b, x: b.push_interaction(0, [x], b.is_first_row), "count uses is_first_row"),
        (lambda b, x: b.when_transition().push_interaction(0, [x], 1), "is_transition"),
        (lambda b, x: b.push_interaction(0, [x, x * b.is_last_row], 1), "field 1 uses"),
        (
            lambda b, x: [b.push_interaction(3, [x], 1, count_weight=1 << 31) for _ in range(2)],
            "overflow",
        ),
    ],
)
def test_bad_interactions(fn: Callable[[AirBuilder, Any], Any], message: str) -> None:
    with pytest.raises(KeygenError, match=message) as info:
        system_of(lambda b: fn(b, b.main()[0][0]))
    assert "'T'" in str(info.value)


def test_message_lengths_at_the_bounds() -> None:
    sys = system_of(lambda b: b.push_interaction(65535, list(b.main()[0]) * 31 + [1, 2, 3], 1))
    assert len(sys.interactions[0].fields) == 127 and sys.interactions[0].bus == 65535


def test_trace_height_constraints() -> None:
    def a_body(b: AirBuilder) -> None:
        local, _ = b.main()
        b.push_interaction(3, [local[0]], 1)
        b.push_interaction(3, [local[1]], 1, count_weight=2)
        b.push_interaction(1, [local[1]], 1, count_weight=0)

    def b_body(b: AirBuilder) -> None:
        b.push_interaction(1, [b.main()[0][0]], 1, count_weight=5)

    sa, sb, sc = system_of(a_body), system_of(b_body), system_of(lambda b: None)
    assert trace_height_constraints([sa, sb, sc]) == [
        LinearConstraint([0, 5, 0], P),
        LinearConstraint([3, 0, 0], P),
        LinearConstraint([3, 1, 0], P),
    ]
    assert trace_height_constraints([sc]) == []


def test_keygen_limits() -> None:
    with pytest.raises(KeygenError, match="no AIRs"):
        check_keygen_limits([], 1)
    small = system_of(lambda b: b.assert_zero(b.main()[0][0]))
    check_keygen_limits([small], 1)
    wide = system_of(lambda b: None, width=39996)
    check_keygen_limits([wide], 1)  # 2 * (39996 + 4 * 1) = 80000
    with pytest.raises(KeygenError, match="too wide"):
        check_keygen_limits([wide, small], 1)
    with pytest.raises(KeygenError, match="too wide"):
        check_keygen_limits([system_of(lambda b: None, width=1997)], 2)
    many = system_of(lambda b: [b.assert_zero(b.main()[0][0]) for _ in range(30001)])
    with pytest.raises(KeygenError, match="too many constraints"):
        check_keygen_limits([many], 1)


def test_compile_is_deterministic_and_returns_preprocessed() -> None:
    prep = np.arange(8, dtype=np.int64).reshape(4, 2)

    def body(b: AirBuilder) -> None:
        (p0, p1), (n0, _) = b.preprocessed()
        local, _ = b.main()
        b.assert_eq(local[0] * p0, n0 + p1)
        b.push_interaction(4, [p0, local[1]], local[2])

    c1 = compile_air(FnAir(body, prep=prep), 1)
    c2 = compile_air(FnAir(body, prep=prep), 1)
    assert c1.system == c2.system
    assert c1.system.to_bytes() == c2.system.to_bytes()
    assert c1.preprocessed_trace is not None
    assert c1.preprocessed_trace.dtype == np.uint32 and c1.preprocessed_trace.shape == (4, 2)
    assert c1.system.preprocessed_width == 2 and c1.system.preprocessed_height == 4


def test_bad_log_blowup() -> None:
    with pytest.raises(KeygenError, match="log_blowup"):
        system_of(lambda b: None, log_blowup=-1)
