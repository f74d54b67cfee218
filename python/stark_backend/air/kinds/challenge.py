"""CHALLENGE: LogUp challenge ``a`` (0 = ``logup_alpha``, 1 = ``logup_beta``).

Not evaluated by the debug checker (drawn only while proving).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._api import PREC_ATOM, RenderContext, Rendered

if TYPE_CHECKING:
    from ..symbolic import Node

_NAMES = ("logup_alpha", "logup_beta")


def render(node: Node, children: Sequence[Rendered], ctx: RenderContext) -> Rendered:
    return (_NAMES[node.a] if node.a < len(_NAMES) else f"challenge[{node.a}]"), PREC_ATOM
