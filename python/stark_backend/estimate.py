"""Before proving: what a proof will cost. ``engine.estimate(pk, heights)`` → :class:`Estimate`.

The model counts the work the prover does for the given trace heights — the same quantities
:class:`~stark_backend.ProofMetrics` measures — and prices it with a **calibration** of this
machine (:class:`Calibration`):

- *LDE cells*: every committed matrix (preprocessed, main, after-challenge, quotient chunks)
  extended ``2^log_blowup``-fold (the NTTs), priced per cell·log2(height);
- *hash permutations*: Merkle leaves (one sponge absorb of 8 words per permutation) and
  compressions of every tree, the FRI layers' trees;
- *constraint evaluations*: quotient-domain points times the AIR's constraint DAG nodes;
- *openings*: evaluating every committed column at the out-of-domain points;
- *grinding*: ``2^bits`` expected candidates per proof-of-work, priced per permutation.

Peak host memory is the largest set of buffers alive together (every committed LDE and tree is
kept for the query phase, plus the traces and the FRI codewords); on ``device="cuda"`` the same
buffers live in GPU memory, so ``peak_gpu_bytes`` is that figure and the host keeps the
traces. The proof size follows the encoding (docs/protocol.md §13) from the layout.

A calibration is measured by :func:`calibrate` (a reference proof of a Fibonacci AIR, about a
second) and stored as JSON: ``python -m stark_backend bench --calibrate`` writes it to
:func:`calibration_path` (``$STARK_BACKEND_CALIBRATION`` or
``~/.cache/stark_backend/calibration.json``). Without a file, the first estimate of a process
measures one and keeps it in memory. Rates depend on the thread count: a calibration records the
threads it was taken with and is rescaled linearly (an upper bound on speed) for others.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError
from .metrics import air_metrics

if TYPE_CHECKING:
    from .engine import Engine
    from .keys import ProvingKey, VerifyingKey

__all__ = ["Calibration", "Estimate", "calibrate", "calibration_path", "estimate"]

_DIGEST_BYTES = 32  # every configuration's digest is 32 bytes on the wire
_EXT_BYTES = 16
_RATE = 8  # words absorbed per sponge permutation (Poseidon2-16; byte hashes are priced alike)


@dataclass
class Calibration:
    """Seconds per unit of work on one machine, for ``threads`` core threads."""

    lde_cell: float  # per LDE cell · log2(LDE height)
    permutation: float  # per hash permutation (Merkle, transcript)
    constraint_node: float  # per quotient-domain point · DAG node
    quotient_point: float  # per quotient-domain point (reads, the division by Z_H)
    opening_cell: float  # per committed trace cell opened at one point
    opening_row: float  # per committed matrix row opened at one point
    grinding: float  # per proof-of-work candidate
    threads: int
    device: str = "cpu"
    machine: str = ""
    created: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TypeError as exc:
            raise InputError(f"calibration: {exc}") from None

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write it as JSON (atomically) to ``path`` or :func:`calibration_path`."""
        target = Path(path) if path is not None else calibration_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(self.to_dict(), indent=2))
        os.replace(tmp, target)
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Calibration:
        source = Path(path) if path is not None else calibration_path()
        try:
            data = json.loads(source.read_text())
        except (OSError, ValueError) as exc:
            raise InputError(f"calibration file {source}: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(f"calibration file {source}: expected a JSON object")
        return cls.from_dict(data)

    def scaled_to(self, threads: int) -> Calibration:
        """The rates for another thread count (linear scaling: optimistic beyond the cores)."""
        if threads == self.threads:
            return self
        f = self.threads / threads
        return Calibration(
            self.lde_cell * f,
            self.permutation * f,
            self.constraint_node * f,
            self.quotient_point * f,
            self.opening_cell * f,
            self.opening_row * f,
            self.grinding * f,
            threads,
            self.device,
            self.machine,
            self.created,
        )


@dataclass
class Estimate:
    """A prediction for one proof. Times in seconds, sizes in bytes."""

    prove_seconds: float
    peak_host_bytes: int
    peak_gpu_bytes: int | None
    proof_bytes: int
    cells: int
    lde_cells: int
    permutations: int
    grinding: int
    phases: dict[str, float] = field(default_factory=dict)
    device: str = "cpu"
    threads: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        gpu = "" if self.peak_gpu_bytes is None else f", GPU {self.peak_gpu_bytes / 2**20:.1f} MiB"
        return (
            f"~{self.prove_seconds:.3f} s on {self.device} ({self.threads} threads), peak host "
            f"{self.peak_host_bytes / 2**20:.1f} MiB{gpu}, proof ~{self.proof_bytes:,} bytes, "
            f"{self.cells:,} cells"
        )


def calibration_path() -> Path:
    env = os.environ.get("STARK_BACKEND_CALIBRATION")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "stark_backend" / "calibration.json"


# -- the work model -------------------------------------------------------------------------


@dataclass
class _Matrix:
    log_height: int  # trace domain
    width: int  # base-field columns
    points: int  # opening points


@dataclass
class _Work:
    """Work units of one proof, per phase."""

    rounds: list[list[_Matrix]]
    lde: dict[str, float]
    perms: dict[str, float]
    nodes: float
    points: float
    openings: float
    opening_rows: float
    grinding: dict[str, float]
    trace_bytes: int
    log_max_lde: int


def _merkle_permutations(mats: list[_Matrix], log_blowup: int) -> float:
    rows = [1 << (m.log_height + log_blowup) for m in mats]
    leaves = sum(r * math.ceil(m.width / _RATE) for r, m in zip(rows, mats, strict=True))
    return float(leaves + max(rows))  # leaf sponges + one compression per internal node


def _lde_units(mats: list[_Matrix], log_blowup: int) -> float:
    return float(
        sum((m.width << (m.log_height + log_blowup)) * (m.log_height + log_blowup) for m in mats)
    )


def _work(vk: VerifyingKey, present: list[tuple[int, int]]) -> _Work:
    fri = vk.fri_params
    b = fri.log_blowup
    systems = vk.constraint_systems()
    prep_w = vk.preprocessed_widths
    cached_w = vk.cached_main_widths
    common_w = vk.common_main_widths
    degrees = vk.quotient_degrees
    airs = air_metrics(vk, [a for a, _ in present], [h for _, h in present])
    logs = {a: int(h).bit_length() - 1 for a, h in present}
    prep = [[_Matrix(logs[a], prep_w[a], 2)] for a, _ in present if prep_w[a]]
    cached = [[_Matrix(logs[a], w, 2)] for a, _ in present for w in cached_w[a]]
    common = [[_Matrix(logs[a], common_w[a], 2) for a, _ in present if common_w[a]]]
    after = [
        _Matrix(logs[m.air_id], m.after_challenge_cells // m.height, 2)
        for m in airs
        if m.after_challenge_cells
    ]
    quotient = [_Matrix(logs[a], 4, 1) for a, _ in present for _ in range(degrees[a])]
    rounds = [*prep, *[c for c in cached], *[c for c in common if c]]
    main_rounds = [*[c for c in cached], *[c for c in common if c]]
    if after:
        rounds.append(after)
    rounds.append(quotient)
    log_max_lde = max(m.log_height for r in rounds for m in r) + b
    layers = max(log_max_lde - b - fri.log_final_poly_len, 0)
    lde = {
        "main_commit": sum(_lde_units(r, b) for r in main_rounds),
        "logup": _lde_units(after, b),
        "quotient": _lde_units(quotient, b),
        "open": float(sum(2 << (log_max_lde - 1 - i) for i in range(layers))),  # FRI folds
    }
    perms = {
        "main_commit": sum(_merkle_permutations(r, b) for r in main_rounds),
        "logup": _merkle_permutations(after, b) if after else 0.0,
        "quotient": _merkle_permutations(quotient, b),
        # FRI layer trees: a leaf per pair of folded values, and its compressions.
        "open": float(sum(2 << (log_max_lde - 2 - i) for i in range(layers))),
    }
    nodes = points = 0.0
    for a, h in present:
        # The quotient domain has h · 2^ceil(log2 q) points; each evaluates the whole DAG.
        q = degrees[a]
        n_points = h * (1 << max(q - 1, 0).bit_length())
        points += n_points
        nodes += n_points * max(len(systems[a].nodes), 1)
    openings = float(sum(m.points * (m.width << m.log_height) for r in rounds for m in r))
    opening_rows = float(sum(m.points << m.log_height for r in rounds for m in r))
    grinding = {
        "logup": float(1 << vk._raw.log_up_pow_bits) if after else 0.0,
        "pow_grinding": float(1 << vk._raw.deep_pow_bits),
        "open": float(
            layers * (1 << fri.commit_proof_of_work_bits) + (1 << fri.query_proof_of_work_bits)
        ),
    }
    trace_bytes = sum(4 * (m.width << m.log_height) for r in [*prep, *main_rounds] for m in r)
    return _Work(
        rounds,
        lde,
        perms,
        nodes,
        points,
        openings,
        opening_rows,
        grinding,
        trace_bytes,
        log_max_lde,
    )


def _proof_bytes(vk: VerifyingKey, present: list[tuple[int, int]], work: _Work) -> int:
    fri = vk.fri_params
    b = fri.log_blowup
    layers = max(work.log_max_lde - b - fri.log_final_poly_len, 0)
    pvs = vk.num_public_values
    inter = vk.num_interactions
    size = 12 + sum(16 + 4 * pvs[a] + (_EXT_BYTES + 4 if inter[a] else 4) for a, _ in present)
    size += _DIGEST_BYTES * (len(work.rounds) + layers) + 16
    size += sum(m.points * m.width * 4 + 4 for r in work.rounds for m in r)  # opened values
    commit_phase = 8 + (4 + _DIGEST_BYTES) * layers + _EXT_BYTES * (1 << fri.log_final_poly_len)
    per_query = 8
    for r in work.rounds:
        depth = max(m.log_height for m in r) + b
        per_query += 8 + sum(4 + 4 * m.width for m in r) + _DIGEST_BYTES * depth
    per_query += sum(
        8 + _EXT_BYTES + _DIGEST_BYTES * (work.log_max_lde - 1 - i) for i in range(layers)
    )
    return int(size + commit_phase + 8 + fri.num_queries * per_query)


def _peak_bytes(work: _Work, log_blowup: int) -> int:
    ldes = sum(4 * (m.width << (m.log_height + log_blowup)) for r in work.rounds for m in r)
    trees = sum(
        _DIGEST_BYTES * 2 * (1 << (max(m.log_height for m in r) + log_blowup)) for r in work.rounds
    )
    fri_layers = 2 * _EXT_BYTES * (1 << work.log_max_lde)
    return int(ldes + trees + fri_layers)


def _present(vk: VerifyingKey, heights: Any) -> list[tuple[int, int]]:
    names = vk.air_names
    out: dict[int, int] = {}
    if isinstance(heights, dict):
        items = list(heights.items())
    elif isinstance(heights, (str, bytes)):
        raise InputError("estimate: heights must be a dict or a sequence, got str")
    else:
        try:
            seq = list(heights)
        except TypeError:
            raise InputError(
                f"estimate: heights must be a dict or a sequence, got {type(heights).__name__}"
            ) from None
        if len(seq) != len(names):
            raise InputError(f"estimate: {len(seq)} heights for a key of {len(names)} AIRs")
        items = [(i, h) for i, h in enumerate(seq) if h is not None]
    for key, h in items:
        if isinstance(key, str):
            if key not in names:
                raise InputError(f"estimate: no AIR named {key!r} in the key (AIRs: {names})")
            air_id = names.index(key)
        elif isinstance(key, int) and 0 <= key < len(names):
            air_id = key
        else:
            raise InputError(f"estimate: unknown AIR {key!r} (the key has {len(names)} AIRs)")
        if isinstance(h, bool) or not isinstance(h, int) or h < 1 or h & (h - 1):
            raise InputError(
                f"estimate: the height of AIR {names[air_id]!r} must be a power of two, got {h!r}"
            )
        fixed = vk.preprocessed_heights[air_id]
        if fixed is not None and fixed != h:
            raise InputError(
                f"estimate: AIR {names[air_id]!r} has a preprocessed trace of height {fixed}, "
                f"not {h}"
            )
        out[air_id] = h
    if not out:
        raise InputError("estimate: no AIR is present (give at least one height)")
    return sorted(out.items())


def _phase_seconds(work: _Work, cal: Calibration) -> dict[str, float]:
    phases = {}
    for phase in ("main_commit", "logup", "quotient", "pow_grinding", "open"):
        t = work.lde.get(phase, 0.0) * cal.lde_cell
        t += work.perms.get(phase, 0.0) * cal.permutation
        t += work.grinding.get(phase, 0.0) * cal.grinding
        if phase == "quotient":
            t += work.nodes * cal.constraint_node + work.points * cal.quotient_point
        if phase == "open":
            t += work.openings * cal.opening_cell + work.opening_rows * cal.opening_row
        phases[phase] = t
    return phases


# -- calibration ----------------------------------------------------------------------------

_cache: dict[tuple[str, str, int], Calibration] = {}
_cache_lock = threading.Lock()


def _least_disturbed_timings(
    engine: Engine, pk: ProvingKey, contexts: list[Any]
) -> dict[str, float]:
    """Phase timings of ``contexts``: per phase, the minimum of three proofs (after a warm-up),
    the least disturbed by other load."""
    from .metrics import ProofMetrics

    engine.prove(pk, contexts)  # warm-up (pools, page faults)
    runs = []
    for _ in range(3):
        m = ProofMetrics()
        engine.prove(pk, contexts, metrics=m)
        runs.append(m.timings)
    return {k: min(r.get(k, 0.0) for r in runs) for k in runs[0]}


def calibrate(engine: Engine | None = None, *, log_height: int = 14) -> Calibration:
    """Measure this machine's rates: reference proofs (the engine's device, configuration and
    FRI shape, no proof of work) of a Fibonacci and a LogUp pair at ``2^log_height`` rows (LDE,
    hashing, opening and per-point quotient rates) and of the Keccak-f AIR at 2^8 rows (the
    per-node constraint rate). Takes about a second."""
    from . import _core
    from .context import AirProvingContext
    from .engine import Engine
    from .examples import (
        FibonacciAir,
        InteractionAir,
        KeccakAir,
        fibonacci_trace,
        interaction_pair_traces,
        keccak_trace,
    )
    from .fri_params import FriParameters

    base = engine if engine is not None else Engine()
    fri = base.fri_params
    ref = Engine(
        FriParameters(fri.log_blowup, fri.log_final_poly_len, fri.num_queries, 0, 0),
        device=base.device,
        config=base.config,
    )

    def key(*airs: Any) -> ProvingKey:
        kb = ref.keygen_builder()
        for air in airs:
            kb.add_air(air)
        return kb.generate_pk()

    n = 1 << log_height
    trace, pvs = fibonacci_trace(n)
    snd, rcv = interaction_pair_traces(n, 4, seed=1)
    pk = key(FibonacciAir(), InteractionAir(4, send=True), InteractionAir(4, send=False))
    t = _least_disturbed_timings(
        ref,
        pk,
        [
            AirProvingContext(0, trace, public_values=pvs),
            AirProvingContext(1, snd),
            AirProvingContext(2, rcv),
        ],
    )
    work = _work(pk.vk, [(0, n), (1, n), (2, n)])
    kpk = key(KeccakAir())
    states = np.random.default_rng(1).integers(0, 2**63, size=(10, 25), dtype=np.uint64)
    kt = _least_disturbed_timings(ref, kpk, [AirProvingContext(0, keccak_trace(states))])
    kwork = _work(kpk.vk, [(0, 256)])

    lde_units = sum(work.lde[p] for p in ("main_commit", "logup", "quotient"))
    perm_units = sum(work.perms[p] for p in ("main_commit", "logup", "quotient"))
    lde_cell = t.get("lde", 0.0) / max(lde_units, 1.0)
    permutation = t.get("merkle_tree", 0.0) / max(perm_units, 1.0)
    # quotient.values = points · c_point + nodes · c_node on both references (a 2-by-2 system).
    c_point, c_node = _fit_two(
        (work.points, work.nodes, t.get("quotient.values", 0.0)),
        (kwork.points, kwork.nodes, kt.get("quotient.values", 0.0)),
    )
    # open.evaluate = rows · c_row + cells · c_cell (narrow and wide references).
    opening_row, opening_cell = _fit_two(
        (work.opening_rows, work.openings, t.get("open.evaluate", 0.0)),
        (kwork.opening_rows, kwork.openings, kt.get("open.evaluate", 0.0)),
    )
    # The rest of each phase (LogUp's trace build, folds, the transcript) is priced in
    # proportion: scale so that the reference's phases add up to its measured total.
    raw = Calibration(
        lde_cell, permutation, c_node, c_point, opening_cell, opening_row, permutation, 1
    )
    modelled = sum(_phase_seconds(work, raw).values())
    scale = max(t.get("total", modelled) / max(modelled, 1e-12), 1.0)
    return Calibration(
        lde_cell=lde_cell * scale,
        permutation=permutation * scale,
        constraint_node=c_node * scale,
        quotient_point=c_point * scale,
        opening_cell=opening_cell * scale,
        opening_row=opening_row * scale,
        grinding=permutation,
        threads=int(_core.num_threads()),
        device=ref.device,
        machine=_machine(),
        created=time.time(),
    )


def _fit_two(
    narrow: tuple[float, float, float], wide: tuple[float, float, float]
) -> tuple[float, float]:
    """``(a, b) >= 0`` with ``x·a + y·b = t`` for two references ``(x, y, t)``: a per-row (or
    per-point) and a per-cell (or per-node) price."""
    (x1, y1, t1), (x2, y2, t2) = narrow, wide
    det = x1 * y2 - x2 * y1
    b = max((x1 * t2 - x2 * t1) / det, 0.0) if det else 0.0
    a = max((t1 - y1 * b) / max(x1, 1.0), 0.0)
    return a, b


def _machine() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def _calibration_for(engine: Engine, threads: int) -> Calibration:
    key = (engine.device, engine.config.name, threads)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    path = calibration_path()
    cal: Calibration | None = None
    if path.exists():
        loaded = Calibration.load(path)
        if loaded.device == engine.device:
            cal = loaded.scaled_to(threads)
    if cal is None:
        cal = calibrate(engine)
    with _cache_lock:
        _cache[key] = cal
    return cal


def estimate(
    engine: Engine,
    pk: ProvingKey,
    heights: Any,
    *,
    calibration: Calibration | None = None,
) -> Estimate:
    """The :class:`Estimate` of proving the AIRs of ``pk`` at ``heights`` on ``engine``:
    ``heights`` is ``{air name or id: height}`` or one height (``None``: absent) per AIR.
    ``calibration``: rates to use (default: the stored or a freshly measured one)."""
    from . import _core
    from .keys import ProvingKey

    if not isinstance(pk, ProvingKey):
        raise InputError(f"estimate: pk must be a ProvingKey, got {type(pk).__name__}")
    engine._check_key_params(pk.vk, "estimate")
    vk = pk.vk
    present = _present(vk, heights)
    threads = int(_core.num_threads())
    cal = calibration if calibration is not None else _calibration_for(engine, threads)
    work = _work(vk, present)
    phases = _phase_seconds(work, cal)
    b = vk.fri_params.log_blowup
    peak = _peak_bytes(work, b)
    on_gpu = engine.device == "cuda"
    cells = sum(
        m.total_cells for m in air_metrics(vk, [a for a, _ in present], [h for _, h in present])
    )
    return Estimate(
        prove_seconds=sum(phases.values()),
        peak_host_bytes=work.trace_bytes + (0 if on_gpu else peak),
        peak_gpu_bytes=peak + work.trace_bytes if on_gpu else None,
        proof_bytes=_proof_bytes(vk, present, work),
        cells=cells,
        lde_cells=sum((m.width << (m.log_height + b)) for r in work.rounds for m in r),
        permutations=int(sum(work.perms.values())),
        grinding=int(sum(work.grinding.values())),
        phases=phases,
        device=engine.device,
        threads=threads,
    )
