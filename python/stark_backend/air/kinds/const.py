"""CONST: the field element ``a`` (printed in ``(-p/2, p/2]``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._api import PREC_ATOM, PREC_PREFIX, DebugRows, RenderContext, Rendered, Value, signed

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    v = signed(node.a)
    return str(v), (PREC_PREFIX if v < 0 else PREC_ATOM)


def debug_value(node: Node, children: Sequence[Value], rows: DebugRows) -> Value:
    return node.a
