"""EXPOSED: exposed value ``a`` (0 = the AIR's LogUp cumulative sum, ``logup_sum``).

Not evaluated by the debug checker (known only while proving).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._api import PREC_ATOM, RenderContext, Rendered

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    return ("logup_sum" if node.a == 0 else f"exposed[{node.a}]"), PREC_ATOM
