"""Keccak-f[1600] AIR: reference permutation, trace generator, constraints, tampering."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import _air_support  # noqa: F401
from stark_backend.air import ConstraintSystem, check_constraints, compile_air
from stark_backend.errors import ConstraintViolation
from stark_backend.examples import (
    KECCAK_WIDTH,
    KeccakAir,
    keccak_outputs,
    keccak_permute,
    keccak_trace,
)

# Textbook Keccak-f[1600] (FIPS 202), written independently of the example module.
ROUND_CONSTANTS = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]  # fmt: skip
ROTATIONS = [  # ROTATIONS[x][y]
    [0, 36, 3, 41, 18],
    [1, 44, 10, 45, 2],
    [62, 6, 43, 15, 61],
    [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]
MASK = (1 << 64) - 1


def rotl(v: int, r: int) -> int:
    return ((v << r) | (v >> (64 - r))) & MASK if r else v


def keccak_f(lanes: list[int]) -> list[int]:
    """Keccak-f[1600] on 25 lanes, lane index x + 5y."""
    a = [[lanes[x + 5 * y] for y in range(5)] for x in range(5)]
    for rc in ROUND_CONSTANTS:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ rotl(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = rotl(a[x][y], ROTATIONS[x][y])
        a = [
            [b[x][y] ^ (~b[(x + 1) % 5][y] & MASK & b[(x + 2) % 5][y]) for y in range(5)]
            for x in range(5)
        ]
        a[0][0] ^= rc
    return [a[x][y] for y in range(5) for x in range(5)]


def sha3_256(message: bytes) -> bytes:
    rate = 136
    padded = bytearray(message) + b"\x06" + b"\x00" * ((-len(message) - 2) % rate) + b"\x80"
    if len(padded) % rate:
        raise AssertionError("padding")
    if (len(message) + 1) % rate == 0:  # the two padding bytes coincide
        padded = bytearray(message) + b"\x86"
    lanes = [0] * 25
    for off in range(0, len(padded), rate):
        block = padded[off : off + rate]
        for i in range(rate // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        lanes = keccak_f(lanes)
    return b"".join(v.to_bytes(8, "little") for v in lanes)[:32]


@pytest.mark.parametrize("message", [b"", b"abc", b"x" * 135, b"y" * 136, bytes(range(200))])
def test_reference_matches_hashlib(message: bytes) -> None:
    assert sha3_256(message) == hashlib.sha3_256(message).digest()


def random_states(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 1 << 64, size=(n, 25), dtype=np.uint64)


def test_vectorized_permutation_matches_reference() -> None:
    states = random_states(5, 0)
    states[0] = 0
    out = keccak_permute(states)
    for s, o in zip(states.tolist(), out.tolist(), strict=True):
        assert o == keccak_f(s)


@pytest.fixture(scope="module")
def keccak_system() -> ConstraintSystem:
    system = compile_air(KeccakAir(), 1).system
    return system


def test_keccak_air_shape(keccak_system: ConstraintSystem) -> None:
    assert keccak_system.main_width == KECCAK_WIDTH == 2632
    assert keccak_system.max_degree == 3 and keccak_system.quotient_degree == 2
    assert keccak_system.num_interactions == 0


@pytest.mark.parametrize("num", [1, 3])
def test_trace_outputs_and_constraints(keccak_system: ConstraintSystem, num: int) -> None:
    states = random_states(num, num)
    trace = keccak_trace(states)
    height = trace.shape[0]
    assert trace.dtype == np.uint32 and trace.shape[1] == KECCAK_WIDTH
    assert height & (height - 1) == 0 and height >= 24 * num > height // 2
    outputs = keccak_outputs(trace, num)
    for s, o in zip(states.tolist(), outputs.tolist(), strict=True):
        assert o == keccak_f(s)
    check_constraints(keccak_system, trace)


@pytest.mark.parametrize(
    ("row", "col"),
    [
        (5, 0),  # a round flag
        (30, 24 + 37),  # preimage limb inside a permutation
        (7, 124 + 13),  # a state limb
        (11, 864 + 900),  # a theta bit
        (23, 2464 + 50),  # chi output limb on a last-round row
        (17, 2628 + 2),  # iota output limb
    ],
)
def test_flipped_cell_is_caught(keccak_system: ConstraintSystem, row: int, col: int) -> None:
    trace = keccak_trace(random_states(2, 9))
    trace[row, col] ^= 1
    with pytest.raises(ConstraintViolation, match="KeccakAir"):
        check_constraints(keccak_system, trace)
