"""Lets the AIR tests import ``stark_backend.air`` without the compiled core.

``stark_backend.air`` and ``stark_backend.examples`` need only NumPy. When the package's
``__init__`` cannot import (no compiled ``_core`` in a source checkout run with
``PYTHONPATH=python``), register a bare package object so that its pure-Python submodules
still import. With an installed package this does nothing.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

try:
    import stark_backend  # noqa: F401
except ImportError:
    _pkg = types.ModuleType("stark_backend")
    _pkg.__path__ = [str(Path(__file__).resolve().parents[2] / "python" / "stark_backend")]
    sys.modules["stark_backend"] = _pkg
