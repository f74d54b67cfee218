"""Keygen and the proving / verifying keys (docs/protocol.md §8).

Keygen runs the AIR layer in Python — the symbolic pass over ``eval``, validation, LogUp
chunking and constraints, degrees and quotient degree (``stark_backend.air.compile_air``) — and
hands each AIR's constraint-system bytes, preprocessed trace and name to the core, which
commits the preprocessed traces, derives the trace-height constraints and the transcript seed
``pre_hash`` (with the GIL released).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _core
from ._arrays import U32Array
from .air import Air, CompiledAir, ConstraintSystem, LinearConstraint, compile_air
from .configs import StarkConfig
from .configs import by_id as config_by_id
from .configs import resolve as resolve_config
from .errors import InputError, KeygenError, ProofFormatError
from .fri_params import FriParameters

__all__ = ["KeygenBuilder", "LinearConstraint", "ProvingKey", "VerifyingKey"]


def _as_bytes(data: Any, what: str) -> bytes:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise ProofFormatError(f"{what}.from_bytes: expected bytes, got {type(data).__name__}")


class VerifyingKey:
    """What a verifier needs: per-AIR constraint systems, preprocessed commitments and heights,
    the trace-height constraints, and the FRI parameters the key was made for.

    Per-AIR lists are indexed by air id (the order of :meth:`KeygenBuilder.add_air`).
    """

    __slots__ = ("_raw", "_systems")

    def __init__(self, raw: Any) -> None:
        if not isinstance(raw, _core.VerifyingKey):
            raise InputError(
                "VerifyingKey objects come from ProvingKey.vk or VerifyingKey.from_bytes, not "
                f"from a {type(raw).__name__}"
            )
        self._raw = raw
        self._systems: list[ConstraintSystem] | None = None

    # -- serialization ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """Canonical encoding (magic, version, little-endian); ends with ``pre_hash``."""
        return bytes(self._raw.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> VerifyingKey:
        """Decode and fully validate a key (constraint systems, derived trace-height constraints,
        recomputed ``pre_hash``); :class:`~stark_backend.ProofFormatError` otherwise."""
        return cls(_core.VerifyingKey.from_bytes(_as_bytes(data, "VerifyingKey")))

    # -- contents -----------------------------------------------------------------------------

    @property
    def config(self) -> StarkConfig:
        """The configuration the key was made under (its hash and transcript)."""
        return config_by_id(int(self._raw.config_id))

    @property
    def fri_params(self) -> FriParameters:
        """The FRI parameters this key was generated for."""
        return FriParameters(*self._raw.fri)

    @property
    def num_airs(self) -> int:
        return int(self._raw.num_airs)

    @property
    def air_names(self) -> list[str]:
        return list(self._raw.air_names)

    @property
    def main_widths(self) -> list[int]:
        """Main trace width of each AIR (all partitions together)."""
        return list(self._raw.main_widths)

    @property
    def total_widths(self) -> list[int]:
        """Preprocessed + main + 4 * after-challenge (extension) columns, per AIR."""
        return list(self._raw.total_widths)

    @property
    def num_interactions(self) -> list[int]:
        return list(self._raw.num_interactions)

    @property
    def num_public_values(self) -> list[int]:
        return list(self._raw.num_public_values)

    @property
    def cached_main_widths(self) -> list[list[int]]:
        return [list(w) for w in self._raw.cached_main_widths]

    @property
    def common_main_widths(self) -> list[int]:
        return list(self._raw.common_main_widths)

    @property
    def preprocessed_widths(self) -> list[int]:
        """0 for AIRs without a preprocessed trace."""
        return list(self._raw.preprocessed_widths)

    @property
    def preprocessed_heights(self) -> list[int | None]:
        """The fixed trace height of AIRs with a preprocessed trace, ``None`` otherwise."""
        return list(self._raw.preprocessed_heights)

    @property
    def quotient_degrees(self) -> list[int]:
        return list(self._raw.quotient_degrees)

    @property
    def trace_height_constraints(self) -> list[LinearConstraint]:
        """``Σ_A coefficients[A] · height_A < threshold`` must hold over the present AIRs: one
        constraint per bus used (ascending bus index), then one on the interaction count."""
        return [
            LinearConstraint(list(coeffs), int(threshold))
            for coeffs, threshold in self._raw.trace_height_constraints
        ]

    @property
    def pre_hash(self) -> list[int]:
        """The transcript seed (8 field elements)."""
        return list(self._raw.pre_hash)

    def constraint_systems(self) -> list[ConstraintSystem]:
        """Each AIR's constraint system, decoded into the Python AIR layer's form."""
        if self._systems is None:
            self._systems = [
                ConstraintSystem.from_bytes(bytes(data), name=name)
                for data, name in zip(self._raw.constraint_systems, self.air_names, strict=True)
            ]
        return list(self._systems)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerifyingKey):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __repr__(self) -> str:
        return f"<VerifyingKey airs={self.air_names} {self.fri_params!r}>"

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return (VerifyingKey.from_bytes, (self.to_bytes(),))


class ProvingKey:
    """The verifying key plus the preprocessed traces and their committed LDEs."""

    __slots__ = ("_raw", "_systems", "_vk")

    def __init__(self, raw: Any, systems: Sequence[ConstraintSystem] | None = None) -> None:
        if not isinstance(raw, _core.ProvingKey):
            raise InputError(
                "ProvingKey objects come from KeygenBuilder.generate_pk or ProvingKey.from_bytes, "
                f"not from a {type(raw).__name__}"
            )
        self._raw = raw
        self._vk = VerifyingKey(raw.vk)
        if systems is not None:
            self._vk._systems = list(systems)

    @property
    def vk(self) -> VerifyingKey:
        return self._vk

    def to_bytes(self) -> bytes:
        """The verifying key's bytes followed by the preprocessed traces."""
        return bytes(self._raw.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> ProvingKey:
        """Decode a key; the preprocessed traces are recommitted and must match the verifying
        key's commitments (:class:`~stark_backend.ProofFormatError` otherwise)."""
        return cls(_core.ProvingKey.from_bytes(_as_bytes(data, "ProvingKey")))

    def preprocessed_trace(self, air_id: int) -> U32Array | None:
        """The preprocessed trace of AIR ``air_id`` (a copy), or ``None``."""
        num_airs = self._vk.num_airs
        if isinstance(air_id, bool):
            raise InputError("preprocessed_trace: air_id must be an int, got bool")
        try:
            index = operator.index(air_id)
        except TypeError:
            raise InputError(
                f"preprocessed_trace: air_id must be an int, got {type(air_id).__name__}"
            ) from None
        if not 0 <= index < num_airs:
            raise InputError(
                f"preprocessed_trace: air_id {index} out of range (the key has {num_airs} AIRs)"
            )
        out: U32Array | None = self._raw.preprocessed_trace(index)
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProvingKey):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self._vk)

    def __repr__(self) -> str:
        return f"<ProvingKey airs={self._vk.air_names} {self._vk.fri_params!r}>"

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return (ProvingKey.from_bytes, (self.to_bytes(),))


