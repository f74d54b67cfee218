"""The builder handed to ``Air.eval`` and the symbolic pass that runs it.

``eval`` runs exactly once, at keygen, against an :class:`AirBuilder` that records every
assertion as a constraint node and every ``push_interaction`` as an interaction of the AIR's
DAG (:class:`SymbolicAir`). Proving, verifying and the debug checker all evaluate that DAG.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import KeygenError, StarkError
from .expr import Expr, ExprLike, ExprRow, _GraphContext
from .symbolic import ExprGraph, NodeKind

if TYPE_CHECKING:
    from .air import Air

__all__ = ["AirBuilder", "RawInteraction", "SymbolicAir", "symbolic_eval"]


@dataclass
class RawInteraction:
    """An interaction as pushed by ``eval``: node ids of its message fields and count."""

    bus: int
    fields: list[int]
    count: int
    count_weight: int


@dataclass
class SymbolicAir:
    """Everything one symbolic run of ``eval`` produced.

    ``constraints`` are node ids (in assertion order); main partitions are
    ``cached_main_widths`` then the common main of ``common_main_width`` columns.
    """

    name: str
    graph: ExprGraph
    context: _GraphContext
    preprocessed_width: int
    cached_main_widths: list[int]
    common_main_width: int
    num_public_values: int
    constraints: list[int] = field(default_factory=list)
    interactions: list[RawInteraction] = field(default_factory=list)


class _BuilderState:
    """State shared by a builder and all its ``when(...)`` views."""

    def __init__(self, out: SymbolicAir) -> None:
        self.out = out
        ctx = out.context
        name = out.name
        main_slots = [
            (part, i)
            for part, w in enumerate([*out.cached_main_widths, out.common_main_width])
            for i in range(w)
        ]
        prep_slots = [(0, i) for i in range(out.preprocessed_width)]
        self.main = tuple(
            ExprRow(ctx, NodeKind.MAIN, main_slots, off, "main column", name) for off in (0, 1)
        )
        self.prep = tuple(
            ExprRow(ctx, NodeKind.PREPROCESSED, prep_slots, off, "preprocessed column", name)
            for off in (0, 1)
        )
        pub_slots = [(0, i) for i in range(out.num_public_values)]
        self.public = ExprRow(ctx, NodeKind.PUBLIC, pub_slots, 0, "public value", name)


class AirBuilder:
    """Records constraints and interactions of an AIR (handed to ``Air.eval``).

    ``when(cond)`` and its shorthands return a view of the same builder whose assertions and
    interaction counts are multiplied by ``cond`` (views chain: ``b.when(x).when(y)``
    multiplies by ``x * y``).
    """

    __slots__ = ("_condition", "_state")

    def __init__(self, state: _BuilderState, condition: int | None = None) -> None:
        self._state = state
        self._condition = condition

    # -- variables --------------------------------------------------------------------------
    def main(self) -> tuple[ExprRow, ExprRow]:
        """``(local, next)``: rows ``i`` and ``i + 1`` of all main columns (cached first)."""
        local, nxt = self._state.main
        return local, nxt

    def preprocessed(self) -> tuple[ExprRow, ExprRow]:
        """``(local, next)`` of the preprocessed trace (empty rows if there is none)."""
        local, nxt = self._state.prep
        return local, nxt

    def public_values(self) -> ExprRow:
        """The AIR's public values, one :class:`Expr` each (``num_public_values`` of them)."""
        return self._state.public

    def _selector(self, kind: NodeKind) -> Expr:
        ctx = self._state.out.context
        return Expr(ctx, ctx.graph.var(kind, 0))

    @property
    def is_first_row(self) -> Expr:
        """Selector: non-zero exactly on the first row (a mask, not a value)."""
        return self._selector(NodeKind.IS_FIRST_ROW)

    @property
    def is_last_row(self) -> Expr:
        """Selector: non-zero exactly on the last row (a mask, not a value)."""
        return self._selector(NodeKind.IS_LAST_ROW)

    @property
    def is_transition(self) -> Expr:
        """Selector: non-zero on every row but the last (degree 0)."""
        return self._selector(NodeKind.IS_TRANSITION)

    # -- conditions -------------------------------------------------------------------------
    def _node(self, x: ExprLike, what: str) -> int:
        """Node of ``x`` (an Expr of this builder, or an int); ``what`` names the argument."""
        ctx = self._state.out.context
        if isinstance(x, Expr):
            if x._ctx is not ctx:
                raise KeygenError(
                    f"AIR {self._state.out.name!r}: {what}: expression from another AIR's builder"
                )
            return x.node_id
        try:
            return ctx.graph.const(operator.index(x))
        except TypeError:
            raise KeygenError(
                f"AIR {self._state.out.name!r}: {what}: expected an Expr or int, got "
                f"{type(x).__name__}"
            ) from None

    def _conditioned(self, nid: int) -> int:
        if self._condition is None:
            return nid
        return self._state.out.graph.mul(self._condition, nid)

    def when(self, condition: ExprLike) -> AirBuilder:
        """A view whose assertions are multiplied by ``condition``."""
        return AirBuilder(self._state, self._conditioned(self._node(condition, "when: condition")))

    def when_first_row(self) -> AirBuilder:
        """``when(is_first_row)``."""
        return self.when(self.is_first_row)

    def when_last_row(self) -> AirBuilder:
        """``when(is_last_row)``."""
        return self.when(self.is_last_row)

    def when_transition(self) -> AirBuilder:
        """``when(is_transition)``: the assertion is not checked on the last row."""
        return self.when(self.is_transition)

    # -- assertions -------------------------------------------------------------------------
    def assert_zero(self, x: ExprLike) -> None:
        """Constrain ``condition * x == 0`` on every row."""
        self._state.out.constraints.append(self._conditioned(self._node(x, "assert_zero: x")))

    def assert_eq(self, x: ExprLike, y: ExprLike) -> None:
        """Constrain ``x == y`` (recorded as ``x - y``)."""
        graph = self._state.out.graph
        self._state.out.constraints.append(
            self._conditioned(
                graph.sub(self._node(x, "assert_eq: x"), self._node(y, "assert_eq: y"))
            )
        )

    def assert_one(self, x: ExprLike) -> None:
        """Constrain ``x == 1``."""
        self.assert_eq(x, 1)

    def assert_bool(self, x: ExprLike) -> None:
        """Constrain ``x * (x - 1) == 0``."""
        graph = self._state.out.graph
        nid = self._node(x, "assert_bool: x")
        self._state.out.constraints.append(
            self._conditioned(graph.mul(nid, graph.sub(nid, graph.const(1))))
        )

    # -- interactions -----------------------------------------------------------------------
    def push_interaction(
        self,
        bus_index: int,
        fields: Sequence[ExprLike],
        count: ExprLike,
        count_weight: int = 1,
    ) -> None:
        """Add ``count`` (times the current condition) copies of ``(bus_index, fields)``.

        Positive counts send, negative counts receive; over all AIRs and rows, the net count of
        every (bus, message) must be zero. ``count_weight`` enters the trace-height constraint
        of the bus. Message fields and the count may use trace columns and public values but
        no selectors (checked at keygen).
        """
        name = self._state.out.name
        bus = _int_argument(bus_index, "bus_index", name)
        weight = _int_argument(count_weight, "count_weight", name)
        if isinstance(fields, Expr) or not isinstance(fields, Iterable):
            raise KeygenError(
                f"AIR {name!r}: push_interaction: fields must be a sequence of Expr or int (the "
                f"message), got {type(fields).__name__}"
            )
        fields = list(fields)
        self._state.out.interactions.append(
            RawInteraction(
                bus=bus,
                fields=[
                    self._node(f, f"push_interaction: fields[{j}]") for j, f in enumerate(fields)
                ],
                count=self._conditioned(self._node(count, "push_interaction: count")),
                count_weight=weight,
            )
        )


