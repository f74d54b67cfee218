"""The node kinds of the constraint DAG (generated: do not edit).

Written by ``scripts/generate_node_kinds.py`` from ``cpp/src/air/kinds/node_kinds.json``, the
table that also generates the C++ ``stark::NodeKind``; ``tests/python/test_air_node_kinds.py``
fails when this file and the table differ. What the fields mean is the table's ``about``; what
each kind computes in Python (printing, debug evaluation) is ``kinds/<name>.py``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

__all__ = ["KIND_SPECS", "KindSpec", "NodeKind"]


class NodeKind(IntEnum):
    """Kinds of DAG nodes; the values are the tag bytes of the IR encoding (``ir.py``)."""

    PREPROCESSED = 0
    MAIN = 1
    PERMUTATION = 2
    PUBLIC = 3
    CHALLENGE = 4
    EXPOSED = 5
    CONST = 6
    IS_FIRST_ROW = 7
    IS_LAST_ROW = 8
    IS_TRANSITION = 9
    ADD = 10
    SUB = 11
    NEG = 12
    MUL = 13


class KindSpec(NamedTuple):
    """One row of the node-kind table."""

    name: str
    """Snake case: messages, and the semantics module ``kinds/<name>.py``."""
    payload: tuple[str, ...]
    """Encoded fields in byte order: offset, part, index, value, lhs, rhs."""
    bound: str
    """What bounds the index field ("" without one)."""
    flags: frozenset[str]
    """trace, selector, after_challenge, extension."""
    degree: str
    """zero, one, max or sum (of the children)."""

    @property
    def arity(self) -> int:
        """Number of children (the lhs and rhs fields)."""
        return sum(1 for field in self.payload if field in ("lhs", "rhs"))


KIND_SPECS: dict[NodeKind, KindSpec] = {
    NodeKind.PREPROCESSED: KindSpec(
        name="preprocessed",
        payload=("offset", "index"),
        bound="preprocessed_width",
        flags=frozenset({"trace"}),
        degree="one",
    ),
    NodeKind.MAIN: KindSpec(
        name="main",
        payload=("part", "offset", "index"),
        bound="main_part_width",
        flags=frozenset({"trace"}),
        degree="one",
    ),
    NodeKind.PERMUTATION: KindSpec(
        name="permutation",
        payload=("offset", "index"),
        bound="after_challenge_width",
        flags=frozenset({"trace", "after_challenge", "extension"}),
        degree="one",
    ),
    NodeKind.PUBLIC: KindSpec(
        name="public",
        payload=("index",),
        bound="public_values",
        flags=frozenset(),
        degree="zero",
    ),
    NodeKind.CHALLENGE: KindSpec(
        name="challenge",
        payload=("index",),
        bound="challenges",
        flags=frozenset({"after_challenge", "extension"}),
        degree="zero",
    ),
    NodeKind.EXPOSED: KindSpec(
        name="exposed",
        payload=("index",),
        bound="exposed_values",
        flags=frozenset({"after_challenge", "extension"}),
        degree="zero",
    ),
    NodeKind.CONST: KindSpec(
        name="const",
        payload=("value",),
        bound="",
        flags=frozenset(),
        degree="zero",
    ),
    NodeKind.IS_FIRST_ROW: KindSpec(
        name="is_first_row",
        payload=(),
        bound="",
        flags=frozenset({"selector"}),
        degree="one",
    ),
    NodeKind.IS_LAST_ROW: KindSpec(
        name="is_last_row",
        payload=(),
        bound="",
        flags=frozenset({"selector"}),
        degree="one",
    ),
    NodeKind.IS_TRANSITION: KindSpec(
        name="is_transition",
        payload=(),
        bound="",
        flags=frozenset({"selector"}),
        degree="zero",
    ),
    NodeKind.ADD: KindSpec(
        name="add",
        payload=("lhs", "rhs"),
        bound="",
        flags=frozenset(),
        degree="max",
    ),
    NodeKind.SUB: KindSpec(
        name="sub",
        payload=("lhs", "rhs"),
        bound="",
        flags=frozenset(),
        degree="max",
    ),
    NodeKind.NEG: KindSpec(
        name="neg",
        payload=("lhs",),
        bound="",
        flags=frozenset(),
        degree="max",
    ),
    NodeKind.MUL: KindSpec(
        name="mul",
        payload=("lhs", "rhs"),
        bound="",
        flags=frozenset(),
        degree="sum",
    ),
}
