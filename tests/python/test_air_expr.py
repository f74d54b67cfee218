"""Symbolic layer: Expr arithmetic, hash-consed DAG, degrees, printing, builder and buses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import _air_support  # noqa: F401
from stark_backend.air import (
    Air,
    AirBuilder,
    ConstraintSystem,
    Expr,
    LookupBus,
    NodeKind,
    PermutationCheckBus,
    compile_air,
)
from stark_backend.errors import KeygenError

P = 2013265921


class FnAir(Air):
    """An AIR whose eval is a given function (for tests)."""

    def __init__(
        self,
        fn: Callable[[AirBuilder], Any],
        width: int = 4,
        num_public_values: int = 0,
        cached: tuple[int, ...] = (),
    ) -> None:
        self.fn = fn
        self.width = width
        self.num_public_values = num_public_values
        self.cached_main_widths = list(cached)

    def eval(self, b: AirBuilder) -> None:
        self.fn(b)


def system_of(fn: Callable[[AirBuilder], Any], log_blowup: int = 1, **kw: Any) -> ConstraintSystem:
    return compile_air(FnAir(fn, **kw), log_blowup).system


def capture(fn: Callable[[AirBuilder], object], **kw: Any) -> list[object]:
    """Run ``fn`` inside a symbolic eval and return what it returned."""
    out: list[object] = []

    def body(b: AirBuilder) -> None:
        out.append(fn(b))

    system_of(body, **kw)
    return out


def test_hash_consing_shares_identical_subexpressions() -> None:
    def body(b: AirBuilder) -> tuple[Expr, Expr, Expr, Expr]:
        local, nxt = b.main()
        e1 = local[0] * local[1] + nxt[2]
        e2 = local[0] * local[1] + nxt[2]
        return e1, e2, local[0] * local[1], local[1] * local[0]

    (result,) = capture(body)
    e1, e2, prod, swapped = result  # type: ignore[misc]
    assert e1.node_id == e2.node_id
    assert prod.node_id != swapped.node_id  # no commutativity normalization


def test_shared_nodes_in_system() -> None:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        s = local[0] + local[1]
        b.assert_zero(s * s)
        b.assert_zero(s * local[2])
        b.assert_zero(local[0] + local[1])

    sys = system_of(body)
    kinds = [n.kind for n in sys.nodes]
    assert kinds.count(NodeKind.ADD) == 1
    assert sys.constraints[2] == sys.nodes[sys.constraints[0]].a
    assert len(set(sys.nodes)) == len(sys.nodes)
    for i, node in enumerate(sys.nodes):  # topological order
        if node.kind in (NodeKind.ADD, NodeKind.SUB, NodeKind.MUL):
            assert node.a < i and node.b < i


def test_constant_folding_and_ints() -> None:
    def body(b: AirBuilder) -> list[Expr]:
        local, _ = b.main()
        x = local[0]
        return [x + 0, 0 + x, x - 0, x * 1, 1 * x, (x - x) * 0, 3 - x, x + (-1), x * (P + 2)]

    (res,) = capture(body)
    exprs: list[Expr] = res  # type: ignore[assignment]
    x_id = exprs[0].node_id
    assert [e.node_id for e in exprs[:5]] == [x_id] * 5
    assert str(exprs[6]) == "3 - main[0]"
    assert str(exprs[7]) == "main[0] + (-1)"
    assert str(exprs[8]) == "main[0] * 2"


def test_degrees() -> None:
    def body(b: AirBuilder) -> list[int]:
        local, nxt = b.main()
        (pv,) = b.public_values()
        prep, prep_next = b.preprocessed()[0][0], b.preprocessed()[1][0]
        return [
            local[0].degree,
            (local[0] * nxt[1]).degree,
            pv.degree,
            (pv * pv + 5).degree,
            b.is_transition.degree,
            b.is_first_row.degree,
            b.is_last_row.degree,
            (b.is_first_row * local[0]).degree,
            (b.is_transition * local[0]).degree,
            (local[0] ** 5).degree,
            (local[0] ** 0).degree,
            (-(local[0] * local[1]) + local[2]).degree,
            (prep * prep_next * local[0]).degree,
        ]

    class PrepAir(FnAir):
        def preprocessed_trace(self):  # type: ignore[no-untyped-def]
            import numpy as np

            return np.zeros((4, 1), dtype=np.uint32)

    out: list[object] = []
    compile_air(PrepAir(lambda b: out.append(body(b)), num_public_values=1), 3)
    assert out[0] == [1, 2, 0, 0, 0, 1, 1, 2, 1, 5, 0, 2, 3]


def test_printing() -> None:
    def body(b: AirBuilder) -> list[str]:
        local, nxt = b.main()
        a, c, d = local[0], local[1], local[2]
        (pv,) = b.public_values()
        return [
            str(nxt[1] - (a + c)),
            str(-(a + c)),
            str(a * (c + d)),
            str(a * c * d),
            str(a * (c * d)),
            str(a - (c - d)),
            str((a - c) - d),
            str(3 * a),
            str(a**3),
            str(-a * c),
            str(b.is_first_row * (a - pv)),
            repr(a + 1),
        ]

    (res,) = capture(body, num_public_values=1)
    assert res == [
        "main[1]' - (main[0] + main[1])",
        "-(main[0] + main[1])",
        "main[0] * (main[1] + main[2])",
        "main[0] * main[1] * main[2]",
        "main[0] * (main[1] * main[2])",
        "main[0] - (main[1] - main[2])",
        "main[0] - main[1] - main[2]",
        "3 * main[0]",
        "main[0] * (main[0] * main[0])",
        "-main[0] * main[1]",
        "is_first_row * (main[0] - pub[0])",
        "Expr(main[0] + 1)",
    ]


def test_printing_cached_partitions_use_main_order() -> None:
    def body(b: AirBuilder) -> None:
        local, nxt = b.main()
        b.assert_zero(local[0] + local[2] + nxt[4])

    sys = system_of(body, width=5, cached=(2, 1))
    main_nodes = sorted((n.c, n.a) for n in sys.nodes if n.kind == NodeKind.MAIN)
    assert main_nodes == [(0, 0), (1, 0), (2, 1)]
    assert sys.constraint_strs == ("main[0] + main[2] + main[4]'",)


def test_long_expression_is_truncated() -> None:
    def body(b: AirBuilder) -> str:
        local, _ = b.main()
        x = local[0]
        for _ in range(60):  # the printed tree doubles each step; the DAG grows by 2 nodes
            x = x * x + local[1]
        return str(x)

    (text,) = capture(body)
    assert isinstance(text, str) and text.endswith("...") and len(text) < 5000


def test_selectors_and_when_chaining() -> None:
    def body(b: AirBuilder) -> None:
        local, nxt = b.main()
        b.when_first_row().assert_zero(local[0])
        b.when_last_row().assert_one(local[1])
        b.when_transition().assert_eq(nxt[0], local[0])
        b.when(local[2]).when(local[3]).assert_bool(local[1])
        b.when_transition().when(1 - local[2]).assert_zero(local[3])
        b.when(1).assert_zero(local[0])

    sys = system_of(body, log_blowup=2)
    assert sys.constraint_strs == (
        "is_first_row * main[0]",
        "is_last_row * (main[1] - 1)",
        "is_transition * (main[0]' - main[0])",
        "main[2] * main[3] * (main[1] * (main[1] - 1))",
        "is_transition * (1 - main[2]) * main[3]",
        "main[0]",
    )
    assert [sys.degrees[c] for c in sys.constraints] == [2, 2, 1, 4, 2, 1]


def test_expr_row_sequence_behaviour() -> None:
    def body(b: AirBuilder) -> list[object]:
        local, nxt = b.main()
        return [
            len(local),
            [str(e) for e in local],
            [str(e) for e in nxt[1:3]],
            str(local[-1]),
            len(b.public_values()),
            len(b.preprocessed()[0]),
        ]

    (res,) = capture(body, width=3, num_public_values=2)
    assert res == [3, ["main[0]", "main[1]", "main[2]"], ["main[1]'", "main[2]'"], "main[2]", 2, 0]


def test_only_used_columns_become_nodes() -> None:
    sys = system_of(lambda b: b.assert_zero(b.main()[0][3]), width=100)
    assert [n.kind for n in sys.nodes] == [NodeKind.MAIN]


def _unpack_two_public_values(b: AirBuilder) -> None:
    x, y = b.public_values()
    b.assert_eq(x, y)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda b: b.assert_zero(b.main()[0][4]), "main column index 4 out of range"),
        (lambda b: b.assert_zero(b.main()[1][-5]), "main column index -5 out of range"),
        (lambda b: b.assert_zero(b.public_values()[1]), "public value index 1 out of range"),
        (lambda b: b.assert_zero(b.preprocessed()[0][0]), "preprocessed column index 0"),
        (_unpack_two_public_values, "eval failed"),
        (lambda b: b.assert_zero("x"), "expected an Expr or int"),  # type: ignore[arg-type]
    ],
)
def test_index_errors_are_keygen_errors(fn: Callable[[AirBuilder], None], message: str) -> None:
    with pytest.raises(KeygenError, match=message) as info:
        system_of(fn, num_public_values=1)
    assert "FnAir" in str(info.value)


def test_expr_misuse() -> None:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        with pytest.raises(TypeError):
            bool(local[0])
        with pytest.raises(TypeError):
            _ = local[0] + 1.5  # type: ignore[operator]
        with pytest.raises(ValueError, match="0 <= k"):
            _ = local[0] ** -1
        with pytest.raises(TypeError):
            _ = local[0] ** 1.5  # type: ignore[operator]

    system_of(body)


def test_expressions_from_two_builders_do_not_mix() -> None:
    saved: list[Expr] = []
    system_of(lambda b: saved.append(b.main()[0][0]))
    with pytest.raises(KeygenError, match="another"):
        system_of(lambda b: b.assert_zero(saved[0]))
    with pytest.raises(KeygenError, match="different"):
        system_of(lambda b: b.assert_zero(b.main()[0][0] + saved[0]))


def test_bus_helpers_counts_and_weights() -> None:
    def body(b: AirBuilder) -> None:
        local, _ = b.main()
        PermutationCheckBus(3).send(b, [local[0], 7], local[1])
        PermutationCheckBus(3).receive(b, [local[0], 7], local[1])
        LookupBus(5).lookup_key(b, [local[2]], 1)
        LookupBus(5).add_key_with_lookups(b, [local[2]], local[3])
        PermutationCheckBus(4).receive(b, (local[0],), 2)
        b.when(local[3]).push_interaction(9, [local[0]], local[1], count_weight=7)

    sys = system_of(body)
    got = [
        (it.bus, it.count_weight, sys.expr_str(it.count), [sys.expr_str(f) for f in it.fields])
        for it in sys.interactions
    ]
    assert got == [
        (3, 1, "main[1]", ["main[0]", "7"]),
        (3, 1, "-main[1]", ["main[0]", "7"]),
        (5, 1, "1", ["main[2]"]),
        (5, 0, "-main[3]", ["main[2]"]),
        (4, 1, "-2", ["main[0]"]),
        (9, 7, "main[3] * main[1]", ["main[0]"]),
    ]


def test_air_name_and_defaults() -> None:
    class MyAir(Air):
        width = 1

        def eval(self, b: AirBuilder) -> None:
            pass

    class Named(Air):
        width = 1
        name = "custom"

        def eval(self, b: AirBuilder) -> None:
            pass

    assert MyAir().name == "MyAir"
    assert Named().name == "custom"
    a = MyAir()
    a.name = "instance"
    assert compile_air(a, 1).system.name == "instance"
    assert MyAir().num_public_values == 0 and list(MyAir().cached_main_widths) == []
    assert MyAir().preprocessed_trace() is None
    with pytest.raises(NotImplementedError):
        Air().eval(None)  # type: ignore[arg-type]
