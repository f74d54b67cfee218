"""The proving engine: keygen, prove, verify for one set of FRI parameters and one device.

``prove`` converts its inputs to C-contiguous ``uint32`` arrays (dtype, dimensions and value
range, with vectorized NumPy) and passes them to the core, which validates them against the key
(ids, partitions, widths, heights, public values — :class:`~stark_backend.InputError` naming the
context, AIR, partition, row and column) and proves with the GIL released; with ``debug=True`` the
core validates first and the AIR layer's debug checks run on the validated traces. ``verify`` is
the core verifier (docs/protocol.md §11).

Traces already in GPU memory (CuPy arrays, any ``__cuda_array_interface__`` or CUDA DLPack
object) are validated on the host without touching device memory (:mod:`._gpu`). On the
``"cuda"`` device the core reads them in place: each matrix goes to ``_core.prove`` as
``(pointer, height, width)`` in a context tuple whose fifth element is ``True``. On a host device
they are copied to the host first (``cupy.asnumpy`` for CuPy, else ``_core.cuda_copy_to_host``).
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _core
from ._arrays import U32Array, as_field_array, as_matrix
from ._gpu import GpuMatrix, copy_to_host, gpu_matrix, is_gpu_array, synchronize
from .air import Air, AirTraces, debug_check
from .committed import CommittedTrace
from .configs import StarkConfig
from .configs import resolve as resolve_config
from .context import AirProvingContext
from .errors import DeviceError, InputError, InvalidProofShape
from .fri_params import FriParameters
from .keys import KeygenBuilder, ProvingKey, VerifyingKey
from .metrics import ProofMetrics
from .metrics import fill as fill_metrics
from .proof import Proof

if TYPE_CHECKING:
    from .estimate import Calibration, Estimate

_log = logging.getLogger("stark_backend")

ProgressCallback = Callable[[str, float], None]
"""``progress(phase, seconds)``: called on the proving thread as each top-level phase ends."""

__all__ = ["Engine"]


Matrix = U32Array | GpuMatrix
CachedMatrix = U32Array | GpuMatrix | CommittedTrace


class _Converted:
    """One context converted to ``uint32`` arrays: what the core and the debug checker receive.
    ``air_id`` is any int; the core checks it against the key. With ``on_gpu`` every matrix is a
    :class:`GpuMatrix` (validated on the host; it holds its owner alive), else a host array."""

    __slots__ = ("air_id", "cached", "common", "label", "on_gpu", "public_values")

    def __init__(
        self,
        air_id: int,
        cached: list[CachedMatrix],
        common: Matrix | None,
        public_values: U32Array,
        *,
        on_gpu: bool = False,
        label: str = "",
    ) -> None:
        self.air_id = air_id
        self.cached = cached
        self.common = common
        self.public_values = public_values
        self.on_gpu = on_gpu
        self.label = label

    def gpu_matrices(self) -> list[GpuMatrix]:
        mats = [*self.cached, self.common]
        return [m for m in mats if isinstance(m, GpuMatrix)]

    def on_host(self) -> _Converted:
        """This context with its GPU traces copied to host arrays (itself when on the host)."""
        if not self.on_gpu:
            return self

        def host(m: CachedMatrix, what: str) -> U32Array | CommittedTrace:
            return copy_to_host(m, what) if isinstance(m, GpuMatrix) else m

        cached = [
            host(m, f"{self.label}: cached main trace {j}") for j, m in enumerate(self.cached)
        ]
        common = (
            None
            if self.common is None
            else copy_to_host(self.common, f"{self.label}: common main trace")
            if isinstance(self.common, GpuMatrix)
            else self.common
        )
        return _Converted(self.air_id, list(cached), common, self.public_values, label=self.label)

    def host_mains(self) -> list[U32Array]:
        """The main partitions as host arrays (cached in order, then the common main); call on
        :meth:`on_host`'s result."""
        mains: list[U32Array] = []
        for m in [*self.cached, self.common]:
            if isinstance(m, CommittedTrace):
                mains.append(m.trace)
            elif isinstance(m, np.ndarray):
                mains.append(m)
        return mains

    def core_tuple(self) -> tuple[Any, ...]:
        """``(air_id, cached, common, public_values)`` of host arrays, or with ``on_gpu``
        ``(air_id, cached, common, public_values, True)`` where each matrix is
        ``(pointer, height, width)`` of C-contiguous uint32 words in CUDA device memory."""

        def core(m: CachedMatrix) -> Any:
            if isinstance(m, CommittedTrace):
                return m._raw  # the core opens its commitment instead of committing again
            return m.core_tuple() if isinstance(m, GpuMatrix) else m

        cached = [core(m) for m in self.cached]
        common = None if self.common is None else core(self.common)
        if self.on_gpu:
            return (self.air_id, cached, common, self.public_values, True)
        return (self.air_id, cached, common, self.public_values)


