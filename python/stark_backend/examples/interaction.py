"""A sender/receiver pair on a permutation-check bus, with and without a cached main.

:class:`InteractionAir` has one ``count`` column and ``field_width`` message columns. As a
sender it sends ``(fields)`` with multiplicity ``count`` on its bus; as a receiver it receives
them. With ``cached=True`` the message columns form a cached main partition (committed on their
own) and the count column is the common main; ``b.main()`` then lists the message columns
first. Column order of the full main trace:

- ``cached=False``: ``[count, field_0, ..., field_{w-1}]``;
- ``cached=True``:  ``[field_0, ..., field_{w-1}, count]``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .._arrays import P
from ..air import Air, AirBuilder, PermutationCheckBus

__all__ = ["InteractionAir", "interaction_pair_traces", "interaction_trace"]


class InteractionAir(Air):
    """Sends (``send=True``) or receives ``count`` copies of its message row on ``bus_index``."""

    def __init__(
        self, field_width: int, *, send: bool, bus_index: int = 0, cached: bool = False
    ) -> None:
        if field_width < 1:
            raise ValueError("field_width must be >= 1")
        self.field_width = field_width
        self.send = send
        self.bus_index = bus_index
        self.cached = cached
        self.width = field_width + 1
        self.cached_main_widths = [field_width] if cached else []
        self.name = ("Sender" if send else "Receiver") + ("Cached" if cached else "")

    def eval(self, b: AirBuilder) -> None:
        local, _ = b.main()
        if self.cached:
            fields, count = local[: self.field_width], local[self.field_width]
        else:
            fields, count = local[1:], local[0]
        bus = PermutationCheckBus(self.bus_index)
        if self.send:
            bus.send(b, fields, count)
        else:
            bus.receive(b, fields, count)

    def partitions(self, trace: npt.NDArray[np.uint32]) -> list[npt.NDArray[np.uint32]]:
        """Split a full main trace into ``[cached..., common]`` partitions (C-contiguous)."""
        if not self.cached:
            return [trace]
        w = self.field_width
        return [np.ascontiguousarray(trace[:, :w]), np.ascontiguousarray(trace[:, w:])]


def interaction_trace(
    counts: npt.ArrayLike, fields: npt.ArrayLike, *, cached: bool = False
) -> npt.NDArray[np.uint32]:
    """Full main trace for :class:`InteractionAir` from ``counts (n,)`` and ``fields (n, w)``."""
    c = np.asarray(counts, dtype=np.uint32).reshape(-1, 1)
    f = np.asarray(fields, dtype=np.uint32)
    if f.ndim != 2 or f.shape[0] != c.shape[0]:
        raise ValueError("fields must have shape (n, w) with n = len(counts)")
    parts = [f, c] if cached else [c, f]
    return np.ascontiguousarray(np.concatenate(parts, axis=1))


def interaction_pair_traces(
    height: int, field_width: int = 2, *, cached: bool = False, seed: int = 0
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """Balanced ``(sender, receiver)`` main traces of ``height`` rows each.

    The receiver holds the sender's rows in a random order (same multiset of
    ``(count, message)``), so the bus balances.
    """
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 5, size=height)
    fields = rng.integers(0, P, size=(height, field_width))
    perm = rng.permutation(height)
    return (
        interaction_trace(counts, fields, cached=cached),
        interaction_trace(counts[perm], fields[perm], cached=cached),
    )
