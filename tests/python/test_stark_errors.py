"""Wrong statements, bad inputs and un-keyable AIRs: each gives its documented error."""

from __future__ import annotations

import numpy as np
import pytest

import stark_backend as sb
from stark_backend import _core
from stark_backend.examples import (
    FibonacciAir,
    FibonacciSelectorAir,
    InteractionAir,
    fib_selector_trace,
    fibonacci_trace,
    interaction_pair_traces,
)

FAST = sb.FriParameters(1, 0, 8, 0, 0)


def _fib_key(engine: sb.Engine) -> sb.ProvingKey:
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    kb.add_air(FibonacciSelectorAir([1, 0, 1, 1]))
    kb.add_air(InteractionAir(2, send=True, cached=True))
    return kb.generate_pk()


# -- false statements ---------------------------------------------------------------------------


def test_wrong_public_value_is_an_ood_mismatch() -> None:
    engine = sb.Engine(FAST)
    trace, pv = fibonacci_trace(16)
    pv[2] = (pv[2] + 1) % sb.P
    with pytest.raises(sb.OodEvaluationMismatch, match="FibonacciAir"):
        engine.run_test([FibonacciAir()], [trace], [pv], debug=False)
    with pytest.raises(sb.ConstraintViolation, match=r"FibonacciAir.*row 15"):
        engine.run_test([FibonacciAir()], [trace], [pv], debug=True)


def test_violated_transition_is_an_ood_mismatch() -> None:
    engine = sb.Engine(FAST)
    trace, pv = fibonacci_trace(16)
    trace[5, 0] += 1
    with pytest.raises(sb.OodEvaluationMismatch):
        engine.run_test([FibonacciAir()], [trace], [pv], debug=False)
    with pytest.raises(sb.ConstraintViolation, match="row 4"):
        engine.run_test([FibonacciAir()], [trace], [pv], debug=True)


def test_unbalanced_bus() -> None:
    snd, rcv = interaction_pair_traces(8, 2, seed=1)
    rcv = rcv.copy()
    rcv[3, 1] = (int(rcv[3, 1]) + 1) % sb.P  # one received message differs
    airs = [InteractionAir(2, send=True), InteractionAir(2, send=False)]
    engine = sb.Engine(FAST)
    with pytest.raises(sb.ChallengePhaseError):
        engine.run_test(airs, [snd, rcv], debug=False)
    with pytest.raises(sb.UnbalancedInteractions, match="bus 0"):
        engine.run_test(airs, [snd, rcv], debug=True)
    # Only one side present: the bus cannot balance.
    with pytest.raises(sb.ChallengePhaseError):
        engine.run_test(airs, [snd, None], debug=False)


class _Heavy(sb.Air):
    """Sends and receives its own column on bus 0 with a huge count weight."""

    width = 1

    def __init__(self, weight: int) -> None:
        self.weight = weight

    def eval(self, b: sb.AirBuilder) -> None:
        (x,), _ = b.main()
        b.push_interaction(0, [x], 1, count_weight=self.weight)
        b.push_interaction(0, [x], -1, count_weight=self.weight)


def test_trace_height_constraint_violation() -> None:
    engine = sb.Engine(FAST)
    kb = engine.keygen_builder()
    kb.add_air(_Heavy(1 << 30))
    pk = kb.generate_pk()
    assert pk.vk.trace_height_constraints[0].coefficients == [1 << 31]
    proof = engine.prove(pk, [sb.AirProvingContext(0, np.zeros((1, 1), np.uint32))])
    with pytest.raises(sb.TraceHeightConstraintViolation):
        engine.verify(pk.vk, proof)
    assert issubclass(sb.TraceHeightConstraintViolation, sb.InvalidProofShape)
    # A weight sum past u32 cannot even be keyed.
    kb = engine.keygen_builder()
    kb.add_air(_Heavy(1 << 31))
    with pytest.raises(sb.KeygenError, match="overflow"):
        kb.generate_pk()


