"""Traces already in GPU memory (``__cuda_array_interface__`` / DLPack / CuPy).

Everywhere: host-side validation with small pure-Python objects that describe fake device
memory (the checks must reject before any dereference, so a bogus pointer is safe), the DLPack
capsule reader, the tuples ``Engine.prove`` hands the core, and the host-copy path. Tests marked
``cuda`` need CuPy and a usable CUDA device and skip cleanly otherwise: they prove every example
from CuPy traces and compare the proof bytes with the CPU proof from NumPy traces.
"""

from __future__ import annotations

import ctypes
import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import stark_backend as sb
from stark_backend import _core, _gpu
from stark_backend import engine as engine_module
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

FAST = sb.FriParameters(1, 0, 8, 0, 0)
FAKE_POINTER = 0xDEAD_BEEF_0000  # never dereferenced: validation fails (or is mocked) first


class FakeGpuArray:
    """Describes device memory through ``__cuda_array_interface__`` and owns none."""

    def __init__(
        self,
        shape: tuple[int, ...],
        typestr: str = "<u4",
        strides: tuple[int, ...] | None = None,
        pointer: int = FAKE_POINTER,
        version: int = 3,
        stream: int | None = None,
    ) -> None:
        self.shape = shape
        self.__cuda_array_interface__: dict[str, Any] = {
            "shape": shape,
            "typestr": typestr,
            "data": (pointer, False),
            "strides": strides,
            "version": version,
        }
        if version >= 3:
            self.__cuda_array_interface__["stream"] = stream


class FakeCupyArray:
    """A stand-in for a CuPy array on a machine without one: ``get()`` returns host data."""

    __module__ = "cupy._core.core"

    def __init__(self, host: np.ndarray) -> None:
        self.host = np.ascontiguousarray(host, dtype=np.uint32)
        self.shape = self.host.shape
        self.__cuda_array_interface__ = {
            "shape": self.host.shape,
            "typestr": "<u4",
            "data": (FAKE_POINTER, False),
            "strides": None,
            "version": 3,
            "stream": 1,
        }

    def get(self) -> np.ndarray:
        return self.host.copy()


class _DLManagedTensor(ctypes.Structure):
    _fields_ = [
        ("dl_tensor", _gpu._DLTensor),
        ("manager_ctx", ctypes.c_void_p),
        ("deleter", ctypes.c_void_p),
    ]


_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


class FakeDlpackArray:
    """A CUDA DLPack producer without ``__cuda_array_interface__`` (capsule built with ctypes;
    no deleter, the object keeps the struct alive)."""

    def __init__(
        self,
        shape: tuple[int, ...],
        dtype: tuple[int, int, int] = (1, 32, 1),
        strides: tuple[int, ...] | None = None,
        pointer: int = FAKE_POINTER,
        device: tuple[int, int] = (2, 0),
        byte_offset: int = 0,
    ) -> None:
        self._shape = (ctypes.c_int64 * len(shape))(*shape)
        self._strides = None if strides is None else (ctypes.c_int64 * len(strides))(*strides)
        t = _DLManagedTensor()
        t.dl_tensor.data = pointer
        t.dl_tensor.device.device_type, t.dl_tensor.device.device_id = device
        t.dl_tensor.ndim = len(shape)
        t.dl_tensor.dtype.code, t.dl_tensor.dtype.bits, t.dl_tensor.dtype.lanes = dtype
        t.dl_tensor.shape = ctypes.cast(self._shape, ctypes.POINTER(ctypes.c_int64))
        if self._strides is not None:
            t.dl_tensor.strides = ctypes.cast(self._strides, ctypes.POINTER(ctypes.c_int64))
        t.dl_tensor.byte_offset = byte_offset
        self._tensor = t
        self._device = device

    def __dlpack_device__(self) -> tuple[int, int]:
        return self._device

    def __dlpack__(self, stream: Any = None) -> Any:
        return _capsule_new(ctypes.addressof(self._tensor), b"dltensor", None)


def _fib_key() -> tuple[sb.Engine, sb.ProvingKey]:
    engine = sb.Engine(FAST, device="cpu")
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    return engine, kb.generate_pk()


def _prove_fib(trace: Any) -> sb.Proof:
    engine, pk = _fib_key()
    _, pv = fibonacci_trace(8)
    return engine.prove(pk, [sb.AirProvingContext(0, trace, public_values=pv)])


# ---- recognition -------------------------------------------------------------------------------


