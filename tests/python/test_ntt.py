"""NTT / LDE bindings of ``stark_backend._core`` against naive Python DFTs and ``galois``.

Conventions under test (docs/protocol.md §4): the forward NTT maps coefficients to
evaluations at ``ω_n^0 .. ω_n^(n-1)`` with ``ω_n`` = ``two_adic_generator(log2 n)`` of
``third_party/reference/babybear.json``; the inverse includes ``1/n``; ``coset_lde`` evaluates on
``shift·H_(n·2^b)`` in natural order, the bit-reversed variant puts natural row ``r`` at
``rev(r)``. Every SIMD level the CPU supports and 1, 2 and 3 threads must agree word for word.
"""

from __future__ import annotations

import gc
import json
import pathlib

import numpy as np
import pytest

from stark_backend import _core
from stark_backend.errors import InputError

P = 2013265921
REFERENCE = (
    pathlib.Path(__file__).resolve().parents[2] / "third_party" / "reference" / "babybear.json"
)
TWO_ADIC = json.loads(REFERENCE.read_text())["two_adic_generators_by_bits"]["values"]
GENERATOR = 31


def supported_levels() -> list[str]:
    order = ["scalar", "avx2", "avx512"]
    return order[: order.index(_core.simd_detected()) + 1]


@pytest.fixture(autouse=True)
def restore_runtime():
    level, threads = _core.simd_active(), _core.num_threads()
    yield
    _core.set_simd_level(level)
    _core.set_num_threads(threads)


def random_matrix(rng: np.random.Generator, n: int, w: int) -> np.ndarray:
    m = rng.integers(0, P, size=(n, w), dtype=np.uint32)
    m.flat[0] = P - 1
    m.flat[-1] = 0
    return m


def bitrev(i: int, bits: int) -> int:
    return int(format(i, f"0{bits}b")[::-1], 2) if bits else 0


