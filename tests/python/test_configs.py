"""STARK configurations (issue 10): the registry and its errors, every hash against an independent
reference (Keccak-256: pycryptodome, BLAKE3: the blake3 package, Poseidon2-BN254: a pure-Python
model built from the reference constants and their published vector), the Merkle layout and
both new transcripts against slow Python models, and keys/proofs that never cross
configurations."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import stark_backend as sb
from stark_backend import _core
from stark_backend.examples import FibonacciAir, fibonacci_trace

P = sb.P
R = sb.primitives.BN254_R
REF = Path(__file__).resolve().parents[2] / "third_party" / "reference" / "poseidon2_bn254_t3.json"
FAST = sb.FriParameters(1, 0, 8, 0, 0)
NAMES = ["baby_bear_poseidon2", "baby_bear_keccak", "baby_bear_blake3", "baby_bear_poseidon2_root"]

keccak_mod = pytest.importorskip("Crypto.Hash.keccak")
blake3_mod = pytest.importorskip("blake3")


def keccak256(data: bytes) -> bytes:
    h = keccak_mod.new(digest_bits=256)
    h.update(data)
    return bytes(h.digest())


def blake3(data: bytes) -> bytes:
    return bytes(blake3_mod.blake3(data).digest())


def words_bytes(words: object) -> bytes:
    return np.asarray(words, dtype="<u4").tobytes()


# -- the registry ------------------------------------------------------------------------------


def test_registry_names_ids_and_defaults() -> None:
    configs = sb.configs.all_configs()
    assert [c.name for c in configs] == NAMES
    assert [c.id for c in configs] == [0, 1, 2, 3]
    assert sb.configs.baby_bear_keccak().hash == "keccak256"
    assert sb.configs.baby_bear_blake3().transcript == "serializing_blake3"
    assert sb.configs.baby_bear_poseidon2_root().transcript == "duplex_poseidon2_bn254"
    assert sb.configs.baby_bear_poseidon2_root().collision_bits == 126
    assert repr(sb.configs.baby_bear_keccak()) == "configs.baby_bear_keccak()"
    assert sb.configs.by_name("baby_bear_keccak") == sb.configs.baby_bear_keccak()
    assert sb.Engine(FAST).config == sb.configs.baby_bear_poseidon2()
    assert sb.Engine(FAST, config="baby_bear_blake3").config.name == "baby_bear_blake3"


def test_security_report_charges_the_digest() -> None:
    params = sb.FriParameters.standard_with_100_bits_security(1)
    for config in sb.configs.all_configs():
        report = config.security_report(params)
        assert report["digest_collision"] == config.collision_bits
        assert report["security_bits"] == min(params.security_bits(), config.collision_bits)
        assert report["fri_conjectured"] >= report["fri_proven"]


def test_bad_configuration_arguments_name_what_was_expected() -> None:
    with pytest.raises(sb.InputError, match=r"baby_bear_sha256.*known: baby_bear_poseidon2"):
        sb.configs.by_name("baby_bear_sha256")
    with pytest.raises(sb.InputError, match="baby_bear_nope"):
        sb.Engine(FAST, config="baby_bear_nope")
    with pytest.raises(sb.InputError, match="config must be a StarkConfig"):
        sb.Engine(FAST, config=3)  # type: ignore[arg-type]
    with pytest.raises(sb.InputError, match="unknown hash"):
        sb.primitives.byte_hash("sha256", b"")


def test_cuda_refuses_other_configurations_and_auto_picks_the_cpu() -> None:
    assert sb.Engine(FAST, device="auto", config="baby_bear_keccak").device == "cpu"
    if sb.cuda_available():
        with pytest.raises(sb.DeviceError, match="baby_bear_poseidon2 configuration only"):
            sb.Engine(FAST, device="cuda", config="baby_bear_keccak")


# -- hashes against independent references ---------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 3, 4, 63, 64, 65, 135, 136, 137, 1023, 1024, 1025, 4096, 9000])
def test_byte_hashes_match_the_reference_packages(n: int) -> None:
    data = bytes(np.random.default_rng(n).integers(0, 256, size=n, dtype=np.uint8))
    assert sb.primitives.byte_hash("keccak256", data) == keccak256(data)
    assert sb.primitives.byte_hash("blake3", data) == blake3(data)


@pytest.mark.parametrize("width", [1, 8, 33, 34, 35, 256, 257, 700])
def test_batched_leaf_hashes_match_per_row_references(width: int) -> None:
    rng = np.random.default_rng(width)
    m = rng.integers(0, P, size=(41, width), dtype=np.uint32)
    for kind, ref in (("keccak256", keccak256), ("blake3", blake3)):
        out = _core.byte_hash_rows(kind, m)
        for i in range(m.shape[0]):
            assert words_bytes(out[i]) == ref(words_bytes(m[i])), (kind, width, i)


def test_keccak_f1600_matches_the_permutation_inside_keccak256() -> None:
    # Keccak-256 of the empty message absorbs one block: 0x01 at byte 0, 0x80 at byte 135.
    state = np.zeros((3, 25), dtype=np.uint64)
    state[:, 0] = 1
    state[:, 16] = np.uint64(0x80 << 56)
    out = _core.keccak_f1600(state)
    for row in out:
        assert row[:4].astype("<u8").tobytes() == keccak256(b"")


def _bn254_params() -> dict[str, object]:
    return dict(json.loads(REF.read_text()))


def bn254_permute_model(state: list[int]) -> list[int]:
    """Poseidon2-BN254 from the reference JSON (M_E = circ(2,1,1), M_I = J + diag(1,1,2))."""
    ref = _bn254_params()
    rc = ref["round_constants"]
    assert isinstance(rc, dict)
    init = [[int(x, 16) for x in row] for row in rc["external_initial"]]
    internal = [int(x, 16) for x in rc["internal"]]
    term = [[int(x, 16) for x in row] for row in rc["external_terminal"]]
    diag = ref["internal_diag_m_1"]
    assert isinstance(diag, list)

    def ext(s: list[int]) -> list[int]:
        t = sum(s)
        return [(x + t) % R for x in s]

    s = ext(list(state))
    for row in init:
        s = ext([pow((x + c) % R, 5, R) for x, c in zip(s, row, strict=True)])
    for c in internal:
        s[0] = pow((s[0] + c) % R, 5, R)
        t = sum(s)
        s = [(t + d * x) % R for d, x in zip(diag, s, strict=True)]
    for row in term:
        s = ext([pow((x + c) % R, 5, R) for x, c in zip(s, row, strict=True)])
    return s


def test_bn254_poseidon2_published_vector_and_random_states() -> None:
    kat = _bn254_params()["known_answer"]
    assert isinstance(kat, dict)
    inp = [int(x, 16) for x in kat["input"]]
    out = [int(x, 16) for x in kat["output"]]
    assert inp == [0, 1, 2]
    assert out[0] == 0x0BB61D24DACA55EEBCB1929A82650F328134334DA98EA4F847F760054F4A3033
    assert bn254_permute_model(inp) == out
    assert sb.primitives.bn254_poseidon2_permute(inp) == out
    rng = np.random.default_rng(7)
    for _ in range(5):
        state = [int.from_bytes(rng.bytes(32), "little") % R for _ in range(3)]
        assert sb.primitives.bn254_poseidon2_permute(state) == bn254_permute_model(state)
    with pytest.raises(sb.InputError, match=r"state\[1\]"):
        sb.primitives.bn254_poseidon2_permute([0, R, 0])


# -- the Merkle layout under every hasher ----------------------------------------------------


def _pack(words: list[int]) -> int:
    return sum(w << (32 * i) for i, w in enumerate(words)) % R


def bn254_leaf(words: list[int]) -> bytes:
    s = [0, 0, 0]
    for b in range(0, len(words), 16):
        block = words[b : b + 16]
        for c in range(0, len(block), 8):
            s[c // 8] = _pack(block[c : c + 8])
        s = bn254_permute_model(s)
    return s[0].to_bytes(32, "little")


def bn254_compress(left: bytes, right: bytes) -> bytes:
    s = [int.from_bytes(left, "little"), int.from_bytes(right, "little"), 0]
    return bn254_permute_model(s)[0].to_bytes(32, "little")


def model_root(
    mats: list[np.ndarray],
    leaf: Callable[[list[int]], bytes],
    compress: Callable[[bytes, bytes], bytes],
) -> bytes:
    """The MMCS of docs/protocol.md §2: leaves over the tallest matrices, shorter ones injected."""
    heights = sorted({m.shape[0] for m in mats}, reverse=True)

    def rows(h: int, i: int) -> list[int]:
        return [int(x) for m in mats if m.shape[0] == h for x in m[i]]

    layer = [leaf(rows(heights[0], i)) for i in range(heights[0])]
    while len(layer) > 1:
        layer = [compress(layer[2 * i], layer[2 * i + 1]) for i in range(len(layer) // 2)]
        if len(layer) in heights:
            layer = [compress(d, leaf(rows(len(layer), i))) for i, d in enumerate(layer)]
    return layer[0]


@pytest.mark.parametrize(
    ("config", "leaf", "compress"),
    [
        ("baby_bear_keccak", lambda w: keccak256(words_bytes(w)), lambda a, b: keccak256(a + b)),
        ("baby_bear_blake3", lambda w: blake3(words_bytes(w)), lambda a, b: blake3(a + b)),
        ("baby_bear_poseidon2_root", bn254_leaf, bn254_compress),
    ],
    ids=["keccak", "blake3", "root"],
)
def test_merkle_roots_match_the_model(
    config: str, leaf: Callable[[list[int]], bytes], compress: Callable[[bytes, bytes], bytes]
) -> None:
    rng = np.random.default_rng(11)
    mats = [
        rng.integers(0, P, size=shape, dtype=np.uint32)
        for shape in ((8, 5), (8, 19), (2, 3), (1, 9))
    ]
    got = sb.primitives.merkle_root(mats, config=config)
    assert words_bytes(got) == model_root(mats, leaf, compress)


# -- the transcripts against Python models ---------------------------------------------------


class SerializingModel:
    """docs/protocol.md §3.2: a byte hash fed little-endian bytes, bytes popped from the end."""

    def __init__(self, h: Callable[[bytes], bytes]) -> None:
        self.h, self.inp, self.out = h, b"", b""

    def observe(self, v: int) -> None:
        self.out = b""
        self.inp += struct.pack("<I", v)

    def observe_digest(self, d: bytes) -> None:
        self.out = b""
        self.inp += d

    def byte(self) -> int:
        if not self.out:
            self.out = self.inp = self.h(self.inp)
        b, self.out = self.out[-1], self.out[:-1]
        return b

    def word(self) -> int:
        return sum(self.byte() << (8 * i) for i in range(4))

    def sample(self) -> int:
        while True:
            w = self.word() & 0x7FFFFFFF
            if w < P:
                return w

    def sample_bits(self, bits: int) -> int:
        return self.word() & ((1 << bits) - 1)


class Bn254Model:
    """docs/protocol.md §3.3: rate-2 BN254 duplex, 31-bit rejection-sampled outputs."""

    def __init__(self) -> None:
        self.s, self.inp, self.out = [0, 0, 0], [], []  # type: ignore[var-annotated]

    def duplex(self) -> None:
        for c in range(0, len(self.inp), 8):
            self.s[c // 8] = _pack(self.inp[c : c + 8])
        self.inp = []
        self.s = bn254_permute_model(self.s)
        self.out = []
        for e in self.s[:2]:
            for j in range(4):
                w = (e >> (31 * j)) & 0x7FFFFFFF
                if w < P:
                    self.out.append(w)

    def observe(self, v: int) -> None:
        self.out = []
        self.inp.append(v)
        if len(self.inp) == 16:
            self.duplex()

    def observe_digest(self, d: bytes) -> None:
        for (w,) in struct.iter_unpack("<I", d):
            self.observe(w & 0xFFFF)
            self.observe(w >> 16)

    def sample(self) -> int:
        while self.inp or not self.out:
            self.duplex()
        return int(self.out.pop())

    def sample_bits(self, bits: int) -> int:
        return self.sample() & ((1 << bits) - 1)


@pytest.mark.parametrize(
    ("config", "model"),
    [
        ("baby_bear_keccak", lambda: SerializingModel(keccak256)),
        ("baby_bear_blake3", lambda: SerializingModel(blake3)),
        ("baby_bear_poseidon2_root", Bn254Model),
    ],
    ids=["keccak", "blake3", "root"],
)
def test_transcripts_match_their_models(config: str, model: Callable[[], object]) -> None:
    ch = _core.Challenger(config)
    m = model()
    rng = np.random.default_rng(5)
    digest = (
        bn254_leaf([1, 2, 3])
        if config.endswith("root")
        else bytes(rng.integers(0, 256, 32, dtype=np.uint8))
    )
    script: list[tuple[str, object]] = [("observe", 5), ("sample", None), ("observe", P - 1)]
    script += [("observe_digest", digest), ("sample", None), ("sample", None), ("sample_bits", 20)]
    script += [("observe", int(v)) for v in rng.integers(0, P, size=37)]
    script += [("sample", None)] * 12 + [("sample_bits", 30)]
    for op, arg in script:
        if op == "sample":
            assert ch.sample() == m.sample()  # type: ignore[attr-defined]
        elif op == "sample_bits":
            assert ch.sample_bits(arg) == m.sample_bits(arg)  # type: ignore[attr-defined]
        else:
            getattr(ch, op)(arg)
            getattr(m, op)(arg)


@pytest.mark.parametrize("config", NAMES)
def test_grinding_in_every_configuration(config: str) -> None:
    ch = _core.Challenger(config)
    ch.observe(42)
    verifier = ch.copy()
    w = ch.grind(12)
    assert verifier.check_witness(12, w)
    assert verifier == ch
    assert ch.sample() == verifier.sample()


def test_digests_of_the_wrong_size_or_kind_are_refused() -> None:
    ch = _core.Challenger("baby_bear_keccak")
    ch.observe_digest(b"\xff" * 32)  # any 32 bytes are a Keccak digest
    with pytest.raises(sb.InputError, match="expected 32 bytes, got 31"):
        ch.observe_digest(b"\xff" * 31)
    with pytest.raises(sb.InputError, match="expected 8 words"):
        ch.observe_digest([1] * 7)
    with pytest.raises(sb.InputError, match="canonical"):
        _core.Challenger("baby_bear_poseidon2").observe_digest(b"\xff" * 32)
    with pytest.raises(sb.InputError, match="BN254"):
        _core.Challenger("baby_bear_poseidon2_root").observe_digest(b"\xff" * 32)


# -- keys and proofs never cross configurations ----------------------------------------------


def _prove(config: str) -> tuple[sb.Engine, sb.ProvingKey, sb.Proof]:
    engine = sb.Engine(FAST, config=config)
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    trace, pv = fibonacci_trace(16)
    return engine, pk, engine.prove(pk, [sb.AirProvingContext(0, trace, public_values=pv)])


@pytest.mark.parametrize("config", NAMES)
def test_key_and_proof_name_their_configuration_and_round_trip(config: str) -> None:
    engine, pk, proof = _prove(config)
    assert pk.vk.config.name == config and proof.config.name == config
    vk = sb.VerifyingKey.from_bytes(pk.vk.to_bytes())
    assert vk.config.name == config
    engine.verify(vk, sb.Proof.from_bytes(proof.to_bytes()))
    assert sb.ProvingKey.from_bytes(pk.to_bytes()).vk.config.name == config


def test_a_proof_under_another_configuration_is_refused_naming_both() -> None:
    keccak_engine, keccak_pk, keccak_proof = _prove("baby_bear_keccak")
    p2_engine, p2_pk, p2_proof = _prove("baby_bear_poseidon2")
    # Through the engine: its configuration is checked against the key first.
    with pytest.raises(sb.InvalidProofShape, match=r"baby_bear_keccak.*baby_bear_poseidon2"):
        p2_engine.verify(keccak_pk.vk, keccak_proof)
    # Key and proof of different configurations, whatever the engine.
    with pytest.raises(
        sb.InvalidProofShape, match=r"baby_bear_poseidon2 \(id 0\).*baby_bear_keccak"
    ):
        _core.verify(keccak_pk.vk._raw, list(FAST.as_tuple()), p2_proof._raw)
    with pytest.raises(sb.InvalidProofShape):
        keccak_engine.prove(p2_pk, [])


def test_keys_and_proofs_decode_strictly_per_configuration() -> None:
    _, pk, proof = _prove("baby_bear_blake3")
    vk_bytes, proof_bytes = pk.vk.to_bytes(), proof.to_bytes()
    unknown = vk_bytes[:8] + struct.pack("<I", 9) + vk_bytes[12:]
    with pytest.raises(
        sb.ProofFormatError, match="configuration at byte offset 8: unknown configuration id 9"
    ):
        sb.VerifyingKey.from_bytes(unknown)
    # A BLAKE3 proof relabelled as Poseidon2: its digests are not 8 canonical BabyBear words
    # (a word of some digest is >= p, each with probability ~1/2): decoding names the rule.
    relabelled = proof_bytes[:8] + struct.pack("<I", 0) + proof_bytes[12:]
    with pytest.raises(sb.ProofFormatError, match="not a valid digest"):
        sb.Proof.from_bytes(relabelled)
