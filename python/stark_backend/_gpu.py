"""Traces already in GPU memory: recognition and host-side validation (never a dereference).

A trace is "on the GPU" when it exposes ``__cuda_array_interface__`` (versions 2 and 3; CuPy,
Numba, PyTorch) or when its ``__dlpack_device__()`` names a CUDA device (``kDLCUDA`` = 2). Only
its description is read here — pointer, shape, strides, dtype — so every check below runs on the
host and a bad pointer is never followed. The values (canonical field elements) are the prover
device's to check when it reads the trace.

The core reads exactly C-contiguous ``uint32`` words, so a GPU trace must already be one:
converting another dtype or a strided view would take a kernel, and the package has none of its
own. (Host arrays of any integer dtype are converted by NumPy instead, :mod:`._arrays`.)

DLPack: the capsule's ``DLTensor`` is read with :mod:`ctypes` (the legacy unversioned
``"dltensor"`` capsule, which every producer still returns for ``__dlpack__()`` without
``max_version``); the capsule is kept alive with the trace, so the producer frees nothing while
the core reads. Objects exposing both protocols are read through ``__cuda_array_interface__``.

Synchronisation: the core reads the trace after the producer's pending work on its stream is done
only if the producer says so. For CuPy arrays (and any ``__cuda_array_interface__`` v3 object
reporting a ``stream``, when CuPy is importable) :func:`synchronize` waits on that stream; other
producers must have finished writing (e.g. synchronised their stream) before ``prove``.
"""

from __future__ import annotations

import ctypes
import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._arrays import U32Array
from .errors import DeviceError, InputError

__all__ = [
    "GpuMatrix",
    "copy_to_host",
    "gpu_matrix",
    "is_gpu_array",
    "synchronize",
]

KDL_CUDA = 2  # DLDeviceType kDLCUDA
_KDL_UINT = 1  # DLDataTypeCode kDLUInt
_KDL_INT = 0
_KDL_FLOAT = 2
_CUDA_LEGACY_DEFAULT_STREAMS = (None, 0, 1, 2)  # no stream, legacy / per-thread default


@dataclass(frozen=True)
class GpuMatrix:
    """A validated ``(height, width)`` C-contiguous uint32 matrix in CUDA device memory.

    ``owner`` is the object (or DLPack capsule) that keeps the memory alive; hold it while the
    core reads ``pointer``. ``stream`` is the producer's CUDA stream from a
    ``__cuda_array_interface__`` v3 (``None`` when not given)."""

    pointer: int
    height: int
    width: int
    owner: Any
    source: Any
    stream: int | None = None

    def core_tuple(self) -> tuple[int, int, int]:
        """``(pointer, height, width)``: the form ``_core.prove`` takes for an on-GPU trace."""
        return (self.pointer, self.height, self.width)

    @property
    def nbytes(self) -> int:
        return self.height * self.width * 4


# ---- recognition ---------------------------------------------------------------------------------


def _dlpack_device(value: Any) -> tuple[int, int] | None:
    fn = getattr(value, "__dlpack_device__", None)
    if fn is None:
        return None
    try:
        dev = fn()
        return (int(dev[0]), int(dev[1]))
    except Exception:  # a broken producer: treat as not a GPU array
        return None


def is_gpu_array(value: Any) -> bool:
    """True if ``value`` describes memory on a CUDA device (without touching that memory).

    NumPy arrays are never GPU arrays (their ``__dlpack_device__`` is the CPU)."""
    if isinstance(value, np.ndarray):
        return False
    if hasattr(value, "__cuda_array_interface__"):
        return True
    dev = _dlpack_device(value)
    return dev is not None and dev[0] == KDL_CUDA


# ---- validation ---------------------------------------------------------------------------------


def _check_layout(
    name: str,
    pointer: int,
    shape: tuple[int, ...],
    strides: tuple[int, ...] | None,
    dtype: str,
    is_u32: bool,
) -> tuple[int, int]:
    """The checks both protocols share; returns (height, width)."""
    if len(shape) not in (1, 2):
        raise InputError(
            f"{name}: expected a 1-D or 2-D GPU array, got {len(shape)}-D shape {shape}"
        )
    if not is_u32:
        raise InputError(
            f"{name}: a GPU trace must have dtype uint32 (got {dtype}); converting it would need "
            f"a GPU kernel, so convert it where it was made (e.g. x.astype(cupy.uint32))"
        )
    height = int(shape[0])
    width = int(shape[1]) if len(shape) == 2 else 1
    if height < 0 or width < 0:
        raise InputError(f"{name}: negative shape {shape}")
    if strides is not None:
        want = (width * 4, 4) if len(shape) == 2 else (4,)
        # As NumPy's contiguity rule: the stride of an axis of length <= 1 is never used.
        for axis, (got, exp) in enumerate(zip(strides, want, strict=True)):
            if shape[axis] > 1 and int(got) != exp:
                raise InputError(
                    f"{name}: a GPU trace must be C-contiguous (strides {want} in bytes), got "
                    f"strides {tuple(strides)}; copy it first (e.g. cupy.ascontiguousarray(x))"
                )
    if height * width > 0 and pointer == 0:
        raise InputError(f"{name}: null device pointer for a {height}x{width} GPU trace")
    if height == 0 or height & (height - 1):
        raise InputError(f"{name}: height {height} is not a power of two (traces are never padded)")
    return height, width