def _int_argument(value: Any, arg: str, air_name: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise KeygenError(
            f"AIR {air_name!r}: push_interaction: bus_index and count_weight must be ints; "
            f"{arg} is a {type(value).__name__}"
        ) from None


def symbolic_eval(
    air: Air,
    *,
    name: str,
    preprocessed_width: int,
    cached_main_widths: Sequence[int],
    common_main_width: int,
    num_public_values: int,
) -> SymbolicAir:
    """Run ``air.eval`` once against a fresh symbolic builder (widths already validated).

    Any other error raised inside ``eval`` (a wrong column or public-value count: ``IndexError``,
    or a failed tuple unpacking: ``ValueError``; a bug of the AIR such as an ``AttributeError``)
    is re-raised as a ``KeygenError`` naming the AIR and the original error (chained as its
    ``__cause__``), so keygen raises only ``StarkError``s.
    """
    graph = ExprGraph()
    offsets = [0]
    for w in cached_main_widths:
        offsets.append(offsets[-1] + w)
    out = SymbolicAir(
        name=name,
        graph=graph,
        context=_GraphContext(graph, offsets),
        preprocessed_width=preprocessed_width,
        cached_main_widths=list(cached_main_widths),
        common_main_width=common_main_width,
        num_public_values=num_public_values,
    )
    builder = AirBuilder(_BuilderState(out))
    try:
        air.eval(builder)
    except StarkError:
        raise
    except Exception as exc:
        raise KeygenError(f"AIR {name!r}: eval failed: {type(exc).__name__}: {exc}") from exc
    return out