def mat_mul_mod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a @ b) mod p exactly in int64: b is split into 16-bit limbs so no sum overflows
    (each product < 2^47, at most 2^16 terms)."""
    a64 = a.astype(np.int64)
    b64 = b.astype(np.int64)
    lo = (a64 @ (b64 & 0xFFFF)) % P
    hi = (a64 @ (b64 >> 16)) % P
    return ((hi * 65536 + lo) % P).astype(np.uint32)


def evaluate(coeffs: np.ndarray, points: list[int]) -> np.ndarray:
    """Column-wise polynomial evaluation at the points (Vandermonde matrix times coefficients)."""
    n = coeffs.shape[0]
    x = np.array(points, dtype=np.int64)
    vander = np.ones((len(points), n), dtype=np.int64)
    for j in range(1, n):
        vander[:, j] = vander[:, j - 1] * x % P
    return mat_mul_mod(vander, coeffs)


def naive_dft(x: np.ndarray, inverse: bool) -> np.ndarray:
    n = x.shape[0]
    w = TWO_ADIC[n.bit_length() - 1]
    if inverse:
        w = pow(w, P - 2, P)
    out = evaluate(x, [pow(w, i, P) for i in range(n)])
    if inverse:
        out = (out.astype(np.int64) * pow(n, P - 2, P) % P).astype(np.uint32)
    return out


def coset_points(shift: int, log_n: int, bit_reversed: bool) -> list[int]:
    w = TWO_ADIC[log_n]
    n = 1 << log_n
    return [shift * pow(w, bitrev(i, log_n) if bit_reversed else i, P) % P for i in range(n)]


def every_config(fn, *args):
    """Results of fn(*args) for every supported SIMD level and thread counts 1, 2, 3."""
    results = []
    for level in supported_levels():
        _core.set_simd_level(level)
        for threads in (1, 2, 3):
            _core.set_num_threads(threads)
            results.append(((level, threads), fn(*args)))
    return results


def test_two_adic_generators_match_reference():
    for k, w in enumerate(TWO_ADIC):
        assert pow(w, 1 << k, P) == 1
        if k:
            assert pow(w, 1 << (k - 1), P) == P - 1
    assert pow(GENERATOR, (P - 1) >> 27, P) == TWO_ADIC[27]


@pytest.mark.parametrize("log_n", range(0, 9))
def test_ntt_matches_naive_dft(log_n):
    rng = np.random.default_rng(log_n)
    for w in range(1, 18):
        x = random_matrix(rng, 1 << log_n, w)
        fwd, inv = naive_dft(x, False), naive_dft(x, True)
        for cfg, got in every_config(_core.ntt, x, False):
            assert np.array_equal(got, fwd), (cfg, w)
        for cfg, got in every_config(_core.ntt, x, True):
            assert np.array_equal(got, inv), (cfg, w)


def test_ntt_matches_galois():
    galois = pytest.importorskip("galois")
    rng = np.random.default_rng(7)
    # galois uses ω = g^((p-1)/n) with g = 31, its smallest primitive root: the same ω as ours.
    assert int(galois.primitive_root(P)) == GENERATOR
    for log_n in range(0, 15):
        x = random_matrix(rng, 1 << log_n, 2)
        ours = _core.ntt(x, False)
        for c in range(2):
            expect = np.asarray(galois.ntt(x[:, c].astype(np.int64), modulus=P), dtype=np.int64)
            assert np.array_equal(ours[:, c].astype(np.int64), expect), (log_n, c)


def test_ntt_sizes_up_to_2_14_invert_and_agree_across_configs():
    rng = np.random.default_rng(3)
    for log_n in (10, 12, 14):
        for w in (1, 2, 5, 8, 16, 17):
            if log_n == 14 and w > 5:
                continue
            x = random_matrix(rng, 1 << log_n, w)
            _core.set_simd_level("scalar")
            _core.set_num_threads(1)
            ref = _core.ntt(x, False)
            for cfg, got in every_config(_core.ntt, x, False):
                assert np.array_equal(got, ref), (cfg, log_n, w)
            assert np.array_equal(_core.ntt(ref, True), x)


def test_ntt_one_dimensional_and_dtype():
    x = np.arange(16, dtype=np.uint32)
    got = _core.ntt(x, False)
    assert got.shape == (16,) and got.dtype == np.uint32 and got.flags.c_contiguous
    assert got.flags.writeable and got.ctypes.data % 64 == 0  # aligned buffer of its own
    assert np.array_equal(got, naive_dft(x[:, None], False)[:, 0])
    assert np.array_equal(_core.ntt(x[:1], True), x[:1])


def test_results_outlive_inputs_and_are_independent():
    rng = np.random.default_rng(9)
    x = random_matrix(rng, 1 << 12, 5)
    expect = naive_dft(x[:64], False)
    fwd = _core.ntt(x[:64].copy(), False)
    lde = _core.coset_lde(x, 1, GENERATOR, True)
    assert not np.shares_memory(lde, x)
    del x
    gc.collect()
    assert np.array_equal(fwd, expect)
    lde[:] = 0  # writable, and nothing else sees it
    assert not lde.any()


@pytest.mark.parametrize("log_blowup", [0, 1, 2, 3])
def test_coset_lde_matches_naive(log_blowup):
    rng = np.random.default_rng(100 + log_blowup)
    for log_n in (0, 1, 2, 5, 7):
        for w in (1, 4, 17):
            evals = random_matrix(rng, 1 << log_n, w)
            coeffs = naive_dft(evals, True)
            for shift in (GENERATOR, 7):
                natural = evaluate(coeffs, coset_points(shift, log_n + log_blowup, False))
                bitrev_ = evaluate(coeffs, coset_points(shift, log_n + log_blowup, True))
                for cfg, got in every_config(_core.coset_lde, evals, log_blowup, shift, False):
                    assert np.array_equal(got, natural), (cfg, log_n, w)
                for cfg, got in every_config(_core.coset_lde, evals, log_blowup, shift, True):
                    assert np.array_equal(got, bitrev_), (cfg, log_n, w)


def test_coset_lde_bitrev_is_natural_permuted():
    rng = np.random.default_rng(5)
    for log_n, w in ((10, 1), (11, 9), (12, 3)):
        evals = random_matrix(rng, 1 << log_n, w)
        natural = _core.coset_lde(evals, 1, GENERATOR, False)
        perm = [bitrev(i, log_n + 1) for i in range(natural.shape[0])]
        expect = natural[np.argsort(perm)]
        for cfg, got in every_config(_core.coset_lde, evals, 1, GENERATOR, True):
            assert np.array_equal(got, expect), cfg
        # a low-degree column survives the extension exactly
        coeffs = np.zeros((1 << log_n, 1), dtype=np.uint32)
        coeffs[:3, 0] = [5, 6, 7]
        col = _core.ntt(coeffs, False)
        lde = _core.coset_lde(col, 2, GENERATOR, False)
        assert np.array_equal(lde, evaluate(coeffs[:3], coset_points(GENERATOR, log_n + 2, False)))


def test_coset_lde_from_coset_matches_naive():
    rng = np.random.default_rng(11)
    for log_n in (0, 2, 6):
        for log_blowup in (0, 1, 2):
            coeffs = random_matrix(rng, 1 << log_n, 4)
            in_shift = GENERATOR * pow(TWO_ADIC[log_n + 1], 1, P) % P
            evals = evaluate(coeffs, coset_points(in_shift, log_n, False))
            expect = evaluate(coeffs, coset_points(GENERATOR, log_n + log_blowup, True))
            results = every_config(
                _core.coset_lde_from_coset, evals, in_shift, log_blowup, GENERATOR
            )
            for cfg, got in results:
                assert np.array_equal(got, expect), (cfg, log_n, log_blowup)


def test_bit_reverse_rows():
    rng = np.random.default_rng(2)
    for log_n in range(0, 12):
        x = random_matrix(rng, 1 << log_n, 3)
        perm = [bitrev(i, log_n) for i in range(1 << log_n)]
        for cfg, got in every_config(_core.bit_reverse_rows, x):
            assert np.array_equal(got, x[perm]), cfg
    assert np.array_equal(_core.bit_reverse_rows(np.arange(4, dtype=np.uint32)), [0, 2, 1, 3])


def test_bad_input_raises_input_error():
    x = np.zeros((6, 2), dtype=np.uint32)
    with pytest.raises(InputError, match="power of two"):
        _core.ntt(x, False)
    with pytest.raises(InputError, match="power of two"):
        _core.coset_lde(x, 1, GENERATOR, True)
    with pytest.raises(InputError, match="power of two"):
        _core.bit_reverse_rows(x)
    y = np.zeros((8, 2), dtype=np.uint32)
    with pytest.raises(InputError, match="two-adicity"):
        _core.coset_lde(y, 25, GENERATOR, True)
    with pytest.raises(InputError, match="log_blowup"):
        _core.coset_lde(y, -1, GENERATOR, True)
    for shift in (0, P, -3):
        with pytest.raises(InputError, match="shift"):
            _core.coset_lde(y, 1, shift, False)
    with pytest.raises(InputError, match="in_shift"):
        _core.coset_lde_from_coset(y, 0, 1, GENERATOR)
    with pytest.raises(InputError):
        _core.ntt(np.zeros((2, 2, 2), dtype=np.uint32), False)
    with pytest.raises(ValueError):  # InputError is a ValueError
        _core.ntt(np.zeros(0, dtype=np.uint32), False)


def test_out_argument_is_filled_and_checked():
    rng = np.random.default_rng(12)
    x = random_matrix(rng, 64, 3)
    out = np.empty((128, 3), dtype=np.uint32)
    got = _core.coset_lde(x, 1, GENERATOR, True, out=out)
    assert got is out
    assert np.array_equal(out, _core.coset_lde(x, 1, GENERATOR, True))
    col = np.empty(64, dtype=np.uint32)
    assert _core.ntt(x[:, 0].copy(), False, out=col) is col
    assert np.array_equal(col, _core.ntt(x[:, 0].copy(), False))
    out2 = np.empty((128, 3), dtype=np.uint32)
    _core.coset_lde_from_coset(x, 7, 1, GENERATOR, out=out2)
    assert np.array_equal(out2, _core.coset_lde_from_coset(x, 7, 1, GENERATOR))
    with pytest.raises(InputError, match="shape"):
        _core.coset_lde(x, 1, GENERATOR, True, out=np.empty((64, 3), dtype=np.uint32))
    with pytest.raises(InputError, match="uint32"):
        _core.ntt(x, False, out=np.empty((64, 3), dtype=np.int64))
    with pytest.raises(InputError, match="uint32"):
        _core.ntt(x, False, out=np.empty((3, 64), dtype=np.uint32).T)
    readonly = np.empty((64, 3), dtype=np.uint32)
    readonly.flags.writeable = False
    with pytest.raises(InputError, match="read-only"):
        _core.ntt(x, False, out=readonly)
    with pytest.raises(InputError, match="overlap"):
        _core.ntt(x, False, out=x)


def test_width_zero_and_height_one():
    z = np.zeros((8, 0), dtype=np.uint32)
    assert _core.ntt(z, False).shape == (8, 0)
    assert _core.coset_lde(z, 2, GENERATOR, True).shape == (32, 0)
    one = np.array([[5, 6, 7]], dtype=np.uint32)
    assert np.array_equal(_core.coset_lde(one, 2, GENERATOR, False), np.repeat(one, 4, axis=0))


def test_large_outputs_are_owned_writable_and_freed():
    # Outputs from 4 MiB up live in huge-page buffers owned through a capsule: they must behave
    # like any NumPy array (writable, C-contiguous, alive after the input is gone) and be freed
    # when dropped.
    rng = np.random.default_rng(3)
    x = rng.integers(0, P, size=(1 << 17, 8), dtype=np.uint32)  # LDE output: 8 MiB
    expected = np.empty((1 << 18, 8), dtype=np.uint32)
    _core.coset_lde(x, 1, 31, True, out=expected)
    for _ in range(3):
        out = _core.coset_lde(x, 1, 31, True)
        assert out.flags.c_contiguous and out.flags.writeable and out.dtype == np.uint32
        np.testing.assert_array_equal(out, expected)
        assert not np.shares_memory(out, expected)
        out[:] = 0
        del out
        gc.collect()
    kept = _core.coset_lde(x, 1, 31, True)
    del x
    gc.collect()
    np.testing.assert_array_equal(kept, expected)
