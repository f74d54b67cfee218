"""PUBLIC: public value ``a`` of the AIR."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._api import PREC_ATOM, DebugRows, RenderContext, Rendered, Value

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    return f"pub[{node.a}]", PREC_ATOM


def debug_value(node: Node, children: Sequence[Value], rows: DebugRows) -> Value:
    return rows.public[node.a]
