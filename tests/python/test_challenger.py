"""Challenger bindings against a pure-Python model of docs/protocol.md §3 (duplex sponge, sampling,
proof-of-work), built on the reference permutation of ``reference_model``."""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest

import reference_model as ref
from stark_backend import _core
from stark_backend.errors import InputError

P = 2013265921


def perm(state):
    return [int(x) for x in ref.permute([int(v) for v in state])]


class ModelChallenger:
    """docs/protocol.md §3 written out literally."""

    def __init__(self):
        self.s = [0] * 16
        self.ib: list[int] = []
        self.ob: list[int] = []

    def duplex(self):
        for j, v in enumerate(self.ib):
            self.s[j] = v
        self.ib = []
        self.s = perm(self.s)
        self.ob = self.s[:8]

    def observe(self, v):
        self.ob = []
        self.ib.append(v)
        if len(self.ib) == 8:
            self.duplex()

    def sample(self):
        if self.ib or not self.ob:
            self.duplex()
        return self.ob.pop()

    def sample_ext(self):
        return tuple(self.sample() for _ in range(4))

    def sample_bits(self, bits):
        return self.sample() % (1 << bits)

    def check_witness(self, bits, w):
        if bits == 0:
            return True
        self.observe(w)
        return self.sample_bits(bits) == 0

    def clone(self):
        c = ModelChallenger()
        c.s, c.ib, c.ob = list(self.s), list(self.ib), list(self.ob)
        return c


def assert_same_state(ch, model):
    assert ch.state == model.s
    assert ch.input_buffer == model.ib
    assert ch.output_buffer == model.ob


def test_fresh_samples_pop_from_the_end():
    ch = _core.Challenger()
    s1 = perm([0] * 16)
    assert [ch.sample() for _ in range(8)] == s1[7::-1]
    assert ch.sample() == perm(s1)[7]  # empty input buffer: plain re-permutation


def test_eighth_observe_duplexes_and_next_sample_does_not_permute():
    ch = _core.Challenger()
    for v in range(100, 108):
        ch.observe(v)
    assert ch.input_buffer == []
    s1 = perm(list(range(100, 108)) + [0] * 8)
    assert ch.output_buffer == s1[:8]
    assert ch.sample() == s1[7]


def test_sample_ext_order_and_third_repermutes():
    ch = _core.Challenger()
    ch.observe(1)
    s1 = perm([1] + [0] * 15)
    assert ch.sample_ext() == (s1[7], s1[6], s1[5], s1[4])
    assert ch.sample_ext() == (s1[3], s1[2], s1[1], s1[0])
    s2 = perm(s1)
    assert ch.sample_ext() == (s2[7], s2[6], s2[5], s2[4])


def test_observe_after_samples_overwrites_front_only():
    ch = _core.Challenger()
    ch.observe(5)
    s1 = perm([5] + [0] * 15)
    assert ch.sample() == s1[7]
    ch.observe(9)
    assert ch.sample() == perm([9, *s1[1:]])[7]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_interleavings_match_model(seed):
    rnd = random.Random(seed)
    ch = _core.Challenger()
    model = ModelChallenger()
    for _ in range(120):
        op = rnd.choice(["observe", "observe", "many", "digest", "ext", "sample", "ext_s", "bits"])
        if op == "observe":
            v = rnd.randrange(P)
            ch.observe(v)
            model.observe(v)
        elif op == "many":
            vals = [rnd.randrange(P) for _ in range(rnd.randrange(0, 20))]
            ch.observe_many(np.array(vals, dtype=np.uint32))
            for v in vals:
                model.observe(v)
        elif op == "digest":
            d = [rnd.randrange(P) for _ in range(8)]
            ch.observe_digest(np.array(d, dtype=np.uint32))
            for v in d:
                model.observe(v)
        elif op == "ext":
            e = [rnd.randrange(P) for _ in range(4)]
            ch.observe_ext(e)
            for v in e:
                model.observe(v)
        elif op == "sample":
            assert ch.sample() == model.sample()
        elif op == "ext_s":
            assert ch.sample_ext() == model.sample_ext()
        else:
            bits = rnd.randrange(0, 31)
            assert ch.sample_bits(bits) == model.sample_bits(bits)
        assert_same_state(ch, model)


