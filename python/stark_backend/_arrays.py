"""Validation and conversion of field-element arrays at the Python boundary.

The core takes C-contiguous ``uint32`` arrays of canonical field elements. These helpers accept
any integer dtype (or sequences of Python ints), check the value range with vectorized NumPy
operations (never a Python loop over elements) and raise :class:`~stark_backend.errors.InputError`
naming the argument, the offending position and value (:class:`~stark_backend.errors.ResourceError`
when an array too large to copy is given).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import InputError, ResourceError

P = 2013265921

U32Array = npt.NDArray[np.uint32]


def _describe_position(shape: tuple[int, ...], flat_index: int) -> str:
    idx = np.unravel_index(flat_index, shape)
    if len(shape) == 2:
        return f"row {int(idx[0])}, column {int(idx[1])}"
    return "index " + ", ".join(str(int(i)) for i in idx)


def as_field_array(value: Any, name: str, *, ndim: Sequence[int] | None = None) -> U32Array:
    """Return ``value`` as a C-contiguous uint32 array of canonical field elements.

    ``value`` may be a NumPy array of any integer dtype, or a (nested) sequence of Python ints.
    Raises InputError if the dtype is not integral, the number of dimensions is not in
    ``ndim``, or any value lies outside ``[0, p)``.
    """
    if isinstance(value, np.ndarray):
        arr = value
    else:
        try:
            arr = np.asarray(value)
        except MemoryError:
            raise ResourceError(f"{name}: out of memory converting it to an array") from None
        except Exception as exc:  # ragged lists, objects whose __array__ raises, ...
            raise InputError(
                f"{name}: cannot be converted to an array ({type(exc).__name__}: {exc})"
            ) from None
        if arr.dtype == object:
            # Python ints too large for int64 end up here; check them exactly.
            flat = arr.ravel()
            for i, v in enumerate(flat):  # only for small hand-written inputs
                if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
                    raise InputError(f"{name}: element {i} is {type(v).__name__}, expected an int")
                if not 0 <= int(v) < P:
                    raise InputError(
                        f"{name}: value {int(v)} at {_describe_position(arr.shape, i)} "
                        f"is not a canonical field element (must be in [0, {P}))"
                    )
            arr = arr.astype(np.uint32)
        elif arr.size == 0 and arr.dtype == np.float64:
            arr = arr.astype(np.uint32)  # np.asarray([]) is float64; an empty list is fine
    if ndim is not None and arr.ndim not in ndim:
        want = " or ".join(f"{d}-D" for d in ndim)
        raise InputError(f"{name}: expected a {want} array, got shape {arr.shape}")
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise InputError(f"{name}: expected an integer dtype, got {arr.dtype}")
    try:
        # Strided or broadcast views are copied first: the copy fails fast (MemoryError) for a
        # view too large to hold, where scanning it for its range would take minutes.
        arr = np.ascontiguousarray(arr)
    except MemoryError:
        raise ResourceError(
            f"{name}: out of memory copying an array of shape {arr.shape} ({arr.dtype})"
        ) from None
    if arr.size:
        # Unsigned arrays cannot hold negatives: one pass over the data instead of two.
        lo = 0 if arr.dtype.kind == "u" else int(arr.min())
        hi = int(arr.max())
        if lo < 0 or hi >= P:
            bad = int(np.flatnonzero((arr < 0) | (arr >= P))[0])
            v = int(arr.ravel()[bad])
            raise InputError(
                f"{name}: value {v} at {_describe_position(arr.shape, bad)} "
                f"is not a canonical field element (must be in [0, {P}))"
            )
    try:
        return np.ascontiguousarray(arr, dtype=np.uint32)
    except MemoryError:
        raise ResourceError(
            f"{name}: out of memory converting an array of shape {arr.shape} to uint32"
        ) from None


def as_matrix(value: Any, name: str) -> U32Array:
    """A 2-D ``(height, width)`` field matrix; a 1-D array is one column."""
    arr = as_field_array(value, name, ndim=(1, 2))
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    return arr


def check_power_of_two_height(arr: U32Array, name: str) -> int:
    """Return log2(height); InputError if the height is not a power of two."""
    h = int(arr.shape[0])
    if h == 0 or h & (h - 1):
        raise InputError(f"{name}: height {h} is not a power of two (traces are never padded)")
    return h.bit_length() - 1
