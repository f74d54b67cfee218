"""What the prover needs for one AIR: its id, its main trace partitions and public values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import InputError

__all__ = ["AirProvingContext"]


class AirProvingContext:
    """Inputs of one present AIR for :meth:`Engine.prove`.

    ``AirProvingContext(air_id, common_main=None, *, cached_mains=(), public_values=())``

    - ``common_main``: the common main trace, shape ``(height, common_width)``; when the AIR has
      no cached partitions this is the whole main trace. ``None`` when the AIR has no common
      main (all of its main columns are cached partitions).
    - ``cached_mains``: one array per cached partition, shape ``(height, cached_main_widths[i])``,
      in the AIR's partition order.
    - ``public_values``: ``num_public_values`` field elements.

    Arrays may have any integer dtype; C-contiguous ``uint32`` avoids a copy. :meth:`Engine.prove`
    converts them (dtype, dimensions, value range) and the core validates them against the key
    (air id, partitions, widths, heights, public values), raising
    :class:`~stark_backend.InputError` that names ``contexts[i]``, the AIR and the partition.
    """

    __slots__ = ("air_id", "cached_mains", "common_main", "public_values")

    def __init__(
        self,
        air_id: int,
        common_main: Any = None,
        *,
        cached_mains: Iterable[Any] = (),
        public_values: Iterable[int] | Any = (),
    ) -> None:
        self.air_id = air_id
        self.common_main = common_main
        if isinstance(cached_mains, (str, bytes)) or not isinstance(cached_mains, Iterable):
            raise InputError(
                f"AirProvingContext: cached_mains must be a sequence of matrices, got "
                f"{type(cached_mains).__name__}"
            )
        self.cached_mains: tuple[Any, ...] = tuple(cached_mains)
        self.public_values: Any = public_values

    def __repr__(self) -> str:
        def shape(a: Any) -> str:
            s = getattr(a, "shape", None)
            return str(tuple(s)) if s is not None else type(a).__name__

        common = "None" if self.common_main is None else shape(self.common_main)
        cached = ", ".join(shape(a) for a in self.cached_mains)
        return (
            f"AirProvingContext(air_id={self.air_id!r}, common_main={common}, "
            f"cached_mains=[{cached}])"
        )