def test_recognition() -> None:
    assert not _gpu.is_gpu_array(np.zeros((4, 2), dtype=np.uint32))
    assert not _gpu.is_gpu_array([[1, 2]])
    assert _gpu.is_gpu_array(FakeGpuArray((4, 2)))
    assert _gpu.is_gpu_array(FakeDlpackArray((4, 2)))
    assert not _gpu.is_gpu_array(FakeDlpackArray((4, 2), device=(1, 0)))  # kDLCPU
    ctx = sb.AirProvingContext(0, FakeGpuArray((8, 2)))
    assert "(8, 2) on GPU" in repr(ctx)


# ---- validation before any dereference -----------------------------------------------------------


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (FakeGpuArray((8, 2), typestr="<i8"), "dtype uint32 .got int64"),
        (FakeGpuArray((8, 2), typestr="<i4"), "dtype uint32 .got int32"),
        (FakeGpuArray((8, 2), typestr=">u4"), "dtype uint32 .got >u4"),
        (FakeGpuArray((8, 2), typestr="<f4"), "dtype uint32 .got float32"),
        (FakeGpuArray((8, 2, 1)), "1-D or 2-D GPU array, got 3-D"),
        (FakeGpuArray(()), "got 0-D"),
        (FakeGpuArray((8, 2), strides=(16, 4)), "C-contiguous"),
        (FakeGpuArray((8, 2), strides=(4, 32)), "C-contiguous"),
        (FakeGpuArray((8, 3)), "width 3, expected 2"),
        (FakeGpuArray((8,)), "width 1, expected 2"),
        (FakeGpuArray((6, 2)), "height 6 is not a power of two"),
        (FakeGpuArray((0, 2)), "height 0 is not a power of two"),
        (FakeGpuArray((8, 2), pointer=0), "null device pointer"),
        (FakeGpuArray((8, 2), version=1), "version 1 is not supported"),
        (FakeDlpackArray((8, 2), dtype=(0, 64, 1)), "dtype uint32 .got int64"),
        (FakeDlpackArray((8, 2), dtype=(1, 32, 2)), "got uint32x2"),
        (FakeDlpackArray((8, 2), strides=(1, 8)), "C-contiguous"),
        (FakeDlpackArray((8, 3)), "width 3, expected 2"),
        (FakeDlpackArray((8, 2), pointer=0), "null device pointer"),
    ],
)
def test_validation_errors(array: Any, message: str) -> None:
    with pytest.raises(sb.InputError, match=message) as info:
        _prove_fib(array)
    text = str(info.value)
    assert "AIR 'FibonacciAir' (id 0) in contexts[0]: common main trace" in text


def test_validation_accepts_contiguous_descriptions() -> None:
    cases = [
        FakeGpuArray((8, 2)),
        FakeGpuArray((8, 2), strides=(8, 4)),
        FakeGpuArray((8, 2), version=2),
        FakeGpuArray((1, 2), strides=(999, 4)),  # the stride of a length-1 axis is never used
        FakeDlpackArray((8, 2)),
        FakeDlpackArray((8, 2), strides=(2, 1)),
    ]
    for a in cases:
        m = _gpu.gpu_matrix(a, "t", 2)
        assert (m.pointer, m.width) == (FAKE_POINTER, 2)
    m = _gpu.gpu_matrix(FakeDlpackArray((8, 2), byte_offset=64), "t", 2)
    assert m.core_tuple() == (FAKE_POINTER + 64, 8, 2)
    m = _gpu.gpu_matrix(FakeGpuArray((16,)), "t")
    assert m.core_tuple() == (FAKE_POINTER, 16, 1)


def test_dlpack_errors_name_the_type() -> None:
    class NotACapsule:
        def __dlpack_device__(self) -> tuple[int, int]:
            return (2, 0)

        def __dlpack__(self, stream: Any = None) -> Any:
            return object()

    class Raises(NotACapsule):
        def __dlpack__(self, stream: Any = None) -> Any:
            raise BufferError("versioned only")

    class LiesAboutDevice(NotACapsule):
        def __dlpack__(self, stream: Any = None) -> Any:
            return np.zeros((8, 2), dtype=np.uint32).__dlpack__()

    with pytest.raises(sb.InputError, match=r"NotACapsule.*not an unconsumed 'dltensor'"):
        _prove_fib(NotACapsule())
    with pytest.raises(sb.InputError, match=r"Raises.__dlpack__\(\) failed .BufferError"):
        _prove_fib(Raises())
    with pytest.raises(sb.InputError, match="capsule says device type 1"):
        _prove_fib(LiesAboutDevice())


def test_dlpack_capsule_reader_on_numpy() -> None:
    arr = np.arange(64, dtype=np.uint32).reshape(16, 4)
    t = _gpu.read_dlpack_capsule(arr.__dlpack__(), "x")
    assert t.pointer == arr.ctypes.data
    assert t.device == (1, 0)
    assert t.dtype == (1, 32, 1)
    assert t.shape == (16, 4)
    assert t.strides in (None, (4, 1))
    view = arr[:, ::2]
    t = _gpu.read_dlpack_capsule(view.__dlpack__(), "x")
    assert t.shape == (16, 2)
    assert t.strides == (4, 2)


