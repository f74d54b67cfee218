"""IS_FIRST_ROW: the row selector ``is_first_row``.

The debug checker uses the normalized selector: 1 on the first row, 0 elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ._api import PREC_ATOM, DebugRows, RenderContext, Rendered, Value

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    return "is_first_row", PREC_ATOM


def debug_value(node: Node, children: Sequence[Value], rows: DebugRows) -> Value:
    selector = np.zeros(rows.height, np.int64)
    selector[0] = 1
    return selector
