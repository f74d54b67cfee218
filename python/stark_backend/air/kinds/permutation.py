"""PERMUTATION: after-challenge extension column ``a`` at row offset ``b``.

Not evaluated by the debug checker (it needs the LogUp challenges).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._api import PREC_ATOM, RenderContext, Rendered, tick

if TYPE_CHECKING:
    from ..symbolic import Node


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    return f"perm[{node.a}]{tick(node.b)}", PREC_ATOM
