"""Keccak-f[1600] as an AIR: one row per round, 24 rows per permutation, degree 3.

State lanes are indexed ``l = x + 5·y`` (the byte order of Keccak states); a lane is a 64-bit
word, stored either as four little-endian 16-bit limbs or as 64 bit columns. Each row holds
the state ``A`` at the start of one round and the witnesses of that round
(theta, rho, pi, chi, iota):

=====================  ======  =========================================================
columns                count   meaning
=====================  ======  =========================================================
``step``               24      one-hot round index (row ``i`` of a permutation: ``step[i]``)
``preimage``           100     the permutation's input (limbs), constant over its 24 rows
``a``                  100     ``A``, the state at the start of the round (limbs)
``c``                  320     bits of ``C[x] = ⊕_y A[x, y]``
``c_prime``            320     bits of ``C'[x] = C[x] ⊕ D[x]``, ``D[x] = C[x-1] ⊕ rot(C[x+1], 1)``
``a_prime``            1600    bits of ``A'[x, y] = A[x, y] ⊕ D[x]`` (theta)
``a_pp``               100     ``A''`` after rho, pi and chi (limbs)
``a_pp_00_bits``       64      bits of ``A''[0, 0]``
``a_ppp_00``           4       ``A'''[0, 0] = A''[0, 0] ⊕ RC[round]`` (iota; limbs)
=====================  ======  =========================================================

Total width 2632. ``A`` is never decomposed into bits: ``A = A' ⊕ C ⊕ C'`` limb by limb, and
``⊕_y A'[x, y] = C'[x]`` is checked as a parity (``Σ_y A' - C' ∈ {0, 2, 4}``); together they
imply ``C = ⊕_y A`` and ``A' = A ⊕ D``. rho and pi only relabel bits. The next row's ``A`` is this
row's output unless the row is a permutation's last round. Every constraint has degree <= 3,
so the AIR fits ``log_blowup = 1``. The trace height is padded to a power of two with whole
permutations of the zero state; the last one is cut short (the constraints allow that: the
round-to-round ones are transitions).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..air import Air, AirBuilder, Expr

__all__ = [
    "KECCAK_WIDTH",
    "NUM_ROUNDS",
    "KeccakAir",
    "keccak_outputs",
    "keccak_permute",
    "keccak_trace",
]

NUM_ROUNDS = 24
LIMB_BITS = 16
NUM_LIMBS = 4

# Column layout (offsets of each group in a row).
STEP = 0
PREIMAGE = STEP + NUM_ROUNDS
A = PREIMAGE + 25 * NUM_LIMBS
C = A + 25 * NUM_LIMBS
C_PRIME = C + 5 * 64
A_PRIME = C_PRIME + 5 * 64
A_PP = A_PRIME + 25 * 64
A_PP_00_BITS = A_PP + 25 * NUM_LIMBS
A_PPP_00 = A_PP_00_BITS + 64
KECCAK_WIDTH = A_PPP_00 + NUM_LIMBS
"""Main width of :class:`KeccakAir` (2632)."""


def _rho_offsets() -> list[list[int]]:
    """``r[x][y]``: rho rotation of lane ``(x, y)`` (FIPS 202, Algorithm 2)."""
    r = [[0] * 5 for _ in range(5)]
    x, y = 1, 0
    for t in range(24):
        r[x][y] = (t + 1) * (t + 2) // 2 % 64
        x, y = y, (2 * x + 3 * y) % 5
    return r


def _round_constants() -> list[int]:
    """``RC[i]`` from the degree-8 LFSR of FIPS 202, Algorithm 5."""
    state = 1
    out = []
    for _ in range(NUM_ROUNDS):
        rc = 0
        for j in range(7):
            if state & 1:
                rc |= 1 << ((1 << j) - 1)
            state <<= 1
            if state & 0x100:
                state ^= 0x171
        out.append(rc)
    return out


RHO = _rho_offsets()
RC = _round_constants()


def _pi_source(x: int, y: int) -> tuple[int, int]:
    """The lane ``(x', y')`` that pi moves to ``(x, y)``: ``B[y', 2x' + 3y'] = rot(A'[x', y'])``."""
    # y = 2x' + 3y', x = y'  =>  x' = (y - 3x) / 2 = 3(y - 3x) mod 5
    return (3 * (y - 3 * x)) % 5, x


# --------------------------------------------------------------------------- the AIR


def _xor(a: Expr, b: Expr | int) -> Expr:
    """``a ⊕ b`` for bits: ``a + b - 2ab``."""
    return a + b - 2 * a * b


def _compose(bits: list[Expr]) -> Expr:
    """``Σ_k 2^k·bits[k]`` (a limb from its bits, least significant first)."""
    acc = bits[0]
    for k in range(1, len(bits)):
        acc = acc + (1 << k) * bits[k]
    return acc


def _limb_bits(j: int) -> range:
    """Bit positions ``z`` of limb ``j`` of a lane."""
    return range(LIMB_BITS * j, LIMB_BITS * (j + 1))


class KeccakAir(Air):
    """Keccak-f[1600], one round per row (layout in the module docstring)."""

    width = KECCAK_WIDTH

    def eval(self, b: AirBuilder) -> None:
        local_row, next_row = b.main()
        local, nxt = list(local_row), list(next_row)
        step = local[STEP : STEP + NUM_ROUNDS]

        def limb(base: int, lane: int, j: int, row: list[Expr] = local) -> Expr:
            return row[base + NUM_LIMBS * lane + j]

        def c(x: int, z: int) -> Expr:
            return local[C + 64 * (x % 5) + z % 64]

        def c_prime(x: int, z: int) -> Expr:
            return local[C_PRIME + 64 * x + z]

        def a_prime(x: int, y: int, z: int) -> Expr:
            return local[A_PRIME + 64 * (x + 5 * y) + z]

        def b_bit(x: int, y: int, z: int) -> Expr:
            # rho and pi: B[x, y] = rot(A'[x', y'], r[x'][y']) bit by bit.
            sx, sy = _pi_source(x % 5, y)
            return a_prime(sx, sy, (z - RHO[sx][sy]) % 64)

        # Round flags: one-hot, round 0 on the first row, advancing cyclically.
        first = b.when_first_row()
        first.assert_one(step[0])
        for i in range(1, NUM_ROUNDS):
            first.assert_zero(step[i])
        transition = b.when_transition()
        for i in range(NUM_ROUNDS):
            transition.assert_eq(nxt[STEP + (i + 1) % NUM_ROUNDS], step[i])
        in_permutation = transition.when(1 - step[NUM_ROUNDS - 1])

        # The input: A = preimage on round 0; the preimage is constant inside a permutation.
        for col in range(25 * NUM_LIMBS):
            b.when(step[0]).assert_eq(local[A + col], local[PREIMAGE + col])
            in_permutation.assert_eq(nxt[PREIMAGE + col], local[PREIMAGE + col])

        for x in range(5):
            for z in range(64):
                b.assert_bool(c(x, z))
                for y in range(5):
                    b.assert_bool(a_prime(x, y, z))
        # theta: C' = C ^ C[x-1] ^ rot(C[x+1], 1).
        for x in range(5):
            for z in range(64):
                b.assert_eq(c_prime(x, z), _xor(_xor(c(x, z), c(x - 1, z)), c(x + 1, z - 1)))
        # theta: A = A' ^ (C ^ C') limb by limb, and xor_y A' = C' as a parity.
        d = [[_xor(c(x, z), c_prime(x, z)) for z in range(64)] for x in range(5)]
        for y in range(5):
            for x in range(5):
                for j in range(NUM_LIMBS):
                    bits = [_xor(a_prime(x, y, z), d[x][z]) for z in _limb_bits(j)]
                    b.assert_eq(_compose(bits), limb(A, x + 5 * y, j))
        for x in range(5):
            for z in range(64):
                diff = sum((a_prime(x, y, z) for y in range(1, 5)), a_prime(x, 0, z))
                diff = diff - c_prime(x, z)
                b.assert_zero(diff * (diff - 2) * (diff - 4))

        # chi: A''[x, y] = B[x, y] ^ (~B[x+1, y] & B[x+2, y]).
        for y in range(5):
            for x in range(5):
                for j in range(NUM_LIMBS):
                    bits = [
                        _xor(b_bit(x, y, z), (1 - b_bit(x + 1, y, z)) * b_bit(x + 2, y, z))
                        for z in _limb_bits(j)
                    ]
                    b.assert_eq(_compose(bits), limb(A_PP, x + 5 * y, j))

        # iota on lane (0, 0): bits of A''[0, 0], then A''' = A'' ^ RC[round].
        pp_bits = local[A_PP_00_BITS : A_PP_00_BITS + 64]
        for bit in pp_bits:
            b.assert_bool(bit)
        rc_bits: list[Expr | int] = []
        for z in range(64):
            rounds = [step[i] for i in range(NUM_ROUNDS) if RC[i] >> z & 1]
            rc_bits.append(sum(rounds[1:], rounds[0]) if rounds else 0)
        for j in range(NUM_LIMBS):
            b.assert_eq(_compose([pp_bits[z] for z in _limb_bits(j)]), limb(A_PP, 0, j))
            bits = [_xor(pp_bits[z], rc_bits[z]) for z in _limb_bits(j)]
            b.assert_eq(_compose(bits), local[A_PPP_00 + j])

        # The next round's input is this round's output, inside a permutation.
        for lane in range(25):
            for j in range(NUM_LIMBS):
                out = local[A_PPP_00 + j] if lane == 0 else limb(A_PP, lane, j)
                in_permutation.assert_eq(limb(A, lane, j, nxt), out)


# --------------------------------------------------------------------------- trace generation

_U64 = np.uint64
_SHIFTS_64 = np.arange(64, dtype=_U64)
_SHIFTS_LIMBS = np.arange(0, 64, LIMB_BITS, dtype=_U64)


def _rotl(v: npt.NDArray[np.uint64], r: int) -> npt.NDArray[np.uint64]:
    r %= 64
    if r == 0:
        return v
    rotated: npt.NDArray[np.uint64] = (v << _U64(r)) | (v >> _U64(64 - r))
    return rotated


def _bits(v: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``(P, k)`` words → ``(P, 64k)`` bits, word-major, little-endian inside each word."""
    bits: npt.NDArray[np.uint64] = ((v[..., None] >> _SHIFTS_64) & _U64(1)).reshape(v.shape[0], -1)
    return bits


