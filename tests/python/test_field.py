"""Field bindings of ``stark_backend._core`` against Python integer arithmetic.

Base field ``F_p``, ``p = 2^31 - 2^27 + 1``; extension ``F_p[X]/(X^4 - 11)`` with elements as rows
``(c0, c1, c2, c3)``. Every SIMD level the CPU supports must give exactly the Python result,
including the edge values 0, 1 and p - 1 and lengths that leave vector tails.
"""

from __future__ import annotations

import numpy as np
import pytest

from stark_backend import _core
from stark_backend.errors import InputError

P = 2013265921
W = 11
EDGES = [0, 1, 2, P - 1, P - 2, (P - 1) // 2, (P + 1) // 2, 1 << 27, 31, 11]
LENGTHS = [0, 1, 7, 8, 9, 15, 16, 17, 33, 1000, 4097]


def supported_levels() -> list[str]:
    order = ["scalar", "avx2", "avx512"]
    return order[: order.index(_core.simd_detected()) + 1]


@pytest.fixture(autouse=True)
def restore_runtime():
    level, threads = _core.simd_active(), _core.num_threads()
    yield
    _core.set_simd_level(level)
    _core.set_num_threads(threads)


@pytest.fixture(params=supported_levels())
def level(request):
    _core.set_simd_level(request.param)
    return request.param


def values(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.integers(0, P, size=n, dtype=np.uint32)
    mask = rng.random(n) < 0.25
    v[mask] = rng.choice(np.array(EDGES, dtype=np.uint32), size=int(mask.sum()))
    return v


def ext_mul_int(a: list[int], b: list[int]) -> list[int]:
    c = [0] * 7
    for i in range(4):
        for j in range(4):
            c[i + j] += a[i] * b[j]
    return [(c[m] + (W * c[m + 4] if m + 4 < 7 else 0)) % P for m in range(4)]


def test_base_ops_match_python_ints(level):
    rng = np.random.default_rng(1)
    for n in LENGTHS:
        a, b = values(rng, n), values(rng, n)
        ai, bi = a.astype(object), b.astype(object)
        assert np.array_equal(_core.field_add(a, b), ((ai + bi) % P).astype(np.uint32))
        assert np.array_equal(_core.field_sub(a, b), ((ai - bi) % P).astype(np.uint32))
        assert np.array_equal(_core.field_mul(a, b), ((ai * bi) % P).astype(np.uint32))
        inv = _core.field_inv(a)
        expect = np.array([pow(int(x), P - 2, P) if x else 0 for x in a], dtype=np.uint32)
        assert np.array_equal(inv, expect), n


def test_edge_value_table(level):
    e = np.array(EDGES, dtype=np.uint32)
    a = np.repeat(e, len(e))
    b = np.tile(e, len(e))
    for fn, op in (
        (_core.field_add, lambda x, y: x + y),
        (_core.field_sub, lambda x, y: x - y),
        (_core.field_mul, lambda x, y: x * y),
    ):
        got = fn(a, b)
        assert [int(g) for g in got] == [op(int(x), int(y)) % P for x, y in zip(a, b, strict=True)]
    assert list(_core.field_inv(np.array([0, 1, P - 1], dtype=np.uint32))) == [0, 1, P - 1]


def test_extension_ops_match_python_ints(level):
    rng = np.random.default_rng(2)
    for n in (0, 1, 3, 8, 9, 16, 17, 100):
        a = values(rng, 4 * n).reshape(n, 4)
        b = values(rng, 4 * n).reshape(n, 4)
        if n > 2:
            a[1] = 0  # zero element
            a[2] = [P - 1, 0, 0, 0]
        prod = _core.ext_mul(a, b)
        assert prod.shape == (n, 4) and prod.dtype == np.uint32
        for i in range(n):
            assert list(prod[i]) == ext_mul_int([int(x) for x in a[i]], [int(x) for x in b[i]])
        inv = _core.ext_inv(a)
        for i in range(n):
            ai = [int(x) for x in a[i]]
            if not any(ai):
                assert list(inv[i]) == [0, 0, 0, 0]
            else:
                assert ext_mul_int(ai, [int(x) for x in inv[i]]) == [1, 0, 0, 0]


def test_thread_counts_agree():
    rng = np.random.default_rng(3)
    a, b = values(rng, 300_001), values(rng, 300_001)
    _core.set_num_threads(1)
    ref_mul, ref_inv = _core.field_mul(a, b), _core.field_inv(a)
    for threads in (2, 3):
        _core.set_num_threads(threads)
        assert np.array_equal(_core.field_mul(a, b), ref_mul)
        assert np.array_equal(_core.field_inv(a), ref_inv)


def test_results_own_their_memory():
    a = np.arange(10, dtype=np.uint32)
    out = _core.field_add(a, a)
    assert out.flags.owndata and out.flags.c_contiguous and out is not a
    del a
    assert list(out) == [2 * i for i in range(10)]


def test_shape_errors_raise_input_error():
    a = np.zeros(4, dtype=np.uint32)
    with pytest.raises(InputError, match="same shape"):
        _core.field_add(a, np.zeros(5, dtype=np.uint32))
    with pytest.raises(InputError, match="1-D"):
        _core.field_mul(a.reshape(2, 2), a.reshape(2, 2))
    with pytest.raises(InputError, match=r"\(n, 4\)"):
        _core.ext_mul(a, a)
    with pytest.raises(InputError, match=r"\(n, 4\)"):
        _core.ext_inv(np.zeros((3, 3), dtype=np.uint32))
    with pytest.raises(InputError, match="count"):
        _core.bench_mul_throughput(False, 0)


def test_bench_mul_throughput(level):
    base = _core.bench_mul_throughput(False, 200_000)
    ext = _core.bench_mul_throughput(True, 20_000)
    assert isinstance(base, float) and base > 0
    assert isinstance(ext, float) and ext > 0
