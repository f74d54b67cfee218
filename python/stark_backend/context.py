"""What the prover needs for one AIR: its id, its main trace partitions and public values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._gpu import is_gpu_array
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

    **Traces already on the GPU.** A trace may also be a CuPy array or any object exposing
    ``__cuda_array_interface__`` (v2/v3) or ``__dlpack__`` with a CUDA ``__dlpack_device__()``
    (a legacy ``"dltensor"`` capsule; producers that only hand out versioned capsules must also
    expose ``__cuda_array_interface__``, as CuPy and PyTorch do). Such a trace must already be
    what the core reads — C-contiguous ``uint32``, 1-D (one column) or 2-D, power-of-two height,
    the AIR's width — since converting it would take a GPU kernel; these checks read only its
    description, never its memory (its values are checked by the device that reads it). All
    partitions of one AIR live in one place (all on the GPU or all on the host); different AIRs
    may differ. ``device="cuda"`` proves them without a host round trip; a host device copies
    them to the host first. The producer's writes must be complete before ``prove`` (CuPy's
    stream is synchronised for you); the arrays must stay alive until it returns, which holding
    this context ensures. CuPy is an optional extra: ``pip install ".[cuda]"``.
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
            if s is None:
                cai = getattr(a, "__cuda_array_interface__", None)
                s = cai.get("shape") if isinstance(cai, dict) else None
            text = str(tuple(s)) if s is not None else type(a).__name__
            return text + " on GPU" if is_gpu_array(a) else text

        common = "None" if self.common_main is None else shape(self.common_main)
        cached = ", ".join(shape(a) for a in self.cached_mains)
        return (
            f"AirProvingContext(air_id={self.air_id!r}, common_main={common}, "
            f"cached_mains=[{cached}])"
        )