class KeygenBuilder:
    """Collects AIRs (:meth:`add_air`) and keys them for one engine (:meth:`generate_pk`)."""

    __slots__ = ("_airs", "_config", "_fri")

    def __init__(self, fri_params: FriParameters, config: StarkConfig | str | None = None) -> None:
        if not isinstance(fri_params, FriParameters):
            raise InputError(
                "KeygenBuilder: fri_params must be a FriParameters, got "
                f"{type(fri_params).__name__} (Engine.keygen_builder() makes one)"
            )
        self._fri = fri_params
        self._config = resolve_config(config, "KeygenBuilder")
        self._airs: list[Air] = []

    def add_air(self, air: Air) -> int:
        """Register ``air``; returns its air id (0, 1, 2, … in the order added)."""
        if isinstance(air, type):
            raise KeygenError(
                f"add_air: got the class {air.__name__}; pass an instance ({air.__name__}(...))"
            )
        if not callable(getattr(air, "eval", None)):
            raise KeygenError(
                f"add_air: a {type(air).__name__} is not an Air (it has no eval method)"
            )
        self._airs.append(air)
        return len(self._airs) - 1

    @property
    def num_airs(self) -> int:
        return len(self._airs)

    def generate_pk(self) -> ProvingKey:
        """Key every added AIR (docs/protocol.md §8.2).

        Raises :class:`~stark_backend.KeygenError` naming the AIR for: no AIRs, bad widths or
        counts, a malformed preprocessed trace, invalid interactions (bus, message length,
        selectors in message or count), a constraint degree above
        ``fri_params.max_constraint_degree``, or — at the standard 100-bit parameters — AIRs
        beyond openvm's security budget.
        """
        if not self._airs:
            raise KeygenError("generate_pk: no AIRs were added")
        compiled: list[CompiledAir] = [compile_air(air, self._fri.log_blowup) for air in self._airs]
        payload = [
            (c.system.name, c.system.to_bytes(), _preprocessed_for_core(c.preprocessed_trace))
            for c in compiled
        ]
        raw = _core.keygen(list(self._fri.as_tuple()), payload, self._config.name)
        return ProvingKey(raw, [c.system for c in compiled])


def _preprocessed_for_core(trace: U32Array | None) -> U32Array | None:
    if trace is None:
        return None
    return np.ascontiguousarray(trace, dtype=np.uint32)