def test_key_and_engine_with_other_fri_parameters() -> None:
    engine = sb.Engine(FAST)
    pk = _fib_key(engine)
    trace, pv = fibonacci_trace(8)
    proof = engine.prove(pk, [sb.AirProvingContext(0, trace, public_values=pv)])
    other = sb.Engine(sb.FriParameters(1, 0, 9, 0, 0))
    with pytest.raises(sb.InvalidProofShape):
        other.verify(pk.vk, proof)
    with pytest.raises(sb.InvalidProofShape):
        other.prove(pk, [sb.AirProvingContext(0, trace, public_values=pv)])


def test_proof_against_another_key() -> None:
    engine = sb.Engine(FAST)
    pk = _fib_key(engine)
    trace, pv = fibonacci_trace(8)
    proof = engine.prove(pk, [sb.AirProvingContext(0, trace, public_values=pv)])
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    other_vk = kb.generate_pk().vk  # same AIR, different key (pre_hash)
    with pytest.raises(sb.VerificationError):
        engine.verify(other_vk, proof)


# -- prover input errors ------------------------------------------------------------------------


def test_prover_input_errors() -> None:
    engine = sb.Engine(FAST)
    pk = _fib_key(engine)
    trace, pv = fibonacci_trace(8)
    sel_trace, sel_pv = fib_selector_trace([1, 0, 1, 1])
    ok = sb.AirProvingContext(0, trace, public_values=pv)

    def bad(contexts: object, match: str) -> None:
        with pytest.raises(sb.InputError, match=match):
            engine.prove(pk, contexts)  # type: ignore[arg-type]

    bad([], "no AirProvingContext")
    bad([ok, ok], "FibonacciAir.*appears in contexts")
    bad([sb.AirProvingContext(7, trace)], "unknown air id 7")
    bad([sb.AirProvingContext(-1, trace)], "unknown air id -1")
    bad([sb.AirProvingContext("0", trace)], "must be an int")  # type: ignore[arg-type]
    bad([(0, trace)], "expected AirProvingContext")
    bad([sb.AirProvingContext(0, trace, public_values=pv[:2])], "2 public values given, expected 3")
    bad([sb.AirProvingContext(0, trace, public_values=[0, 1, sb.P])], "public values")
    bad([sb.AirProvingContext(0, trace[:6], public_values=pv)], "height 6 is not a power of two")
    bad([sb.AirProvingContext(0, trace[:0], public_values=pv)], "height 0 is not a power of two")
    bad([sb.AirProvingContext(0, trace[:, :1], public_values=pv)], "width 1, expected 2")
    bad([sb.AirProvingContext(0, trace.astype(np.float64), public_values=pv)], "integer dtype")
    bad([sb.AirProvingContext(0, trace.astype(bool), public_values=pv)], "integer dtype")
    bad([sb.AirProvingContext(0, None, public_values=pv)], "missing")
    bad([sb.AirProvingContext(0, np.zeros((2, 2, 2), np.uint32), public_values=pv)], "2-D")
    big = trace.astype(np.int64)
    big[5, 1] = sb.P
    bad([sb.AirProvingContext(0, big, public_values=pv)], "FibonacciAir.*row 5, column 1")
    neg = trace.astype(np.int64)
    neg[2, 0] = -1
    bad([sb.AirProvingContext(0, neg, public_values=pv)], "row 2, column 0")
    # The selector AIR's preprocessed trace fixes its height to 4.
    bad([sb.AirProvingContext(1, trace, public_values=sel_pv)], "preprocessed trace height 4")
    # Cached partitions: count, and one height for all partitions.
    parts = [np.zeros((8, 2), np.uint32), np.zeros((8, 1), np.uint32)]
    bad([sb.AirProvingContext(2, parts[1])], "0 cached main traces given, expected 1")
    bad([sb.AirProvingContext(2, parts[1][:4], cached_mains=[parts[0]])], "height 4")
    bad([sb.AirProvingContext(2, None, cached_mains=[parts[0]])], "missing")
    engine.prove(pk, [ok, sb.AirProvingContext(1, sel_trace, public_values=sel_pv)])


