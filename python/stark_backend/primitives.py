"""Low-level primitives of the core, for users and for cross-checks.

All inputs are canonical field elements (integers in ``[0, p)``) of any integer dtype; outputs
are C-contiguous ``uint32`` NumPy arrays that own their memory. The GIL is released while the
core works, so these calls can run concurrently from several Python threads.

Conventions (``docs/protocol.md`` §4): ``ω_n`` is the field's two-adic generator of order ``n``;
the forward NTT maps coefficients ``c_0..c_{n-1}`` to evaluations at ``ω_n^0 .. ω_n^{n-1}``
(natural order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import _core
from ._arrays import U32Array, as_field_array, as_matrix, check_power_of_two_height
from .configs import StarkConfig
from .configs import resolve as resolve_config
from .errors import InputError

__all__ = [
    "BN254_R",
    "GENERATOR",
    "TWO_ADICITY",
    "P",
    "bn254_poseidon2_permute",
    "byte_hash",
    "coset_lde",
    "merkle_root",
    "ntt",
    "poseidon2_permute",
    "two_adic_generator",
]

P: int = 2013265921
"""The BabyBear prime ``2^31 - 2^27 + 1``."""

GENERATOR: int = 31
"""Multiplicative generator of ``F_p^*``; the default LDE coset shift."""

TWO_ADICITY: int = 27

_TWO_ADIC_GENERATOR_27 = 440564289


def _int_arg(value: Any, name: str) -> int:
    """``value`` as an int (any integer type but bool); InputError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name}: expected an int, got {type(value).__name__}")
    return int(value)


def two_adic_generator(bits: int) -> int:
    """Primitive ``2^bits``-th root of unity (``0 <= bits <= 27``)."""
    b = _int_arg(bits, "bits")
    if not 0 <= b <= TWO_ADICITY:
        raise InputError(f"bits: {b} is outside [0, {TWO_ADICITY}]")
    return pow(_TWO_ADIC_GENERATOR_27, 1 << (TWO_ADICITY - b), P)


def poseidon2_permute(states: Any) -> U32Array:
    """Apply the Poseidon2 permutation (width 16, BabyBear, openvm default constants).

    ``states``: shape ``(16,)`` or ``(n, 16)``. Returns an array of the same shape.
    """
    arr = as_field_array(states, "states", ndim=(1, 2))
    if arr.shape[-1] != 16:
        raise InputError(f"states: last dimension must be 16, got shape {arr.shape}")
    out: U32Array = _core.poseidon2_permute(arr.reshape(-1, 16))
    return out.reshape(arr.shape)


def _check_ntt_size(n: int, extra_bits: int, name: str) -> int:
    if n == 0 or n & (n - 1):
        raise InputError(f"{name}: length {n} along axis 0 is not a power of two")
    log_n = n.bit_length() - 1
    if log_n + extra_bits > TWO_ADICITY:
        raise InputError(
            f"{name}: size 2^{log_n + extra_bits} exceeds the field's two-adicity 2^{TWO_ADICITY}"
        )
    return log_n


def ntt(values: Any, *, inverse: bool = False) -> U32Array:
    """Radix-2 NTT along axis 0 of a ``(n,)`` or ``(n, w)`` array (``n`` a power of two).

    Forward: coefficients → evaluations at ``ω_n^i`` (natural order). Inverse: the reverse
    map, including the ``1/n`` factor. Returns a new array of the input's shape.
    """
    if not isinstance(inverse, (bool, np.bool_, int, np.integer)):
        raise InputError(f"inverse: expected a bool, got {type(inverse).__name__}")
    arr = as_field_array(values, "values", ndim=(1, 2))
    _check_ntt_size(int(arr.shape[0]), 0, "values")
    out: U32Array = _core.ntt(arr.reshape(arr.shape[0], -1), bool(inverse))
    return out.reshape(arr.shape)


