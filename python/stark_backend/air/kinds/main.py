"""MAIN: column ``a`` of main partition ``c`` at row offset ``b``.

Printed by its index among all main columns (``b.main()`` order: cached partitions first).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._api import PREC_ATOM, DebugRows, RenderContext, Rendered, Value, row_column, tick

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    offsets = ctx.main_part_offsets
    base = offsets[node.c] if node.c < len(offsets) else 0
    return f"main[{base + node.a}]{tick(node.b)}", PREC_ATOM


def debug_value(node: Node, children: Sequence[Value], rows: DebugRows) -> Value:
    return row_column(rows.mains[node.c][:, node.a], node.b)
