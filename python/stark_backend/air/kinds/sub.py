"""SUB: ``a - b`` (children ``a``, ``b``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..._arrays import P
from ._api import PREC_ATOM, PREC_PRODUCT, PREC_SUM, DebugRows, RenderContext, Rendered, Value

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    (left, _), (right, right_prec) = children
    if right_prec not in (PREC_PRODUCT, PREC_ATOM):
        right = f"({right})"
    return f"{left} - {right}", PREC_SUM


def debug_value(node: Node, children: Sequence[Value], rows: DebugRows) -> Value:
    return (children[0] - children[1]) % P
