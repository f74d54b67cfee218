"""The proving engine: keygen, prove, verify for one set of FRI parameters and one device.

``prove`` validates its inputs here with vectorized NumPy (shapes, dtypes, heights, value
range, public values — :class:`~stark_backend.InputError` naming the AIR, row and column),
optionally runs the AIR layer's debug checks, then calls the core, which proves with the GIL
released. ``verify`` is the core verifier (PROTOCOL.md §11).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import _core
from ._arrays import U32Array, as_field_array, as_matrix
from .air import Air, AirTraces, debug_check
from .context import AirProvingContext
from .errors import DeviceError, InputError, InvalidProofShape
from .fri_params import FriParameters
from .keys import KeygenBuilder, ProvingKey, VerifyingKey
from .proof import Proof
from .runtime import cuda_available

__all__ = ["Engine"]

_DEVICES = ("auto", "cpu", "cuda")
_MAX_LOG_DOMAIN = 27


class _Validated:
    """One context after validation: what the core and the debug checker receive."""

    __slots__ = ("air_id", "cached", "common", "public_values")

    def __init__(
        self, air_id: int, cached: list[U32Array], common: U32Array | None, public_values: U32Array
    ) -> None:
        self.air_id = air_id
        self.cached = cached
        self.common = common
        self.public_values = public_values

    def core_tuple(self) -> tuple[int, list[U32Array], U32Array | None, U32Array]:
        return (self.air_id, self.cached, self.common, self.public_values)


class Engine:
    """A STARK engine: ``Engine(fri_params=None, *, device="auto")``.

    ``fri_params`` defaults to :meth:`FriParameters.standard_fast`. ``device`` is ``"cpu"``,
    ``"cuda"`` (:class:`~stark_backend.DeviceError` without a usable GPU) or ``"auto"``
    (the GPU when one is usable, else the CPU). Proofs are byte-identical on
    every device and thread count.
    """

    __slots__ = ("_device", "_fri")

    def __init__(self, fri_params: FriParameters | None = None, *, device: str = "auto") -> None:
        if fri_params is None:
            fri_params = FriParameters.standard_fast()
        if not isinstance(fri_params, FriParameters):
            raise InputError(
                f"Engine: fri_params must be a FriParameters, got {type(fri_params).__name__}"
            )
        if device not in _DEVICES:
            raise InputError(f"Engine: device must be one of {_DEVICES}, got {device!r}")
        if device == "cuda" and not cuda_available():
            raise DeviceError(
                f"Engine(device='cuda'): no usable CUDA GPU ({_core.cuda_describe()})"
            )
        self._fri = fri_params
        # "auto" takes the GPU when one is usable: the CUDA device gives the CPU's proof bytes
        # (tests/python/test_cuda.py, run on an H100), so the choice changes only speed.
        if device == "auto":
            device = "cuda" if cuda_available() else "cpu"
        self._device = str(_core.prover_device_name(device))

    @property
    def fri_params(self) -> FriParameters:
        return self._fri

    @property
    def device(self) -> str:
        """The device proofs run on: ``"cpu"`` or ``"cuda"``."""
        return self._device

    def __repr__(self) -> str:
        return f"Engine({self._fri!r}, device={self._device!r})"

    # -- keygen -------------------------------------------------------------------------------

    def keygen_builder(self) -> KeygenBuilder:
        """A builder that keys AIRs for this engine's FRI parameters."""
        return KeygenBuilder(self._fri)

    # -- prove --------------------------------------------------------------------------------

    def prove(
        self,
        pk: ProvingKey,
        contexts: Iterable[AirProvingContext],
        *,
        debug: bool = False,
        timings: dict[str, float] | None = None,
    ) -> Proof:
        """Prove that the given traces satisfy the AIRs of ``pk``.

        ``contexts``: one :class:`AirProvingContext` per present AIR, any order, each air id at
        most once (AIRs without a context are absent from the proof). With ``debug=True`` every
        constraint and every bus balance is checked on the traces first
        (:class:`~stark_backend.ConstraintViolation`,
        :class:`~stark_backend.UnbalancedInteractions`).
        If ``timings`` is a dict, it is filled with the wall-clock seconds of the prover's
        phases, measured in the core: ``total``, ``main_commit``, ``logup``, ``quotient``
        (of which ``quotient.values`` is constraint evaluation), ``open`` (``open.evaluate``,
        ``open.fri_fold``, ``open.queries``), and cross-cutting totals ``lde``,
        ``merkle_tree`` and ``pow_grinding`` that overlap the phases they occur in.
        Raises :class:`~stark_backend.InputError` for malformed inputs and
        :class:`~stark_backend.InvalidProofShape` for a key made for other FRI parameters.
        """
        if not isinstance(pk, ProvingKey):
            raise InputError(f"prove: pk must be a ProvingKey, got {type(pk).__name__}")
        if timings is not None and not isinstance(timings, dict):
            raise InputError(f"prove: timings must be a dict or None, got {type(timings).__name__}")
        self._check_key_params(pk.vk, "prove")
        validated = self._validate_contexts(pk, contexts)
        if debug:
            self._debug_check(pk, validated)
        raw = _core.prove(pk._raw, self._device, [v.core_tuple() for v in validated], timings)
        return Proof(raw)

    def _check_key_params(self, vk: VerifyingKey, what: str) -> None:
        if vk.fri_params != self._fri:
            raise InvalidProofShape(
                f"{what}: the key was generated for {vk.fri_params!r}, but this engine uses "
                f"{self._fri!r}"
            )

    def _validate_contexts(
        self, pk: ProvingKey, contexts: Iterable[AirProvingContext]
    ) -> list[_Validated]:
        vk = pk.vk
        if isinstance(contexts, AirProvingContext):
            contexts = [contexts]
        try:
            ctx_list = list(contexts)
        except TypeError:
            raise InputError("prove: contexts must be a list of AirProvingContext") from None
        if not ctx_list:
            raise InputError("prove: no AirProvingContext given (at least one AIR must be present)")
        names = vk.air_names
        cached_widths = vk.cached_main_widths
        common_widths = vk.common_main_widths
        prep_heights = vk.preprocessed_heights
        num_public = vk.num_public_values
        log_blowup = self._fri.log_blowup
        lfp = self._fri.log_final_poly_len
        seen: dict[int, int] = {}
        out: list[_Validated] = []
        for i, ctx in enumerate(ctx_list):
            if not isinstance(ctx, AirProvingContext):
                raise InputError(
                    f"prove: contexts[{i}] is a {type(ctx).__name__}, expected AirProvingContext"
                )
            try:
                if isinstance(ctx.air_id, bool):
                    raise TypeError
                air_id = operator.index(ctx.air_id)
            except TypeError:
                raise InputError(
                    f"prove: contexts[{i}].air_id must be an int, got {type(ctx.air_id).__name__}"
                ) from None
            if not 0 <= air_id < vk.num_airs:
                raise InputError(
                    f"prove: contexts[{i}]: unknown air id {air_id} (the key has "
                    f"{vk.num_airs} AIRs)"
                )
            label = f"AIR {names[air_id]!r} (id {air_id})"
            if air_id in seen:
                raise InputError(
                    f"prove: {label} appears in contexts[{seen[air_id]}] and contexts[{i}]"
                )
            seen[air_id] = i

            widths = cached_widths[air_id]
            if len(ctx.cached_mains) != len(widths):
                raise InputError(
                    f"{label}: {len(ctx.cached_mains)} cached main traces given, expected "
                    f"{len(widths)}"
                )
            parts: list[tuple[str, U32Array]] = []
            cached: list[U32Array] = []
            for j, (arr, w) in enumerate(zip(ctx.cached_mains, widths)):
                what = f"{label}: cached main trace {j}"
                m = as_matrix(arr, what)
                if m.shape[1] != w:
                    raise InputError(f"{what} has width {m.shape[1]}, expected {w}")
                parts.append((what, m))
                cached.append(m)
            common: U32Array | None = None
            cw = common_widths[air_id]
            if cw > 0:
                what = f"{label}: common main trace" if widths else f"{label}: main trace"
                if ctx.common_main is None:
                    raise InputError(f"{what} (width {cw}) is missing")
                common = as_matrix(ctx.common_main, what)
                if common.shape[1] != cw:
                    raise InputError(f"{what} has width {common.shape[1]}, expected {cw}")
                parts.append((what, common))
            elif ctx.common_main is not None:
                raise InputError(
                    f"{label}: a common main trace was given, but all main columns are in cached "
                    "partitions"
                )
            height = int(parts[0][1].shape[0])
            for what, m in parts[1:]:
                if m.shape[0] != height:
                    raise InputError(
                        f"{what} has height {m.shape[0]}, but {parts[0][0]} has height {height} "
                        "(all partitions of an AIR share one height)"
                    )
            if height == 0 or height & (height - 1):
                raise InputError(
                    f"{label}: trace height {height} is not a power of two (traces are never "
                    "padded)"
                )
            log_height = height.bit_length() - 1
            if log_height + log_blowup > _MAX_LOG_DOMAIN:
                raise InputError(
                    f"{label}: trace height 2^{log_height} with log_blowup {log_blowup} exceeds "
                    "the field's two-adicity (needs log2(height) + log_blowup <= "
                    f"{_MAX_LOG_DOMAIN})"
                )
            if lfp > 0 and log_height <= lfp:
                raise InputError(
                    f"{label}: trace height {height} must exceed 2^log_final_poly_len = {1 << lfp}"
                )
            prep_height = prep_heights[air_id]
            if prep_height is not None and height != prep_height:
                raise InputError(
                    f"{label}: trace height {height} differs from the preprocessed trace height "
                    f"{prep_height}"
                )
            pv = as_field_array(
                _public_list(ctx.public_values), f"{label}: public values", ndim=(1,)
            )
            if pv.shape[0] != num_public[air_id]:
                raise InputError(
                    f"{label}: {pv.shape[0]} public values given, expected {num_public[air_id]}"
                )
            out.append(_Validated(air_id, cached, common, pv))
        return out

    def _debug_check(self, pk: ProvingKey, validated: Sequence[_Validated]) -> None:
        systems = pk.vk.constraint_systems()
        traces = []
        for v in sorted(validated, key=lambda x: x.air_id):
            mains: list[U32Array] = [*v.cached]
            if v.common is not None:
                mains.append(v.common)
            traces.append(
                AirTraces(
                    systems[v.air_id],
                    mains,
                    [int(x) for x in v.public_values],
                    pk.preprocessed_trace(v.air_id),
                )
            )
        debug_check(traces)

    # -- verify -------------------------------------------------------------------------------

    def verify(self, vk: VerifyingKey | ProvingKey, proof: Proof) -> None:
        """Return ``None`` if ``proof`` is valid for ``vk``; otherwise raise the
        :class:`~stark_backend.VerificationError` subclass naming the failed check."""
        if isinstance(vk, ProvingKey):
            vk = vk.vk
        if not isinstance(vk, VerifyingKey):
            raise InputError(f"verify: vk must be a VerifyingKey, got {type(vk).__name__}")
        if not isinstance(proof, Proof):
            raise InputError(f"verify: proof must be a Proof, got {type(proof).__name__}")
        self._check_key_params(vk, "verify")
        _core.verify(vk._raw, list(self._fri.as_tuple()), proof._raw)

    # -- all in one ---------------------------------------------------------------------------

    def run_test(
        self,
        airs: Sequence[Air],
        traces: Sequence[Any],
        public_values: Sequence[Any] | None = None,
        *,
        debug: bool = True,
    ) -> Proof:
        """Keygen, prove and verify in one call; returns the verified proof.

        ``traces[i]`` is AIR ``i``'s whole main trace, shape ``(height, width)`` (cached
        partitions first, then the common main, split by ``cached_main_widths``), an
        :class:`AirProvingContext`, or ``None`` for an absent AIR. ``public_values[i]`` (default:
        none) are AIR ``i``'s public values. Raises like :meth:`prove` and :meth:`verify`.
        """
        airs = list(airs)
        traces = list(traces)
        if len(traces) != len(airs):
            raise InputError(f"run_test: {len(airs)} AIRs but {len(traces)} traces")
        if public_values is None:
            pvs: list[Any] = [()] * len(airs)
        else:
            pvs = list(public_values)
            if len(pvs) != len(airs):
                raise InputError(f"run_test: {len(airs)} AIRs but {len(pvs)} public value lists")
        kb = self.keygen_builder()
        for air in airs:
            kb.add_air(air)
        pk = kb.generate_pk()
        vk = pk.vk
        contexts: list[AirProvingContext] = []
        for air_id, trace in enumerate(traces):
            if trace is None:
                continue
            if isinstance(trace, AirProvingContext):
                contexts.append(trace)
                continue
            pv = () if pvs[air_id] is None else pvs[air_id]
            label = f"AIR {vk.air_names[air_id]!r} (id {air_id}): main trace"
            matrix = as_matrix(trace, label)
            widths = [*vk.cached_main_widths[air_id], vk.common_main_widths[air_id]]
            if matrix.shape[1] != sum(widths):
                raise InputError(f"{label} has width {matrix.shape[1]}, expected {sum(widths)}")
            bounds = np.cumsum([0, *widths]).tolist()
            parts = [
                np.ascontiguousarray(matrix[:, bounds[k] : bounds[k + 1]])
                for k in range(len(widths))
            ]
            common = parts[-1] if widths[-1] > 0 else None
            contexts.append(
                AirProvingContext(air_id, common, cached_mains=parts[:-1], public_values=pv)
            )
        proof = self.prove(pk, contexts, debug=debug)
        self.verify(vk, proof)
        return proof


def _public_list(values: Any) -> Any:
    if isinstance(values, np.ndarray):
        return values
    try:
        return list(values)
    except TypeError:
        raise InputError(
            f"public_values must be a sequence of ints, got {type(values).__name__}"
        ) from None