def test_mixed_placement_in_one_air_is_rejected() -> None:
    snd, rcv = interaction_pair_traces(8, 2, cached=True)
    sender = InteractionAir(2, send=True, cached=True)
    receiver = InteractionAir(2, send=False, cached=True)
    engine = sb.Engine(FAST, device="cpu")
    kb = engine.keygen_builder()
    kb.add_air(sender)
    kb.add_air(receiver)
    pk = kb.generate_pk()
    s_cached, s_common = sender.partitions(snd)
    r_cached, r_common = receiver.partitions(rcv)
    contexts = [
        sb.AirProvingContext(0, s_common, cached_mains=[FakeGpuArray(s_cached.shape)]),
        sb.AirProvingContext(1, r_common, cached_mains=[r_cached]),
    ]
    with pytest.raises(sb.InputError, match="all partitions of one AIR must live in the same") as e:
        engine.prove(pk, contexts)
    assert "AIR 'SenderCached' (id 0)" in str(e.value)
    assert "cached main trace 0 in GPU memory" in str(e.value)


def test_run_test_rejects_a_whole_gpu_trace_of_a_partitioned_air() -> None:
    snd, rcv = interaction_pair_traces(8, 2, cached=True)
    airs = [InteractionAir(2, send=True, cached=True), InteractionAir(2, send=False, cached=True)]
    with pytest.raises(sb.InputError, match="cached partitions: pass an AirProvingContext"):
        sb.Engine(FAST, device="cpu").run_test(airs, [FakeGpuArray(snd.shape), rcv])


def test_cpu_device_without_cuda_raises_device_error() -> None:
    if _core.cuda_available():
        pytest.skip("a GPU is usable: the copy would be attempted (see the cuda tests)")
    with pytest.raises(sb.DeviceError, match="common main trace is in GPU memory"):
        _prove_fib(FakeGpuArray((8, 2)))


# ---- what the core is given ----------------------------------------------------------------------


def test_cuda_device_gets_pointer_tuples(monkeypatch: pytest.MonkeyPatch) -> None:
    """On "cuda", GPU contexts go to the core as (air, [(p, h, w)], (p, h, w), pv, True) and
    host contexts unchanged; the owners stay alive through the call."""
    _, rcv = interaction_pair_traces(8, 2, cached=True)
    sender = InteractionAir(2, send=True, cached=True)
    receiver = InteractionAir(2, send=False, cached=True)
    engine = sb.Engine(FAST, device="cpu")
    kb = engine.keygen_builder()
    kb.add_air(sender)
    kb.add_air(receiver)
    pk = kb.generate_pk()
    cached, common = FakeGpuArray((8, 2), pointer=4096), FakeGpuArray((8, 1), pointer=8192)
    r_cached, r_common = receiver.partitions(rcv)
    contexts = [
        sb.AirProvingContext(0, common, cached_mains=[cached]),
        sb.AirProvingContext(1, r_common, cached_mains=[r_cached]),
    ]
    seen: list[Any] = []

    class Stop(Exception):
        pass

    def fake_prove(raw_pk: Any, device: str, ctxs: list[Any], *rest: Any) -> Any:
        seen.append((device, ctxs))
        raise Stop

    monkeypatch.setattr(engine_module._core, "prove", fake_prove)
    object.__setattr__(engine, "_device", "cuda")  # as if a GPU were usable
    with pytest.raises(Stop):
        engine.prove(pk, contexts)
    device, ctxs = seen[0]
    assert device == "cuda"
    air_id, gpu_cached, gpu_common, pv, on_gpu = ctxs[0]
    assert (air_id, gpu_cached, gpu_common, on_gpu) == (0, [(4096, 8, 2)], (8192, 8, 1), True)
    assert pv.dtype == np.uint32 and pv.shape == (0,)
    assert len(ctxs[1]) == 4
    np.testing.assert_array_equal(ctxs[1][2], r_common)


def test_host_copy_path_gives_the_numpy_proof() -> None:
    """A CuPy-like array on a host device is copied with .get(); same bytes as NumPy's."""
    trace, _ = fibonacci_trace(8)
    assert _prove_fib(FakeCupyArray(trace)).to_bytes() == _prove_fib(trace).to_bytes()
    engine, pk = _fib_key()
    _, pv = fibonacci_trace(8)
    ctx = sb.AirProvingContext(0, FakeCupyArray(trace), public_values=pv)
    engine.verify(pk.vk, engine.prove(pk, [ctx], debug=True))


def test_cupy_is_not_imported_at_package_import() -> None:
    import subprocess
    import sys

    code = "import sys, stark_backend; print('cupy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


