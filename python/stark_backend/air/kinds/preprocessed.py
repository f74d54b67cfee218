"""PREPROCESSED: column ``a`` of the preprocessed trace at row offset ``b``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._api import PREC_ATOM, DebugRows, RenderContext, Rendered, Value, row_column, tick

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    return f"prep[{node.a}]{tick(node.b)}", PREC_ATOM


def debug_value(node: Node, children: Sequence[Value], rows: DebugRows) -> Value:
    return row_column(rows.prep[:, node.a], node.b)
