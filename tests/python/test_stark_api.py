"""Public API surface of the protocol layer: FriParameters, Engine, keygen, keys and their bytes."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import stark_backend as sb
from stark_backend import _core
from stark_backend.examples import (
    FibonacciAir,
    FibonacciSelectorAir,
    InteractionAir,
    RangeCheckTableAir,
    RangeRequesterAir,
)

FAST = sb.FriParameters(1, 0, 8, 0, 0)


# -- FriParameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("b", "queries", "commit_pow", "query_pow"),
    [(1, 193, 20, 20), (2, 118, 16, 20), (3, 97, 16, 20), (4, 88, 16, 20)],
)
def test_standard_parameters(b: int, queries: int, commit_pow: int, query_pow: int) -> None:
    p = sb.FriParameters.standard_with_100_bits_security(b)
    assert p.as_tuple() == (b, 0, queries, commit_pow, query_pow)
    assert p.max_constraint_degree == 2**b + 1
    assert p.max_constraint_degree() == 2**b + 1  # the Rust spelling works too
    assert p.security_bits() == 100
    assert p.conjectured_security_bits() == min(124, b * queries + query_pow)


def test_security_bits_grow_with_queries_and_pow() -> None:
    base = sb.FriParameters(1, 0, 100, 0, 0)
    assert base.security_bits() == 41  # 100 · log2(4/3) = 41.5
    assert sb.FriParameters(1, 0, 200, 0, 0).security_bits() == 83
    assert sb.FriParameters(1, 0, 100, 0, 16).security_bits() == 57
    assert sb.FriParameters(2, 0, 100, 0, 0).security_bits() == 67  # 100 · log2(8/5) = 67.8
    assert sb.FriParameters(1, 0, 1000, 0, 0).security_bits() == 124  # the challenge field
    assert base.conjectured_security_bits() == 100


def test_standard_fast_is_log_blowup_one() -> None:
    p = sb.FriParameters.standard_fast()
    assert p == sb.FriParameters.standard_with_100_bits_security(1)
    assert (p.log_blowup, p.log_final_poly_len, p.num_queries) == (1, 0, 193)
    assert (p.commit_proof_of_work_bits, p.query_proof_of_work_bits) == (20, 20)
    assert hash(p) == hash(sb.FriParameters(1, 0, 193, 20, 20))
    assert pickle.loads(pickle.dumps(p)) == p
    assert "num_queries=193" in repr(p)


@pytest.mark.parametrize(
    "args",
    [
        (0, 0, 8, 0, 0),
        (1, 0, 0, 0, 0),
        (1, 0, 8, 31, 0),
        (1, 0, 8, 0, -1),
        (8, 0, 1, 0, 0),
        (2, 26, 8, 0, 0),
        (1.0, 0, 8, 0, 0),
        (True, 0, 8, 0, 0),
    ],
)
def test_bad_fri_parameters(args: tuple[int, ...]) -> None:
    with pytest.raises(sb.InputError):
        sb.FriParameters(*args)


@pytest.mark.parametrize("b", [0, 5, True])
def test_bad_standard_log_blowup(b: int) -> None:
    with pytest.raises(sb.InputError):
        sb.FriParameters.standard_with_100_bits_security(b)


# -- Engine -------------------------------------------------------------------------------------


def test_engine_defaults_and_devices() -> None:
    e = sb.Engine()
    assert e.fri_params == sb.FriParameters.standard_fast()
    assert e.device in ("cpu", "cuda")
    assert sb.Engine(FAST, device="cpu").device == "cpu"
    # "auto" takes a usable GPU (it gives the same proof bytes, tests/python/test_cuda.py)
    assert sb.Engine(FAST, device="auto").device == ("cuda" if sb.cuda_available() else "cpu")
    if sb.cuda_available():
        assert sb.Engine(FAST, device="cuda").device == "cuda"
    else:
        with pytest.raises(sb.DeviceError):
            sb.Engine(FAST, device="cuda")
    with pytest.raises(sb.InputError):
        sb.Engine(FAST, device="tpu")
    with pytest.raises(sb.InputError):
        sb.Engine((1, 0, 8, 0, 0))  # type: ignore[arg-type]


# -- keygen and the verifying key ---------------------------------------------------------------


def _keys() -> tuple[sb.Engine, sb.ProvingKey]:
    engine = sb.Engine(FAST)
    kb = engine.keygen_builder()
    assert kb.add_air(FibonacciAir()) == 0
    assert kb.add_air(InteractionAir(3, send=True, bus_index=4)) == 1
    assert kb.add_air(InteractionAir(2, send=False, bus_index=4, cached=True)) == 2
    assert kb.add_air(FibonacciSelectorAir([1, 0, 1, 1])) == 3
    assert kb.add_air(RangeCheckTableAir(4, bus_index=2)) == 4
    assert kb.add_air(RangeRequesterAir(3, bus_index=2)) == 5
    return engine, kb.generate_pk()


def test_verifying_key_contents() -> None:
    _, pk = _keys()
    vk = pk.vk
    assert vk.num_airs == 6
    assert vk.air_names[0] == "FibonacciAir"
    assert vk.main_widths == [2, 4, 3, 2, 1, 3]
    assert vk.num_interactions == [0, 1, 1, 0, 1, 3]
    assert vk.cached_main_widths == [[], [], [2], [], [], []]
    assert vk.preprocessed_heights == [None, None, None, 4, 16, None]
    # total = preprocessed + main + 4 * (#chunks + 1) for AIRs with interactions.
    chunks = [0, 1, 1, 0, 1, None]
    for i, total in enumerate(vk.total_widths):
        prep = vk.preprocessed_widths[i]
        after = 0 if vk.num_interactions[i] == 0 else 4 * ((chunks[i] or 0) + 1)
        if chunks[i] is None:
            assert total >= prep + vk.main_widths[i] + 8
        else:
            assert total == prep + vk.main_widths[i] + after
    # One constraint per bus used (ascending: 2 then 4), then the interaction count.
    thc = vk.trace_height_constraints
    assert [c.threshold for c in thc] == [sb.P] * 3
    assert thc[0] == sb.LinearConstraint([0, 0, 0, 0, 0, 3], sb.P)  # table: count weight 0
    assert thc[1] == sb.LinearConstraint([0, 1, 1, 0, 0, 0], sb.P)
    assert thc[2].coefficients == vk.num_interactions
    assert len(vk.pre_hash) == 8
    assert vk.fri_params == FAST


def test_key_bytes_round_trip() -> None:
    _, pk = _keys()
    vk_bytes = pk.vk.to_bytes()
    vk = sb.VerifyingKey.from_bytes(vk_bytes)
    assert vk.to_bytes() == vk_bytes and vk == pk.vk
    pk2 = sb.ProvingKey.from_bytes(pk.to_bytes())
    assert pk2.to_bytes() == pk.to_bytes()
    assert pk2.vk == pk.vk
    assert pickle.loads(pickle.dumps(pk.vk)) == pk.vk
    np.testing.assert_array_equal(pk2.preprocessed_trace(4), pk.preprocessed_trace(4))
    assert pk2.preprocessed_trace(0) is None
    # Keygen is deterministic.
    _, again = _keys()
    assert again.to_bytes() == pk.to_bytes()


def test_key_depends_on_fri_parameters() -> None:
    kb1 = sb.Engine(FAST).keygen_builder()
    kb1.add_air(FibonacciAir())
    kb2 = sb.Engine(sb.FriParameters(1, 0, 9, 0, 0)).keygen_builder()
    kb2.add_air(FibonacciAir())
    vk1, vk2 = kb1.generate_pk().vk, kb2.generate_pk().vk
    assert vk1.pre_hash != vk2.pre_hash


def test_key_bytes_malformed() -> None:
    _, pk = _keys()
    vk_bytes, pk_bytes = pk.vk.to_bytes(), pk.to_bytes()
    for data, cls in ((vk_bytes, sb.VerifyingKey), (pk_bytes, sb.ProvingKey)):
        for cut in (0, 3, 4, 8, len(data) // 2, len(data) - 1):
            with pytest.raises(sb.ProofFormatError):
                cls.from_bytes(data[:cut])
        with pytest.raises(sb.ProofFormatError):
            cls.from_bytes(data + b"\0")
        rng = np.random.default_rng(7)
        for pos in rng.integers(0, len(data), size=60).tolist():
            flipped = bytearray(data)
            flipped[pos] ^= 1 << (pos % 8)
            with pytest.raises(sb.ProofFormatError):
                cls.from_bytes(bytes(flipped))
        with pytest.raises(sb.ProofFormatError):
            cls.from_bytes("not bytes")  # type: ignore[arg-type]
    # A proof is not a key and vice versa.
    with pytest.raises(sb.ProofFormatError):
        sb.Proof.from_bytes(vk_bytes)
    with pytest.raises(sb.ProofFormatError):
        sb.VerifyingKey.from_bytes(pk_bytes)


def test_proofformaterror_is_a_valueerror() -> None:
    with pytest.raises(ValueError):
        sb.Proof.from_bytes(b"")


def test_prove_timings_are_filled_per_phase() -> None:
    from stark_backend.examples import FibonacciAir, fibonacci_trace

    engine = sb.Engine(FAST)
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    trace, pv = fibonacci_trace(64)
    ctx = [sb.AirProvingContext(0, trace, public_values=pv)]
    timings: dict[str, float] = {}
    proof = engine.prove(pk, ctx, timings=timings)
    assert proof == engine.prove(pk, ctx)  # timing changes nothing in the proof
    phases = ("total", "main_commit", "quotient", "quotient.values", "open", "lde", "merkle_tree")
    for phase in phases:
        assert phase in timings and timings[phase] >= 0.0
    assert timings["total"] >= timings["main_commit"] + timings["quotient"] + timings["open"]
    assert "logup" not in timings  # no interactions
    with pytest.raises(sb.InputError, match="timings"):
        engine.prove(pk, ctx, timings=[])  # type: ignore[arg-type]


# -- FriParameters come from the core -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 0, 8, 0, 0), "FriParameters.log_blowup: 0 is outside [1, 7]"),
        ((1, 0, 8, 0, -1), "FriParameters.query_proof_of_work_bits: -1 is outside [0, 30]"),
        ((1, 0, 1 << 40, 0, 0), "FriParameters.num_queries: 1099511627776 is outside [1, 65536]"),
        ((1, 0, 8, 1 << 70, 0), "FriParameters.commit_proof_of_work_bits: 1180591620717411303424"),
        ((1.0, 0, 8, 0, 0), "FriParameters.log_blowup: expected an int, got float"),
        ((1, True, 8, 0, 0), "FriParameters.log_final_poly_len: expected an int, got bool"),
        ((1, 0, np.int64(8), 0, 0), "FriParameters.num_queries: expected an int"),
        ((2, 26, 8, 0, 0), "exceeds the field's two-adicity 27"),
    ],
)
def test_fri_parameter_errors_name_the_field(args: tuple[int, ...], message: str) -> None:
    with pytest.raises(sb.InputError) as info:
        sb.FriParameters(*args)
    assert message in str(info.value)


def test_fri_parameters_keywords_and_core_figures() -> None:
    p = sb.FriParameters(
        log_blowup=2,
        log_final_poly_len=1,
        num_queries=40,
        commit_proof_of_work_bits=3,
        query_proof_of_work_bits=4,
    )
    assert p.as_tuple() == (2, 1, 40, 3, 4)
    assert all(type(v) is int for v in p.as_tuple())
    assert repr(p) == (
        "FriParameters(log_blowup=2, log_final_poly_len=1, num_queries=40, "
        "commit_proof_of_work_bits=3, query_proof_of_work_bits=4)"
    )
    assert p == pickle.loads(pickle.dumps(p))
    assert p != sb.FriParameters(2, 1, 40, 3, 5)
    assert len({p, sb.FriParameters(2, 1, 40, 3, 4)}) == 1
    assert p.max_constraint_degree == 5
    raw = _core.FriParameters(2, 1, 40, 3, 4)
    assert p.security_bits() == raw.security_bits()
    assert p.conjectured_security_bits() == raw.conjectured_security_bits() == 84
    assert sb.FriParameters.standard_fast().conjectured_security_bits() == 124  # 213, capped
    with pytest.raises(AttributeError):
        p.log_blowup = 3  # type: ignore[misc]


def test_device_names_come_from_the_registry() -> None:
    assert _core.prover_device_names() == ["cpu", "cuda"]
    with pytest.raises(
        sb.InputError, match=r"unknown prover device 'tpu'.*'cpu', 'cuda', or 'auto'"
    ):
        sb.Engine(FAST, device="tpu")
    with pytest.raises(sb.InputError, match="device must be a str"):
        sb.Engine(FAST, device=None)  # type: ignore[arg-type]
    if not sb.cuda_available():
        with pytest.raises(sb.DeviceError, match="device 'cuda' is not usable"):
            sb.Engine(FAST, device="cuda")
