"""CUDA entry points of ``_core`` against the CPU bindings (bit for bit).

Tests marked ``cuda`` need a usable GPU and skip cleanly without one. The others run
everywhere: without a GPU (or without the CUDA units compiled in) the flags are False and every
device entry point raises ``DeviceError``; shape errors are ``InputError`` on any machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stark_backend import _core
from stark_backend.errors import DeviceError, InputError

P = 2013265921
GENERATOR = 31
REFERENCE = Path(__file__).resolve().parents[2] / "third_party" / "reference"


def _random(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.integers(0, P, size=shape, dtype=np.uint32)


@pytest.fixture
def gpu() -> None:
    if not _core.cuda_available():
        pytest.skip(f"no usable CUDA device: {_core.cuda_describe()}")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


# ---- everywhere --------------------------------------------------------------------------------


def test_flags_are_consistent() -> None:
    compiled = _core.cuda_compiled()
    available = _core.cuda_available()
    assert isinstance(compiled, bool)
    assert isinstance(available, bool)
    assert not available or compiled
    description = _core.cuda_describe()
    assert isinstance(description, str)
    assert description


def test_entry_points_raise_device_error_without_gpu() -> None:
    if _core.cuda_available():
        pytest.skip("a GPU is available; the comparisons below cover this machine")
    states = np.zeros((2, 16), dtype=np.uint32)
    matrix = np.ones((4, 3), dtype=np.uint32)
    with pytest.raises(DeviceError):
        _core.cuda_poseidon2_permute(states)
    with pytest.raises(DeviceError):
        _core.cuda_hash_rows(matrix)
    with pytest.raises(DeviceError):
        _core.cuda_ntt(matrix, False)
    with pytest.raises(DeviceError):
        _core.cuda_coset_lde(matrix, 1, GENERATOR)


def test_bad_shapes_raise_input_error() -> None:
    with pytest.raises(InputError):
        _core.cuda_poseidon2_permute(np.zeros((3, 15), dtype=np.uint32))
    with pytest.raises(InputError):
        _core.cuda_poseidon2_permute(np.zeros(16, dtype=np.uint32))
    with pytest.raises(InputError):
        _core.cuda_hash_rows(np.zeros((2, 2, 2), dtype=np.uint32))
    with pytest.raises(InputError):
        _core.cuda_ntt(np.zeros((3, 2), dtype=np.uint32), False)
    with pytest.raises(InputError):
        _core.cuda_coset_lde(np.zeros((6, 2), dtype=np.uint32), 1, GENERATOR)
    with pytest.raises(InputError):
        _core.cuda_coset_lde(np.zeros((4, 2), dtype=np.uint32), -1, GENERATOR)
    with pytest.raises(InputError):
        _core.cuda_coset_lde(np.zeros((4, 2), dtype=np.uint32), 26, GENERATOR)
    with pytest.raises(InputError):
        _core.cuda_coset_lde(np.zeros((4, 2), dtype=np.uint32), 1, P)


# ---- on a GPU ----------------------------------------------------------------------------------


@pytest.mark.cuda
def test_poseidon2_known_answer(gpu: None) -> None:
    ref = json.loads((REFERENCE / "poseidon2_babybear.json").read_text())
    kat = ref["known_answer_tests_width_16"][0]
    state = np.array([kat["input"]], dtype=np.uint32)
    out = _core.cuda_poseidon2_permute(state)
    assert out.tolist() == [kat["expected_output"]]


@pytest.mark.cuda
@pytest.mark.parametrize("n", [0, 1, 7, 1000, 4099])
def test_poseidon2_matches_cpu(gpu: None, rng: np.random.Generator, n: int) -> None:
    states = _random(rng, n, 16)
    before = states.copy()
    out = _core.cuda_poseidon2_permute(states)
    assert out.shape == (n, 16)
    assert out.dtype == np.uint32
    np.testing.assert_array_equal(states, before)  # input untouched
    if n:
        np.testing.assert_array_equal(out, _core.poseidon2_permute(states))


@pytest.mark.cuda
@pytest.mark.parametrize("width", [0, 1, 7, 8, 9, 16, 17, 64])
@pytest.mark.parametrize("height", [1, 4, 1024])
def test_hash_rows_matches_cpu(
    gpu: None, rng: np.random.Generator, height: int, width: int
) -> None:
    m = _random(rng, height, width)
    out = _core.cuda_hash_rows(m)
    assert out.shape == (height, 8)
    if width == 0:
        assert not out.any()
    else:
        np.testing.assert_array_equal(out, _core.hash_rows([m]))


@pytest.mark.cuda
@pytest.mark.parametrize("log_n", [0, 1, 4, 10, 14])
@pytest.mark.parametrize("width", [1, 3, 33])
@pytest.mark.parametrize("inverse", [False, True])
def test_ntt_matches_cpu(
    gpu: None, rng: np.random.Generator, log_n: int, width: int, inverse: bool
) -> None:
    values = _random(rng, 1 << log_n, width)
    out = _core.cuda_ntt(values, inverse)
    assert out.shape == values.shape
    np.testing.assert_array_equal(out, _core.ntt(values, inverse))


@pytest.mark.cuda
def test_ntt_small_naive(gpu: None, rng: np.random.Generator) -> None:
    n = 8
    omega = pow(440564289, 1 << (27 - 3), P)
    coeffs = _random(rng, n, 1)
    want = [[sum(int(coeffs[j, 0]) * pow(omega, i * j, P) for j in range(n)) % P] for i in range(n)]
    assert _core.cuda_ntt(coeffs, False).tolist() == want
    np.testing.assert_array_equal(_core.cuda_ntt(np.array(want, dtype=np.uint32), True), coeffs)


@pytest.mark.cuda
@pytest.mark.parametrize("log_n", [0, 2, 9])
@pytest.mark.parametrize("log_blowup", [0, 1, 3])
@pytest.mark.parametrize("width", [1, 6])
@pytest.mark.parametrize("shift", [GENERATOR, 1, 123456789])
def test_coset_lde_matches_cpu(
    gpu: None, rng: np.random.Generator, log_n: int, log_blowup: int, width: int, shift: int
) -> None:
    evals = _random(rng, 1 << log_n, width)
    out = _core.cuda_coset_lde(evals, log_blowup, shift)
    assert out.shape == ((1 << log_n) << log_blowup, width)
    np.testing.assert_array_equal(out, _core.coset_lde(evals, log_blowup, shift, True))


# ---- the whole prover on the CUDA device ---------------------------------------------------------


def _multi_air_system() -> tuple[list[object], list[np.ndarray], list[object]]:
    from stark_backend.examples import (
        FibonacciAir,
        InteractionAir,
        KeccakAir,
        fibonacci_trace,
        interaction_pair_traces,
        keccak_trace,
    )

    snd, rcv = interaction_pair_traces(256, 2, cached=True)
    fib, pv = fibonacci_trace(1 << 11)
    keccak = keccak_trace(np.random.default_rng(5).integers(0, 1 << 63, (3, 25), dtype=np.uint64))
    airs: list[object] = [
        FibonacciAir(),
        InteractionAir(2, send=True, cached=True),
        InteractionAir(2, send=False, cached=True),
        KeccakAir(),
    ]
    return airs, [fib, snd, rcv, keccak], [pv, None, None, None]


@pytest.mark.cuda
@pytest.mark.parametrize(
    "params",
    [
        "fast",
        "standard_fast",
    ],
)
def test_cuda_prover_matches_cpu_bytes(gpu: None, params: str) -> None:
    import stark_backend as sb

    fri = (
        sb.FriParameters.standard_fast()
        if params == "standard_fast"
        else sb.FriParameters(1, 0, 16, 4, 4)
    )
    airs, traces, pvs = _multi_air_system()
    cpu = sb.Engine(fri, device="cpu").run_test(airs, traces, pvs)  # type: ignore[arg-type]
    engine = sb.Engine(fri, device="cuda")
    assert engine.device == "cuda"
    gpu_proof = engine.run_test(airs, traces, pvs)  # type: ignore[arg-type]
    assert gpu_proof.to_bytes() == cpu.to_bytes()


def _every_example() -> list[tuple[str, list[object], list[np.ndarray], list[object]]]:
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
        keccak_trace,
        range_check_traces,
    )

    fib, fib_pv = fibonacci_trace(1 << 10)
    sels = [1, 0, 1, 1, 0, 1, 1, 1]
    sel_trace, sel_pv = fib_selector_trace(sels, 2, 3)
    snd, rcv = interaction_pair_traces(64, 3, seed=9)
    rng = np.random.default_rng(3)
    req1, m1 = range_check_traces(rng.integers(0, 32, size=(64, 2)), 5)
    req2, m2 = range_check_traces(rng.integers(0, 32, size=(4, 2)), 5)
    keccak = keccak_trace(rng.integers(0, 1 << 63, (2, 25), dtype=np.uint64))
    return [
        ("fibonacci", [FibonacciAir()], [fib], [fib_pv]),
        ("fib_selector (preprocessed)", [FibonacciSelectorAir(sels)], [sel_trace], [sel_pv]),
        (
            "interaction",
            [InteractionAir(3, send=True), InteractionAir(3, send=False)],
            [snd, rcv],
            [None, None],
        ),
        (
            "range_check (preprocessed table, mixed heights)",
            [RangeCheckTableAir(5), RangeRequesterAir(2), RangeRequesterAir(2)],
            [m1 + m2, req1, req2],
            [None, None, None],
        ),
        ("keccak", [KeccakAir()], [keccak], [None]),
    ]


@pytest.mark.cuda
@pytest.mark.parametrize("index", range(5))
def test_every_example_on_cuda_matches_cpu_bytes(gpu: None, index: int) -> None:
    import stark_backend as sb

    name, airs, traces, pvs = _every_example()[index]
    fri = sb.FriParameters.standard_fast()
    cpu = sb.Engine(fri, device="cpu").run_test(airs, traces, pvs)  # type: ignore[arg-type]
    gpu_proof = sb.Engine(fri, device="cuda").run_test(airs, traces, pvs)  # type: ignore[arg-type]
    assert gpu_proof.to_bytes() == cpu.to_bytes(), name


@pytest.mark.cuda
def test_repeated_proofs_reuse_the_resident_key_and_report_device_figures(gpu: None) -> None:
    import stark_backend as sb

    _, airs, traces, pvs = _every_example()[3]  # a preprocessed table: resident across proofs
    fri = sb.FriParameters.standard_fast()
    cpu_engine, engine = sb.Engine(fri, device="cpu"), sb.Engine(fri, device="cuda")
    expected = cpu_engine.run_test(airs, traces, pvs).to_bytes()  # type: ignore[arg-type]
    kb = engine.keygen_builder()
    ids = [kb.add_air(a) for a in airs]  # type: ignore[arg-type]
    pk = kb.generate_pk()
    contexts = [sb.AirProvingContext(i, t) for i, t in zip(ids, traces, strict=True)]
    figures = []
    for _ in range(3):
        timings: dict[str, float] = {}
        proof = engine.prove(pk, contexts, timings=timings)
        assert proof.to_bytes() == expected
        engine.verify(pk.vk, proof)
        figures.append(timings)
    for key in ("main_commit", "quotient", "open", "lde", "merkle_tree", "host_to_device_bytes"):
        assert key in figures[-1], key
    assert figures[-1]["device_peak_memory_bytes"] > 0
    trace_bytes = sum(int(t.nbytes) for t in traces)
    # The first proof uploads the key's preprocessed data; later ones only the traces.
    assert figures[1]["host_to_device_bytes"] == trace_bytes
    assert figures[0]["host_to_device_bytes"] > figures[1]["host_to_device_bytes"]


@pytest.mark.cuda
def test_resident_bench_and_properties(gpu: None) -> None:
    props = _core.cuda_device_properties()
    assert props["memory_bandwidth_bytes_per_s"] > 1e11 and props["total_memory_bytes"] > 0
    for kind, width in (("poseidon2", 16), ("lde", 8), ("merkle", 8)):
        assert _core.cuda_resident_bench(kind, 12, width, 2) > 0
    import stark_backend as sb

    with pytest.raises(sb.InputError, match="unknown kind"):
        _core.cuda_resident_bench("fft", 12, 8, 1)
