"""A range-check lookup table and AIRs that look values up in it.

:class:`RangeCheckTableAir` has a preprocessed column ``0, 1, ..., 2^bits - 1`` and one main
column ``mult``; it provides each table value with multiplicity ``mult`` on a lookup bus
(count weight 0). :class:`RangeRequesterAir` has ``num_columns`` main columns and looks every
cell up once (count 1). The bus balances iff every requested value is in ``[0, 2^bits)`` and
``mult`` counts the requests.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..air import Air, AirBuilder, LookupBus

__all__ = ["RangeCheckTableAir", "RangeRequesterAir", "range_check_traces"]

RANGE_BUS = 1
"""Default bus of the range-check lookups."""


class RangeCheckTableAir(Air):
    """The table ``[0, 2^bits)`` (preprocessed) with a multiplicity column (main)."""

    width = 1

    def __init__(self, bits: int, bus_index: int = RANGE_BUS) -> None:
        if not 0 <= bits <= 20:
            raise ValueError("bits must be in [0, 20]")
        self.bits = bits
        self.bus_index = bus_index

    def preprocessed_trace(self) -> npt.NDArray[np.uint32]:
        """Column ``0..2^bits - 1``, shape ``(2^bits, 1)``."""
        return np.arange(1 << self.bits, dtype=np.uint32).reshape(-1, 1)

    def eval(self, b: AirBuilder) -> None:
        (value,), _ = b.preprocessed()
        (mult,), _ = b.main()
        LookupBus(self.bus_index).add_key_with_lookups(b, [value], mult)


class RangeRequesterAir(Air):
    """``num_columns`` values per row, each looked up in the range table."""

    def __init__(self, num_columns: int, bus_index: int = RANGE_BUS) -> None:
        if num_columns < 1:
            raise ValueError("num_columns must be >= 1")
        self.width = num_columns
        self.bus_index = bus_index

    def eval(self, b: AirBuilder) -> None:
        local, _ = b.main()
        bus = LookupBus(self.bus_index)
        for value in local:
            bus.lookup_key(b, [value], 1)


def range_check_traces(
    values: npt.ArrayLike, bits: int
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """``(requester trace (n, k), table multiplicities (2^bits, 1))`` for ``values (n, k)``.

    Raises ``ValueError`` if a value is outside ``[0, 2^bits)``.
    """
    v = np.asarray(values)
    if v.ndim != 2 or not np.issubdtype(v.dtype, np.integer):
        raise ValueError("values must be a 2-D integer array")
    if v.size and (v.min() < 0 or v.max() >= 1 << bits):
        raise ValueError(f"values must lie in [0, 2^{bits})")
    mult = np.bincount(v.ravel().astype(np.int64), minlength=1 << bits)
    return v.astype(np.uint32), mult.astype(np.uint32).reshape(-1, 1)
