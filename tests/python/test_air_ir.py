"""The IR encoding: round trips, determinism, and every kind of malformed bytes."""

from __future__ import annotations

import dataclasses
import struct
from typing import Any

import pytest

import _air_support  # noqa: F401
from stark_backend.air import (
    Air,
    AirBuilder,
    ConstraintSystem,
    Node,
    NodeKind,
    PermutationCheckBus,
    compile_air,
    decode_constraint_system,
    decode_constraint_system_from,
    encode_constraint_system,
)
from stark_backend.errors import ProofFormatError
from stark_backend.examples import (
    FibonacciAir,
    FibonacciSelectorAir,
    InteractionAir,
    RangeCheckTableAir,
    RangeRequesterAir,
)

P = 2013265921


class Everything(Air):
    """Uses every node kind a user can create, cached partitions, public values, preprocessed."""

    width = 5
    cached_main_widths = (2,)
    num_public_values = 2

    def preprocessed_trace(self) -> Any:
        return [[1, 2], [3, 4]]

    def eval(self, b: AirBuilder) -> None:
        local, nxt = b.main()
        (p0, p1), (q0, _) = b.preprocessed()
        u, v = b.public_values()
        b.when_first_row().assert_eq(local[0], u)
        b.when_last_row().assert_eq(-local[4], v - 7)
        b.when_transition().assert_zero(nxt[2] * p0 - q0 * (P - 1) + p1)
        PermutationCheckBus(9).send(b, [local[1], u, -3], local[3] - local[2])


def small_system() -> ConstraintSystem:
    return compile_air(InteractionAir(1, send=True), 1).system


SYSTEMS = [
    FibonacciAir(),
    FibonacciSelectorAir([1, 0, 1, 1]),
    InteractionAir(3, send=False, cached=True),
    RangeCheckTableAir(4),
    RangeRequesterAir(3),
    Everything(),
]


@pytest.mark.parametrize("air", SYSTEMS, ids=lambda a: a.name)
def test_round_trip(air: Air) -> None:
    sys = compile_air(air, 1).system
    data = sys.to_bytes()
    assert data == encode_constraint_system(sys)
    back = ConstraintSystem.from_bytes(data, name=sys.name)
    assert back == sys
    assert back.degrees == sys.degrees
    assert back.constraint_strs == sys.constraint_strs
    assert back.to_bytes() == data
    assert compile_air(air, 1).system.to_bytes() == data  # deterministic


def test_every_node_kind_round_trips() -> None:
    sys = compile_air(Everything(), 1).system
    kinds = {n.kind for n in sys.nodes}
    assert kinds == set(NodeKind)


def test_self_delimiting() -> None:
    sys = small_system()
    data = sys.to_bytes()
    other = compile_air(FibonacciAir(), 1).system.to_bytes()
    blob = b"xyz" + data + other + b"tail"
    first, end = decode_constraint_system_from(blob, 3)
    assert first == dataclasses.replace(sys, name="") and end == 3 + len(data)
    second, end2 = decode_constraint_system_from(blob, end, "Fib")
    assert second.name == "Fib" and end2 == len(blob) - 4
    with pytest.raises(ProofFormatError, match="4 trailing bytes"):
        decode_constraint_system(data + b"\0\0\0\0")


def test_every_truncation_fails() -> None:
    data = small_system().to_bytes()
    for k in range(len(data)):
        with pytest.raises(ProofFormatError):
            decode_constraint_system(data[:k])


def test_decoder_rejects_random_corruption_without_crashing() -> None:
    data = small_system().to_bytes()
    for pos in range(len(data)):
        for flip in (0x01, 0x80, 0xFF):
            bad = bytearray(data)
            bad[pos] ^= flip
            try:
                decode_constraint_system(bytes(bad))
            except ProofFormatError:
                pass


