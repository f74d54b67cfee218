"""Cached main partitions committed once and reused: :meth:`Engine.commit_cached
<stark_backend.Engine.commit_cached>` returns a :class:`CommittedTrace`.

A cached partition (``Air.cached_main_widths``) is committed on its own in every proof: its
low-degree extension on the blown-up coset and the Merkle tree over it. When the same partition
appears in many proofs (a program's code, a fixed table), committing it once saves that work in
every later proof. A :class:`CommittedTrace` holds the trace, its LDE and its tree (host memory:
about ``2^log_blowup`` times the trace plus the tree); put it in ``AirProvingContext(...,
cached_mains=[committed, ...])`` where the array would go. The proof is byte-identical to the one
made from the array itself: the commitment is the one the prover builds inline.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import U32Array

__all__ = ["CommittedTrace"]


class CommittedTrace:
    """One cached main partition committed for one proving key (``Engine.commit_cached``).

    Immutable; safe to share between threads and proofs. A proof under another key, or with it in
    another AIR's or partition's slot, raises :class:`~stark_backend.InputError`.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    @property
    def air_id(self) -> int:
        return int(self._raw.air_id)

    @property
    def air_name(self) -> str:
        return str(self._raw.air_name)

    @property
    def partition(self) -> int:
        """Its index among the AIR's cached partitions."""
        return int(self._raw.partition)

    @property
    def height(self) -> int:
        return int(self._raw.height)

    @property
    def width(self) -> int:
        return int(self._raw.width)

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)`` of the trace."""
        return (self.height, self.width)

    @property
    def root(self) -> list[int]:
        """The commitment's Merkle root (8 field elements for Poseidon2; the digest words)."""
        return [int(x) for x in self._raw.root]

    @property
    def trace(self) -> U32Array:
        """The committed trace, ``(height, width)`` ``uint32``, read-only (no copy)."""
        out: U32Array = np.asarray(self._raw.trace)
        return out

    @property
    def lde_bytes(self) -> int:
        """Host bytes its LDE holds (the Merkle tree comes on top)."""
        return int(self._raw.lde_bytes)

    def __repr__(self) -> str:
        return (
            f"CommittedTrace(air={self.air_name!r} (id {self.air_id}), "
            f"partition={self.partition}, shape={self.shape})"
        )
