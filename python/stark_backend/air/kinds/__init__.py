"""Python semantics of every node kind: ``kinds/<name>.py``, loaded by name from the table.

Adding a kind needs no edit here: the generated ``node_kinds.py`` lists the kinds, and each
kind's module is found by its snake-case name (see ``_api.py`` for what a module provides).
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, cast

from ..node_kinds import KIND_SPECS, NodeKind

if TYPE_CHECKING:
    from ._api import DebugFn, RenderFn

__all__ = ["DEBUG_VALUE", "RENDER"]


def _module(kind: NodeKind) -> ModuleType:
    name = KIND_SPECS[kind].name
    module = import_module(f"{__name__}.{name}")
    if not callable(getattr(module, "render", None)):
        raise ImportError(f"{module.__name__} (node kind {kind.name}) must define render()")
    needs_debug = "after_challenge" not in KIND_SPECS[kind].flags
    if needs_debug and not callable(getattr(module, "debug_value", None)):
        raise ImportError(f"{module.__name__} (node kind {kind.name}) must define debug_value()")
    return module


_MODULES = {kind: _module(kind) for kind in NodeKind}

RENDER: dict[NodeKind, RenderFn] = {
    kind: cast("RenderFn", module.render) for kind, module in _MODULES.items()
}
"""Per kind: ``render(node, children, ctx)``."""

DEBUG_VALUE: dict[NodeKind, DebugFn | None] = {
    kind: cast("DebugFn | None", getattr(module, "debug_value", None))
    for kind, module in _MODULES.items()
}
"""Per kind: ``debug_value(node, children, rows)``, or ``None`` (after-challenge kinds)."""