def _limbs(v: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``(P, k)`` words → ``(P, 4k)`` 16-bit limbs, little-endian."""
    limbs: npt.NDArray[np.uint64] = (v[..., None] >> _SHIFTS_LIMBS) & _U64(0xFFFF)
    return limbs.reshape(v.shape[0], -1)


def _round(
    state: npt.NDArray[np.uint64], rnd: int, rows: npt.NDArray[np.uint32] | None
) -> npt.NDArray[np.uint64]:
    """One round on ``state (P, 25)``; fills ``rows (P, KECCAK_WIDTH)`` when given."""
    cols = [state[:, x::5] for x in range(5)]  # (P, 5) lanes of column x, y = 0..4
    c: npt.NDArray[np.uint64] = np.stack(
        [np.bitwise_xor.reduce(col, axis=1) for col in cols], axis=1
    )  # (P, 5)
    d: npt.NDArray[np.uint64] = np.stack(
        [c[:, (x - 1) % 5] ^ _rotl(c[:, (x + 1) % 5], 1) for x in range(5)], axis=1
    )
    a_prime = state ^ np.tile(d, 5)  # lane x + 5y gets D[x]
    b = np.empty_like(state)
    for x in range(5):
        for y in range(5):
            b[:, y + 5 * ((2 * x + 3 * y) % 5)] = _rotl(a_prime[:, x + 5 * y], RHO[x][y])
    a_pp = np.empty_like(state)
    for x in range(5):
        for y in range(5):
            a_pp[:, x + 5 * y] = b[:, x + 5 * y] ^ (
                ~b[:, (x + 1) % 5 + 5 * y] & b[:, (x + 2) % 5 + 5 * y]
            )
    out: npt.NDArray[np.uint64] = a_pp.copy()
    out[:, 0] ^= _U64(RC[rnd])
    if rows is not None:
        rows[:, STEP + rnd] = 1
        rows[:, A : A + 100] = _limbs(state)
        rows[:, C : C + 320] = _bits(c)
        rows[:, C_PRIME : C_PRIME + 320] = _bits(c ^ d)
        rows[:, A_PRIME : A_PRIME + 1600] = _bits(a_prime)
        rows[:, A_PP : A_PP + 100] = _limbs(a_pp)
        rows[:, A_PP_00_BITS : A_PP_00_BITS + 64] = _bits(a_pp[:, :1])
        rows[:, A_PPP_00 : A_PPP_00 + 4] = _limbs(out[:, :1])
    return out


def _as_states(states: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    s = np.asarray(states)
    if s.ndim == 1:
        s = s.reshape(1, -1)
    if s.ndim != 2 or s.shape[1] != 25 or not np.issubdtype(s.dtype, np.integer):
        raise ValueError("Keccak states must be integer arrays of shape (25,) or (P, 25)")
    return s.astype(_U64)


def keccak_permute(states: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """Keccak-f[1600] on ``states (P, 25)`` uint64 (lane ``x + 5y``), vectorized over ``P``."""
    s = _as_states(states)
    for rnd in range(NUM_ROUNDS):
        s = _round(s, rnd, None)
    return s


def keccak_trace(states: npt.ArrayLike) -> npt.NDArray[np.uint32]:
    """Main trace ``(N, KECCAK_WIDTH)`` uint32 for permuting ``states (P, 25)``.

    Permutation ``i`` occupies rows ``24i .. 24i + 23``. ``N`` is the smallest power of two
    ``>= 24·P``; the rows after the inputs hold permutations of the zero state (the last one
    cut at row ``N``). Vectorized over permutations: Python loops only over rounds and lanes.
    """
    s = _as_states(states)
    height = 1 << (NUM_ROUNDS * max(s.shape[0], 1) - 1).bit_length()
    total = -(-height // NUM_ROUNDS)
    inputs = np.zeros((total, 25), _U64)
    inputs[: s.shape[0]] = s
    rows = np.zeros((total, NUM_ROUNDS, KECCAK_WIDTH), np.uint32)
    rows[:, :, PREIMAGE : PREIMAGE + 100] = _limbs(inputs)[:, None, :]
    state = inputs
    for rnd in range(NUM_ROUNDS):
        state = _round(state, rnd, rows[:, rnd, :])
    return np.ascontiguousarray(rows.reshape(-1, KECCAK_WIDTH)[:height])


def keccak_outputs(trace: npt.NDArray[np.integer], num_permutations: int) -> npt.NDArray[np.uint64]:
    """Outputs ``(num_permutations, 25)`` uint64 read from the last-round rows of ``trace``."""
    last = np.asarray(trace)[NUM_ROUNDS - 1 :: NUM_ROUNDS][:num_permutations].astype(_U64)
    limbs = last[:, A_PP : A_PP + 100].reshape(-1, 25, NUM_LIMBS).copy()
    limbs[:, 0, :] = last[:, A_PPP_00 : A_PPP_00 + NUM_LIMBS]
    words: npt.NDArray[np.uint64] = np.bitwise_or.reduce(limbs << _SHIFTS_LIMBS, axis=2)
    return words