class Engine:
    """A STARK engine: ``Engine(fri_params=None, *, device="auto", config=None)``.

    ``fri_params`` defaults to :meth:`FriParameters.standard_fast`. ``device`` is ``"cpu"``,
    ``"cuda"`` (:class:`~stark_backend.DeviceError` without a usable GPU) or ``"auto"``
    (the GPU when one is usable, else the CPU). ``config`` is a
    :class:`~stark_backend.configs.StarkConfig` (or its name; default
    ``configs.baby_bear_poseidon2()``): the hash and transcript of the engine's keys and proofs.
    The CUDA device proves ``baby_bear_poseidon2`` only ("auto" picks the CPU for the others).
    Proofs are byte-identical on every device and thread count.
    """

    __slots__ = ("_config", "_device", "_fri")

    def __init__(
        self,
        fri_params: FriParameters | None = None,
        *,
        device: str = "auto",
        config: StarkConfig | str | None = None,
    ) -> None:
        if fri_params is None:
            fri_params = FriParameters.standard_fast()
        if not isinstance(fri_params, FriParameters):
            raise InputError(
                f"Engine: fri_params must be a FriParameters, got {type(fri_params).__name__}"
            )
        if not isinstance(device, str):
            raise InputError(f"Engine: device must be a str, got {type(device).__name__}")
        self._fri = fri_params
        # The core's device registry resolves the name: "auto" takes the first usable
        # accelerator (the CUDA device gives the CPU's proof bytes, tests/python/test_cuda.py),
        # so the choice changes only speed; an unknown name is an InputError listing the known
        # ones, a known but unusable device a DeviceError.
        self._device = str(_core.prover_device_name(device))
        self._config = resolve_config(config, "Engine")
        if self._device == "cuda" and self._config.name != "baby_bear_poseidon2":
            if device != "auto":
                raise DeviceError(
                    f"Engine: the cuda device proves the baby_bear_poseidon2 configuration only "
                    f"(its Merkle and grinding kernels are Poseidon2-16), not {self._config.name}; "
                    'use device="cpu"'
                )
            self._device = "cpu"

    @property
    def fri_params(self) -> FriParameters:
        return self._fri

    @property
    def config(self) -> StarkConfig:
        """The configuration of this engine's keys and proofs."""
        return self._config

    @property
    def device(self) -> str:
        """The device proofs run on: ``"cpu"``, ``"cuda"`` or another registered device."""
        return self._device

    def __repr__(self) -> str:
        return f"Engine({self._fri!r}, device={self._device!r}, config={self._config!r})"

    # -- keygen -------------------------------------------------------------------------------

    def keygen_builder(self) -> KeygenBuilder:
        """A builder that keys AIRs for this engine's FRI parameters and configuration."""
        return KeygenBuilder(self._fri, self._config)

    # -- prove --------------------------------------------------------------------------------

    def prove(
        self,
        pk: ProvingKey,
        contexts: Iterable[AirProvingContext],
        *,
        debug: bool = False,
        timings: dict[str, float] | None = None,
        metrics: ProofMetrics | None = None,
        progress: ProgressCallback | None = None,
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
        If ``metrics`` is a :class:`~stark_backend.ProofMetrics`, it is overwritten with the
        proof's cells per AIR, hash permutations per phase, bytes per proof section and the
        timings (docs/metrics.md). ``progress(phase, seconds)`` is called as each top-level
        phase (``main_commit``, ``logup``, ``quotient``, ``pow_grinding``, ``open``) ends, on
        the calling thread; an exception it raises is re-raised once the proof is done. The
        ``stark_backend`` logger gets one INFO line per phase (silent unless configured).
        A cached partition may be a :class:`~stark_backend.CommittedTrace` from
        :meth:`commit_cached`: it is opened from that commitment instead of being committed
        again (the proof bytes are the same).
        Traces may live in GPU memory (see :class:`AirProvingContext`): the CUDA device proves
        them in place, a host device copies them to the host first
        (:class:`~stark_backend.DeviceError` when this build has no CUDA to copy with).
        Raises :class:`~stark_backend.InputError` for malformed inputs and
        :class:`~stark_backend.InvalidProofShape` for a key made for other FRI parameters.
        """
        if not isinstance(pk, ProvingKey):
            raise InputError(f"prove: pk must be a ProvingKey, got {type(pk).__name__}")
        if timings is not None and not isinstance(timings, dict):
            raise InputError(f"prove: timings must be a dict or None, got {type(timings).__name__}")
        if not isinstance(debug, (bool, np.bool_)):
            raise InputError(f"prove: debug must be a bool, got {type(debug).__name__}")
        if metrics is not None and not isinstance(metrics, ProofMetrics):
            raise InputError(
                f"prove: metrics must be a ProofMetrics or None, got {type(metrics).__name__}"
            )
        if progress is not None and not callable(progress):
            raise InputError(
                f"prove: progress must be a callable(phase, seconds) or None, got "
                f"{type(progress).__name__}"
            )
        self._check_key_params(pk.vk, "prove")
        converted = _convert_contexts(pk.vk, contexts)
        gpu = [m for c in converted for m in c.gpu_matrices()]
        if gpu:
            if self._device == "cuda":
                # The CUDA device reads the traces where they are; the producers' pending
                # writes must be done first.
                synchronize(gpu)
            else:
                # A host device: one copy to the host (DeviceError without CUDA in this build).
                converted = [c.on_host() for c in converted]
        # `converted` holds the GPU traces' owners alive until the core has returned.
        core_contexts = [c.core_tuple() for c in converted]
        if debug:
            # The debug checker needs validated traces: the core's checks first.
            _core.validate_prove_inputs(pk._raw, core_contexts)
            self._debug_check(pk, [c.on_host() for c in converted])
        return self._prove_core(pk, core_contexts, timings, metrics, progress)

    def _prove_core(
        self,
        pk: ProvingKey,
        core_contexts: list[tuple[Any, ...]],
        timings: dict[str, float] | None = None,
        metrics: ProofMetrics | None = None,
        progress: ProgressCallback | None = None,
    ) -> Proof:
        """``_core.prove`` of converted contexts, with the metrics, progress and log lines."""
        if metrics is not None and timings is None:
            timings = {}
        counts: dict[str, dict[str, int]] | None = {} if metrics is not None else None
        logging_on = _log.isEnabledFor(logging.INFO)
        listener = progress
        if logging_on:

            def listener(phase: str, seconds: float) -> None:
                _log.info("prove: %s done in %.3f s", phase, seconds)
                if progress is not None:
                    progress(phase, seconds)

        proof = Proof(_core.prove(pk._raw, self._device, core_contexts, timings, counts, listener))
        if logging_on:
            _log.info(
                "prove: %d AIRs on %s, %d bytes", len(proof.air_ids), self._device, len(proof)
            )
        if metrics is not None and counts is not None and timings is not None:
            fill_metrics(
                metrics, vk=pk.vk, device=self._device, proof=proof, counts=counts, timings=timings
            )
        return proof

    # -- reuse, batches, estimates ------------------------------------------------------------

    def commit_cached(
        self,
        pk: ProvingKey,
        air_id: int,
        trace: Any,
        *,
        partition: int = 0,
        timings: dict[str, float] | None = None,
    ) -> CommittedTrace:
        """Commit cached main partition ``partition`` of AIR ``air_id`` once, for any number of
        later proofs under ``pk``: put the result in
        ``AirProvingContext(..., cached_mains=[...])`` where the array would go. ``trace``: shape
        ``(height, cached_main_widths[air_id][partition])``, any integer dtype (a copy is kept).
        The LDE and Merkle tree are built here, not in the proofs; the proofs are byte-identical
        to ones that commit the array inline.
        ``timings``: filled with the seconds of ``commit_cached`` (``lde``, ``merkle_tree``).
        Raises :class:`~stark_backend.InputError` naming the AIR and partition for an unknown
        id, a missing partition, a wrong width or height, or a value ``>= P``."""
        if not isinstance(pk, ProvingKey):
            raise InputError(f"commit_cached: pk must be a ProvingKey, got {type(pk).__name__}")
        self._check_key_params(pk.vk, "commit_cached")
        if timings is not None and not isinstance(timings, dict):
            raise InputError(
                f"commit_cached: timings must be a dict or None, got {type(timings).__name__}"
            )
        ids = []
        for what, value in (("air_id", air_id), ("partition", partition)):
            if isinstance(value, (bool, np.bool_)):
                raise InputError(f"commit_cached: {what} must be an int, got bool")
            try:
                ids.append(operator.index(value))
            except TypeError:
                raise InputError(
                    f"commit_cached: {what} must be an int, got {type(value).__name__}"
                ) from None
        names = pk.vk.air_names
        where = (
            f"AIR {names[ids[0]]!r} (id {ids[0]})" if 0 <= ids[0] < len(names) else "commit_cached"
        )
        if is_gpu_array(trace):
            trace = copy_to_host(
                gpu_matrix(trace, f"{where}: cached main trace {ids[1]}", None),
                f"{where}: cached main trace {ids[1]}",
            )
        matrix = as_matrix(trace, f"commit_cached: {where}: cached main trace {ids[1]}")
        return CommittedTrace(_core.commit_cached(pk._raw, ids[0], ids[1], matrix, timings))

    def prove_batch(
        self,
        pk: ProvingKey,
        batch: Iterable[Iterable[AirProvingContext]],
        *,
        timings: list[dict[str, float]] | None = None,
    ) -> list[Proof]:
        """Prove many independent proofs under ``pk``, in input order; the next item's traces are
        converted while the core proves the current one (:func:`stark_backend.batch.prove_batch`).
        Each proof equals ``engine.prove(pk, item)`` byte for byte."""
        from .batch import prove_batch

        return prove_batch(self, pk, batch, timings=timings)

    def estimate(
        self, pk: ProvingKey, heights: Any, *, calibration: Calibration | None = None
    ) -> Estimate:
        """Predict a proof's time, peak memory and size before proving
        (:func:`stark_backend.estimate.estimate`). ``heights``: ``{air name or id: height}`` for
        the present AIRs, or a sequence with one height (or ``None`` for absent) per AIR.
        ``calibration``: this machine's rates (default: the stored calibration, else one
        measured once per process)."""
        from .estimate import estimate

        return estimate(self, pk, heights, calibration=calibration)

    def _check_key_params(self, vk: VerifyingKey, what: str) -> None:
        if vk.config != self._config:
            raise InvalidProofShape(
                f"{what}: the key was generated under the {vk.config.name} configuration, but "
                f"this engine uses {self._config.name}"
            )
        if vk.fri_params != self._fri:
            raise InvalidProofShape(
                f"{what}: the key was generated for {vk.fri_params!r}, but this engine uses "
                f"{self._fri!r}"
            )

    def _debug_check(self, pk: ProvingKey, validated: Sequence[_Converted]) -> None:
        systems = pk.vk.constraint_systems()
        traces = []
        for v in sorted(validated, key=lambda x: x.air_id):
            mains: list[Any] = v.host_mains()
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
        airs = _sequence(airs, "run_test: airs", "AIRs")
        traces = _sequence(traces, "run_test: traces", "traces (arrays, contexts or None)")
        if len(traces) != len(airs):
            raise InputError(f"run_test: {len(airs)} AIRs but {len(traces)} traces")
        if public_values is None:
            pvs: list[Any] = [()] * len(airs)
        else:
            pvs = _sequence(public_values, "run_test: public_values", "public value lists")
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
            contexts.append(main_trace_context(vk, air_id, trace, pv))
        proof = self.prove(pk, contexts, debug=debug)
        self.verify(vk, proof)
        return proof


def main_trace_context(
    vk: VerifyingKey,
    air_id: int,
    trace: Any,
    public_values: Any = (),
    *,
    label: str | None = None,
) -> AirProvingContext:
    """The context of AIR ``air_id`` from its whole main trace ``(height, width)``: cached
    partitions first, then the common main, split by ``vk.cached_main_widths`` (as
    :meth:`Engine.run_test` and the CLI take traces). ``label`` names the trace in errors
    (default: the AIR's name and id). Raises :class:`~stark_backend.InputError` for a trace
    that is not a 2-D integer matrix of the AIR's main width."""
    if label is None:
        label = f"AIR {vk.air_names[air_id]!r} (id {air_id}): main trace"
    if is_gpu_array(trace):
        # Splitting columns of a GPU array would take a copy on the device: only a
        # trace that is the AIR's whole common main goes as it is.
        if vk.cached_main_widths[air_id]:
            raise InputError(
                f"{label} is in GPU memory and the AIR has cached partitions: pass an "
                f"AirProvingContext with one GPU array per partition"
            )
        return AirProvingContext(air_id, trace, public_values=public_values)
    matrix = as_matrix(trace, label)
    widths = [*vk.cached_main_widths[air_id], vk.common_main_widths[air_id]]
    if matrix.shape[1] != sum(widths):
        raise InputError(f"{label} has width {matrix.shape[1]}, expected {sum(widths)}")
    bounds = np.cumsum([0, *widths]).tolist()
    parts = [np.ascontiguousarray(matrix[:, bounds[k] : bounds[k + 1]]) for k in range(len(widths))]
    common = parts[-1] if widths[-1] > 0 else None
    return AirProvingContext(air_id, common, cached_mains=parts[:-1], public_values=public_values)


def _convert_contexts(vk: VerifyingKey, contexts: Iterable[AirProvingContext]) -> list[_Converted]:
    """Each context's arrays as ``uint32`` (InputError naming the context, AIR and partition for
    a wrong dtype, dimension or value). Everything about the key — ids, partition counts,
    widths, heights, public value counts — is the core's to check."""
    if isinstance(contexts, AirProvingContext):
        contexts = [contexts]
    try:
        ctx_list = list(contexts)
    except TypeError:
        raise InputError("prove: contexts must be a list of AirProvingContext") from None
    names = vk.air_names
    out: list[_Converted] = []
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
        # Names for conversion errors only; an unknown id is reported by the core.
        label = (
            f"AIR {names[air_id]!r} (id {air_id}) in contexts[{i}]"
            if 0 <= air_id < len(names)
            else f"prove: contexts[{i}]"
        )
        converted = _convert_traces(vk, air_id, ctx, label)
        converted.public_values = as_field_array(
            _public_list(ctx.public_values), f"{label}: public values", ndim=(1,)
        )
        out.append(converted)
    return out


def _convert_traces(
    vk: VerifyingKey, air_id: int, ctx: AirProvingContext, label: str
) -> _Converted:
    """Host traces converted by NumPy; GPU traces validated on the host (dtype, layout,
    width, power-of-two height), the key's other checks left to the core. All partitions of
    one AIR live in one place: InputError naming the AIR otherwise."""
    # A committed partition is the core's own object (checked against the key there): it
    # passes through and lives in no particular place.
    parts: list[tuple[str, Any]] = [
        (f"cached main trace {j}", arr)
        for j, arr in enumerate(ctx.cached_mains)
        if not isinstance(arr, CommittedTrace)
    ]
    if ctx.common_main is not None:
        parts.append(("common main trace", ctx.common_main))
    pv = np.zeros(0, dtype=np.uint32)  # the caller's to fill
    places = [is_gpu_array(arr) for _, arr in parts]
    if not any(places):
        cached: list[CachedMatrix] = [
            arr
            if isinstance(arr, CommittedTrace)
            else as_matrix(arr, f"{label}: cached main trace {j}")
            for j, arr in enumerate(ctx.cached_mains)
        ]
        common: Matrix | None = (
            None
            if ctx.common_main is None
            else as_matrix(ctx.common_main, f"{label}: common main trace")
        )
        return _Converted(air_id, cached, common, pv, label=label)
    if not all(places):
        where = ", ".join(
            f"{what} {'in GPU memory' if gpu else 'on the host'}"
            for (what, _), gpu in zip(parts, places, strict=True)
        )
        raise InputError(
            f"{label}: all partitions of one AIR must live in the same place (GPU or host); "
            f"got {where}"
        )
    known = 0 <= air_id < vk.num_airs
    cached_widths = vk.cached_main_widths[air_id] if known else []
    common_width = vk.common_main_widths[air_id] if known else None
    cached = [
        arr
        if isinstance(arr, CommittedTrace)
        else gpu_matrix(
            arr,
            f"{label}: cached main trace {j}",
            cached_widths[j] if j < len(cached_widths) else None,
        )
        for j, arr in enumerate(ctx.cached_mains)
    ]
    common = (
        None
        if ctx.common_main is None
        else gpu_matrix(ctx.common_main, f"{label}: common main trace", common_width)
    )
    return _Converted(air_id, cached, common, pv, on_gpu=True, label=label)


def _public_list(values: Any) -> Any:
    if isinstance(values, np.ndarray):
        return values
    try:
        return list(values)
    except TypeError:
        raise InputError(
            f"public_values must be a sequence of ints, got {type(values).__name__}"
        ) from None


def _sequence(values: Any, what: str, items: str) -> list[Any]:
    """``list(values)``, or an InputError naming ``what`` when it is not a sequence."""
    if isinstance(values, (str, bytes)):
        raise InputError(f"{what} must be a sequence of {items}, got {type(values).__name__}")
    try:
        return list(values)
    except TypeError:
        raise InputError(
            f"{what} must be a sequence of {items}, got {type(values).__name__}"
        ) from None
