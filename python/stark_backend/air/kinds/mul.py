"""MUL: ``a * b`` (children ``a``, ``b``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..._arrays import P
from ._api import PREC_ATOM, PREC_PRODUCT, DebugRows, RenderContext, Rendered, Value

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    (left, left_prec), (right, right_prec) = children
    if left_prec < PREC_PRODUCT:
        left = f"({left})"
    if right_prec != PREC_ATOM:
        right = f"({right})"
    return f"{left} * {right}", PREC_PRODUCT


def debug_value(node: Node, children: Sequence[Value], rows: DebugRows) -> Value:
    return (children[0] * children[1]) % P
