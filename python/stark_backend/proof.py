"""The STARK proof object (docs/protocol.md §13): an opaque, serializable value."""

from __future__ import annotations

from typing import Any

from . import _core
from .configs import StarkConfig
from .configs import by_id as config_by_id
from .errors import InputError, ProofFormatError

__all__ = ["Proof"]


def _as_bytes(data: Any, what: str) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise ProofFormatError(f"{what}.from_bytes: expected bytes, got {type(data).__name__}")


class Proof:
    """A proof for a set of present AIRs.

    Serialize with :meth:`to_bytes`; :meth:`from_bytes` rejects any malformed input (wrong
    magic or version, truncation, trailing bytes, non-canonical field elements) with
    :class:`~stark_backend.ProofFormatError`. Whether the proof is *valid* is decided by
    :meth:`Engine.verify <stark_backend.Engine.verify>`.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: Any) -> None:
        if not isinstance(raw, _core.Proof):
            raise InputError(
                f"Proof objects come from Engine.prove or Proof.from_bytes, not from a "
                f"{type(raw).__name__}"
            )
        self._raw = raw

    def to_bytes(self) -> bytes:
        """The canonical byte encoding (little-endian, versioned)."""
        return bytes(self._raw.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Proof:
        """Decode a proof; :class:`~stark_backend.ProofFormatError` on malformed bytes."""
        return cls(_core.Proof.from_bytes(_as_bytes(data, "Proof")))

    @property
    def config(self) -> StarkConfig:
        """The configuration the proof was made under."""
        return config_by_id(int(self._raw.config_id))

    @property
    def air_ids(self) -> list[int]:
        """Ids of the AIRs present in the proof, in proof order (ascending)."""
        return list(self._raw.air_ids)

    @property
    def trace_heights(self) -> list[int]:
        """Trace height of each present AIR, aligned with :attr:`air_ids`."""
        return list(self._raw.heights)

    @property
    def public_values(self) -> list[list[int]]:
        """Public values of each present AIR, aligned with :attr:`air_ids`."""
        return [list(v) for v in self._raw.public_values]

    def __len__(self) -> int:
        """Size of the byte encoding."""
        return int(self._raw.num_bytes())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Proof):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __repr__(self) -> str:
        airs = ", ".join(f"{a}:{h}" for a, h in zip(self.air_ids, self.trace_heights, strict=True))
        return f"<Proof airs(id:height)=[{airs}] {len(self)} bytes>"

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return (Proof.from_bytes, (self.to_bytes(),))
