"""What a node kind's Python semantics module provides, and the helpers it may use.

Every kind of the node-kind table (``cpp/src/air/kinds/node_kinds.json``) has a module
``kinds/<name>.py`` (``<name>`` = the kind's snake-case name) with:

``render(node, children, ctx) -> Rendered``
    The node as text for messages, given its children's renderings: ``(text, precedence)``
    with the precedences below (so that parentheses appear only where needed).
``debug_value(node, children, rows) -> Value``
    Its value on every row of a concrete trace for the debug checker (``debug.py``), given its
    children's values: an ``int`` in ``[0, p)`` when row-independent, else an ``(n,)`` int64
    array in ``[0, p)``. Kinds flagged ``after_challenge`` need none (the checker cannot
    evaluate them and says so).

Everything else about a kind (its payload encoding, degree, value class, interaction rules)
comes from the table. ``kinds/__init__.py`` loads the modules by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from ..._arrays import P

if TYPE_CHECKING:
    from ..symbolic import Node

__all__ = [
    "PREC_ATOM",
    "PREC_PREFIX",
    "PREC_PRODUCT",
    "PREC_SUM",
    "DebugFn",
    "DebugRows",
    "I64Array",
    "RenderContext",
    "RenderFn",
    "Rendered",
    "Value",
    "row_column",
    "signed",
    "tick",
]

# Printing precedence: sums < products < prefix minus (and negative constants) < atoms.
PREC_SUM = 1
PREC_PRODUCT = 2
PREC_PREFIX = 3
PREC_ATOM = 4

Rendered = tuple[str, int]
"""A rendering: the text and its precedence."""

I64Array = npt.NDArray[np.int64]
Value = int | I64Array
"""A node's value in the debug checker: one int for row-independent nodes, else ``(n,)``."""


class RenderContext(Protocol):
    """What rendering may know beyond the node: the AIR's main partitions."""

    @property
    def main_part_offsets(self) -> Sequence[int]:
        """Global index of the first column of each main partition (``b.main()`` order)."""
        ...


class DebugRows(Protocol):
    """The concrete data of one AIR, as the debug checker holds it (int64, in ``[0, p)``)."""

    @property
    def height(self) -> int: ...
    @property
    def mains(self) -> Sequence[I64Array]: ...
    @property
    def prep(self) -> I64Array: ...
    @property
    def public(self) -> Sequence[int]: ...


if TYPE_CHECKING:
    from collections.abc import Callable

    RenderFn = Callable[[Node, Sequence[Rendered], RenderContext], Rendered]
    DebugFn = Callable[[Node, Sequence[Value], DebugRows], Value]


def signed(value: int) -> int:
    """The representative of ``value mod p`` in ``(-p/2, p/2]``."""
    v = value % P
    return v - P if v > P // 2 else v


def tick(offset: int) -> str:
    """The mark of a next-row variable: ``'`` at offset 1."""
    return "'" if offset else ""


def row_column(column: I64Array, offset: int) -> I64Array:
    """A trace column as seen at row offset ``offset`` (1: the next row, cyclically)."""
    return np.roll(column, -1) if offset else column
