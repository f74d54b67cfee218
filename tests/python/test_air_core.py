"""The compiled AIR core (``_core.ConstraintSystem`` and the ``air_*`` evaluators) against the
pure-Python AIR layer.

- IR bytes from ``stark_backend.air.ir`` decode in C++ and re-encode byte-identically; the C++
  and Python decoders accept and reject the same corrupted bytes.
- Quotient values equal a slow pure-Python evaluation of the DAG (unnormalized selectors,
  docs/protocol.md §5.2-5.4) on random LDE rows.
- On real LDEs of valid traces the quotient is a polynomial of degree <= n·q - q (its top
  coefficients vanish) and the out-of-domain check passes; invalid traces fail both.
- The LogUp after-challenge trace equals a direct evaluation of docs/protocol.md §7.3-7.4.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from stark_backend import _core, primitives
from stark_backend.air import Air, AirBuilder, ConstraintSystem, Node, NodeKind, compile_air
from stark_backend.air.ir import decode_constraint_system, encode_constraint_system
from stark_backend.errors import InputError, OodEvaluationMismatch, ProofFormatError
from stark_backend.examples import (
    FibonacciAir,
    FibonacciSelectorAir,
    InteractionAir,
    KeccakAir,
    RangeCheckTableAir,
    RangeRequesterAir,
    fib_selector_trace,
    fibonacci_trace,
    keccak_trace,
)

P = 2013265921
W = 11
G = 31
U32 = npt.NDArray[np.uint32]
Ext = tuple[int, int, int, int]

# --------------------------------------------------------------------------- E arithmetic


def e(x: int) -> Ext:
    return (x % P, 0, 0, 0)


def e_add(a: Ext, b: Ext) -> Ext:
    return ((a[0] + b[0]) % P, (a[1] + b[1]) % P, (a[2] + b[2]) % P, (a[3] + b[3]) % P)


def e_sub(a: Ext, b: Ext) -> Ext:
    return ((a[0] - b[0]) % P, (a[1] - b[1]) % P, (a[2] - b[2]) % P, (a[3] - b[3]) % P)


def e_mul(a: Ext, b: Ext) -> Ext:
    c = [0] * 7
    for i in range(4):
        for j in range(4):
            c[i + j] += a[i] * b[j]
    return (
        (c[0] + W * c[4]) % P,
        (c[1] + W * c[5]) % P,
        (c[2] + W * c[6]) % P,
        c[3] % P,
    )


def e_pow(a: Ext, k: int) -> Ext:
    out, base = e(1), a
    while k:
        if k & 1:
            out = e_mul(out, base)
        base = e_mul(base, base)
        k >>= 1
    return out


def e_inv(a: Ext) -> Ext:
    assert a != e(0)
    return e_pow(a, P**4 - 2)


def e_array(v: Ext | Sequence[Ext]) -> U32:
    return np.asarray(v, dtype=np.uint32)


def random_ext(rng: random.Random) -> Ext:
    return (rng.randrange(P), rng.randrange(P), rng.randrange(P), rng.randrange(P))


def rev(i: int, bits: int) -> int:
    return int(format(i, f"0{bits}b")[::-1], 2) if bits else 0


# --------------------------------------------------------------------------- helpers


def compiled(air: object, log_blowup: int = 1) -> tuple[ConstraintSystem, _core.ConstraintSystem]:
    system = compile_air(air, log_blowup).system  # type: ignore[arg-type]
    return system, _core.ConstraintSystem.from_bytes(system.to_bytes())


def lde(trace: npt.ArrayLike, log_blowup: int) -> U32:
    """The committed LDE (docs/protocol.md §4): coset g·H_N, rows in bit-reversed order."""
    natural = primitives.coset_lde(np.asarray(trace, dtype=np.uint32), log_blowup)
    bits = natural.shape[0].bit_length() - 1
    order = [rev(i, bits) for i in range(natural.shape[0])]
    return np.ascontiguousarray(natural[order])


def random_matrix(rng: np.random.Generator, height: int, width: int) -> U32:
    return rng.integers(0, P, size=(height, width), dtype=np.uint32)


def eval_fold(system: ConstraintSystem, alpha: Ext, env: dict[str, object]) -> Ext:
    """Σ_k alpha^{K-1-k} C_k by a direct walk of the DAG in E (the reference evaluator)."""
    prep = env.get("prep")
    mains = env["mains"]
    perm = env.get("perm")
    sel = env["selectors"]
    public = env["public"]
    challenges = env.get("challenges", [])
    exposed = env.get("exposed", [])
    vals: list[Ext] = []
    for node in system.nodes:
        k = node.kind
        if k == NodeKind.PREPROCESSED:
            v = prep[node.b][node.a]  # type: ignore[index]
        elif k == NodeKind.MAIN:
            v = mains[node.c][node.b][node.a]  # type: ignore[index]
        elif k == NodeKind.PERMUTATION:
            v = perm[node.b][node.a]  # type: ignore[index]
        elif k == NodeKind.PUBLIC:
            v = e(public[node.a])  # type: ignore[index]
        elif k == NodeKind.CHALLENGE:
            v = challenges[node.a]  # type: ignore[index]
        elif k == NodeKind.EXPOSED:
            v = exposed[node.a]  # type: ignore[index]
        elif k == NodeKind.CONST:
            v = e(node.a)
        elif k == NodeKind.IS_FIRST_ROW:
            v = sel[0]  # type: ignore[index]
        elif k == NodeKind.IS_LAST_ROW:
            v = sel[1]  # type: ignore[index]
        elif k == NodeKind.IS_TRANSITION:
            v = sel[2]  # type: ignore[index]
        elif k == NodeKind.ADD:
            v = e_add(vals[node.a], vals[node.b])
        elif k == NodeKind.SUB:
            v = e_sub(vals[node.a], vals[node.b])
        elif k == NodeKind.NEG:
            v = e_sub(e(0), vals[node.a])
        else:
            v = e_mul(vals[node.a], vals[node.b])
        vals.append(v)
    acc = e(0)
    for c in system.constraints:
        acc = e_add(e_mul(acc, alpha), vals[c])
    return acc


def selectors_at(x: Ext, log_n: int) -> tuple[tuple[Ext, Ext, Ext], Ext]:
    """Unnormalized (is_first_row, is_last_row, is_transition) at x, and Z_H(x)."""
    omega_inv = pow(primitives.two_adic_generator(log_n), P - 2, P)
    z = e_sub(e_pow(x, 1 << log_n), e(1))
    first = e_mul(z, e_inv(e_sub(x, e(1))))
    last = e_mul(z, e_inv(e_sub(x, e(omega_inv))))
    return (first, last, e_sub(x, e(omega_inv))), z


def ext_row(row: npt.ArrayLike) -> list[Ext]:
    return [e(int(v)) for v in np.asarray(row)]


def unflatten(row: npt.ArrayLike) -> list[Ext]:
    r = [int(v) for v in np.asarray(row)]
    return [(r[4 * j], r[4 * j + 1], r[4 * j + 2], r[4 * j + 3]) for j in range(len(r) // 4)]


def barycentric_weights(z: Ext, log_n: int, shift: int) -> list[Ext]:
    """L_j(z) for the coset shift·H_n: (z^n - s^n)·(sω^j) / (n·s^n·(z - sω^j))."""
    n = 1 << log_n
    omega = primitives.two_adic_generator(log_n)
    s_n = pow(shift, n, P)
    scale = e_mul(e_sub(e_pow(z, n), e(s_n)), e(pow(n * s_n, P - 2, P)))
    out = []
    point = shift
    for _ in range(n):
        out.append(e_mul(scale, e_mul(e(point), e_inv(e_sub(z, e(point))))))
        point = point * omega % P
    return out


def open_columns(values: npt.ArrayLike, weights: list[Ext]) -> U32:
    """Evaluations at z of the columns of ``values`` (rows = the domain in natural order), as a
    (width, 4) array of E elements: Σ_j L_j(z)·v_j, coefficient by coefficient."""
    vals = np.asarray(values, dtype=np.int64)
    w = np.asarray(weights, dtype=np.int64)  # (n, 4)
    out = np.zeros((vals.shape[1], 4), dtype=np.int64)
    for k in range(4):
        out[:, k] = ((vals * w[:, k : k + 1]) % P).sum(axis=0) % P
    return out.astype(np.uint32)


# --------------------------------------------------------------------------- example systems


def example_airs() -> list[object]:
    return [
        FibonacciAir(),
        FibonacciSelectorAir([1, 0, 1, 1]),
        InteractionAir(2, send=True),
        InteractionAir(3, send=False, cached=True),
        RangeCheckTableAir(4),
        RangeRequesterAir(3),
        KeccakAir(),
    ]


@pytest.mark.parametrize("air", example_airs(), ids=lambda a: type(a).__name__)
def test_examples_round_trip_byte_identically(air: object) -> None:
    system, cs = compiled(air)
    data = system.to_bytes()
    assert cs.to_bytes() == data
    assert cs.num_nodes == len(system.nodes)
    assert cs.num_constraints == len(system.constraints)
    assert cs.num_air_constraints == system.num_air_constraints
    assert cs.num_interactions == system.num_interactions
    assert cs.quotient_degree == system.quotient_degree
    assert cs.max_degree == system.max_degree
    assert list(cs.node_degrees) == list(system.degrees)
    assert cs.preprocessed_width == system.preprocessed_width
    assert cs.preprocessed_height == system.preprocessed_height
    assert list(cs.cached_main_widths) == list(system.cached_main_widths)
    assert cs.common_main_width == system.common_main_width
    assert cs.num_public_values == system.num_public_values
    assert cs.after_challenge_width == system.after_challenge_width
    assert [tuple(c) for c in cs.interaction_chunks] == [tuple(c) for c in system.chunks]
    assert cs == _core.ConstraintSystem.from_bytes(data)


# --------------------------------------------------------------------------- malformed bytes


def test_every_truncation_and_trailing_bytes_are_rejected() -> None:
    system, _ = compiled(RangeRequesterAir(2))
    data = system.to_bytes()
    for end in range(len(data)):
        with pytest.raises(ProofFormatError):
            _core.ConstraintSystem.from_bytes(data[:end])
    with pytest.raises(ProofFormatError, match="trailing"):
        _core.ConstraintSystem.from_bytes(data + b"\0")


def _with_node(system: ConstraintSystem, index: int, node: Node) -> bytes:
    nodes = list(system.nodes)
    nodes[index] = node
    return encode_constraint_system(dataclasses.replace(system, nodes=tuple(nodes)))


def _first(system: ConstraintSystem, kind: NodeKind) -> int:
    return next(i for i, n in enumerate(system.nodes) if n.kind == kind)


def test_malformed_nodes_are_rejected_by_both_decoders() -> None:
    fib, _ = compiled(FibonacciAir())
    inter, _ = compiled(InteractionAir(2, send=True))
    sel, _ = compiled(FibonacciSelectorAir([1, 0, 1, 1]))
    binary = _first(fib, NodeKind.SUB)
    main = _first(fib, NodeKind.MAIN)
    cases = {
        "child index not below the node": _with_node(fib, binary, Node(NodeKind.SUB, binary, 0)),
        "main column out of range": _with_node(fib, main, Node(NodeKind.MAIN, 2, 0, 0)),
        "main partition out of range": _with_node(fib, main, Node(NodeKind.MAIN, 0, 0, 2)),
        "row offset 2": _with_node(fib, main, Node(NodeKind.MAIN, 0, 2, 0)),
        "public index out of range": _with_node(
            fib, _first(fib, NodeKind.PUBLIC), Node(NodeKind.PUBLIC, 3)
        ),
        "preprocessed column out of range": _with_node(
            sel, _first(sel, NodeKind.PREPROCESSED), Node(NodeKind.PREPROCESSED, 1, 0)
        ),
        "challenge index 2": _with_node(
            inter, _first(inter, NodeKind.CHALLENGE), Node(NodeKind.CHALLENGE, 2)
        ),
        "exposed index 1": _with_node(
            inter, _first(inter, NodeKind.EXPOSED), Node(NodeKind.EXPOSED, 1)
        ),
        "permutation column out of range": _with_node(
            inter, _first(inter, NodeKind.PERMUTATION), Node(NodeKind.PERMUTATION, 2, 0)
        ),
        "challenge without interactions": _with_node(fib, 0, Node(NodeKind.CHALLENGE, 0)),
        "constant not canonical": _with_node(
            inter, _first(inter, NodeKind.CONST), Node(NodeKind.CONST, P)
        ),
    }
    for what, data in cases.items():
        with pytest.raises(ProofFormatError):
            _core.ConstraintSystem.from_bytes(data)
        with pytest.raises(ProofFormatError):
            decode_constraint_system(data)
        del what
    bad_tag = bytearray(fib.to_bytes())
    # The first node's tag follows magic, version, widths (no cached), publics and the count.
    tag_offset = 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4
    assert bad_tag[tag_offset] == int(fib.nodes[0].kind)
    bad_tag[tag_offset] = 14
    with pytest.raises(ProofFormatError, match="byte offset"):
        _core.ConstraintSystem.from_bytes(bytes(bad_tag))


def test_random_corruptions_are_judged_like_the_python_decoder() -> None:
    rng = random.Random(7)
    for air in (RangeRequesterAir(2), FibonacciSelectorAir([1, 1, 0, 1])):
        system, _ = compiled(air)
        data = system.to_bytes()
        for _ in range(300):
            mutated = bytearray(data)
            for _ in range(rng.randint(1, 3)):
                pos = rng.randrange(len(mutated))
                mutated[pos] = rng.choice([0, 1, 2, 0xFF, rng.randrange(256), mutated[pos] ^ 1])
            blob = bytes(mutated)
            try:
                decode_constraint_system(blob)
                python_ok = True
            except ProofFormatError:
                python_ok = False
            try:
                cs = _core.ConstraintSystem.from_bytes(blob)
                core_ok = True
            except ProofFormatError:
                core_ok = False
            assert python_ok == core_ok, blob.hex()
            if core_ok:
                assert cs.to_bytes() == blob


# --------------------------------------------------------------------------- quotient values


def quotient_inputs(
    system: ConstraintSystem, log_n: int, log_blowup: int, seed: int
) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    big = 1 << (log_n + log_blowup)
    prep = random_matrix(rng, big, system.preprocessed_width) if system.preprocessed_width else None
    mains = [random_matrix(rng, big, w) for w in system.main_part_widths if w]
    after = (
        random_matrix(rng, big, 4 * system.after_challenge_width)
        if system.after_challenge_width
        else None
    )
    prng = random.Random(seed)
    return {
        "prep": prep,
        "mains": mains,
        "after": after,
        "public": [prng.randrange(P) for _ in range(system.num_public_values)],
        "challenges": [random_ext(prng) for _ in range(2 if system.interactions else 0)],
        "exposed": [random_ext(prng) for _ in range(1 if system.interactions else 0)],
    }


def core_quotient(
    cs: _core.ConstraintSystem, log_blowup: int, inputs: dict[str, object], alpha: Ext
) -> U32:
    challenges = e_array(inputs["challenges"]).reshape(-1, 4)  # type: ignore[arg-type]
    exposed = e_array(inputs["exposed"]).reshape(-1, 4)  # type: ignore[arg-type]
    out: U32 = _core.air_quotient_values(
        cs,
        log_blowup,
        inputs["prep"],
        inputs["mains"],
        inputs["after"],
        inputs["public"],
        challenges,
        exposed,
        e_array(alpha),
    )
    return out


class BitsAir(Air):
    """Byte decompositions: bit compositions on either side, with and without a power shift."""

    width = 9

    def eval(self, b: AirBuilder) -> None:
        local, nxt = b.main()
        bits, value = local[:8], local[8]
        for bit in bits:
            b.assert_bool(bit)
        b.assert_eq(value, sum((bits[k] * (1 << k) for k in range(1, 8)), bits[0]))
        b.assert_eq(sum((bits[k] * (4 << k) for k in range(1, 8)), bits[0] * 4), value * 4)
        b.when_transition().assert_eq(nxt[8] - sum(nxt[k] * (8 << k) for k in range(8)), 0)


@pytest.mark.parametrize(
    "air",
    [
        BitsAir(),
        FibonacciAir(),
        FibonacciSelectorAir([1, 0, 1, 1, 0, 0, 1, 1]),
        InteractionAir(3, send=False, cached=True),
        RangeRequesterAir(3),
    ],
    ids=lambda a: type(a).__name__,
)
def test_quotient_matches_python_evaluation(air: object) -> None:
    system, cs = compiled(air)
    log_n = 3 if not system.preprocessed_height else system.preprocessed_height.bit_length() - 1
    log_blowup = 1
    q = system.quotient_degree
    inputs = quotient_inputs(system, log_n, log_blowup, seed=11)
    prng = random.Random(3)
    alpha = random_ext(prng)
    values = core_quotient(cs, log_blowup, inputs, alpha)
    assert values.shape == ((1 << log_n) * q, 4)
    domain_bits = log_n + q.bit_length() - 1
    omega = primitives.two_adic_generator(domain_bits)
    for i in [0, 1, *prng.sample(range(values.shape[0]), 4)]:
        local = rev(i, domain_bits)
        nxt = rev((i + q) % values.shape[0], domain_bits)
        x = e(G * pow(omega, i, P))
        sel, z = selectors_at(x, log_n)
        prep: U32 | None = inputs["prep"]  # type: ignore[assignment]
        after: U32 | None = inputs["after"]  # type: ignore[assignment]
        mains: list[U32] = inputs["mains"]  # type: ignore[assignment]
        env: dict[str, object] = {
            "prep": None if prep is None else [ext_row(prep[local]), ext_row(prep[nxt])],
            "mains": [[ext_row(m[local]), ext_row(m[nxt])] for m in mains],
            "perm": None if after is None else [unflatten(after[local]), unflatten(after[nxt])],
            "selectors": sel,
            "public": inputs["public"],
            "challenges": inputs["challenges"],
            "exposed": inputs["exposed"],
        }
        expect = e_mul(eval_fold(system, alpha, env), e_inv(z))
        assert tuple(int(v) for v in values[i]) == expect, f"point {i}"


def test_quotient_identical_for_every_thread_count_and_simd_level() -> None:
    system, cs = compiled(RangeRequesterAir(3))
    inputs = quotient_inputs(system, 9, 1, seed=5)
    alpha = (1, 2, 3, 4)
    saved_threads, saved_level = _core.num_threads(), _core.simd_active()
    try:
        _core.set_num_threads(1)
        _core.set_simd_level("scalar")
        reference = core_quotient(cs, 1, inputs, alpha)
        for level in ("scalar", "avx2", "avx512"):
            try:
                _core.set_simd_level(level)
            except ValueError:
                continue
            for threads in (1, 2, 3):
                _core.set_num_threads(threads)
                assert np.array_equal(core_quotient(cs, 1, inputs, alpha), reference)
    finally:
        _core.set_num_threads(saved_threads)
        _core.set_simd_level(saved_level)


# ----------------------------------------------------------------- valid and invalid traces


def top_coefficients(values: U32, q: int) -> U32:
    """The q - 1 highest coefficients of the interpolant of the quotient values (natural order
    on g·H_{nq}); zero iff deg Q <= n·q - q, as for a valid trace (docs/protocol.md §6)."""
    coeffs = np.stack([primitives.ntt(values[:, k], inverse=True) for k in range(4)], axis=1)
    return coeffs[values.shape[0] - (q - 1) :]


def ood_passes(
    system: ConstraintSystem,
    cs: _core.ConstraintSystem,
    mains: Sequence[U32],
    public: Sequence[int],
    *,
    prep: U32 | None = None,
    after: U32 | None = None,
    challenges: Sequence[Ext] = (),
    exposed: Sequence[Ext] = (),
    log_blowup: int = 1,
    values_out: list[U32] | None = None,
) -> bool:
    """Prover quotient on real LDEs, then the verifier's OOD check on openings at a random zeta."""
    n = mains[0].shape[0]
    log_n = n.bit_length() - 1
    q = system.quotient_degree
    rng = random.Random(n + q)
    alpha = random_ext(rng)
    inputs = {
        "prep": None if prep is None else lde(prep, log_blowup),
        "mains": [lde(m, log_blowup) for m in mains],
        "after": None if after is None else lde(after, log_blowup),
        "public": list(public),
        "challenges": list(challenges),
        "exposed": list(exposed),
    }
    values = core_quotient(cs, log_blowup, inputs, alpha)
    if values_out is not None:
        values_out.append(values)
    chunks = _core.air_quotient_chunks(values, q)
    zeta = random_ext(rng)
    zeta_next = e_mul(zeta, e(primitives.two_adic_generator(log_n)))
    w_local = barycentric_weights(zeta, log_n, 1)
    w_next = barycentric_weights(zeta_next, log_n, 1)
    chunk_values = np.zeros((q, 4, 4), dtype=np.uint32)
    omega_q = primitives.two_adic_generator(log_n + q.bit_length() - 1)
    for t in range(q):
        weights = barycentric_weights(zeta, log_n, G * pow(omega_q, t, P) % P)
        chunk_values[t] = open_columns(chunks[t], weights)
    kwargs: dict[str, object] = {}
    if prep is not None:
        kwargs["preprocessed_local"] = open_columns(prep, w_local)
        kwargs["preprocessed_next"] = open_columns(prep, w_next)
    if after is not None:
        kwargs["after_challenge_local"] = open_columns(after, w_local)
        kwargs["after_challenge_next"] = open_columns(after, w_next)
        kwargs["challenges"] = e_array(challenges).reshape(-1, 4)
        kwargs["exposed"] = e_array(exposed).reshape(-1, 4)
    args = (
        cs,
        log_n,
        e_array(zeta),
        [open_columns(m, w_local) for m in mains],
        [open_columns(m, w_next) for m in mains],
        list(public),
        e_array(alpha),
    )
    folded = _core.air_folded_at(*args, **kwargs)
    recombined = _core.air_recombine_quotient(log_n, q, e_array(zeta), chunk_values)
    try:
        _core.air_check_ood(*args, chunk_values, air_name=system.name, **kwargs)
    except OodEvaluationMismatch as exc:
        assert system.name in str(exc)
        _, z = selectors_at(zeta, log_n)
        assert e_mul(tuple(int(v) for v in folded), e_inv(z)) != tuple(  # type: ignore[arg-type]
            int(v) for v in recombined
        )
        return False
    return True


