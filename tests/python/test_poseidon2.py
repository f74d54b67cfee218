"""Poseidon2 bindings of ``stark_backend._core`` against the pure-Python ``reference_model``.

The known answers come from ``third_party/reference/poseidon2_babybear.json``. Batched calls
run at every SIMD level this CPU supports and with several thread counts, and must agree word
for word with the scalar level (thousands of states) and with the model (a handful: the model
is slow).
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import reference_model as ref
from stark_backend import _core
from stark_backend.errors import InputError

P = ref.P


def supported_levels() -> list[str]:
    order = ["scalar", "avx2", "avx512"]
    best = order.index(_core.simd_detected())
    return order[: best + 1]


@pytest.fixture
def restore_runtime():
    level, threads = _core.simd_active(), _core.num_threads()
    yield
    _core.set_simd_level(level)
    _core.set_num_threads(threads)


def kat(name: str) -> dict:
    for k in ref.reference()["known_answer_tests_width_16"]:
        if k["name"] == name:
            return k
    raise KeyError(name)


def random_states(rng: np.random.Generator, n: int) -> np.ndarray:
    states = rng.integers(0, P, size=(n, 16), dtype=np.uint32)
    if n > 2:
        states[1] = 0
        states[2] = P - 1
    for i in range(3, n, 7):  # words drawn from {0, 1, p - 1}
        states[i] = rng.choice(np.array([0, 1, P - 1], dtype=np.uint32), size=16)
    return states


# ---- known answers ----------------------------------------------------------------------------


def test_model_reproduces_both_kats():
    k = kat("plonky3_default_babybear_poseidon2_16_regression")
    assert ref.permute(k["input"]) == k["expected_output"]
    k = kat("plonky3_poseidon2_width_16_random_constants")
    model = ref.Poseidon2Model.from_constants(k["round_constants_derived"])
    assert model.permute(k["input"]) == k["expected_output"]


@pytest.mark.usefixtures("restore_runtime")
@pytest.mark.parametrize("level", supported_levels())
def test_core_kat_every_level(level):
    _core.set_simd_level(level)
    k = kat("plonky3_default_babybear_poseidon2_16_regression")
    states = np.array([k["input"]] * 19, dtype=np.uint32)
    out = _core.poseidon2_permute(states)
    assert out.shape == (19, 16) and out.dtype == np.uint32
    assert (out == np.array(k["expected_output"], dtype=np.uint32)).all()
    assert (states == np.array(k["input"], dtype=np.uint32)).all()  # input untouched


def test_core_matches_model_on_random_states():
    rng = np.random.default_rng(1)
    states = random_states(rng, 6)
    out = _core.poseidon2_permute(states)
    for s, o in zip(states, out, strict=True):
        assert ref.permute([int(x) for x in s]) == [int(x) for x in o]


# ---- batches: every SIMD level, odd sizes, thread counts ---------------------------------------


@pytest.mark.usefixtures("restore_runtime")
def test_every_level_and_size_matches_scalar():
    rng = np.random.default_rng(2)
    for n in (0, 1, 7, 9, 17, 1000, 4100):
        states = random_states(rng, n)
        _core.set_simd_level("scalar")
        expected = _core.poseidon2_permute(states)
        for level in supported_levels():
            _core.set_simd_level(level)
            got = _core.poseidon2_permute(states)
            assert got.shape == (n, 16)
            assert np.array_equal(got, expected), f"level {level}, n = {n}"


@pytest.mark.usefixtures("restore_runtime")
def test_thread_counts_give_identical_results():
    rng = np.random.default_rng(3)
    states = random_states(rng, 5000)
    mats = [rng.integers(0, P, size=(3000, w), dtype=np.uint32) for w in (11, 30)]
    results = []
    for threads in (1, 2, 3):
        _core.set_num_threads(threads)
        results.append((_core.poseidon2_permute(states), _core.hash_rows(mats)))
    for perm, leaves in results[1:]:
        assert np.array_equal(perm, results[0][0])
        assert np.array_equal(leaves, results[0][1])


def test_concurrent_python_threads():
    rng = np.random.default_rng(4)
    states = random_states(rng, 2000)
    expected = _core.poseidon2_permute(states)
    errors = []

    def work():
        for _ in range(3):
            if not np.array_equal(_core.poseidon2_permute(states), expected):
                errors.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


# ---- sponge and compression -------------------------------------------------------------------


def test_sponge_lengths_0_to_40_match_model():
    rng = np.random.default_rng(5)
    for length in range(0, 41):
        values = rng.integers(0, P, size=length, dtype=np.uint32)
        got = _core.hash_sponge(values)
        assert got.shape == (8,) and got.dtype == np.uint32
        assert [int(x) for x in got] == ref.hash_sponge([int(v) for v in values]), length


def test_sponge_semantics():
    assert (_core.hash_sponge(np.zeros(0, dtype=np.uint32)) == 0).all()
    rng = np.random.default_rng(6)
    for length in range(1, 8):  # overwrite mode without padding: Hs(x) = Hs(x || 0) inside block 1
        x = rng.integers(0, P, size=length, dtype=np.uint32)
        padded = np.concatenate([x, np.zeros(8 - length, dtype=np.uint32)])
        assert np.array_equal(_core.hash_sponge(x), _core.hash_sponge(padded))
    # Hs(x) = Hs(x || s[k..8)) where s is the state before the short last block
    x = rng.integers(0, P, size=11, dtype=np.uint32)
    state = np.zeros((1, 16), dtype=np.uint32)
    state[0, :8] = x[:8]
    state = _core.poseidon2_permute(state)
    extended = np.concatenate([x, state[0, 3:8]])
    assert np.array_equal(_core.hash_sponge(x), _core.hash_sponge(extended))


def test_compress_matches_model():
    rng = np.random.default_rng(7)
    for _ in range(3):
        left = rng.integers(0, P, size=8, dtype=np.uint32)
        right = rng.integers(0, P, size=8, dtype=np.uint32)
        got = _core.compress(left, right)
        assert [int(x) for x in got] == ref.compress(
            [int(v) for v in left], [int(v) for v in right]
        )
        both = _core.poseidon2_permute(np.concatenate([left, right]).reshape(1, 16))
        assert np.array_equal(got, both[0, :8])


# ---- leaf hashing -----------------------------------------------------------------------------


@pytest.mark.usefixtures("restore_runtime")
def test_hash_rows_matches_sponge_of_concatenated_rows():
    rng = np.random.default_rng(8)
    for widths in ([1], [8], [7, 9], [13, 0, 8, 1], [64], [3, 70]):
        height = 21
        mats = [rng.integers(0, P, size=(height, w), dtype=np.uint32) for w in widths]
        expected = np.array(
            [_core.hash_sponge(np.concatenate([m[i] for m in mats])) for i in range(height)],
            dtype=np.uint32,
        )
        for level in supported_levels():
            _core.set_simd_level(level)
            for threads in (1, 2, 3):
                _core.set_num_threads(threads)
                got = _core.hash_rows(mats)
                assert got.shape == (height, 8)
                assert np.array_equal(got, expected), (widths, level, threads)


def test_hash_rows_matches_model():
    rng = np.random.default_rng(9)
    mats = [rng.integers(0, P, size=(3, w), dtype=np.uint32) for w in (5, 12)]
    got = _core.hash_rows(mats)
    expected = ref.hash_rows([m.tolist() for m in mats])
    assert got.tolist() == expected


def test_hash_rows_width_zero_and_height_zero():
    out = _core.hash_rows([np.zeros((4, 0), dtype=np.uint32)])
    assert out.shape == (4, 8) and (out == 0).all()
    out = _core.hash_rows([np.zeros((0, 5), dtype=np.uint32)])
    assert out.shape == (0, 8)


# ---- bad input and the benchmark ----------------------------------------------------------------


def test_bad_shapes_raise_input_error():
    with pytest.raises(InputError, match="states"):
        _core.poseidon2_permute(np.zeros((3, 15), dtype=np.uint32))
    with pytest.raises(InputError, match="states"):
        _core.poseidon2_permute(np.zeros(16, dtype=np.uint32))
    with pytest.raises(InputError, match="states"):
        _core.poseidon2_permute(np.zeros((2, 16), dtype=np.int64))
    with pytest.raises(InputError, match="values"):
        _core.hash_sponge(np.zeros((2, 2), dtype=np.uint32))
    with pytest.raises(InputError, match="left"):
        _core.compress(np.zeros(7, dtype=np.uint32), np.zeros(8, dtype=np.uint32))
    with pytest.raises(InputError, match="right"):
        _core.compress(np.zeros(8, dtype=np.uint32), np.zeros(9, dtype=np.uint32))
    with pytest.raises(InputError, match="matrices"):
        _core.hash_rows([])
    with pytest.raises(InputError, match="matrices"):
        _core.hash_rows(np.zeros((2, 2), dtype=np.uint32))
    with pytest.raises(InputError, match=r"matrices\[1\]"):
        _core.hash_rows([np.zeros((4, 2), dtype=np.uint32), np.zeros((2, 2), dtype=np.uint32)])
    with pytest.raises(InputError, match=r"matrices\[0\]"):
        _core.hash_rows([np.zeros(4, dtype=np.uint32)])


@pytest.mark.usefixtures("restore_runtime")
def test_bench_reports_a_rate_and_restores_threads():
    _core.set_num_threads(3)
    rate = _core.bench_poseidon2(512, 1)
    assert isinstance(rate, float) and rate > 0
    assert _core.num_threads() == 3
    with pytest.raises(InputError):
        _core.bench_poseidon2(0, 1)
    with pytest.raises(InputError):
        _core.bench_poseidon2(16, 0)