def _from_cuda_array_interface(value: Any, name: str) -> GpuMatrix:
    try:
        cai = value.__cuda_array_interface__
    except Exception as exc:
        raise InputError(
            f"{name}: reading __cuda_array_interface__ of {type(value).__name__} failed "
            f"({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(cai, dict):
        raise InputError(
            f"{name}: __cuda_array_interface__ of {type(value).__name__} is not a dict"
        )
    version = cai.get("version")
    if not isinstance(version, int) or version < 2:
        raise InputError(
            f"{name}: __cuda_array_interface__ version {version!r} is not supported (need 2 or 3)"
        )
    try:
        shape = tuple(int(s) for s in cai["shape"])
        typestr = str(cai["typestr"])
        data = cai["data"]
        pointer = int(data[0])
        strides_raw = cai.get("strides")
        strides = None if strides_raw is None else tuple(int(s) for s in strides_raw)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(
            f"{name}: malformed __cuda_array_interface__ ({type(exc).__name__}: {exc})"
        ) from None
    if cai.get("mask") is not None:
        raise InputError(f"{name}: masked GPU arrays are not supported")
    if strides is not None and len(strides) != len(shape):
        raise InputError(
            f"{name}: __cuda_array_interface__ strides {strides} do not match shape {shape}"
        )
    try:
        is_u32 = np.dtype(typestr) == np.dtype("<u4")
    except TypeError:
        is_u32 = False
    height, width = _check_layout(name, pointer, shape, strides, typestr_dtype(typestr), is_u32)
    stream = cai.get("stream")
    return GpuMatrix(
        pointer,
        height,
        width,
        owner=value,
        source=value,
        stream=None if stream is None else int(stream),
    )


def typestr_dtype(typestr: str) -> str:
    """A readable dtype name for an array-interface typestr (``'<u4'`` -> ``'uint32'``)."""
    try:
        return str(np.dtype(typestr))
    except TypeError:
        return repr(typestr)


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint8),
        ("bits", ctypes.c_uint8),
        ("lanes", ctypes.c_uint16),
    ]


class _DLTensor(ctypes.Structure):
    # dlpack.h: the first member of DLManagedTensor (the legacy "dltensor" capsule).
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", _DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


_capsule_get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_get_pointer.restype = ctypes.c_void_p
_capsule_get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capsule_is_valid = ctypes.pythonapi.PyCapsule_IsValid
_capsule_is_valid.restype = ctypes.c_int
_capsule_is_valid.argtypes = [ctypes.py_object, ctypes.c_char_p]


@dataclass(frozen=True)
class DlpackTensor:
    """What a ``"dltensor"`` capsule describes (read with ctypes, data not touched)."""

    pointer: int  # data + byte_offset
    device: tuple[int, int]
    dtype: tuple[int, int, int]  # (code, bits, lanes)
    shape: tuple[int, ...]
    strides: tuple[int, ...] | None  # in elements, as DLPack gives them; None = C-contiguous


def read_dlpack_capsule(capsule: Any, name: str) -> DlpackTensor:
    """Parse a legacy ``"dltensor"`` capsule (not consumed: its destructor still frees it)."""
    if not _capsule_is_valid(capsule, b"dltensor"):
        raise InputError(
            f"{name}: __dlpack__() returned a {type(capsule).__name__}, not an unconsumed "
            f"'dltensor' capsule"
        )
    address = _capsule_get_pointer(capsule, b"dltensor")
    t = _DLTensor.from_address(address)
    ndim = int(t.ndim)
    if ndim < 0 or ndim > 32:
        raise InputError(f"{name}: DLPack tensor with ndim {ndim}")
    shape = tuple(int(t.shape[i]) for i in range(ndim))
    strides = None if not t.strides else tuple(int(t.strides[i]) for i in range(ndim))
    return DlpackTensor(
        pointer=int(t.data or 0) + int(t.byte_offset),
        device=(int(t.device.device_type), int(t.device.device_id)),
        dtype=(int(t.dtype.code), int(t.dtype.bits), int(t.dtype.lanes)),
        shape=shape,
        strides=strides,
    )


