"""The proving workflow (issue 11): ProofMetrics, the stark_backend logger and progress,
commit_cached reuse, estimates against measured proofs, Engine.prove_batch, and proving and
verifying from several threads at once with mixed thread counts."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator

import numpy as np
import pytest

import stark_backend as sb
from stark_backend.estimate import Calibration, calibrate
from stark_backend.examples import (
    FibonacciAir,
    InteractionAir,
    KeccakAir,
    fibonacci_trace,
    interaction_pair_traces,
    keccak_trace,
)

FAST = sb.FriParameters(1, 0, 8, 0, 0)


@pytest.fixture
def threads() -> Iterator[None]:
    old = sb.num_threads()
    yield
    sb.set_num_threads(old)


def _cached_pair(engine: sb.Engine, height: int, width: int = 3, seed: int = 5):  # type: ignore[no-untyped-def]
    snd, rcv = interaction_pair_traces(height, width, cached=True, seed=seed)
    airs = [
        InteractionAir(width, send=True, cached=True),
        InteractionAir(width, send=False, cached=True),
    ]
    kb = engine.keygen_builder()
    for air in airs:
        kb.add_air(air)
    pk = kb.generate_pk()
    parts = [airs[0].partitions(snd), airs[1].partitions(rcv)]
    return pk, parts


def _contexts(parts, cached0=None):  # type: ignore[no-untyped-def]
    first = parts[0][0] if cached0 is None else cached0
    return [
        sb.AirProvingContext(0, parts[0][1], cached_mains=[first]),
        sb.AirProvingContext(1, parts[1][1], cached_mains=[parts[1][0]]),
    ]


def _fib(engine: sb.Engine, height: int):  # type: ignore[no-untyped-def]
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    trace, pv = fibonacci_trace(height)
    return pk, [sb.AirProvingContext(0, trace, public_values=pv)]


# -- metrics ------------------------------------------------------------------------------------


def test_metrics_cells_sections_and_counts() -> None:
    engine = sb.Engine(sb.FriParameters.standard_fast())
    pk, parts = _cached_pair(engine, 1 << 8)
    m = sb.ProofMetrics()
    proof = engine.prove(pk, _contexts(parts), metrics=m)
    engine.verify(pk.vk, proof)
    assert [a.air_id for a in m.airs] == [0, 1]
    a = m.airs[0]
    assert a.height == 256 and a.cached_main_cells == 256 * 3 and a.common_main_cells == 256
    assert a.after_challenge_cells > 0 and a.quotient_cells == 256 * 4 * pk.vk.quotient_degrees[0]
    assert a.total_cells == a.main_cells + a.after_challenge_cells + a.quotient_cells
    # Bytes per section add up to the proof.
    assert m.proof_bytes == len(proof) == sum(m.section_bytes.values())
    assert list(m.section_bytes)[:2] == ["header", "per_air"]
    assert {"fri.input_openings", "fri.layer_openings"} <= set(m.section_bytes)
    # Every phase hashed; the main commitment is at least one leaf sponge per LDE row.
    for phase in ("main_commit", "logup", "quotient", "open"):
        assert m.permutations[phase] > 0
        assert phase in m.timings
    lde_rows = 2 * 256 << pk.vk.fri_params.log_blowup
    assert m.permutations["main_commit"] >= lde_rows
    assert m.grinding  # standard_fast grinds
    d = json.loads(m.to_json())
    assert d["totals"]["proof_bytes"] == len(proof)
    assert d["airs"][0]["total_cells"] == a.total_cells
    assert "cells" in m.summary()


def test_metrics_counts_are_deterministic_across_thread_counts(threads: None) -> None:
    engine = sb.Engine(sb.FriParameters.standard_fast())
    pk, parts = _cached_pair(engine, 1 << 9)
    seen = []
    for n in (1, 2, 4):
        sb.set_num_threads(n)
        m = sb.ProofMetrics()
        proof = engine.prove(pk, _contexts(parts), metrics=m)
        seen.append((proof.to_bytes(), m.permutations, m.grinding, m.section_bytes))
    assert all(s == seen[0] for s in seen)


def test_metrics_and_timings_type_errors() -> None:
    engine = sb.Engine(FAST)
    pk, ctxs = _fib(engine, 16)
    with pytest.raises(sb.InputError, match="metrics must be a ProofMetrics"):
        engine.prove(pk, ctxs, metrics={})  # type: ignore[arg-type]
    with pytest.raises(sb.InputError, match="progress must be a callable"):
        engine.prove(pk, ctxs, progress=3)  # type: ignore[arg-type]


def test_progress_and_logging(caplog: pytest.LogCaptureFixture) -> None:
    engine = sb.Engine(FAST)
    pk, ctxs = _fib(engine, 64)
    seen: list[tuple[str, float]] = []
    with caplog.at_level(logging.INFO, logger="stark_backend"):
        engine.prove(pk, ctxs, progress=lambda p, s: seen.append((p, s)))
    phases = [p for p, _ in seen]
    assert phases[0] == "main_commit" and phases[-1] == "open" and "quotient" in phases
    assert all(s >= 0 for _, s in seen)
    lines = [r.getMessage() for r in caplog.records if r.name == "stark_backend"]
    assert any("main_commit" in line for line in lines) and any("open" in line for line in lines)

    def boom(phase: str, seconds: float) -> None:
        raise RuntimeError(f"stop at {phase}")

    with pytest.raises(RuntimeError, match="stop at main_commit"):
        engine.prove(pk, ctxs, progress=boom)


def test_logger_is_silent_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    engine = sb.Engine(FAST)
    pk, ctxs = _fib(engine, 16)
    engine.prove(pk, ctxs)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    assert any(
        isinstance(h, logging.NullHandler) for h in logging.getLogger("stark_backend").handlers
    )


# -- commit_cached ------------------------------------------------------------------------------


@pytest.mark.parametrize("config", [c.name for c in sb.configs.all_configs()])
def test_commit_cached_gives_the_inline_proof(config: str) -> None:
    engine = sb.Engine(FAST, config=config)
    pk, parts = _cached_pair(engine, 1 << 6)
    inline = engine.prove(pk, _contexts(parts))
    committed = engine.commit_cached(pk, 0, parts[0][0])
    assert committed.shape == parts[0][0].shape and committed.air_id == 0
    assert committed.partition == 0 and committed.lde_bytes > 0
    np.testing.assert_array_equal(committed.trace, parts[0][0])
    assert not committed.trace.flags.writeable
    for _ in range(2):  # reused: every proof equals the inline one
        proof = engine.prove(pk, _contexts(parts, committed))
        assert proof == inline
    engine.verify(pk.vk, proof)
    # Debug mode reads the committed trace too.
    engine.prove(pk, _contexts(parts, committed), debug=True)
    # Both partitions committed.
    c1 = engine.commit_cached(pk, 1, parts[1][0])
    ctxs = [
        sb.AirProvingContext(0, parts[0][1], cached_mains=[committed]),
        sb.AirProvingContext(1, parts[1][1], cached_mains=[c1]),
    ]
    assert engine.prove(pk, ctxs) == inline


def test_commit_cached_rejects_wrong_use() -> None:
    engine = sb.Engine(FAST)
    pk, parts = _cached_pair(engine, 1 << 5)
    with pytest.raises(sb.InputError, match="unknown air id 7"):
        engine.commit_cached(pk, 7, parts[0][0])
    with pytest.raises(sb.InputError, match="not partition 1"):
        engine.commit_cached(pk, 0, parts[0][0], partition=1)
    with pytest.raises(sb.InputError, match="has width 2, expected 3"):
        engine.commit_cached(pk, 0, parts[0][0][:, :2])
    with pytest.raises(sb.InputError, match="not a power of two"):
        engine.commit_cached(pk, 0, parts[0][0][:24])
    bad = parts[0][0].copy()
    bad[3, 1] = sb.P
    with pytest.raises(sb.InputError, match="row 3, column 1"):
        engine.commit_cached(pk, 0, bad)
    with pytest.raises(sb.InputError, match="air_id must be an int"):
        engine.commit_cached(pk, "0", parts[0][0])  # type: ignore[arg-type]
    fib_pk, _ = _fib(engine, 16)
    with pytest.raises(sb.InputError, match="no cached main partitions"):
        engine.commit_cached(fib_pk, 0, parts[0][0])
    committed = engine.commit_cached(pk, 0, parts[0][0])
    # In another AIR's slot.
    with pytest.raises(sb.InputError, match=r"partition 0 of AIR 'SenderCached' \(id 0\)"):
        engine.prove(
            pk,
            [
                sb.AirProvingContext(0, parts[0][1], cached_mains=[parts[0][0]]),
                sb.AirProvingContext(1, parts[1][1], cached_mains=[committed]),
            ],
        )
    # Under another key of the same AIRs with other parameters' engine: another pre_hash.
    other = sb.Engine(sb.FriParameters(2, 0, 8, 0, 0))
    pk2, parts2 = _cached_pair(other, 1 << 5)
    with pytest.raises(sb.InputError, match="another proving key"):
        other.prove(pk2, _contexts(parts2, committed))
    with pytest.raises(sb.InvalidProofShape):
        other.commit_cached(pk, 0, parts[0][0])


# -- estimate -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    return calibrate(sb.Engine(FAST))


def _measured_seconds(
    engine: sb.Engine, pk: sb.ProvingKey, ctxs: list[sb.AirProvingContext]
) -> float:
    engine.prove(pk, ctxs)
    runs = []
    for _ in range(5):
        m = sb.ProofMetrics()
        engine.prove(pk, ctxs, metrics=m)
        runs.append(m.timings["total"])
    return min(runs)  # as the calibration: the least disturbed run


def test_estimate_within_2x_on_two_circuits() -> None:
    engine = sb.Engine(sb.FriParameters(1, 0, 40, 0, 0))
    calibration = calibrate(engine)
    # Circuit 1: a narrow Fibonacci AIR, 2^16 rows.
    pk, ctxs = _fib(engine, 1 << 16)
    # Circuit 2: the wide Keccak-f AIR (KECCAK_WIDTH columns), 2^10 rows.
    kb = engine.keygen_builder()
    kb.add_air(KeccakAir())
    kpk = kb.generate_pk()
    states = np.random.default_rng(3).integers(0, 2**63, size=(40, 25), dtype=np.uint64)
    ktrace = keccak_trace(states)
    for key, contexts in ((pk, ctxs), (kpk, [sb.AirProvingContext(0, ktrace)])):
        heights = {key.vk.air_names[c.air_id]: len(np.asarray(c.common_main)) for c in contexts}
        est = sb.estimate.estimate(engine, key, heights, calibration=calibration)
        measured = _measured_seconds(engine, key, contexts)
        assert measured / 2 <= est.prove_seconds <= measured * 2, (est, measured)
        proof = engine.prove(key, contexts)
        assert abs(est.proof_bytes - len(proof)) <= 0.1 * len(proof), (est.proof_bytes, len(proof))
        assert est.peak_host_bytes > est.lde_cells * 4 and est.peak_gpu_bytes is None
        d = est.to_dict()
        assert set(d) >= {"prove_seconds", "peak_host_bytes", "proof_bytes", "phases"}


def test_estimate_inputs_and_calibration_file(tmp_path, calibration, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    engine = sb.Engine(FAST)
    pk, _ = _fib(engine, 16)
    assert (
        engine.estimate(pk, [1 << 10]).cells
        == (1 << 10) * 2 + (1 << 10) * 4 * pk.vk.quotient_degrees[0]
    )
    with pytest.raises(sb.InputError, match="power of two"):
        engine.estimate(pk, {"FibonacciAir": 1000})
    with pytest.raises(sb.InputError, match="no AIR named 'Nope'"):
        engine.estimate(pk, {"Nope": 16})
    with pytest.raises(sb.InputError, match="1 AIRs"):
        engine.estimate(pk, [16, 16])
    with pytest.raises(sb.InputError, match="no AIR is present"):
        engine.estimate(pk, {})
    path = calibration.save(tmp_path / "cal.json")
    loaded = Calibration.load(path)
    assert loaded == calibration
    monkeypatch.setenv("STARK_BACKEND_CALIBRATION", str(path))
    assert sb.estimate.calibration_path() == path
    (tmp_path / "bad.json").write_text("[1]")
    with pytest.raises(sb.InputError, match=r"bad\.json"):
        Calibration.load(tmp_path / "bad.json")
    half = calibration.scaled_to(calibration.threads * 2)
    assert half.lde_cell == pytest.approx(calibration.lde_cell / 2)


# -- batches and concurrency --------------------------------------------------------------------


def test_engine_prove_batch_equals_prove() -> None:
    engine = sb.Engine(FAST)
    pk, _ = _fib(engine, 16)
    items = []
    for k in range(4):
        trace, pv = fibonacci_trace(16 << (k % 2), a=k, b=1)
        items.append([sb.AirProvingContext(0, trace, public_values=pv)])
    proofs = engine.prove_batch(pk, items)
    assert proofs == [engine.prove(pk, it) for it in items]
    assert engine.prove_batch(pk, []) == []


def test_concurrent_prove_and_verify_with_mixed_thread_counts(threads: None) -> None:
    engine = sb.Engine(FAST)
    pk, parts = _cached_pair(engine, 1 << 8)
    fib_pk, fib_ctxs = _fib(engine, 1 << 10)
    committed = engine.commit_cached(pk, 0, parts[0][0])
    expected_pair = engine.prove(pk, _contexts(parts)).to_bytes()
    expected_fib = engine.prove(fib_pk, fib_ctxs).to_bytes()
    fib_proof = sb.Proof.from_bytes(expected_fib)
    errors: list[BaseException] = []
    done = [0] * 4

    def worker(k: int) -> None:
        try:
            for i in range(6):
                if k == 3:
                    sb.set_num_threads(1 + (i % 3))  # while the others prove
                    engine.verify(fib_pk.vk, fib_proof)
                elif k % 2:
                    p = engine.prove(fib_pk, fib_ctxs)
                    assert p.to_bytes() == expected_fib
                    engine.verify(fib_pk.vk, p)
                else:
                    c = committed if i % 2 else None
                    p = engine.prove(pk, _contexts(parts, c))
                    assert p.to_bytes() == expected_pair
                done[k] += 1
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in pool), "a prover thread hung"
    assert not errors, errors
    assert done == [6, 6, 6, 6]
