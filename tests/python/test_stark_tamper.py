"""Tampering with proof bytes: every field, truncation, extension and bit flips.

The proof layout (``cpp/include/stark/protocol/proof.hpp`` and ``stark/fri/proof.hpp``) is
parsed here independently to find each field's byte offset. A changed field element stays
canonical, so the decoder accepts it and the verifier must name the first check it breaks:
anything the transcript absorbs before the LogUp challenges makes the 18-bit LogUp PoW fail
(``ChallengePhaseError``); values absorbed before ζ make the 5-bit DEEP PoW fail or, in the
rare case it still passes, the opening/OOD checks at the new ζ; opened values and the FRI proof
fail the PCS check (``InvalidOpeningArgument``); counts and ids fail the shape pass.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

import numpy as np
import pytest

import stark_backend as sb
from stark_backend.examples import (
    FibonacciAir,
    FibonacciSelectorAir,
    InteractionAir,
    fib_selector_trace,
    fibonacci_trace,
    interaction_pair_traces,
)

PARAMS = sb.FriParameters(1, 0, 6, 2, 2)


@dataclass
class Layout:
    """Byte offsets of every field element of a proof, grouped by role."""

    air_id: list[int] = field(default_factory=list)
    height: list[int] = field(default_factory=list)
    public: list[int] = field(default_factory=list)
    exposed: list[int] = field(default_factory=list)
    main_commit: list[int] = field(default_factory=list)
    after_challenge_commit: list[int] = field(default_factory=list)
    quotient_commit: list[int] = field(default_factory=list)
    logup_witness: list[int] = field(default_factory=list)
    deep_witness: list[int] = field(default_factory=list)
    opened_preprocessed: list[int] = field(default_factory=list)
    opened_main: list[int] = field(default_factory=list)
    opened_after_challenge: list[int] = field(default_factory=list)
    opened_quotient: list[int] = field(default_factory=list)
    fri_commit: list[int] = field(default_factory=list)
    fri_commit_pow: list[int] = field(default_factory=list)
    fri_final_poly: list[int] = field(default_factory=list)
    fri_query_pow: list[int] = field(default_factory=list)
    fri_input_row: list[int] = field(default_factory=list)
    fri_input_path: list[int] = field(default_factory=list)
    fri_fold_sibling: list[int] = field(default_factory=list)
    fri_fold_path: list[int] = field(default_factory=list)
    end: int = 0


def parse(data: bytes) -> Layout:
    out = Layout()
    pos = 12  # magic, version, configuration id

    def u32() -> int:
        nonlocal pos
        (v,) = struct.unpack_from("<I", data, pos)
        pos += 4
        return int(v)

    def felts(n: int, into: list[int]) -> None:
        nonlocal pos
        into.extend(range(pos, pos + 4 * n, 4))
        pos += 4 * n

    for _ in range(u32()):
        out.air_id.append(pos)
        u32()
        out.height.append(pos)
        u32()
        felts(u32(), out.public)
        felts(4 * u32(), out.exposed)
    felts(8 * u32(), out.main_commit)
    felts(8 * u32(), out.after_challenge_commit)
    felts(8, out.quotient_commit)
    has_logup = data[pos]
    pos += 1
    if has_logup:
        felts(1, out.logup_witness)
    felts(1, out.deep_witness)

    def pair(into: list[int]) -> None:
        felts(8 * u32(), into)  # width, then local and next (width E values each)

    for _ in range(u32()):
        pair(out.opened_preprocessed)
    for _ in range(u32()):
        for _ in range(u32()):
            pair(out.opened_main)
    for _ in range(u32()):
        for _ in range(u32()):
            pair(out.opened_after_challenge)
    for _ in range(u32()):
        for _ in range(u32()):
            felts(4 * u32(), out.opened_quotient)
    felts(8 * u32(), out.fri_commit)
    felts(u32(), out.fri_commit_pow)
    felts(4 * u32(), out.fri_final_poly)
    felts(1, out.fri_query_pow)
    for _ in range(u32()):
        for _ in range(u32()):
            for _ in range(u32()):
                felts(u32(), out.fri_input_row)
            felts(8 * u32(), out.fri_input_path)
        for _ in range(u32()):
            felts(4, out.fri_fold_sibling)
            felts(8 * u32(), out.fri_fold_path)
    out.end = pos
    return out


def bump(data: bytes, offset: int, delta: int = 1) -> bytes:
    """Replace the canonical field element at ``offset`` by ``v + delta mod p``."""
    (v,) = struct.unpack_from("<I", data, offset)
    b = bytearray(data)
    struct.pack_into("<I", b, offset, (v + delta) % sb.P)
    return bytes(b)


def set_u32(data: bytes, offset: int, value: int) -> bytes:
    b = bytearray(data)
    struct.pack_into("<I", b, offset, value)
    return bytes(b)


@pytest.fixture(scope="module", params=[c.name for c in sb.configs.all_configs()])
def setup(request: pytest.FixtureRequest) -> tuple[sb.Engine, sb.VerifyingKey, bytes]:
    """One multi-AIR proof per configuration: every tamper test runs under each."""
    engine = sb.Engine(PARAMS, config=request.param)
    sel = [1, 0, 1, 1, 0, 1, 1, 0]
    sel_trace, sel_pv = fib_selector_trace(sel)
    fib, fib_pv = fibonacci_trace(16)
    snd, rcv = interaction_pair_traces(8, 2, cached=True, seed=2)
    airs = [
        FibonacciAir(),
        FibonacciSelectorAir(sel),
        InteractionAir(2, send=True, cached=True),
        InteractionAir(2, send=False, cached=True),
    ]
    kb = engine.keygen_builder()
    for air in airs:
        kb.add_air(air)
    pk = kb.generate_pk()
    contexts = [sb.AirProvingContext(0, fib, public_values=fib_pv)]
    contexts.append(sb.AirProvingContext(1, sel_trace, public_values=sel_pv))
    for air_id, tr in ((2, snd), (3, rcv)):
        parts = airs[air_id].partitions(tr)  # type: ignore[attr-defined]
        contexts.append(sb.AirProvingContext(air_id, parts[-1], cached_mains=parts[:-1]))
    proof = engine.prove(pk, contexts, debug=True)
    engine.verify(pk.vk, proof)
    return engine, pk.vk, proof.to_bytes()


def outcome(engine: sb.Engine, vk: sb.VerifyingKey, data: bytes) -> str:
    try:
        proof = sb.Proof.from_bytes(data)
    except sb.ProofFormatError:
        return "ProofFormatError"
    try:
        engine.verify(vk, proof)
    except sb.VerificationError as e:
        return type(e).__name__
    return "accepted"


PRE_LOGUP = {"ChallengePhaseError"}
PRE_ZETA = {"InvalidPowWitness", "InvalidOpeningArgument", "OodEvaluationMismatch"}
OPENING = {"InvalidOpeningArgument"}

FIELDS = [
    ("public", PRE_LOGUP),
    ("main_commit", PRE_LOGUP),
    ("logup_witness", PRE_LOGUP),
    ("exposed", PRE_ZETA),
    ("after_challenge_commit", PRE_ZETA),
    ("quotient_commit", PRE_ZETA),
    ("deep_witness", PRE_ZETA),
    ("opened_preprocessed", OPENING),
    ("opened_main", OPENING),
    ("opened_after_challenge", OPENING),
    ("opened_quotient", OPENING),
    ("fri_commit", OPENING),
    ("fri_commit_pow", OPENING),
    ("fri_final_poly", OPENING),
    ("fri_query_pow", OPENING),
    ("fri_input_row", OPENING),
    ("fri_input_path", OPENING),
    ("fri_fold_sibling", OPENING),
    ("fri_fold_path", OPENING),
]


def test_layout_parser_covers_the_proof(setup: tuple[sb.Engine, sb.VerifyingKey, bytes]) -> None:
    _, _, data = setup
    layout = parse(data)
    assert layout.end == len(data)
    for name, _ in FIELDS:
        assert getattr(layout, name), name


@pytest.mark.parametrize(("name", "expected"), FIELDS, ids=[f[0] for f in FIELDS])
def test_tamper_each_field(
    setup: tuple[sb.Engine, sb.VerifyingKey, bytes], name: str, expected: set[str]
) -> None:
    engine, vk, data = setup
    offsets: list[int] = getattr(parse(data), name)
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    picks = sorted(set(rng.choice(offsets, size=min(len(offsets), 6), replace=False).tolist()))
    for off in [offsets[0], offsets[-1], *picks]:
        got = outcome(engine, vk, bump(data, off))
        assert got in expected, f"{name} at byte {off}: {got}"


def test_tamper_ids_and_heights(setup: tuple[sb.Engine, sb.VerifyingKey, bytes]) -> None:
    engine, vk, data = setup
    layout = parse(data)
    shape = "InvalidProofShape"
    assert outcome(engine, vk, set_u32(data, layout.air_id[0], 4)) == shape  # unknown
    assert outcome(engine, vk, set_u32(data, layout.air_id[1], 0)) == "DuplicateAirs"
    swapped = set_u32(set_u32(data, layout.air_id[0], 1), layout.air_id[1], 0)
    assert outcome(engine, vk, swapped) == shape  # not ascending
    assert outcome(engine, vk, set_u32(data, layout.height[0], 12)) == shape
    assert outcome(engine, vk, set_u32(data, layout.height[0], 0)) == shape
    assert outcome(engine, vk, set_u32(data, layout.height[0], 1 << 31)) == shape
    assert outcome(engine, vk, set_u32(data, layout.height[1], 16)) == shape  # preprocessed: 8
    # The configuration id (bytes 8..12): a byte-hash configuration's id decodes (any 32 bytes are
    # its digests) and is refused naming both; an unknown id does not decode.
    own = engine.config
    other = (
        sb.configs.baby_bear_blake3()
        if own.name != "baby_bear_blake3"
        else sb.configs.baby_bear_keccak()
    )
    with pytest.raises(sb.InvalidProofShape, match=f"{other.name}.*{own.name}"):
        engine.verify(vk, sb.Proof.from_bytes(set_u32(data, 8, other.id)))
    with pytest.raises(sb.ProofFormatError, match="configuration at byte offset 8"):
        sb.Proof.from_bytes(set_u32(data, 8, 99))
    # A smaller height changes domains and Merkle path lengths: caught before the transcript.
    assert outcome(engine, vk, set_u32(data, layout.height[0], 8)) == shape


def test_truncation_extension_and_non_canonical(
    setup: tuple[sb.Engine, sb.VerifyingKey, bytes],
) -> None:
    engine, vk, data = setup
    for cut in list(range(0, 64)) + list(range(64, len(data), 97)):
        with pytest.raises(sb.ProofFormatError):
            sb.Proof.from_bytes(data[:cut])
    for extra in (b"\0", b"\0" * 4, data[:16]):
        with pytest.raises(sb.ProofFormatError):
            sb.Proof.from_bytes(data + extra)
    layout = parse(data)
    offsets = [layout.public[0], layout.fri_final_poly[0]]
    if engine.config.hash in ("poseidon2", "poseidon2_bn254"):
        # Word 7 = p is outside both digest rules (BabyBear words, a BN254 scalar < r); any 32
        # bytes are a Keccak or BLAKE3 digest.
        offsets.append(layout.main_commit[7])
    for off in offsets:
        with pytest.raises(sb.ProofFormatError, match="byte offset"):
            sb.Proof.from_bytes(set_u32(data, off, sb.P))
    # Absurd lengths are bounded by the bytes that remain, never allocated.
    with pytest.raises(sb.ProofFormatError):
        sb.Proof.from_bytes(set_u32(data, 12, 0xFFFFFFFF))
    with pytest.raises(sb.ProofFormatError):
        sb.Proof.from_bytes(b"SBPF" + b"\x03\0\0\0" + data[8:])  # unknown version
    assert outcome(engine, vk, data) == "accepted"


def test_random_bit_flips_never_accepted(setup: tuple[sb.Engine, sb.VerifyingKey, bytes]) -> None:
    engine, vk, data = setup
    rng = np.random.default_rng(1234)
    for pos in rng.integers(0, len(data), size=150).tolist():
        b = bytearray(data)
        b[pos] ^= 1 << int(rng.integers(0, 8))
        got = outcome(engine, vk, bytes(b))
        assert got != "accepted", f"bit flip at byte {pos} accepted"


def test_zero_bit_pow_witnesses_must_be_zero() -> None:
    engine = sb.Engine(sb.FriParameters(1, 0, 4, 0, 0))
    trace, pv = fibonacci_trace(8)
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    data = engine.prove(pk, [sb.AirProvingContext(0, trace, public_values=pv)]).to_bytes()
    layout = parse(data)
    for off in (layout.fri_commit_pow[0], layout.fri_query_pow[0]):
        assert outcome(engine, pk.vk, bump(data, off)) == "InvalidOpeningArgument"
