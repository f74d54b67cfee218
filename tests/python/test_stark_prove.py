"""Proving and verifying: single and multi-AIR proofs, absent AIRs, preprocessed and cached
traces, interactions across AIRs, heights 1 and 2, parameters, determinism."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import stark_backend as sb
from stark_backend.examples import (
    FibonacciAir,
    FibonacciSelectorAir,
    InteractionAir,
    KeccakAir,
    RangeCheckTableAir,
    RangeRequesterAir,
    fib_selector_trace,
    fibonacci_trace,
    interaction_pair_traces,
    keccak_outputs,
    keccak_permute,
    keccak_trace,
    range_check_traces,
)

FAST = sb.FriParameters(1, 0, 8, 0, 0)


@pytest.fixture(params=[c.name for c in sb.configs.all_configs()])
def config(request: pytest.FixtureRequest) -> sb.configs.StarkConfig:
    """Every conformance test runs under every configuration (issue 10)."""
    return sb.configs.by_name(request.param)


@pytest.fixture
def threads() -> Iterator[None]:
    old = sb.num_threads()
    yield
    sb.set_num_threads(old)


def test_design_md_example(config: sb.configs.StarkConfig) -> None:
    engine = sb.Engine(sb.FriParameters.standard_fast(), config=config)
    kb = engine.keygen_builder()
    fib_id = kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    vk = pk.vk
    trace, pv = fibonacci_trace(8)
    assert pv == [0, 1, 21]
    proof = engine.prove(pk, [sb.AirProvingContext(fib_id, trace, public_values=[0, 1, 21])])
    assert engine.verify(vk, proof) is None
    proof2 = sb.Proof.from_bytes(proof.to_bytes())
    assert proof2 == proof
    engine.verify(vk, proof2)
    assert proof.air_ids == [0] and proof.trace_heights == [8]
    assert proof.public_values == [[0, 1, 21]]


@pytest.mark.parametrize("log_n", [0, 1, 2, 5, 10])
def test_fibonacci_heights(log_n: int, config: sb.configs.StarkConfig) -> None:
    trace, pv = fibonacci_trace(1 << log_n, 3, 5)
    proof = sb.Engine(FAST, config=config).run_test([FibonacciAir()], [trace], [pv])
    assert proof.trace_heights == [1 << log_n]


@pytest.mark.parametrize(
    "params",
    [
        sb.FriParameters(2, 0, 4, 1, 1),
        sb.FriParameters(3, 1, 4, 0, 2),
        sb.FriParameters(1, 2, 3, 2, 0),
    ],
)
def test_other_fri_parameters(params: sb.FriParameters, config: sb.configs.StarkConfig) -> None:
    trace, pv = fibonacci_trace(32)
    snd, rcv = interaction_pair_traces(16, 2)
    engine = sb.Engine(params, config=config)
    engine.run_test(
        [FibonacciAir(), InteractionAir(2, send=True), InteractionAir(2, send=False)],
        [trace, snd, rcv],
        [pv, None, None],
    )


def test_interactions_between_airs_of_different_heights(config: sb.configs.StarkConfig) -> None:
    # Requesters of two different heights share one range-check table (preprocessed, 2^5 rows).
    rng = np.random.default_rng(3)
    v1 = rng.integers(0, 32, size=(64, 2))
    v2 = rng.integers(0, 32, size=(4, 2))
    req1, m1 = range_check_traces(v1, 5)
    req2, m2 = range_check_traces(v2, 5)
    airs = [RangeCheckTableAir(5), RangeRequesterAir(2), RangeRequesterAir(2)]
    proof = sb.Engine(FAST, config=config).run_test(airs, [m1 + m2, req1, req2])
    assert proof.trace_heights == [32, 64, 4]


@pytest.mark.parametrize("cached", [False, True])
def test_permutation_bus_with_and_without_cached_main(
    cached: bool, config: sb.configs.StarkConfig
) -> None:
    snd, rcv = interaction_pair_traces(8, 3, cached=cached, seed=5)
    sender = InteractionAir(3, send=True, cached=cached)
    receiver = InteractionAir(3, send=False, cached=cached)
    engine = sb.Engine(FAST, config=config)
    kb = engine.keygen_builder()
    s_id, r_id = kb.add_air(sender), kb.add_air(receiver)
    pk = kb.generate_pk()
    contexts = []
    for air, air_id, tr in ((sender, s_id, snd), (receiver, r_id, rcv)):
        parts = air.partitions(tr)
        if cached:
            contexts.append(sb.AirProvingContext(air_id, parts[-1], cached_mains=parts[:-1]))
        else:
            contexts.append(sb.AirProvingContext(air_id, tr))
    proof = engine.prove(pk, contexts[::-1], debug=True)  # contexts in any order
    assert proof.air_ids == [0, 1]
    engine.verify(pk.vk, proof)


def test_absent_airs_and_any_subset(config: sb.configs.StarkConfig) -> None:
    sel = [1, 1, 0, 1, 0, 0, 1, 1]
    sel_trace, sel_pv = fib_selector_trace(sel)
    fib, fib_pv = fibonacci_trace(4)
    snd, rcv = interaction_pair_traces(2, 1)
    airs = [
        FibonacciSelectorAir(sel),
        FibonacciAir(),
        InteractionAir(1, send=True),
        InteractionAir(1, send=False),
    ]
    engine = sb.Engine(FAST, config=config)
    kb = engine.keygen_builder()
    for air in airs:
        kb.add_air(air)
    pk = kb.generate_pk()
    ctx = {
        0: sb.AirProvingContext(0, sel_trace, public_values=sel_pv),
        1: sb.AirProvingContext(1, fib, public_values=fib_pv),
        2: sb.AirProvingContext(2, snd),
        3: sb.AirProvingContext(3, rcv),
    }
    for subset in ([0], [1], [0, 1], [2, 3], [0, 2, 3], [1, 2, 3], [0, 1, 2, 3]):
        proof = engine.prove(pk, [ctx[i] for i in subset], debug=True)
        assert proof.air_ids == subset
        engine.verify(pk.vk, proof)
    # run_test: None marks an absent AIR.
    engine.run_test(airs, [None, fib, None, None], [None, fib_pv, None, None])


def test_only_cached_partitions(config: sb.configs.StarkConfig) -> None:
    class AllCached(sb.Air):
        width = 2
        cached_main_widths = (1, 1)

        def eval(self, b: sb.AirBuilder) -> None:
            local, nxt = b.main()
            b.when_transition().assert_eq(nxt[0], local[0] + 1)
            b.assert_eq(local[1], local[0] * local[0])

    x = np.arange(8, dtype=np.uint32).reshape(-1, 1)
    engine = sb.Engine(FAST, config=config)
    kb = engine.keygen_builder()
    kb.add_air(AllCached())
    pk = kb.generate_pk()
    assert pk.vk.common_main_widths == [0]
    proof = engine.prove(pk, [sb.AirProvingContext(0, cached_mains=[x, x * x])], debug=True)
    engine.verify(pk.vk, proof)
    engine.run_test([AllCached()], [np.hstack([x, x * x])])


def test_keccak_permutations(config: sb.configs.StarkConfig) -> None:
    rng = np.random.default_rng(11)
    states = rng.integers(0, 2**63, size=(2, 25), dtype=np.uint64)
    trace = keccak_trace(states)
    np.testing.assert_array_equal(keccak_outputs(trace, 2), keccak_permute(states))
    sb.Engine(FAST, config=config).run_test([KeccakAir()], [trace])


def test_input_dtypes_and_layouts(config: sb.configs.StarkConfig) -> None:
    trace, pv = fibonacci_trace(16)
    engine = sb.Engine(FAST, config=config)
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    expected = engine.prove(pk, [sb.AirProvingContext(0, trace, public_values=pv)]).to_bytes()
    for variant in (
        trace.astype(np.int64),
        trace.astype(np.uint64),
        np.asfortranarray(trace),
        trace.tolist(),
    ):
        proof = engine.prove(pk, [sb.AirProvingContext(0, variant, public_values=np.array(pv))])
        assert proof.to_bytes() == expected


def test_deterministic_across_thread_counts(threads: None, config: sb.configs.StarkConfig) -> None:
    snd, rcv = interaction_pair_traces(256, 2, cached=True)
    fib, pv = fibonacci_trace(512)
    airs = [
        FibonacciAir(),
        InteractionAir(2, send=True, cached=True),
        InteractionAir(2, send=False, cached=True),
    ]
    engine = sb.Engine(sb.FriParameters(1, 0, 16, 4, 4), config=config)
    out = []
    for n in (1, 2, 3):
        sb.set_num_threads(n)
        out.append(engine.run_test(airs, [fib, snd, rcv], [pv, None, None]).to_bytes())
    assert out[0] == out[1] == out[2]


def test_proofs_differ_with_inputs(config: sb.configs.StarkConfig) -> None:
    engine = sb.Engine(FAST, config=config)
    a = engine.run_test([FibonacciAir()], [fibonacci_trace(8)[0]], [fibonacci_trace(8)[1]])
    t, pv = fibonacci_trace(8, 1, 1)
    b = engine.run_test([FibonacciAir()], [t], [pv])
    assert a.to_bytes() != b.to_bytes()


def test_concurrent_proving_from_python_threads(config: sb.configs.StarkConfig) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engine = sb.Engine(FAST, config=config)
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    jobs = [fibonacci_trace(64, a, 1) for a in range(6)]

    def prove(job: tuple[np.ndarray, list[int]]) -> bytes:
        trace, pv = job
        proof = engine.prove(pk, [sb.AirProvingContext(0, trace, public_values=pv)])
        engine.verify(pk, proof)  # a proving key is accepted where a verifying key is expected
        return proof.to_bytes()

    with ThreadPoolExecutor(max_workers=3) as pool:
        parallel = list(pool.map(prove, jobs))
    assert parallel == [prove(job) for job in jobs]


def test_proof_pickles(config: sb.configs.StarkConfig) -> None:
    import pickle

    trace, pv = fibonacci_trace(4)
    proof = sb.Engine(FAST, config=config).run_test([FibonacciAir()], [trace], [pv])
    assert pickle.loads(pickle.dumps(proof)) == proof
    assert len(proof) == len(proof.to_bytes())
    assert "0:4" in repr(proof)
