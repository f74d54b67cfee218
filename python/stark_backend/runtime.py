"""Run-time knobs of the compiled core: threads, SIMD level, CUDA availability."""

from __future__ import annotations

import operator

from . import _core
from .errors import InputError

__all__ = ["MAX_THREADS", "cuda_available", "num_threads", "set_num_threads", "simd_level"]

MAX_THREADS: int = int(_core.MAX_THREADS)
"""Largest thread count :func:`set_num_threads` accepts."""


def num_threads() -> int:
    """Number of threads the core uses (``STARK_NUM_THREADS`` or the machine's CPU count)."""
    return int(_core.num_threads())


def set_num_threads(n: int) -> None:
    """Set the core's thread count; ``n <= 0`` restores the default. Results never depend on it.

    ``n`` is an int ``<= MAX_THREADS`` (:class:`~stark_backend.InputError` otherwise). Safe to
    call while other threads prove or verify: it waits for the parallel step that is running,
    and their results stay byte-identical.
    """
    if isinstance(n, bool):
        raise InputError("set_num_threads: n must be an int, got bool")
    try:
        count = operator.index(n)
    except TypeError:
        raise InputError(f"set_num_threads: n must be an int, got {type(n).__name__}") from None
    if count > MAX_THREADS:
        raise InputError(f"set_num_threads: n = {count} exceeds the maximum of {MAX_THREADS}")
    _core.set_num_threads(max(count, 0))


def simd_level() -> str:
    """SIMD path in use: ``"scalar"``, ``"avx2"`` or ``"avx512"`` (best supported by default)."""
    return str(_core.simd_active())


def cuda_available() -> bool:
    """True if the CUDA units were compiled in and a usable NVIDIA GPU is present."""
    return bool(_core.cuda_available())
