"""Fibonacci with a preprocessed selector column.

The preprocessed column ``sel`` decides per row whether the sequence advances
(``sel = 1``: ``(x, y) -> (y, x + y)``) or holds (``sel = 0``: ``(x, y) -> (x, y)``). The
selector is fixed at keygen, so the trace height is the selector's length.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .._arrays import P
from ..air import Air, AirBuilder
from .fibonacci import fibonacci_states

__all__ = ["FibonacciSelectorAir", "fib_selector_trace"]


class FibonacciSelectorAir(Air):
    """Two main columns ``(x, y)``, one preprocessed column ``sel``; public ``(a, b, out)``."""

    width = 2
    num_public_values = 3

    def __init__(self, selectors: Sequence[int]) -> None:
        self.selectors = np.asarray(selectors, dtype=np.uint32)
        if self.selectors.ndim != 1 or np.any(self.selectors > 1):
            raise ValueError("selectors must be a 1-D sequence of 0/1")

    def preprocessed_trace(self) -> npt.NDArray[np.uint32]:
        """The selector column, shape ``(len(selectors), 1)``."""
        return self.selectors.reshape(-1, 1)

    def eval(self, b: AirBuilder) -> None:
        local, nxt = b.main()
        (sel,), _ = b.preprocessed()
        a0, b0, out = b.public_values()
        b.when_first_row().assert_eq(local[0], a0)
        b.when_first_row().assert_eq(local[1], b0)
        advance = b.when_transition().when(sel)
        advance.assert_eq(nxt[0], local[1])
        advance.assert_eq(nxt[1], local[0] + local[1])
        hold = b.when_transition().when(1 - sel)
        hold.assert_eq(nxt[0], local[0])
        hold.assert_eq(nxt[1], local[1])
        b.when_last_row().assert_eq(local[1], out)


def fib_selector_trace(
    selectors: Sequence[int], a: int = 0, b: int = 1
) -> tuple[npt.NDArray[np.uint32], list[int]]:
    """Main trace ``(n, 2)`` uint32 and public values ``[a, b, out]`` for the selectors.

    Row ``i`` is the Fibonacci state after ``sum(selectors[:i])`` steps.
    """
    sel = np.asarray(selectors, dtype=np.int64)
    steps = np.concatenate([[0], np.cumsum(sel[:-1])]).astype(np.int64)
    states = fibonacci_states(int(steps[-1]) + 1, a, b)
    trace = states[steps].astype(np.uint32)
    return trace, [a % P, b % P, int(trace[-1, 1])]