@pytest.mark.parametrize("log_n", [0, 1, 3, 5])
def test_fibonacci_valid_trace_passes_and_invalid_fails(log_n: int) -> None:
    system, cs = compiled(FibonacciAir())
    trace, public = fibonacci_trace(1 << log_n)
    assert ood_passes(system, cs, [trace], public)
    assert not ood_passes(system, cs, [trace], [public[0], public[1], (public[2] + 1) % P])
    if log_n:
        bad = trace.copy()
        bad[(1 << log_n) // 2, 0] += 1
        assert not ood_passes(system, cs, [bad], public)


def test_preprocessed_selector_trace_passes() -> None:
    selectors = [1, 0, 1, 1, 0, 1, 1, 0]
    system, cs = compiled(FibonacciSelectorAir(selectors))
    trace, public = fib_selector_trace(selectors)
    prep = np.asarray(selectors, dtype=np.uint32).reshape(-1, 1)
    assert ood_passes(system, cs, [trace], public, prep=prep)
    assert not ood_passes(system, cs, [trace], public, prep=1 - prep)


def test_keccak_quotient_has_low_degree_for_valid_traces_only() -> None:
    system, cs = compiled(KeccakAir())
    assert system.quotient_degree == 2
    rng = np.random.default_rng(0)
    trace = keccak_trace(rng.integers(0, 1 << 63, size=(1, 25), dtype=np.uint64))
    values: list[U32] = []
    assert ood_passes(system, cs, [trace], [], values_out=values)
    assert not top_coefficients(values[0], 2).any()
    bad = trace.copy()
    bad[5, 500] ^= 1  # a bit of A' in round 5
    values.clear()
    assert not ood_passes(system, cs, [bad], [], values_out=values)
    assert top_coefficients(values[0], 2).any()


# --------------------------------------------------------------------------- LogUp


def logup_reference(
    system: ConstraintSystem, mains: Sequence[U32], alpha: Ext, beta: Ext
) -> tuple[list[list[int]], Ext]:
    """docs/protocol.md §7.3-7.4 row by row, with the DAG evaluated over F per row."""
    n = mains[0].shape[0]
    rows: list[list[int]] = []
    phi = e(0)
    for r in range(n):
        nxt = (r + 1) % n
        vals: list[int] = []
        for node in system.nodes:
            k = node.kind
            if k == NodeKind.MAIN:
                vals.append(int(mains[node.c][nxt if node.b else r, node.a]))
            elif k == NodeKind.CONST:
                vals.append(node.a)
            elif k == NodeKind.ADD:
                vals.append((vals[node.a] + vals[node.b]) % P)
            elif k == NodeKind.SUB:
                vals.append((vals[node.a] - vals[node.b]) % P)
            elif k == NodeKind.NEG:
                vals.append(-vals[node.a] % P)
            elif k == NodeKind.MUL:
                vals.append(vals[node.a] * vals[node.b] % P)
            else:
                vals.append(0)  # not reachable from interactions
        row: list[int] = []
        for chunk in system.chunks:
            s = e(0)
            for i in chunk:
                it = system.interactions[i]
                d, power = alpha, e(1)
                for f in it.fields:
                    d = e_add(d, e_mul(power, e(vals[f])))
                    power = e_mul(power, beta)
                d = e_add(d, e_mul(power, e(it.bus + 1)))
                s = e_add(s, e_mul(e(vals[it.count]), e_inv(d)))
            row.extend(s)
            phi = e_add(phi, s)
        row.extend(phi)
        rows.append(row)
    return rows, phi


def test_after_challenge_trace_matches_reference_and_satisfies_the_constraints() -> None:
    air = RangeRequesterAir(3)
    system, cs = compiled(air)
    rng = np.random.default_rng(4)
    trace = rng.integers(0, 16, size=(16, 3), dtype=np.uint32)
    prng = random.Random(9)
    alpha, beta = random_ext(prng), random_ext(prng)
    flat, cumulative = _core.air_after_challenge_trace(
        cs, None, [trace], [], e_array(alpha), e_array(beta)
    )
    rows, phi = logup_reference(system, [trace], alpha, beta)
    assert flat.tolist() == rows
    assert tuple(int(v) for v in cumulative) == phi
    values: list[U32] = []
    common = {"after": flat, "challenges": [alpha, beta], "log_blowup": 1}
    assert ood_passes(system, cs, [trace], [], exposed=[phi], values_out=values, **common)  # type: ignore[arg-type]
    assert not top_coefficients(values[0], system.quotient_degree).any()
    wrong_sum = e_add(phi, e(1))
    assert not ood_passes(system, cs, [trace], [], exposed=[wrong_sum], **common)  # type: ignore[arg-type]
    bad = flat.copy()
    bad[3, 1] = (int(bad[3, 1]) + 1) % P
    values.clear()
    assert not ood_passes(
        system,
        cs,
        [trace],
        [],
        after=bad,
        challenges=[alpha, beta],
        exposed=[phi],
        values_out=values,
    )
    assert top_coefficients(values[0], system.quotient_degree).any()


def test_after_challenge_trace_of_a_cached_partition_sender() -> None:
    air = InteractionAir(2, send=True, cached=True)
    system, cs = compiled(air)
    rng = np.random.default_rng(2)
    full = np.concatenate(
        [rng.integers(0, P, size=(8, 2)), rng.integers(0, 5, size=(8, 1))], axis=1
    ).astype(np.uint32)
    parts = air.partitions(full)
    prng = random.Random(1)
    alpha, beta = random_ext(prng), random_ext(prng)
    flat, cumulative = _core.air_after_challenge_trace(
        cs, None, parts, [], e_array(alpha), e_array(beta)
    )
    rows, phi = logup_reference(system, parts, alpha, beta)
    assert flat.tolist() == rows
    assert tuple(int(v) for v in cumulative) == phi


def test_zero_denominator_is_reported_at_its_row_and_interaction() -> None:
    air = RangeRequesterAir(2)
    system, cs = compiled(air)
    trace = np.arange(32, dtype=np.uint32).reshape(16, 2)  # all values distinct
    beta = (5, 6, 7, 8)
    bus = system.interactions[0].bus
    # d_0(r) = alpha + v + β·(bus + 1) vanishes for the value at row 5, column 0 (= interaction 0).
    alpha = e_sub(e(0), e_add(e(int(trace[5, 0])), e_mul(beta, e(bus + 1))))
    # A typed error (before: a bare RuntimeError): the prover cannot go on with these challenges.
    with pytest.raises(
        InputError, match=r"LogUp denominator is zero at row 5, interaction 0 \(bus"
    ):
        _core.air_after_challenge_trace(cs, None, [trace], [], e_array(alpha), e_array(beta))