def test_trace_too_tall_for_the_blowup() -> None:
    engine = sb.Engine(sb.FriParameters(7, 0, 1, 0, 0))
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    tall = np.zeros((1 << 21, 2), np.uint32)
    with pytest.raises(sb.InputError, match="two-adicity"):
        engine.prove(pk, [sb.AirProvingContext(0, tall, public_values=[0, 0, 0])])


def test_final_poly_length_needs_taller_traces() -> None:
    engine = sb.Engine(sb.FriParameters(1, 2, 4, 0, 0))
    trace, pv = fibonacci_trace(4)
    with pytest.raises(sb.InputError, match="log_final_poly_len"):
        engine.run_test([FibonacciAir()], [trace], [pv])
    trace, pv = fibonacci_trace(8)
    engine.run_test([FibonacciAir()], [trace], [pv])


def test_run_test_argument_errors() -> None:
    engine = sb.Engine(FAST)
    trace, pv = fibonacci_trace(8)
    with pytest.raises(sb.InputError):
        engine.run_test([FibonacciAir()], [trace, trace])
    with pytest.raises(sb.InputError):
        engine.run_test([FibonacciAir()], [trace], [pv, pv])
    with pytest.raises(sb.InputError):
        engine.run_test([FibonacciAir()], [None])  # no AIR present


# -- keygen errors ------------------------------------------------------------------------------


class _Quartic(sb.Air):
    width = 1

    def eval(self, b: sb.AirBuilder) -> None:
        (x,), _ = b.main()
        b.assert_zero(x**4 - x)


def test_over_degree_air_is_a_keygen_error() -> None:
    kb = sb.Engine(FAST).keygen_builder()
    kb.add_air(_Quartic())
    with pytest.raises(sb.KeygenError, match="_Quartic"):
        kb.generate_pk()
    # Degree 4 fits max_constraint_degree 5 at log_blowup 2.
    trace = np.array([[0], [1], [0], [1]], np.uint32)
    sb.Engine(sb.FriParameters(2, 0, 4, 0, 0)).run_test([_Quartic()], [trace])


def test_other_keygen_errors() -> None:
    kb = sb.Engine(FAST).keygen_builder()
    with pytest.raises(sb.KeygenError):
        kb.generate_pk()  # no AIRs
    with pytest.raises(sb.KeygenError):
        kb.add_air(object())  # type: ignore[arg-type]

    class LongMessage(sb.Air):
        width = 1

        def eval(self, b: sb.AirBuilder) -> None:
            (x,), _ = b.main()
            b.push_interaction(0, [x] * 128, 1)

    class BadPreprocessed(sb.Air):
        width = 1

        def preprocessed_trace(self) -> np.ndarray:
            return np.zeros((3, 1), np.uint32)

        def eval(self, b: sb.AirBuilder) -> None:
            (p,), _ = b.preprocessed()
            (x,), _ = b.main()
            b.assert_zero(p * x)

    for air in (LongMessage(), BadPreprocessed()):
        kb = sb.Engine(FAST).keygen_builder()
        kb.add_air(air)
        with pytest.raises(sb.KeygenError, match=type(air).__name__):
            kb.generate_pk()
    assert issubclass(sb.KeygenError, ValueError)
    assert issubclass(sb.InputError, ValueError)


# -- the core is the one validator of the prover's inputs -----------------------------------------


class _AllCached(sb.Air):
    """All of its main columns are one cached partition (no common main)."""

    width = 1
    cached_main_widths = (1,)

    def eval(self, b: sb.AirBuilder) -> None:
        (x,), _ = b.main()
        b.assert_zero(x * (x - 1))


