"""Run-time knobs of the compiled core: threads, SIMD level, CUDA availability."""

from __future__ import annotations

from . import _core

__all__ = ["cuda_available", "num_threads", "set_num_threads", "simd_level"]


def num_threads() -> int:
    """Number of threads the core uses (``STARK_NUM_THREADS`` or the machine's CPU count)."""
    return int(_core.num_threads())


def set_num_threads(n: int) -> None:
    """Set the core's thread count; ``n <= 0`` restores the default. Results never depend on it."""
    _core.set_num_threads(int(n))


def simd_level() -> str:
    """SIMD path in use: ``"scalar"``, ``"avx2"`` or ``"avx512"`` (best supported by default)."""
    return str(_core.simd_active())


def cuda_available() -> bool:
    """True if the CUDA units were compiled in and a usable NVIDIA GPU is present."""
    return bool(_core.cuda_available())
