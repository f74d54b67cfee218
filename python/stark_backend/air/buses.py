"""Bus helpers over ``AirBuilder.push_interaction`` (as openvm's ``PermutationCheckBus`` and
``LookupBus``)."""

from __future__ import annotations

import operator
from collections.abc import Sequence

from ..errors import KeygenError
from .builder import AirBuilder
from .expr import Expr, ExprLike
from .system import MAX_BUS_INDEX

__all__ = ["LookupBus", "PermutationCheckBus"]


def _negate(x: ExprLike, what: str) -> ExprLike:
    if isinstance(x, Expr):
        return -x
    try:
        return -operator.index(x)
    except TypeError:
        raise KeygenError(f"{what}: expected an Expr or int, got {type(x).__name__}") from None


def _bus_index(index: int, bus: str) -> int:
    try:
        value = operator.index(index)
    except TypeError:
        raise KeygenError(f"{bus}: index must be an int, got {type(index).__name__}") from None
    if not 0 <= value <= MAX_BUS_INDEX:
        raise KeygenError(f"{bus}: index {value} outside [0, {MAX_BUS_INDEX}]")
    return value


class PermutationCheckBus:
    """A bus on which every message sent is received exactly as many times (a multiset check).

    ``send`` adds ``enabled`` copies of the message, ``receive`` removes ``enabled`` copies;
    both have count weight 1.
    """

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = _bus_index(index, "PermutationCheckBus")

    def send(self, b: AirBuilder, message: Sequence[ExprLike], enabled: ExprLike) -> None:
        """Interaction with count ``enabled`` (count weight 1)."""
        b.push_interaction(self.index, message, enabled, 1)

    def receive(self, b: AirBuilder, message: Sequence[ExprLike], enabled: ExprLike) -> None:
        """Interaction with count ``-enabled`` (count weight 1)."""
        b.push_interaction(
            self.index, message, _negate(enabled, "PermutationCheckBus.receive: enabled"), 1
        )

    def __repr__(self) -> str:
        return f"PermutationCheckBus({self.index})"


class LookupBus:
    """A bus where requesters look keys up in a table that provides each key with a multiplicity.

    ``lookup_key`` adds ``enabled`` copies of the query (count weight 1);
    ``add_key_with_lookups`` removes ``num_lookups`` copies of a table key (count weight 0:
    the table's height does not enter the bus's trace-height constraint).
    """

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = _bus_index(index, "LookupBus")

    def lookup_key(self, b: AirBuilder, query: Sequence[ExprLike], enabled: ExprLike) -> None:
        """Interaction with count ``enabled`` (count weight 1)."""
        b.push_interaction(self.index, query, enabled, 1)

    def add_key_with_lookups(
        self, b: AirBuilder, key: Sequence[ExprLike], num_lookups: ExprLike
    ) -> None:
        """Interaction with count ``-num_lookups`` (count weight 0)."""
        b.push_interaction(
            self.index, key, _negate(num_lookups, "LookupBus.add_key_with_lookups: num_lookups"), 0
        )

    def __repr__(self) -> str:
        return f"LookupBus({self.index})"
