"""NEG: ``-a`` (child ``a``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..._arrays import P
from ._api import PREC_ATOM, PREC_PREFIX, DebugRows, RenderContext, Rendered, Value

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    ((text, prec),) = children
    return "-" + (text if prec == PREC_ATOM else f"({text})"), PREC_PREFIX


def debug_value(node: Node, children: Sequence[Value], rows: DebugRows) -> Value:
    return (-children[0]) % P
