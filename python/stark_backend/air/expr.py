"""Symbolic field expressions handed to ``Air.eval``.

An :class:`Expr` is a handle on one node of an :class:`~stark_backend.air.symbolic.ExprGraph`;
arithmetic builds new (hash-consed) nodes, so ``eval`` runs once and records the whole
constraint system as a DAG. Python ints may appear on either side of ``+ - *``; they are
reduced mod p (negative ints are fine). ``x ** k`` takes a small non-negative int ``k`` and
expands to multiplications by square-and-multiply.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from typing import overload

from ..errors import KeygenError
from .symbolic import ExprGraph, ExprPrinter, NodeKind

__all__ = ["Expr", "ExprLike", "ExprRow", "ExprTypeError"]

MAX_POWER = 1 << 16
"""Largest exponent accepted by ``Expr.__pow__``."""


class ExprTypeError(KeygenError, TypeError):
    """An :class:`Expr` used with an operand or index of the wrong type (or as a bool).

    A :class:`~stark_backend.KeygenError` (the AIR cannot be keyed), and a ``TypeError`` as
    Python code expects from an operator applied to the wrong type.
    """


class _GraphContext:
    """A graph plus what printing its nodes needs (the main partition offsets)."""

    __slots__ = ("graph", "printer")

    def __init__(self, graph: ExprGraph, main_part_offsets: Sequence[int]) -> None:
        self.graph = graph
        self.printer = ExprPrinter(graph.nodes, main_part_offsets)


class Expr:
    """A symbolic expression over the field; supports ``+ - *``, unary ``-`` and ``**``.

    ``str(expr)`` prints it readably (``main[1]' - (main[0] + main[1])``; ``'`` = next row).
    Expressions have no truth value: compare them with ``b.assert_eq``, not ``==``.
    """

    __slots__ = ("_ctx", "_id")

    def __init__(self, ctx: _GraphContext, node_id: int) -> None:
        self._ctx = ctx
        self._id = node_id

    @property
    def node_id(self) -> int:
        """Id of this expression's node in its graph."""
        return self._id

    @property
    def degree(self) -> int:
        """Degree multiple of the expression (docs/protocol.md §5.1)."""
        return self._ctx.graph.degrees[self._id]

    def _operand(self, other: ExprLike) -> int:
        if isinstance(other, Expr):
            if other._ctx is not self._ctx:
                raise KeygenError("cannot combine expressions from two different AIR builders")
            return other._id
        try:
            value = operator.index(other)
        except TypeError:
            raise ExprTypeError(
                f"cannot combine an Expr with {type(other).__name__} (use Expr or int)"
            ) from None
        return self._ctx.graph.const(value)

    def _wrap(self, node_id: int) -> Expr:
        return Expr(self._ctx, node_id)

    def __add__(self, other: ExprLike) -> Expr:
        return self._wrap(self._ctx.graph.add(self._id, self._operand(other)))

    def __radd__(self, other: ExprLike) -> Expr:
        return self._wrap(self._ctx.graph.add(self._operand(other), self._id))

    def __sub__(self, other: ExprLike) -> Expr:
        return self._wrap(self._ctx.graph.sub(self._id, self._operand(other)))

    def __rsub__(self, other: ExprLike) -> Expr:
        return self._wrap(self._ctx.graph.sub(self._operand(other), self._id))

    def __mul__(self, other: ExprLike) -> Expr:
        return self._wrap(self._ctx.graph.mul(self._id, self._operand(other)))

    def __rmul__(self, other: ExprLike) -> Expr:
        return self._wrap(self._ctx.graph.mul(self._operand(other), self._id))

    def __neg__(self) -> Expr:
        return self._wrap(self._ctx.graph.neg(self._id))

    def __pos__(self) -> Expr:
        return self

    def __pow__(self, exponent: int) -> Expr:
        try:
            k = operator.index(exponent)
        except TypeError:
            raise ExprTypeError(
                f"Expr ** k needs an int exponent k, got {type(exponent).__name__}"
            ) from None
        if not 0 <= k <= MAX_POWER:
            raise KeygenError(f"Expr ** k needs 0 <= k <= {MAX_POWER}, got {k}")
        graph = self._ctx.graph
        result = graph.const(1)
        square = self._id
        while k:
            if k & 1:
                result = graph.mul(result, square)
            k >>= 1
            if k:
                square = graph.mul(square, square)
        return self._wrap(result)

    def __bool__(self) -> bool:
        raise ExprTypeError("an Expr has no truth value; use b.assert_eq(x, y) or b.when(cond)")

    def __str__(self) -> str:
        return self._ctx.printer(self._id)

    def __repr__(self) -> str:
        return f"Expr({self._ctx.printer(self._id)})"


ExprLike = Expr | int
"""An :class:`Expr` or a Python int (reduced mod p)."""


class ExprRow(Sequence[Expr]):
    """One row of a trace as a read-only sequence of :class:`Expr` (``local`` or ``next``).

    Indexing, negative indexing, slicing (returns a list), ``len`` and iteration work as for a
    tuple. A column index out of range raises :class:`~stark_backend.errors.KeygenError`
    naming the AIR. Variable nodes are created on first access, so unused columns add nothing
    to the DAG.
    """

    __slots__ = ("_air_name", "_ctx", "_kind", "_label", "_offset", "_slots")

    def __init__(
        self,
        ctx: _GraphContext,
        kind: NodeKind,
        slots: Sequence[tuple[int, int]],
        offset: int,
        label: str,
        air_name: str,
    ) -> None:
        # slots[j] = (part, index inside the part) of column j of this row
        self._ctx = ctx
        self._kind = kind
        self._slots = slots
        self._offset = offset
        self._label = label
        self._air_name = air_name

    def __len__(self) -> int:
        return len(self._slots)

    def _at(self, j: int) -> Expr:
        part, index = self._slots[j]
        nid = self._ctx.graph.var(self._kind, index, self._offset, part)
        return Expr(self._ctx, nid)

    @overload
    def __getitem__(self, key: int) -> Expr: ...

    @overload
    def __getitem__(self, key: slice) -> list[Expr]: ...

    def __getitem__(self, key: int | slice) -> Expr | list[Expr]:
        n = len(self._slots)
        if isinstance(key, slice):
            try:
                bounds = key.indices(n)
            except TypeError:
                raise ExprTypeError(
                    f"AIR {self._air_name!r}: {self._label} slice bounds must be ints, got {key!r}"
                ) from None
            return [self._at(j) for j in range(*bounds)]
        try:
            j = operator.index(key)
        except TypeError:
            raise ExprTypeError(
                f"AIR {self._air_name!r}: {self._label} index must be an int or a slice, got "
                f"{type(key).__name__}"
            ) from None
        if not -n <= j < n:
            raise KeygenError(
                f"AIR {self._air_name!r}: {self._label} index {j} out of range (it has {n} columns)"
            )
        return self._at(j % n)

    def __iter__(self) -> Iterator[Expr]:
        for j in range(len(self._slots)):
            yield self._at(j)

    def __repr__(self) -> str:
        return f"ExprRow({self._label}, {len(self._slots)} columns)"