def _node_offset(sys: ConstraintSystem, index: int) -> int:
    """Byte offset of node ``index``'s tag in ``sys.to_bytes()``."""
    pos = 4 * 7 + 4 * len(sys.cached_main_widths) + 4  # header up to num_nodes, inclusive
    sizes = {NodeKind.MAIN: 9, NodeKind.PREPROCESSED: 5, NodeKind.PERMUTATION: 5}
    for node in sys.nodes[:index]:
        kind = node.kind
        if kind in sizes:
            size = sizes[kind]
        elif kind in (NodeKind.ADD, NodeKind.SUB, NodeKind.MUL):
            size = 8
        elif kind in (NodeKind.IS_FIRST_ROW, NodeKind.IS_LAST_ROW, NodeKind.IS_TRANSITION):
            size = 0
        else:
            size = 4
        pos += 1 + size
    return pos


def test_node_offsets_helper_matches() -> None:
    sys = compile_air(Everything(), 1).system
    data = sys.to_bytes()
    for i, node in enumerate(sys.nodes):
        assert data[_node_offset(sys, i)] == int(node.kind)


def replace_node(sys: ConstraintSystem, index: int, node: Node) -> ConstraintSystem:
    nodes = list(sys.nodes)
    nodes[index] = node
    return dataclasses.replace(sys, nodes=tuple(nodes))


def first(sys: ConstraintSystem, kind: NodeKind) -> int:
    return next(i for i, n in enumerate(sys.nodes) if n.kind == kind)


def with_interaction(sys: ConstraintSystem, **changes: Any) -> ConstraintSystem:
    """``sys`` with its first interaction changed."""
    it = dataclasses.replace(sys.interactions[0], **changes)
    return dataclasses.replace(sys, interactions=(it, *sys.interactions[1:]))


def mutations() -> list[Any]:
    """``pytest.param(invalid system, expected message, id=label)`` from valid systems."""
    ev = compile_air(Everything(), 1).system
    sm = small_system()
    fib = compile_air(FibonacciAir(), 1).system
    main_i = first(ev, NodeKind.MAIN)
    main = ev.nodes[main_i]
    prep_i = first(ev, NodeKind.PREPROCESSED)
    add_i = first(ev, NodeKind.ADD)
    neg_i = first(ev, NodeKind.NEG)
    perm_i = first(ev, NodeKind.PERMUTATION)
    it = sm.interactions[0]
    sel = first(ev, NodeKind.IS_FIRST_ROW)
    r = dataclasses.replace
    wi = with_interaction
    heavy = dataclasses.replace(it, count_weight=1 << 31)
    cases = [
        ("prep width 0, height 2", r(ev, preprocessed_width=0), "both be 0"),
        ("prep height 3", r(ev, preprocessed_height=3), "power of two"),
        ("prep height 2^28", r(ev, preprocessed_height=1 << 28), "power of two"),
        ("cached width 0", r(ev, cached_main_widths=(0,)), "width >= 1"),
        ("main width 0", r(fib, common_main_width=0), "main width"),
        ("offset 2", replace_node(ev, main_i, main._replace(b=2)), "offset 2"),
        ("main part", replace_node(ev, main_i, main._replace(c=2)), "part 2"),
        ("main column", replace_node(ev, main_i, Node(NodeKind.MAIN, 3, 0, 1)), "column 3"),
        ("cached column", replace_node(ev, main_i, Node(NodeKind.MAIN, 2, 0, 0)), "column 2"),
        ("prep column", replace_node(ev, prep_i, Node(NodeKind.PREPROCESSED, 2)), "column 2"),
        ("public", replace_node(ev, main_i, Node(NodeKind.PUBLIC, 2)), "value 2 must be < 2"),
        ("const", replace_node(ev, main_i, Node(NodeKind.CONST, P)), f"must be < {P}"),
        ("challenge 2", replace_node(ev, main_i, Node(NodeKind.CHALLENGE, 2)), "< 2"),
        ("exposed 1", replace_node(ev, main_i, Node(NodeKind.EXPOSED, 1)), "< 1"),
        (
            "challenge without interactions",
            replace_node(fib, 0, Node(NodeKind.CHALLENGE, 0)),
            "without interactions",
        ),
        (
            "exposed without interactions",
            replace_node(fib, 0, Node(NodeKind.EXPOSED, 0)),
            "without interactions",
        ),
        (
            "permutation column",
            replace_node(ev, perm_i, Node(NodeKind.PERMUTATION, 2)),
            "after-challenge width",
        ),
        ("self child", replace_node(ev, add_i, ev.nodes[add_i]._replace(b=add_i)), "< "),
        ("forward child", replace_node(ev, neg_i, Node(NodeKind.NEG, neg_i + 1)), "< "),
        ("constraint id", r(ev, constraints=(*ev.constraints, len(ev.nodes))), "constraint"),
        ("air constraints", r(ev, num_air_constraints=len(ev.constraints) + 1), "AIR constr"),
        ("bus", wi(sm, bus=65536), "bus 65536"),
        ("empty message", wi(sm, fields=()), "length 0"),
        ("long message", wi(sm, fields=(0,) * 128), "length 128"),
        ("field id", wi(sm, fields=(len(sm.nodes),)), "field node"),
        ("count id", wi(sm, count=len(sm.nodes)), "count node"),
        ("selector in interaction", wi(ev, count=sel), "uses is_first_row"),
        (
            "weights overflow",
            r(sm, interactions=(heavy, heavy), chunks=((0,), (1,))),
            "overflow",
        ),
        ("empty chunk", r(sm, chunks=((0,), ())), "empty"),
        ("duplicate chunk index", r(sm, chunks=((0, 0),)), "two chunks"),
        ("chunk index range", r(sm, chunks=((0, 1),)), "< 1"),
        ("missing chunk", r(sm, interactions=(it, it)), "in no chunk"),
        ("empty chunk without interactions", r(fib, chunks=((),)), "empty"),
        ("chunk without interactions", r(fib, chunks=((0,),)), "< 0"),
        ("no chunks", r(sm, chunks=()), "in no chunk"),
        ("quotient degree", r(fib, quotient_degree=2), "quotient degree 2"),
        ("quotient degree 0", r(fib, quotient_degree=0), "quotient degree 0"),
    ]
    return [pytest.param(bad, message, id=label) for label, bad, message in cases]