# ---- on a GPU, with CuPy -------------------------------------------------------------------------


def _cupy() -> Any:
    try:
        return importlib.import_module("cupy")
    except ImportError:
        return None


@pytest.fixture
def cupy() -> Any:
    cp = _cupy()
    if cp is None:
        pytest.skip("cupy is not installed (pip install '.[cuda]')")
    if not _core.cuda_available():
        pytest.skip(f"no usable CUDA device: {_core.cuda_describe()}")
    return cp


Circuit = tuple[list[Any], list[list[np.ndarray]], list[Any]]


def _fibonacci() -> Circuit:
    trace, pv = fibonacci_trace(1 << 10)
    return [FibonacciAir()], [[trace]], [pv]


def _fib_selector() -> Circuit:
    sels = [1, 0, 1, 1, 0, 0, 1, 1] * 4
    trace, pv = fib_selector_trace(sels, 2, 3)
    return [FibonacciSelectorAir(sels)], [[trace]], [pv]


def _interaction(cached: bool) -> Callable[[], Circuit]:
    def make() -> Circuit:
        snd, rcv = interaction_pair_traces(256, 3, cached=cached, seed=2)
        s = InteractionAir(3, send=True, cached=cached)
        r = InteractionAir(3, send=False, cached=cached)
        return [s, r], [s.partitions(snd), r.partitions(rcv)], [(), ()]

    return make


def _range_check() -> Circuit:
    rng = np.random.default_rng(4)
    req, mult = range_check_traces(rng.integers(0, 32, size=(64, 2)), 5)
    return [RangeCheckTableAir(5), RangeRequesterAir(2)], [[mult], [req]], [(), ()]


def _keccak() -> Circuit:
    states = np.random.default_rng(6).integers(0, 1 << 63, (3, 25), dtype=np.uint64)
    return [KeccakAir()], [[keccak_trace(states)]], [()]


CIRCUITS = {
    "fibonacci": _fibonacci,
    "fib_selector": _fib_selector,
    "interaction": _interaction(False),
    "interaction_cached": _interaction(True),
    "range_check": _range_check,
    "keccak": _keccak,
}


def _prove_circuit(
    engine: sb.Engine, circuit: Circuit, to_trace: Callable[[np.ndarray], Any], debug: bool
) -> tuple[sb.ProvingKey, sb.Proof]:
    airs, partitions, pvs = circuit
    kb = engine.keygen_builder()
    for air in airs:
        kb.add_air(air)
    pk = kb.generate_pk()
    contexts = [
        sb.AirProvingContext(
            i, to_trace(parts[-1]), cached_mains=[to_trace(p) for p in parts[:-1]], public_values=pv
        )
        for i, (parts, pv) in enumerate(zip(partitions, pvs, strict=True))
    ]
    return pk, engine.prove(pk, contexts, debug=debug)


@pytest.mark.cuda
@pytest.mark.parametrize("name", sorted(CIRCUITS))
def test_gpu_traces_prove_like_numpy(cupy: Any, name: str) -> None:
    circuit = CIRCUITS[name]()
    _, cpu_proof = _prove_circuit(sb.Engine(FAST, device="cpu"), circuit, lambda a: a, False)
    gpu_engine = sb.Engine(FAST, device="cuda")
    pk, gpu_proof = _prove_circuit(gpu_engine, circuit, cupy.asarray, False)
    assert gpu_proof.to_bytes() == cpu_proof.to_bytes()
    gpu_engine.verify(pk.vk, gpu_proof)
    # The same CuPy traces on the CPU device (copied to the host), and with debug checks.
    _, copied = _prove_circuit(sb.Engine(FAST, device="cpu"), circuit, cupy.asarray, True)
    assert copied.to_bytes() == cpu_proof.to_bytes()


@pytest.mark.cuda
def test_gpu_trace_values_are_checked_on_device(cupy: Any) -> None:
    trace, pv = fibonacci_trace(8)
    bad = trace.copy()
    bad[3, 1] = 2013265921  # p: not canonical
    engine = sb.Engine(FAST, device="cuda")
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    with pytest.raises(sb.InputError, match="canonical"):
        engine.prove(pk, [sb.AirProvingContext(0, cupy.asarray(bad), public_values=pv)])


@pytest.mark.cuda
def test_cupy_views_are_rejected_not_converted(cupy: Any) -> None:
    trace, _ = fibonacci_trace(8)
    wide = cupy.asarray(np.hstack([trace, trace]))
    with pytest.raises(sb.InputError, match="C-contiguous"):
        _prove_fib(wide[:, :2])
    with pytest.raises(sb.InputError, match="int64"):
        _prove_fib(cupy.asarray(trace.astype(np.int64)))