def test_prover_messages_name_the_context_and_air() -> None:
    engine = sb.Engine(FAST)
    pk = _fib_key(engine)
    trace, pv = fibonacci_trace(8)
    sel_trace, sel_pv = fib_selector_trace([1, 0, 1, 1])
    sel = sb.AirProvingContext(1, sel_trace, public_values=sel_pv)

    def message(contexts: list[sb.AirProvingContext], *, debug: bool = False) -> str:
        with pytest.raises(sb.InputError) as info:
            engine.prove(pk, contexts, debug=debug)
        return str(info.value)

    fib = sb.AirProvingContext(0, trace, public_values=pv)
    assert "AIR 'FibonacciAir' (id 0) appears in contexts[1] and contexts[2]" in message(
        [sel, fib, fib]
    )
    assert "contexts[1]: unknown air id 3 (the key has 3 AIRs)" in message(
        [sel, sb.AirProvingContext(3, trace)]
    )
    assert message([sel, sb.AirProvingContext(0, trace[:6], public_values=pv)]) == (
        "AIR 'FibonacciAir' (id 0) in contexts[1]: trace height 6 is not a power of two "
        "(traces are never padded)"
    )
    # Checked before the debug checks (which need well-formed traces) with the same message.
    assert message([sb.AirProvingContext(0, trace[:, :1], public_values=pv)], debug=True) == (
        "AIR 'FibonacciAir' (id 0) in contexts[0]: common main trace has width 1, expected 2"
    )
    assert "contexts[0]: 2 public values given, expected 3" in message(
        [sb.AirProvingContext(0, trace, public_values=pv[:2])], debug=True
    )
    # Conversion errors (dtype, value range) name the context and AIR too.
    big = trace.astype(np.int64)
    big[5, 1] = sb.P
    assert message([sel, sb.AirProvingContext(0, big, public_values=pv)]).startswith(
        "AIR 'FibonacciAir' (id 0) in contexts[1]: common main trace: value 2013265921 at row 5, "
        "column 1"
    )


def test_common_main_given_to_an_air_without_one() -> None:
    engine = sb.Engine(FAST)
    kb = engine.keygen_builder()
    kb.add_air(_AllCached())
    pk = kb.generate_pk()
    column = np.array([[0], [1], [1], [0]], np.uint32)
    engine.prove(pk, [sb.AirProvingContext(0, None, cached_mains=[column])], debug=True)
    for common in (column, np.zeros((4, 0), np.uint32)):
        ctx = sb.AirProvingContext(0, common, cached_mains=[column])
        with pytest.raises(sb.InputError, match="has no common main columns"):
            engine.prove(pk, [ctx])


def test_core_validator_alone() -> None:
    """``_core.validate_prove_inputs`` takes prove's converted form and raises what prove does."""
    engine = sb.Engine(FAST)
    pk = _fib_key(engine)
    trace, pv = fibonacci_trace(8)
    pv_arr = np.asarray(pv, np.uint32)
    _core.validate_prove_inputs(pk._raw, [(0, [], trace, pv_arr)])
    bad = trace.copy()
    bad[3, 0] = sb.P + 1
    with pytest.raises(
        sb.InputError, match=r"contexts\[0\]: common main trace: value 2013265922 at row 3"
    ):
        _core.validate_prove_inputs(pk._raw, [(0, [], bad, pv_arr)])
    with pytest.raises(sb.InputError, match=r"public value 1 = 2013265921 is not a canonical"):
        _core.validate_prove_inputs(pk._raw, [(0, [], trace, np.array([0, sb.P, 0], np.uint32))])
    with pytest.raises(sb.InputError, match=r"contexts\[0\]: unknown air id -5"):
        _core.validate_prove_inputs(pk._raw, [(-5, [], trace, pv_arr)])
    with pytest.raises(sb.InputError, match=r"contexts\[0\]\.air_id: .* does not fit in 64 bits"):
        _core.validate_prove_inputs(pk._raw, [(1 << 70, [], trace, pv_arr)])
    with pytest.raises(sb.InputError, match="no AirProvingContext"):
        _core.validate_prove_inputs(pk._raw, [])


def test_huge_air_id_is_an_input_error() -> None:
    engine = sb.Engine(FAST)
    pk = _fib_key(engine)
    trace, pv = fibonacci_trace(8)
    for air_id in (1 << 40, -(1 << 40), 1 << 70):
        with pytest.raises(sb.InputError):
            engine.prove(pk, [sb.AirProvingContext(air_id, trace, public_values=pv)])