@pytest.mark.parametrize(("bad", "message"), mutations())
def test_malformed_systems_are_rejected(bad: ConstraintSystem, message: str) -> None:
    data = encode_constraint_system(bad)
    with pytest.raises(ProofFormatError, match=message):
        decode_constraint_system(data)


def test_byte_level_corruptions() -> None:
    sys = compile_air(Everything(), 1).system
    data = sys.to_bytes()
    with pytest.raises(ProofFormatError, match="magic"):
        decode_constraint_system(b"SBIX" + data[4:])
    with pytest.raises(ProofFormatError, match="version 2"):
        decode_constraint_system(data[:4] + struct.pack("<I", 2) + data[8:])
    tag_pos = _node_offset(sys, 3)
    for tag in (14, 200, 255):
        bad = bytearray(data)
        bad[tag_pos] = tag
        with pytest.raises(ProofFormatError, match=f"unknown tag {tag}"):
            decode_constraint_system(bytes(bad))
    # absurd counts are refused before allocating
    num_nodes_pos = _node_offset(sys, 0) - 4
    huge = data[:num_nodes_pos] + struct.pack("<I", 0xFFFFFFFF) + data[num_nodes_pos + 4 :]
    with pytest.raises(ProofFormatError, match="cannot fit"):
        decode_constraint_system(huge)
    with pytest.raises(ProofFormatError, match="cannot fit"):
        decode_constraint_system(data[:16] + struct.pack("<I", 1 << 30) + data[20:])
    with pytest.raises(ProofFormatError):
        decode_constraint_system(b"")


def test_encoder_refuses_values_that_do_not_fit() -> None:
    sys = small_system()
    with pytest.raises(ValueError):
        encode_constraint_system(dataclasses.replace(sys, quotient_degree=-1))
    with pytest.raises(ValueError):
        encode_constraint_system(replace_node(sys, 0, Node(NodeKind.MAIN, 1 << 32)))