def coset_lde(evals: Any, log_blowup: int, shift: int = GENERATOR) -> U32Array:
    """Low-degree extension onto a coset.

    ``evals``: shape ``(n,)`` or ``(n, w)``, evaluations of polynomials of degree ``< n`` on the
    subgroup of order ``n`` (natural order). Returns their evaluations on
    ``shift · <ω_{n·2^log_blowup}>`` in natural order: shape ``(n << log_blowup,)`` or
    ``(n << log_blowup, w)``.
    """
    arr = as_field_array(evals, "evals", ndim=(1, 2))
    blowup = _int_arg(log_blowup, "log_blowup")
    if not 0 <= blowup <= TWO_ADICITY:
        raise InputError(f"log_blowup: must be in [0, {TWO_ADICITY}], got {blowup}")
    if isinstance(shift, bool) or not isinstance(shift, (int, np.integer)) or not 0 < shift < P:
        raise InputError(f"shift: must be a non-zero field element in (0, {P}), got {shift!r}")
    _check_ntt_size(int(arr.shape[0]), blowup, "evals")
    out: U32Array = _core.coset_lde(arr.reshape(arr.shape[0], -1), blowup, int(shift), False)
    if arr.ndim == 1:
        return out.reshape(-1)
    return out


def merkle_root(matrices: Sequence[Any], *, config: StarkConfig | str | None = None) -> U32Array:
    """Root digest (8 little-endian ``uint32`` words, 32 bytes) of the mixed-height Merkle tree
    (MMCS) over ``matrices``, hashed with ``config``'s hasher (default
    ``configs.baby_bear_poseidon2()``: 8 field elements).

    Each matrix has shape ``(h, w)`` with ``h`` a power of two and ``w >= 1`` (a 1-D array is
    one column). Matrices of different heights share one tree: the tallest are hashed into the
    leaves, each shorter one is injected at the level of its height (Plonky3 semantics).
    """
    cfg = resolve_config(config, "merkle_root")
    if isinstance(matrices, np.ndarray):
        raise InputError("matrices: expected a list of 2-D arrays, got a single array")
    if isinstance(matrices, (str, bytes)) or not isinstance(matrices, Iterable):
        raise InputError(f"matrices: expected a list of 2-D arrays, got {type(matrices).__name__}")
    mats = [as_matrix(m, f"matrices[{i}]") for i, m in enumerate(matrices)]
    if not mats:
        raise InputError("matrices: at least one matrix is required")
    for i, m in enumerate(mats):
        check_power_of_two_height(m, f"matrices[{i}]")
        if m.shape[1] == 0:
            raise InputError(f"matrices[{i}]: width must be >= 1")
    out: U32Array = _core.merkle_root(mats, cfg.name)
    return out


_BYTE_HASHES = ("keccak256", "blake3")


def byte_hash(kind: str, data: bytes | bytearray | memoryview) -> bytes:
    """Keccak-256 (``kind="keccak256"``, Ethereum's keccak256) or BLAKE3 (``"blake3"``) of
    ``data``: 32 bytes. The hashes of the ``baby_bear_keccak`` / ``baby_bear_blake3``
    configurations, which hash field elements as their little-endian ``uint32`` bytes."""
    if kind not in _BYTE_HASHES:
        raise InputError(f"byte_hash: unknown hash {kind!r} (known: keccak256, blake3)")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"byte_hash: data must be bytes, got {type(data).__name__}")
    return bytes(_core.byte_hash(kind, bytes(data)))


def bn254_poseidon2_permute(state: Sequence[int]) -> list[int]:
    """Poseidon2 over BN254 (width 3, x^5, the ``baby_bear_poseidon2_root`` permutation) of three
    canonical elements (ints below r)."""
    values = list(state)
    if len(values) != 3:
        raise InputError(f"bn254_poseidon2_permute: expected 3 elements, got {len(values)}")
    for i, v in enumerate(values):
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < BN254_R:
            raise InputError(f"state[{i}]: expected an int in [0, r), got {v!r}")
    return [int(x, 16) for x in _core.bn254_poseidon2_permute([hex(v) for v in values])]


BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
"""The BN254 scalar field modulus."""