def _dlpack_dtype_name(code: int, bits: int, lanes: int) -> str:
    kind = {_KDL_INT: "int", _KDL_UINT: "uint", _KDL_FLOAT: "float"}.get(code, f"code{code}_")
    return f"{kind}{bits}" + (f"x{lanes}" if lanes != 1 else "")


def _from_dlpack(value: Any, name: str) -> GpuMatrix:
    try:
        # stream=None: the producer orders its work before the legacy default stream, which
        # is where the core's staging copy runs.
        capsule = value.__dlpack__()
    except Exception as exc:
        raise InputError(
            f"{name}: {type(value).__name__}.__dlpack__() failed ({type(exc).__name__}: {exc}); "
            f"GPU traces must expose __cuda_array_interface__ or a legacy 'dltensor' capsule"
        ) from None
    if not _capsule_is_valid(capsule, b"dltensor"):
        # A versioned ("dltensor_versioned") capsule or something else: not read here.
        raise InputError(
            f"{name}: {type(value).__name__}.__dlpack__() returned a {type(capsule).__name__}, "
            f"not an unconsumed 'dltensor' capsule; GPU traces must expose "
            f"__cuda_array_interface__ or hand out a legacy DLPack capsule"
        )
    t = read_dlpack_capsule(capsule, name)
    if t.device[0] != KDL_CUDA:
        raise InputError(
            f"{name}: {type(value).__name__}.__dlpack_device__() says CUDA but its capsule "
            f"says device type {t.device[0]}"
        )
    code, bits, lanes = t.dtype
    is_u32 = code == _KDL_UINT and bits == 32 and lanes == 1
    strides = None if t.strides is None else tuple(4 * s for s in t.strides)
    height, width = _check_layout(
        name, t.pointer, t.shape, strides, _dlpack_dtype_name(code, bits, lanes), is_u32
    )
    return GpuMatrix(t.pointer, height, width, owner=(value, capsule), source=value)


def gpu_matrix(value: Any, name: str, width: int | None = None) -> GpuMatrix:
    """Validate a GPU trace on the host: 1-D (one column) or 2-D, uint32, C-contiguous,
    non-null when non-empty, power-of-two height and, when ``width`` is given, that width.
    InputError naming ``name`` and what is wrong."""
    if hasattr(value, "__cuda_array_interface__"):
        m = _from_cuda_array_interface(value, name)
    else:
        m = _from_dlpack(value, name)
    if width is not None and m.width != width:
        raise InputError(f"{name} has width {m.width}, expected {width}")
    return m


# ---- synchronisation and host copies ------------------------------------------------------------


def _cupy() -> Any:
    """The ``cupy`` module, or None; imported only when a GPU trace is seen (never at package
    import: CuPy is an optional extra)."""
    try:
        return importlib.import_module("cupy")
    except ImportError:
        return None


def _is_cupy_array(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "cupy" and hasattr(value, "get")


def synchronize(matrices: list[GpuMatrix]) -> None:
    """Wait for the producers' pending work on the matrices' streams (CuPy, when importable).

    CuPy reports its current stream in ``__cuda_array_interface__`` v3; the legacy and
    per-thread default streams (0, 1, 2) need nothing: the core's copies are ordered after
    them."""
    streams = {m.stream for m in matrices} - set(_CUDA_LEGACY_DEFAULT_STREAMS)
    if not streams:
        return
    cupy = _cupy()
    if cupy is None:
        return  # documented: such producers synchronise before prove
    for s in sorted(x for x in streams if x is not None):
        cupy.cuda.ExternalStream(s).synchronize()


def copy_to_host(m: GpuMatrix, name: str) -> U32Array:
    """``m`` as a host ``(height, width)`` uint32 array: ``cupy.asnumpy`` for CuPy arrays, else
    ``_core.cuda_copy_to_host`` (DeviceError when this build has no CUDA)."""
    from . import _core

    src = m.source
    if _is_cupy_array(src):
        out = np.asarray(src.get(), dtype=np.uint32)
        return np.ascontiguousarray(out.reshape(m.height, m.width))
    copy = getattr(_core, "cuda_copy_to_host", None)
    compiled = getattr(_core, "cuda_compiled", None)
    if copy is None or compiled is None or not compiled():
        raise DeviceError(
            f"{name} is in GPU memory, but this build of stark_backend lacks CUDA (compiled "
            f"without the CUDA units), so it cannot copy it to the host; pass a host array, or "
            f"install with STARK_CUDA=ON"
        )
    if m.height * m.width == 0:
        return np.zeros((m.height, m.width), dtype=np.uint32)
    try:
        host: U32Array = copy(m.pointer, m.height, m.width)
    except DeviceError as e:
        # Name the trace: the core's text names only the call and the CUDA cause.
        raise DeviceError(f"{name} is in GPU memory, but copying it to the host failed: {e}") from e
    return host