@pytest.mark.parametrize("pending", range(8))
@pytest.mark.parametrize("bits", [1, 4, 6, 8])
def test_grind_returns_smallest_witness(pending, bits):
    ch = _core.Challenger()
    model = ModelChallenger()
    for i in range(8 + pending):  # one full block, then `pending` buffered observations
        v = (1000 * bits + 7 * i) % P
        ch.observe(v)
        model.observe(v)
    assert len(ch.input_buffer) == pending
    before = ch.copy()
    w = ch.grind(bits)
    # every smaller candidate fails, w passes (brute force on the model)
    for cand in range(w):
        assert not model.clone().check_witness(bits, cand)
    assert model.check_witness(bits, w)
    assert_same_state(ch, model)
    # a verifier replaying check_witness ends in the same state
    verifier = before.copy()
    assert verifier.check_witness(bits, w)
    assert verifier == ch
    assert verifier.sample() == ch.sample()


def test_grind_same_witness_for_every_thread_count():
    base = _core.Challenger()
    base.observe_many(np.arange(3, dtype=np.uint32))
    saved = _core.num_threads()
    found = []
    states = []
    try:
        for n in (1, 2, 3):
            _core.set_num_threads(n)
            c = base.copy()
            found.append(c.grind(12))
            states.append(c.state)
    finally:
        _core.set_num_threads(saved)
    assert found[0] == found[1] == found[2]
    assert states[0] == states[1] == states[2]


def test_zero_bits_observes_nothing():
    ch = _core.Challenger()
    ch.observe(17)
    before = ch.copy()
    assert ch.grind(0) == 0
    assert ch == before
    assert ch.check_witness(0, 123)
    assert ch == before


def test_non_canonical_witness_is_rejected():
    ch = _core.Challenger()
    before = ch.copy()
    assert not ch.check_witness(4, P)
    assert not ch.check_witness(4, 2**40)
    assert not ch.check_witness(4, -1)
    assert ch == before


def test_copies_are_independent():
    a = _core.Challenger()
    a.observe(3)
    b = a.copy()
    c = copy.copy(a)
    d = copy.deepcopy(a)
    assert a.sample() == b.sample() == c.sample() == d.sample()
    a.observe(4)
    b.observe(5)
    assert a.sample() != b.sample()


def test_bad_input_raises_input_error():
    ch = _core.Challenger()
    for bad in (P, -1, 2**64, "1", 1.0, True):
        with pytest.raises(InputError, match="value"):
            ch.observe(bad)
    with pytest.raises(InputError, match="values"):
        ch.observe_many(np.array([1, P], dtype=np.uint32))
    with pytest.raises(InputError, match="values"):
        ch.observe_many(np.zeros((2, 2), dtype=np.uint32))
    with pytest.raises(InputError, match="digest"):
        ch.observe_digest(np.zeros(7, dtype=np.uint32))
    with pytest.raises(InputError, match="value"):
        ch.observe_ext([1, 2, 3])
    with pytest.raises(InputError, match="value"):
        ch.observe_ext([1, 2, 3, P])
    assert ch == _core.Challenger()  # nothing was observed
    for bad_bits in (31, -1, 100):
        with pytest.raises(InputError, match="bits"):
            ch.sample_bits(bad_bits)
        with pytest.raises(InputError, match="bits"):
            ch.grind(bad_bits)
        with pytest.raises(InputError, match="bits"):
            ch.check_witness(bad_bits, 0)


def test_numpy_integers_are_accepted():
    a = _core.Challenger()
    b = _core.Challenger()
    a.observe(np.uint32(5))
    a.observe_digest([np.int64(i) for i in range(8)])
    b.observe(5)
    b.observe_digest(list(range(8)))
    assert a == b
