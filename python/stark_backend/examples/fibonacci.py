"""Fibonacci: the AIR of the README's "Proving" section and a vectorized trace generator.

Row ``i`` holds ``(x_i, y_i)`` with ``(x_0, y_0) = (a, b)`` and
``(x_{i+1}, y_{i+1}) = (y_i, x_i + y_i)`` mod p. Public values: ``[a, b, y_{n-1}]``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._arrays import P
from ..air import Air, AirBuilder

__all__ = ["FibonacciAir", "fibonacci_states", "fibonacci_trace"]


class FibonacciAir(Air):
    """Two columns ``(x, y)``; public values ``(a, b, out)``; constraints of degree <= 2."""

    width = 2
    num_public_values = 3

    def eval(self, b: AirBuilder) -> None:
        local, nxt = b.main()
        a0, b0, out = b.public_values()
        b.when_first_row().assert_eq(local[0], a0)
        b.when_first_row().assert_eq(local[1], b0)
        b.when_transition().assert_eq(nxt[0], local[1])
        b.when_transition().assert_eq(nxt[1], local[0] + local[1])
        b.when_last_row().assert_eq(local[1], out)


def _mat_mul(x: list[list[int]], y: list[list[int]]) -> list[list[int]]:
    return [[sum(x[i][k] * y[k][j] for k in range(2)) % P for j in range(2)] for i in range(2)]


def fibonacci_states(n: int, a: int = 0, b: int = 1) -> npt.NDArray[np.int64]:
    """States ``(x_k, y_k)`` for ``k = 0..n-1``, shape ``(n, 2)``, int64 in ``[0, p)``.

    Computed by doubling: ``S[m + k] = M^m · S[k]`` with ``M = [[0, 1], [1, 1]]``, so the
    work is ``log2 n`` NumPy steps (no per-row Python loop).
    """
    states = np.zeros((n, 2), np.int64)
    if n == 0:
        return states
    states[0] = (a % P, b % P)
    m = 1
    power = [[0, 1], [1, 1]]  # M^m
    while m < n:
        k = min(m, n - m)
        block = states[:k]
        for row in range(2):
            states[m : m + k, row] = (
                power[row][0] * block[:, 0] % P + power[row][1] * block[:, 1] % P
            ) % P
        power = _mat_mul(power, power)
        m *= 2
    return states


def fibonacci_trace(n: int, a: int = 0, b: int = 1) -> tuple[npt.NDArray[np.uint32], list[int]]:
    """Trace ``(n, 2)`` uint32 for :class:`FibonacciAir` and its public values ``[a, b, out]``."""
    trace = fibonacci_states(n, a, b).astype(np.uint32)
    return trace, [a % P, b % P, int(trace[-1, 1])]
