"""Reliability campaign: malformed proofs, keys and inputs must raise ``sb.StarkError`` only.

Run as a new user would, against the installed package:

    python scripts/reliability_campaign.py                 # default sizes (a minute or two)
    python scripts/reliability_campaign.py --proof-mutants 200000 --key-mutants 6000
    python scripts/reliability_campaign.py --all-offsets   # every byte offset of every object

Three parts:

- **proof mutants**: byte flips, byte overwrites, u32 overwrites of every length / id / height
  field, truncations at every section boundary, insertions, deletions and random extensions of
  the bytes of a small multi-AIR proof (interactions on two buses, cached and preprocessed
  partitions, public values). Each goes through ``Proof.from_bytes``, the proof's properties and
  ``Engine.verify``;
- **key mutants**: the same over the verifying and proving key bytes, both raw and *resealed*
  (the key's ``pre_hash`` recomputed after the mutation, as someone crafting a key would, so
  that the decoder's semantic checks are reached). Each decoded mutant has every property read,
  its constraint systems decoded, then verifies the original proof and proves the original
  traces;
- **bad inputs**: every public entry point called with wrong types, shapes and values
  (:func:`bad_input_cases`).

An outcome is *typed* when the call succeeds or raises a ``sb.StarkError`` subclass; anything
else (``TypeError``, ``UnicodeDecodeError``, ``RuntimeError``, a crash...) is *untyped* and is
listed with the mutant, the exception and the line that raised it. A proof mutant that differs
from the original bytes and still verifies is listed as *accepted* (a soundness failure). The
exit status is 1 when anything untyped or accepted was found. ``tests/python/test_reliability.py``
runs a small, fixed sample of the same campaign.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import os
import pickle
import struct
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

import stark_backend as sb
from stark_backend import _core
from stark_backend.examples import (
    FibonacciAir,
    InteractionAir,
    RangeCheckTableAir,
    RangeRequesterAir,
    fibonacci_trace,
    interaction_pair_traces,
    range_check_traces,
)

__all__ = [
    "Fixture",
    "Mutant",
    "Outcome",
    "bad_input_cases",
    "key_mutants",
    "make_fixture",
    "proof_mutants",
    "proof_sections",
    "reseal_vk",
    "run_call",
    "try_key_mutant",
    "try_proof_mutant",
    "vk_sections",
]

# Small and fast: 2 FRI queries, no FRI proof-of-work (the LogUp and DEEP PoW bits are fixed by
# the protocol). Proving takes a few tens of milliseconds, verifying about one.
PARAMS = sb.FriParameters(1, 0, 2, 0, 0)

# Values written over a u32 field: boundaries of the field, of the encodings and of p.
U32_EXTREMES = (0, 1, 2, 3, 0x7F, 0xFF, 0x100, 0xFFFF, 0x7FFFFFFF, 0x80000000, sb.P - 1, sb.P)
U32_EXTREMES += (0xFFFFFFFE, 0xFFFFFFFF)


# -- the fixture ------------------------------------------------------------------------------


@dataclasses.dataclass
class Fixture:
    """A keyed multi-AIR system, its traces and one valid proof (all bytes canonical)."""

    engine: sb.Engine
    pk: sb.ProvingKey
    contexts: list[sb.AirProvingContext]
    proof: sb.Proof
    vk_bytes: bytes
    pk_bytes: bytes
    proof_bytes: bytes


def make_fixture() -> Fixture:
    """Fibonacci (public values), a range-check table (preprocessed) and its requester (lookup
    bus), and a sender / receiver pair with cached partitions (permutation bus)."""
    engine = sb.Engine(PARAMS, device="cpu")
    rng = np.random.default_rng(2024)
    kb = engine.keygen_builder()
    fib_id = kb.add_air(FibonacciAir())
    table_id = kb.add_air(RangeCheckTableAir(2))
    req_id = kb.add_air(RangeRequesterAir(2))
    sender = InteractionAir(2, send=True, bus_index=3, cached=True)
    receiver = InteractionAir(2, send=False, bus_index=3, cached=True)
    send_id = kb.add_air(sender)
    recv_id = kb.add_air(receiver)
    pk = kb.generate_pk()
    fib, fib_pv = fibonacci_trace(8)
    requests, mults = range_check_traces(rng.integers(0, 4, size=(4, 2)), 2)
    snd, rcv = interaction_pair_traces(4, 2, cached=True, seed=7)
    s_parts = sender.partitions(snd)
    r_parts = receiver.partitions(rcv)
    contexts = [
        sb.AirProvingContext(fib_id, fib, public_values=fib_pv),
        sb.AirProvingContext(table_id, mults),
        sb.AirProvingContext(req_id, requests),
        sb.AirProvingContext(send_id, s_parts[-1], cached_mains=s_parts[:-1]),
        sb.AirProvingContext(recv_id, r_parts[-1], cached_mains=r_parts[:-1]),
    ]
    proof = engine.prove(pk, contexts)
    engine.verify(pk.vk, proof)
    return Fixture(engine, pk, contexts, proof, pk.vk.to_bytes(), pk.to_bytes(), proof.to_bytes())


# -- byte layouts: where the sections and the u32 fields are ----------------------------------


@dataclasses.dataclass
class Layout:
    """Offsets of the section starts (``sections``: (offset, name)) and of every u32 count, id,
    height or flag (``u32_fields``) of an encoded object; ``end`` is its length."""

    sections: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    u32_fields: list[int] = dataclasses.field(default_factory=list)
    end: int = 0


class _Cursor:
    def __init__(self, data: bytes, layout: Layout, pos: int = 0) -> None:
        self.data = data
        self.layout = layout
        self.pos = pos

    def section(self, name: str) -> None:
        self.layout.sections.append((self.pos, name))

    def u32(self) -> int:
        self.layout.u32_fields.append(self.pos)
        (v,) = struct.unpack_from("<I", self.data, self.pos)
        self.pos += 4
        return int(v)

    def u8(self) -> int:
        v = self.data[self.pos]
        self.pos += 1
        return int(v)

    def skip(self, n: int) -> None:
        self.pos += n


def proof_sections(data: bytes) -> Layout:
    """Parse a proof's bytes (``docs/protocol.md``, proof encoding) into its sections."""
    out = Layout()
    c = _Cursor(data, out)
    c.section("magic")
    c.skip(4)
    c.section("version")
    c.u32()
    c.section("configuration")
    c.u32()
    c.section("per-AIR data")
    for a in range(c.u32()):
        c.section(f"AIR entry {a}")
        c.u32()  # air id
        c.u32()  # log height or height
        c.section(f"AIR entry {a}: public values")
        c.skip(4 * c.u32())
        c.section(f"AIR entry {a}: exposed values")
        c.skip(16 * c.u32())
    c.section("main commitments")
    c.skip(32 * c.u32())
    c.section("after-challenge commitments")
    c.skip(32 * c.u32())
    c.section("quotient commitment")
    c.skip(32)
    c.section("LogUp PoW witness")
    if c.u8():
        c.skip(4)
    c.section("DEEP PoW witness")
    c.skip(4)

    def pair() -> None:
        c.skip(32 * c.u32())

    c.section("opened preprocessed")
    for _ in range(c.u32()):
        pair()
    for name in ("opened main", "opened after-challenge"):
        c.section(name)
        for _ in range(c.u32()):
            for _ in range(c.u32()):
                pair()
    c.section("opened quotient")
    for _ in range(c.u32()):
        for _ in range(c.u32()):
            c.skip(16 * c.u32())
    c.section("FRI commitments")
    c.skip(32 * c.u32())
    c.section("FRI commit PoW witnesses")
    c.skip(4 * c.u32())
    c.section("FRI final polynomial")
    c.skip(16 * c.u32())
    c.section("FRI query PoW witness")
    c.skip(4)
    c.section("FRI queries")
    for q in range(c.u32()):
        c.section(f"FRI query {q}")
        for _ in range(c.u32()):
            for _ in range(c.u32()):
                c.skip(4 * c.u32())
            c.skip(32 * c.u32())
        c.section(f"FRI query {q}: fold steps")
        for _ in range(c.u32()):
            c.skip(16)
            c.skip(32 * c.u32())
    out.end = c.pos
    if out.end != len(data):
        raise AssertionError(f"proof layout parsed {out.end} of {len(data)} bytes")
    return out


def vk_sections(data: bytes, cs_lengths: Sequence[int], base: int = 0) -> Layout:
    """Parse the verifying key that starts at byte ``base`` of ``data`` (``base`` > 0: a VK inside
    a PK); ``cs_lengths`` is the byte length of each AIR's constraint system (from the valid
    key). Offsets are offsets into ``data``."""
    out = Layout()
    c = _Cursor(data, out, base)
    c.section("vk magic")
    c.skip(4)
    c.section("vk version")
    c.u32()
    c.section("vk configuration")
    c.u32()
    c.section("FRI parameters")
    for _ in range(5):
        c.u32()
    c.section("PoW bits")
    c.u32()
    c.u32()
    c.section("AIR count")
    num_airs = c.u32()
    for a in range(num_airs):
        c.section(f"AIR {a}: name")
        c.skip(c.u32())
        c.section(f"AIR {a}: preprocessed flag")
        if c.u8():
            c.section(f"AIR {a}: preprocessed commitment")
            c.skip(32)
            c.u32()
        c.section(f"AIR {a}: constraint system")
        cs_start = c.pos
        c.skip(8)  # IR magic, version
        for _ in range(3):
            c.u32()  # preprocessed width and height, cached count
        c.pos = cs_start + cs_lengths[a]
    c.section("trace-height constraints")
    for _ in range(c.u32()):
        c.skip(4 * c.u32())
        c.skip(8)
    c.section("pre_hash")
    c.skip(32)
    out.end = c.pos - base
    return out


def pk_sections(fixture: Fixture) -> Layout:
    """The proving key's sections: header, the embedded VK's sections, preprocessed traces."""
    out = Layout()
    c = _Cursor(fixture.pk_bytes, out)
    c.section("pk magic")
    c.skip(4)
    c.section("pk version")
    c.u32()
    c.section("vk length")
    vk_len = c.u32()
    inner = vk_sections(fixture.pk_bytes, _cs_lengths(fixture.pk.vk), base=c.pos)
    out.sections += inner.sections
    out.u32_fields += inner.u32_fields
    c.skip(vk_len)
    c.section("preprocessed traces")
    out.end = len(fixture.pk_bytes)
    return out


def _cs_lengths(vk: sb.VerifyingKey) -> list[int]:
    return [len(bytes(cs)) for cs in vk._raw.constraint_systems]


def reseal_vk(vk_body_and_hash: bytes, log_blowup: int) -> bytes:
    """Replace the trailing ``pre_hash`` (8 u32) by the hash of the bytes before it, computed as
    the core does (``docs/protocol.md``: sponge of the bytes, then ``log_blowup``
    self-compressions), so that a mutated key passes the hash check and reaches the decoder's
    semantic checks."""
    body = vk_body_and_hash[:-32] if len(vk_body_and_hash) >= 32 else vk_body_and_hash
    node = _core.hash_sponge(np.frombuffer(body, dtype=np.uint8).astype(np.uint32))
    for _ in range(log_blowup):
        node = _core.compress(node, node)
    return body + np.asarray(node, dtype="<u4").tobytes()


def reseal_pk(pk_bytes: bytes, vk_len_at: int, new_vk: bytes, old_vk_len: int) -> bytes:
    """A PK with its embedded VK replaced by ``new_vk`` (the length prefix updated)."""
    return (
        pk_bytes[:vk_len_at]
        + struct.pack("<I", len(new_vk))
        + new_vk
        + pk_bytes[vk_len_at + 4 + old_vk_len :]
    )


# -- mutants ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Mutant:
    """Mutated bytes and how they were made (for the report)."""

    description: str
    data: bytes


def _flip(data: bytes, off: int, mask: int) -> bytes:
    b = bytearray(data)
    b[off] ^= mask
    return bytes(b)


def _set_u32(data: bytes, off: int, value: int) -> bytes:
    b = bytearray(data)
    struct.pack_into("<I", b, off, value & 0xFFFFFFFF)
    return bytes(b)


def byte_mutants(
    data: bytes,
    layout: Layout,
    rng: np.random.Generator,
    count: int,
    *,
    all_offsets: bool = False,
    offsets: Sequence[int] | None = None,
) -> Iterator[Mutant]:
    """Structured mutants first (every section boundary: truncation, insertion, deletion; every
    u32 field: extreme values and +-1), then byte flips at ``offsets`` (every offset when
    ``all_offsets``), then ``count`` random ones (flips, overwrites, insertions, deletions,
    truncations and extensions at random offsets). Mutants equal to ``data`` are skipped."""
    for m in _byte_mutants(data, layout, rng, count, all_offsets, offsets):
        if m.data != data:
            yield m


def _byte_mutants(
    data: bytes,
    layout: Layout,
    rng: np.random.Generator,
    count: int,
    all_offsets: bool,
    offsets: Sequence[int] | None,
) -> Iterator[Mutant]:
    n = len(data)
    boundaries = sorted({off for off, _ in layout.sections} | {n})
    names = dict(layout.sections)

    def where(off: int) -> str:
        start = max((b for b in names if b <= off), default=0)
        return f"byte {off} ({names.get(start, 'end')})"

    for off in boundaries:
        yield Mutant(f"truncated at {where(off)}", data[:off])
        if off:
            yield Mutant(f"truncated one byte before {where(off)}", data[: off - 1])
        yield Mutant(f"zero byte inserted at {where(off)}", data[:off] + b"\0" + data[off:])
        yield Mutant(
            f"u32 0xFFFFFFFF inserted at {where(off)}", data[:off] + b"\xff" * 4 + data[off:]
        )
        if off < n:
            yield Mutant(f"4 bytes deleted at {where(off)}", data[:off] + data[off + 4 :])
    for off in layout.u32_fields:
        (v,) = struct.unpack_from("<I", data, off)
        for value in (*U32_EXTREMES, v + 1, v - 1, v * 2):
            if value & 0xFFFFFFFF != v:
                yield Mutant(
                    f"u32 at {where(off)} set to {value & 0xFFFFFFFF}", _set_u32(data, off, value)
                )
    flip_offsets: Sequence[int]
    if all_offsets:
        flip_offsets = range(n)
    elif offsets is not None:
        flip_offsets = offsets
    else:
        flip_offsets = []
    for off in flip_offsets:
        mask = int(rng.integers(1, 256))
        yield Mutant(f"byte at {where(off)} xor {mask:#04x}", _flip(data, off, mask))
    for _ in range(count):
        kind = int(rng.integers(0, 8))
        off = int(rng.integers(0, n))
        if kind <= 2:
            mask = 1 << int(rng.integers(0, 8)) if kind == 0 else int(rng.integers(1, 256))
            yield Mutant(f"byte at {where(off)} xor {mask:#04x}", _flip(data, off, mask))
        elif kind == 3:
            value = int(rng.choice([0x00, 0xFF, 0x80, 0x7F]))
            if data[off] != value:
                b = bytearray(data)
                b[off] = value
                yield Mutant(f"byte at {where(off)} set to {value:#04x}", bytes(b))
        elif kind == 4:
            extra = rng.integers(0, 256, size=int(rng.integers(1, 9)), dtype=np.uint8).tobytes()
            yield Mutant(
                f"{len(extra)} random bytes inserted at {where(off)}",
                data[:off] + extra + data[off:],
            )
        elif kind == 5:
            k = int(rng.integers(1, 9))
            yield Mutant(f"{k} bytes deleted at {where(off)}", data[:off] + data[off + k :])
        elif kind == 6:
            yield Mutant(f"truncated at {where(off)}", data[:off])
        else:
            extra = rng.integers(0, 256, size=int(rng.integers(1, 65)), dtype=np.uint8).tobytes()
            yield Mutant(f"{len(extra)} random bytes appended", data + extra)


def proof_mutants(
    fixture: Fixture,
    count: int,
    seed: int,
    *,
    all_offsets: bool = False,
    flips_per_section: int = 0,
) -> Iterator[Mutant]:
    """Mutants of the fixture's proof bytes (see :func:`byte_mutants`); ``flips_per_section``
    adds single-byte flips at that many sampled offsets of every section."""
    data = fixture.proof_bytes
    layout = proof_sections(data)
    rng = np.random.default_rng(seed)
    yield from byte_mutants(
        data,
        layout,
        rng,
        count,
        all_offsets=all_offsets,
        offsets=_sampled_offsets(layout, flips_per_section, rng),
    )


def _sampled_offsets(layout: Layout, per_section: int, rng: np.random.Generator) -> list[int]:
    bounds = sorted({off for off, _ in layout.sections} | {layout.end})
    picks: list[int] = []
    for lo, hi in itertools.pairwise(bounds):
        if hi > lo and per_section:
            picks += sorted(
                set(rng.integers(lo, hi, size=min(per_section, hi - lo)).tolist()) | {lo, hi - 1}
            )
    return picks


def key_mutants(
    fixture: Fixture,
    count: int,
    seed: int,
    *,
    all_offsets: bool = False,
    flips_per_section: int = 0,
) -> Iterator[tuple[str, Mutant]]:
    """``("vk" | "pk", mutant)``: raw byte mutants of both keys, then resealed VK mutants (alone
    and inside the PK) for every structured and ``count`` random mutations of the VK body."""
    rng = np.random.default_rng(seed)
    vk_layout = vk_sections(fixture.vk_bytes, _cs_lengths(fixture.pk.vk))
    pk_layout = pk_sections(fixture)
    half = count // 2
    flips_vk = _sampled_offsets(vk_layout, flips_per_section, rng)
    flips_pk = _sampled_offsets(pk_layout, flips_per_section, rng)
    for m in byte_mutants(
        fixture.vk_bytes, vk_layout, rng, half // 2, all_offsets=all_offsets, offsets=flips_vk
    ):
        yield "vk", m
    for m in byte_mutants(
        fixture.pk_bytes,
        pk_layout,
        rng,
        half - half // 2,
        all_offsets=all_offsets,
        offsets=flips_pk,
    ):
        yield "pk", m
    log_blowup = fixture.engine.fri_params.log_blowup
    vk_len_at = 8
    # The body without pre_hash: resealing recomputes the hash over whatever precedes it.
    body_layout = Layout(
        [(o, s) for o, s in vk_layout.sections if o < len(fixture.vk_bytes) - 32],
        [o for o in vk_layout.u32_fields if o < len(fixture.vk_bytes) - 32],
        len(fixture.vk_bytes) - 32,
    )
    body = fixture.vk_bytes[:-32]
    for i, m in enumerate(
        byte_mutants(
            body,
            body_layout,
            rng,
            count - half,
            all_offsets=all_offsets,
            offsets=[o for o in flips_vk if o < len(body)],
        )
    ):
        sealed = reseal_vk(m.data + b"\0" * 32, log_blowup)
        desc = f"resealed vk: {m.description}"
        if i % 2 == 0:
            yield "vk", Mutant(desc, sealed)
        else:
            yield (
                "pk",
                Mutant(
                    f"pk with {desc}",
                    reseal_pk(fixture.pk_bytes, vk_len_at, sealed, len(fixture.vk_bytes)),
                ),
            )
    for name_byte in (0xFF, 0xC0, 0x80, 0xED):
        yield (
            "vk",
            Mutant(
                f"resealed vk: AIR 0 name starts with byte {name_byte:#04x}",
                reseal_vk(_with_name_byte(fixture.vk_bytes, name_byte), log_blowup),
            ),
        )


def _with_name_byte(vk_bytes: bytes, value: int) -> bytes:
    # magic, version, configuration, 5 FRI u32, 2 PoW u32, AIR count, then AIR 0's name length
    # and bytes.
    at = 4 + 4 + 4 + 20 + 8 + 4 + 4
    b = bytearray(vk_bytes)
    b[at] = value
    return bytes(b)


# -- running a call and classifying its outcome -----------------------------------------------


@dataclasses.dataclass(frozen=True)
class Outcome:
    """``kind``: ``"ok"``, ``"typed"`` (a StarkError) or ``"untyped"``; ``error``: the exception
    class name; ``message``; ``where``: ``file:line`` of the frame that raised it."""

    kind: str
    error: str = ""
    message: str = ""
    where: str = ""

    def __str__(self) -> str:
        if self.kind == "ok":
            return "ok"
        return f"{self.error}: {self.message} [{self.where}]"


def run_call(fn: Callable[[], Any]) -> Outcome:
    """Call ``fn`` and classify what happened (only ``Exception``s are caught: a crash or a hang
    is the campaign's own failure)."""
    try:
        fn()
    except sb.StarkError as exc:
        return Outcome("typed", type(exc).__name__, str(exc))
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        last = frames[-1] if frames else None
        where = f"{last.filename}:{last.lineno} ({last.line})" if last else "?"
        return Outcome("untyped", type(exc).__name__, str(exc), where)
    return Outcome("ok")


def try_proof_mutant(fixture: Fixture, data: bytes) -> tuple[Outcome, bool]:
    """Decode and verify mutated proof bytes; ``(first non-ok outcome or ok, accepted)`` where
    ``accepted`` means the mutant differs from the valid proof and still verified."""
    state: dict[str, Any] = {}

    def decode() -> None:
        state["proof"] = sb.Proof.from_bytes(data)

    out = run_call(decode)
    if out.kind != "ok":
        return out, False
    proof: sb.Proof = state["proof"]

    def inspect() -> None:
        _ = (proof.air_ids, proof.trace_heights, proof.public_values, len(proof), repr(proof))
        if proof.to_bytes() != data:
            raise AssertionError("a decoded proof re-encodes to other bytes")

    out = run_call(inspect)
    if out.kind != "ok":
        return out, False
    out = run_call(lambda: fixture.engine.verify(fixture.pk.vk, proof))
    return out, out.kind == "ok" and data != fixture.proof_bytes


def _touch_vk(vk: sb.VerifyingKey) -> None:
    _ = (
        vk.fri_params,
        vk.num_airs,
        vk.air_names,
        vk.main_widths,
        vk.total_widths,
        vk.num_interactions,
        vk.num_public_values,
        vk.cached_main_widths,
        vk.common_main_widths,
        vk.preprocessed_widths,
        vk.preprocessed_heights,
        vk.quotient_degrees,
        vk.trace_height_constraints,
        vk.pre_hash,
        repr(vk),
        hash(vk),
        vk == vk,
    )
    for cs in vk.constraint_systems():
        _ = (cs.constraint_strs, cs.max_degree, cs.total_width)
    pickle.loads(pickle.dumps(vk))


def try_key_mutant(fixture: Fixture, which: str, data: bytes) -> Outcome:
    """Decode a mutated key; if it decodes, read everything it offers, verify the valid proof
    with it and prove the valid traces with it (a PK). The first non-ok outcome is returned
    (a rejected proof is typed: the key changed)."""
    state: dict[str, Any] = {}

    def decode() -> None:
        if which == "vk":
            state["vk"] = sb.VerifyingKey.from_bytes(data)
        else:
            pk = sb.ProvingKey.from_bytes(data)
            state["pk"] = pk
            state["vk"] = pk.vk

    out = run_call(decode)
    if out.kind != "ok":
        return out
    vk: sb.VerifyingKey = state["vk"]
    out = run_call(lambda: _touch_vk(vk))
    if out.kind != "ok":
        return out
    state["engine"] = fixture.engine

    def engine_for_key() -> None:
        state["engine"] = sb.Engine(vk.fri_params, device="cpu")

    out = run_call(engine_for_key)
    if out.kind != "ok":
        return out
    engine: sb.Engine = state["engine"]
    out = run_call(lambda: engine.verify(vk, fixture.proof))
    if out.kind == "untyped" or "pk" not in state:
        return out
    pk: sb.ProvingKey = state["pk"]

    def prove() -> None:
        for a in range(pk.vk.num_airs):
            pk.preprocessed_trace(a)
        proof = engine.prove(pk, fixture.contexts)
        engine.verify(pk.vk, proof)

    return run_call(prove)


# -- bad inputs at every public entry point ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BadInput:
    """A call that must fail with a StarkError whose message contains ``names`` (the argument,
    attribute or AIR that was wrong; compared case-insensitively). ``may_succeed``: unusual but
    valid input (a success or a StarkError are both fine; anything else is untyped)."""

    label: str
    call: Callable[[], Any]
    names: str
    may_succeed: bool = False


def _keygen(*airs: Any, params: sb.FriParameters = PARAMS) -> sb.ProvingKey:
    kb = sb.Engine(params, device="cpu").keygen_builder()
    for air in airs:
        kb.add_air(air)
    return kb.generate_pk()


def _air(**attrs: Any) -> sb.Air:
    """An instance of a fresh ``Air`` subclass named ``BadAir``: width 2, one transition
    constraint, with ``attrs`` as class attributes (``eval`` and ``preprocessed_trace`` are
    functions of ``self`` like methods)."""

    def default_eval(self: Any, b: sb.AirBuilder) -> None:
        local, nxt = b.main()
        b.when_transition().assert_eq(nxt[0], local[0])

    ns: dict[str, Any] = {"width": 2, "eval": default_eval}
    ns.update(attrs)
    cls = type("BadAir", (sb.Air,), ns)
    return cls()  # type: ignore[no-any-return]


def _eval_air(body: Callable[[sb.AirBuilder], Any], **attrs: Any) -> sb.Air:
    """An AIR of width 4 and 2 public values whose eval is ``body(b)``."""
    attrs.setdefault("width", 4)
    attrs.setdefault("num_public_values", 2)
    return _air(eval=lambda self, b: body(b), **attrs)


def _in_eval(body: Callable[[sb.AirBuilder, Any], Any], names: str, label: str) -> BadInput:
    """Keygen of an AIR whose eval calls ``body(b, local)`` (``local``: the main row)."""
    return BadInput(
        f"eval: {label}", lambda: _keygen(_eval_air(lambda b: body(b, b.main()[0]))), names
    )


class _Boom(Exception):
    """An exception of the user's own, raised inside an AIR's methods."""


def _raise_boom(*_: Any) -> None:
    raise _Boom("user code failed")


def bad_input_cases(fixture: Fixture) -> list[BadInput]:
    """Wrong types, shapes and values for every public entry point: Engine, FriParameters,
    KeygenBuilder, Air attributes, the builder inside eval, buses, AirProvingContext and
    prove, verify, run_test, keys and proofs, the primitives and set_num_threads."""
    engine = fixture.engine
    pk = fixture.pk
    vk = pk.vk
    proof = fixture.proof
    fib, fib_pv = fibonacci_trace(8)
    fib_ctx = fixture.contexts[0]
    ctx_rest = fixture.contexts[1:]
    send_ctx = fixture.contexts[3]
    cases: list[BadInput] = []

    def add(label: str, call: Callable[[], Any], names: str, may_succeed: bool = False) -> None:
        cases.append(BadInput(label, call, names, may_succeed))

    # -- Engine and FriParameters -------------------------------------------------------------
    for bad in (5, "standard_fast", (1, 0, 2, 0, 0), None.__class__):
        add(f"Engine(fri_params={bad!r})", lambda bad=bad: sb.Engine(bad), "fri_params")
    for bad in ("gpu", None, 5, ["cpu"], "CPU", ""):
        add(f"Engine(device={bad!r})", lambda bad=bad: sb.Engine(PARAMS, device=bad), "device")
    add(
        "Engine(device=np.array(['cpu', 'cuda']))",
        lambda: sb.Engine(PARAMS, device=np.array(["cpu", "cuda"])),
        "device",
    )
    fri_fields = [
        "log_blowup",
        "log_final_poly_len",
        "num_queries",
        "commit_proof_of_work_bits",
        "query_proof_of_work_bits",
    ]
    good_fri = [1, 0, 2, 0, 0]
    for i, field_name in enumerate(fri_fields):
        for bad in (-1, 1.5, "1", None, 2**40, [1]):
            args = list(good_fri)
            args[i] = bad
            add(
                f"FriParameters({field_name}={bad!r})",
                lambda args=args: sb.FriParameters(*args),
                field_name,
            )
    add("FriParameters(log_blowup=0)", lambda: sb.FriParameters(0, 0, 2, 0, 0), "log_blowup")
    add("FriParameters(num_queries=0)", lambda: sb.FriParameters(1, 0, 0, 0, 0), "num_queries")
    add(
        "FriParameters(commit_proof_of_work_bits=64)",
        lambda: sb.FriParameters(1, 0, 2, 64, 0),
        "commit_proof_of_work_bits",
    )
    add(
        "FriParameters(log_blowup + log_final_poly_len > 27)",
        lambda: sb.FriParameters(7, 27, 2, 0, 0),
        "log_final_poly_len",
    )
    for bad in (0, 5, "2", None, 1.0, -1):
        add(
            f"FriParameters.standard_with_100_bits_security({bad!r})",
            lambda bad=bad: sb.FriParameters.standard_with_100_bits_security(bad),
            "log_blowup",
        )

    # -- KeygenBuilder ------------------------------------------------------------------------
    add("KeygenBuilder(5)", lambda: sb.KeygenBuilder(5), "fri_params")  # type: ignore[arg-type]
    add("KeygenBuilder(None)", lambda: sb.KeygenBuilder(None), "fri_params")  # type: ignore[arg-type]
    for bad in (5, None, "FibonacciAir", object()):
        add(
            f"add_air({bad!r})",
            lambda bad=bad: engine.keygen_builder().add_air(bad),
            "Air",
        )
    add("add_air(FibonacciAir) (the class)", lambda: _keygen(FibonacciAir), "class")
    add("generate_pk() without AIRs", lambda: engine.keygen_builder().generate_pk(), "no AIRs")

    # -- Air attributes -----------------------------------------------------------------------
    for bad in (0, -1, 1.5, "2", None, [2], 2**31, 2**40, 2**64):
        add(f"Air.width = {bad!r}", lambda bad=bad: _keygen(_air(width=bad)), "width")
    add(
        "Air without width",
        lambda: _keygen(type("NoWidth", (sb.Air,), {"eval": lambda s, b: None})()),
        "width",
    )
    for bad in (-1, 1.5, "1", 2**31, [1]):
        add(
            f"Air.num_public_values = {bad!r}",
            lambda bad=bad: _keygen(_air(num_public_values=bad)),
            "num_public_values",
        )
    for bad in (5, [0], [-1], [1.5], ["a"], [3], [1, 2], None, "12", [2**40]):
        add(
            f"Air.cached_main_widths = {bad!r}",
            lambda bad=bad: _keygen(_air(cached_main_widths=bad)),
            "cached",
        )
    add("Air.name with a lone surrogate", lambda: _keygen(_air(name="bad\udc80name")), "name")
    add(
        "Air.eval not overridden",
        lambda: _keygen(type("NoEval", (sb.Air,), {"width": 1})()),
        "eval",
    )
    add(
        "Air.eval without a builder parameter",
        lambda: _keygen(_air(eval=lambda self: None)),
        "eval",
    )
    add("Air.eval raising its own exception", lambda: _keygen(_air(eval=_raise_boom)), "eval")

    def prep(value: Any) -> sb.Air:
        def eval_with_prep(self: Any, b: sb.AirBuilder) -> None:
            (p0, *_), _ = b.preprocessed()
            local, _ = b.main()
            b.assert_eq(local[0], p0)

        return _air(width=1, eval=eval_with_prep, preprocessed_trace=lambda self: value)

    bad_prep: list[tuple[str, Any]] = [
        ("float", np.zeros((4, 1))),
        ("bool", np.zeros((4, 1), dtype=bool)),
        ("strings", np.array([["a"], ["b"]])),
        ("objects", np.array([[object()], [object()]], dtype=object)),
        ("negative", -np.ones((4, 1), dtype=np.int64)),
        ("value p", np.full((4, 1), sb.P, dtype=np.uint32)),
        ("3-D", np.zeros((4, 1, 1), dtype=np.uint32)),
        ("height 3", np.zeros((3, 1), dtype=np.uint32)),
        ("height 0", np.zeros((0, 1), dtype=np.uint32)),
        ("width 0", np.zeros((4, 0), dtype=np.uint32)),
        ("0-d", np.uint32(5)),
        ("a str", "abc"),
        ("an int", 5),
        ("ragged", [[1], [2, 3]]),
        ("a dict", {"a": 1}),
        ("huge ints", [[2**70]] * 4),
        ("complex", np.zeros((4, 1), dtype=complex)),
    ]
    for label, value in bad_prep:
        add(
            f"Air.preprocessed_trace() returns {label}",
            lambda value=value: _keygen(prep(value)),
            "preprocessed",
        )
    add(
        "Air.preprocessed_trace raises",
        lambda: _keygen(_air(preprocessed_trace=_raise_boom)),
        "preprocessed_trace",
    )
    add(
        "Air.preprocessed_trace is not callable",
        lambda: _keygen(_air(preprocessed_trace=5)),
        "preprocessed_trace",
    )
    add(
        "eval reads a preprocessed column without a preprocessed trace",
        lambda: _keygen(_eval_air(lambda b: b.assert_zero(b.preprocessed()[0][0]))),
        "preprocessed column",
    )

    # -- the builder inside eval --------------------------------------------------------------
    saved: list[Any] = []
    _keygen(_eval_air(lambda b: saved.append(b.main()[0][0])))
    other = saved[0]
    eval_cases: list[tuple[str, Callable[[sb.AirBuilder, Any], Any], str]] = [
        ("assert_zero('x')", lambda b, x: b.assert_zero("x"), "assert_zero"),
        ("assert_zero(None)", lambda b, x: b.assert_zero(None), "assert_zero"),
        ("assert_eq(x, 1.5)", lambda b, x: b.assert_eq(x[0], 1.5), "assert_eq"),
        ("assert_eq([x], x)", lambda b, x: b.assert_eq([x[0]], x[0]), "assert_eq"),
        ("assert_one(object())", lambda b, x: b.assert_one(object()), "assert_eq"),
        ("assert_bool('x')", lambda b, x: b.assert_bool("x"), "assert_bool"),
        ("when('c')", lambda b, x: b.when("c"), "when"),
        ("when(1.5)", lambda b, x: b.when(1.5), "when"),
        ("x + 'a'", lambda b, x: x[0] + "a", "Expr"),
        ("'a' + x", lambda b, x: "a" + x[0], "Expr"),
        ("x * 1.5", lambda b, x: x[0] * 1.5, "Expr"),
        ("x - None", lambda b, x: x[0] - None, "Expr"),
        ("x / 2", lambda b, x: x[0] / 2, "eval"),
        ("x ** -1", lambda b, x: x[0] ** -1, "Expr ** k"),
        ("x ** 2**20", lambda b, x: x[0] ** (1 << 20), "Expr ** k"),
        ("x ** 2**100", lambda b, x: x[0] ** (1 << 100), "Expr ** k"),
        ("x ** 1.5", lambda b, x: x[0] ** 1.5, "exponent"),
        ("x ** x", lambda b, x: x[0] ** x[1], "exponent"),
        ("bool(x)", lambda b, x: bool(x[0]), "truth value"),
        ("x < 1", lambda b, x: x[0] < 1, "eval"),
        ("local['a']", lambda b, x: x["a"], "index"),
        ("local[1.5]", lambda b, x: x[1.5], "index"),
        ("local[None]", lambda b, x: x[None], "index"),
        ("local['a':]", lambda b, x: x["a":], "slice"),
        ("local[99]", lambda b, x: x[99], "out of range"),
        ("local[-99]", lambda b, x: x[-99], "out of range"),
        ("local[2**100]", lambda b, x: x[2**100], "out of range"),
        ("public_values()[5]", lambda b, x: b.public_values()[5], "public value"),
        ("b.main()[2]", lambda b, x: b.main()[2], "eval"),
        ("a, = b.main()", lambda b, x: [None for (_,) in [b.main()]], "eval"),
        ("expression of another AIR's builder", lambda b, x: b.assert_zero(other), "another"),
        ("x + expression of another builder", lambda b, x: x[0] + other, "different"),
        (
            "push_interaction(bus_index='a')",
            lambda b, x: b.push_interaction("a", [x[0]], 1),
            "bus_index",
        ),
        (
            "push_interaction(bus_index=1.5)",
            lambda b, x: b.push_interaction(1.5, [x[0]], 1),
            "bus_index",
        ),
        (
            "push_interaction(bus_index=-1)",
            lambda b, x: b.push_interaction(-1, [x[0]], 1),
            "bus index",
        ),
        (
            "push_interaction(bus_index=65536)",
            lambda b, x: b.push_interaction(65536, [x[0]], 1),
            "bus index",
        ),
        (
            "push_interaction(bus_index=2**64)",
            lambda b, x: b.push_interaction(2**64, [x[0]], 1),
            "bus index",
        ),
        ("push_interaction(fields=5)", lambda b, x: b.push_interaction(0, 5, 1), "fields"),
        ("push_interaction(fields=None)", lambda b, x: b.push_interaction(0, None, 1), "fields"),
        ("push_interaction(fields=x)", lambda b, x: b.push_interaction(0, x[0], 1), "fields"),
        (
            "push_interaction(fields=['a'])",
            lambda b, x: b.push_interaction(0, ["a"], 1),
            "fields[0]",
        ),
        (
            "push_interaction(fields=[x, 1.5])",
            lambda b, x: b.push_interaction(0, [x[0], 1.5], 1),
            "fields[1]",
        ),
        (
            "push_interaction(fields=[])",
            lambda b, x: b.push_interaction(0, [], 1),
            "message length",
        ),
        (
            "push_interaction(128 fields)",
            lambda b, x: b.push_interaction(0, [x[0]] * 128, 1),
            "message length",
        ),
        (
            "push_interaction(1000 fields)",
            lambda b, x: b.push_interaction(0, [1] * 1000, 1),
            "message length",
        ),
        ("push_interaction(count='c')", lambda b, x: b.push_interaction(0, [x[0]], "c"), "count"),
        ("push_interaction(count=None)", lambda b, x: b.push_interaction(0, [x[0]], None), "count"),
        (
            "push_interaction(count_weight=1.5)",
            lambda b, x: b.push_interaction(0, [x[0]], 1, 1.5),
            "count_weight",
        ),
        (
            "push_interaction(count_weight=-1)",
            lambda b, x: b.push_interaction(0, [x[0]], 1, -1),
            "count_weight",
        ),
        (
            "push_interaction(count_weight=2**40)",
            lambda b, x: b.push_interaction(0, [x[0]], 1, 2**40),
            "count_weight",
        ),
        (
            "count weights on one bus overflow u32",
            lambda b, x: [b.push_interaction(0, [x[0]], 1, 2**31) for _ in range(2)],
            "overflow",
        ),
        (
            "a selector in a message",
            lambda b, x: b.push_interaction(0, [b.is_first_row], 1),
            "field 0",
        ),
        (
            "a selector in a count",
            lambda b, x: b.push_interaction(0, [x[0]], b.is_transition),
            "count",
        ),
        ("constraint of degree 5", lambda b, x: b.assert_zero(x[0] ** 5), "degree"),
        ("interaction of degree 4", lambda b, x: b.push_interaction(0, [x[0] ** 4], 1), "degree"),
        ("PermutationCheckBus('a')", lambda b, x: sb.PermutationCheckBus("a"), "index"),  # type: ignore[arg-type]
        ("PermutationCheckBus(-1)", lambda b, x: sb.PermutationCheckBus(-1), "index"),
        ("LookupBus(70000)", lambda b, x: sb.LookupBus(70000), "index"),
        ("LookupBus(1.5)", lambda b, x: sb.LookupBus(1.5), "index"),  # type: ignore[arg-type]
        ("lookup_key(query=x)", lambda b, x: sb.LookupBus(0).lookup_key(b, x[0], 1), "fields"),
        ("lookup_key(query=5)", lambda b, x: sb.LookupBus(0).lookup_key(b, 5, 1), "fields"),
        ("send(enabled='e')", lambda b, x: sb.PermutationCheckBus(0).send(b, [x[0]], "e"), "count"),
        (
            "receive(enabled='e')",
            lambda b, x: sb.PermutationCheckBus(0).receive(b, [x[0]], "e"),
            "enabled",
        ),
        (
            "add_key_with_lookups(num_lookups=None)",
            lambda b, x: sb.LookupBus(0).add_key_with_lookups(b, [x[0]], None),
            "num_lookups",
        ),
    ]
    for label, body, names in eval_cases:
        cases.append(_in_eval(body, names, label))

    # -- AirProvingContext and prove ----------------------------------------------------------
    def prove(contexts: Any, key: Any = pk, **kw: Any) -> Any:
        return engine.prove(key, contexts, **kw)

    def with_fib(trace: Any = fib, public_values: Any = fib_pv, air_id: Any = 0) -> list[Any]:
        return [sb.AirProvingContext(air_id, trace, public_values=public_values), *ctx_rest]

    add("prove(pk='x')", lambda: prove(fixture.contexts, key="x"), "pk")
    add("prove(pk=vk)", lambda: prove(fixture.contexts, key=vk), "pk")
    add("prove(pk=None)", lambda: prove(fixture.contexts, key=None), "pk")
    for bad in (5, None, "abc", [], [5], [None], {"a": 1}):
        add(f"prove(contexts={bad!r})", lambda bad=bad: prove(bad), "context")
    for bad in (99, -1, 1.5, "0", None, 2**64, [0]):
        add(
            f"AirProvingContext(air_id={bad!r})", lambda bad=bad: prove(with_fib(air_id=bad)), "air"
        )
    add("the same air id twice", lambda: prove([fib_ctx, fib_ctx, *ctx_rest]), "contexts[1]")
    bad_traces: list[tuple[str, Any, str]] = [
        ("float", fib.astype(np.float64), "main trace"),
        ("float16", fib.astype(np.float16), "main trace"),
        ("bool", fib.astype(bool), "main trace"),
        ("complex", fib.astype(complex), "main trace"),
        ("strings", fib.astype(str), "main trace"),
        ("objects", np.array([[object()] * 2] * 8, dtype=object), "main trace"),
        ("negative", fib.astype(np.int64) - 100, "main trace"),
        ("value p", np.full((8, 2), sb.P, dtype=np.uint32), "main trace"),
        ("value 2**63", np.full((8, 2), 2**63, dtype=np.uint64), "main trace"),
        ("huge Python ints", [[2**70, 1]] * 8, "main trace"),
        ("nan", np.full((8, 2), np.nan), "main trace"),
        ("3-D", fib.reshape(8, 2, 1), "main trace"),
        ("0-d", np.uint32(3), "main trace"),
        ("shape (0, 2)", np.zeros((0, 2), dtype=np.uint32), "height"),
        ("height 3", fib[:3], "height"),
        ("height 6", fib[:6], "height"),
        ("width 3", np.zeros((8, 3), dtype=np.uint32), "width"),
        ("width 1", fib[:, :1], "width"),
        ("1-D", fib[:, 0], "width"),
        ("None", None, "main trace"),
        ("a str", "abc", "main trace"),
        ("a dict", {"a": 1}, "main trace"),
        ("ragged", [[1, 2], [3]], "main trace"),
        ("an int", 7, "main trace"),
        ("a generator", (i for i in range(3)), "main trace"),
    ]
    huge = np.broadcast_to(np.uint32(0), (1 << 30, 1 << 12))  # 16 TiB if copied
    bad_traces.append(("a broadcast view too large to copy", huge, "main trace"))
    for label, trace, names in bad_traces:
        add(f"prove: main trace {label}", lambda trace=trace: prove(with_fib(trace=trace)), names)
    bad_public: list[tuple[str, Any]] = [
        ("two values", [0, 1]),
        ("four values", [0, 1, 21, 0]),
        ("value p", [0, 1, sb.P]),
        ("negative", [0, -1, 21]),
        ("float", [0.5, 1, 21]),
        ("a str", "abc"),
        ("None", None),
        ("an int", 5),
        ("nested", [[0], [1], [21]]),
        ("huge", [0, 1, 2**80]),
        ("objects", [object(), 1, 2]),
        ("float array", np.zeros(3)),
    ]
    for label, pv in bad_public:
        add(
            f"prove: public values {label}",
            lambda pv=pv: prove(with_fib(public_values=pv)),
            "public",
        )
    send_id = send_ctx.air_id
    common, cached = send_ctx.common_main, list(send_ctx.cached_mains)
    rest_without_send = [c for c in fixture.contexts if c.air_id != send_id]

    def with_send(common_main: Any, cached_mains: Any) -> list[Any]:
        return [
            *rest_without_send,
            sb.AirProvingContext(send_id, common_main, cached_mains=cached_mains),
        ]

    add("prove: no cached main", lambda: prove(with_send(common, [])), "cached main")
    add("prove: two cached mains", lambda: prove(with_send(common, cached * 2)), "cached main")
    add(
        "prove: cached main of width 3",
        lambda: prove(with_send(common, [np.zeros((4, 3), dtype=np.uint32)])),
        "cached main",
    )
    add(
        "prove: cached main of another height",
        lambda: prove(with_send(common, [np.zeros((8, cached[0].shape[1]), dtype=np.uint32)])),
        "height",
    )
    add(
        "prove: cached main float",
        lambda: prove(with_send(common, [cached[0] * 1.0])),
        "cached main",
    )
    add(
        "prove: cached_mains=5",
        lambda: sb.AirProvingContext(send_id, common, cached_mains=5),
        "cached_mains",
    )
    add(
        "prove: cached_mains=None",
        lambda: sb.AirProvingContext(send_id, common, cached_mains=None),
        "cached_mains",
    )
    add("prove: common main missing", lambda: prove(with_send(None, cached)), "main trace")
    table_id = fixture.contexts[1].air_id
    add(
        "prove: table height differs from its preprocessed height",
        lambda: prove(
            [c for c in fixture.contexts if c.air_id != table_id]
            + [sb.AirProvingContext(table_id, np.zeros((8, 1), dtype=np.uint32))]
        ),
        "preprocessed",
    )
    add(
        "prove(debug=np.array([1, 1]))",
        lambda: prove(fixture.contexts, debug=np.array([1, 1])),
        "debug",
    )
    add("prove(timings=5)", lambda: prove(fixture.contexts, timings=5), "timings")
    add("prove(timings=[])", lambda: prove(fixture.contexts, timings=[]), "timings")
    other_engine = sb.Engine(sb.FriParameters(1, 0, 3, 0, 0), device="cpu")
    add(
        "prove with a key of other FRI parameters",
        lambda: other_engine.prove(pk, fixture.contexts),
        "key",
    )
    add(
        "prove(debug=True) with a violated constraint",
        lambda: prove(with_fib(trace=np.ones((8, 2), dtype=np.uint32)), debug=True),
        "FibonacciAir",
    )

    # -- verify -------------------------------------------------------------------------------
    for bad in ("x", None, 5, proof):
        add(f"verify(vk={type(bad).__name__})", lambda bad=bad: engine.verify(bad, proof), "vk")
    for bad in ("x", None, 5, fixture.proof_bytes, vk):
        add(f"verify(proof={type(bad).__name__})", lambda bad=bad: engine.verify(vk, bad), "proof")
    add("verify with a key of other FRI parameters", lambda: other_engine.verify(vk, proof), "key")
    fib_only_pk = _keygen(FibonacciAir())
    add(
        "verify with another key",
        lambda: engine.verify(fib_only_pk.vk, proof),
        "",
        may_succeed=False,
    )

    # -- run_test -----------------------------------------------------------------------------
    add("run_test(airs=5)", lambda: engine.run_test(5, [fib]), "airs")  # type: ignore[arg-type]
    add("run_test(traces=5)", lambda: engine.run_test([FibonacciAir()], 5), "traces")  # type: ignore[arg-type]
    add("run_test(traces=[])", lambda: engine.run_test([FibonacciAir()], []), "traces")
    add(
        "run_test(public_values=5)",
        lambda: engine.run_test([FibonacciAir()], [fib], 5),  # type: ignore[arg-type]
        "public_values",
    )
    add(
        "run_test: two public value lists for one AIR",
        lambda: engine.run_test([FibonacciAir()], [fib], [fib_pv, fib_pv]),
        "public value",
    )
    add(
        "run_test: wrong public values",
        lambda: engine.run_test([FibonacciAir()], [fib], [[0, 1]]),
        "public value",
    )
    add(
        "run_test: float trace",
        lambda: engine.run_test([FibonacciAir()], [fib * 1.0], [fib_pv]),
        "main trace",
    )
    add(
        "run_test: width 3",
        lambda: engine.run_test([FibonacciAir()], [np.zeros((8, 3))], [fib_pv]),
        "main trace",
    )
    add("run_test(airs=[5])", lambda: engine.run_test([5], [fib]), "Air")  # type: ignore[list-item]
    add("run_test([], [])", lambda: engine.run_test([], []), "no AIRs")
    add(
        "run_test: a violated constraint",
        lambda: engine.run_test([FibonacciAir()], [np.ones((8, 2), dtype=np.uint32)], [fib_pv]),
        "FibonacciAir",
    )

    # -- keys and proofs ----------------------------------------------------------------------
    for cls in (sb.Proof, sb.VerifyingKey, sb.ProvingKey):
        for bad in ("not bytes", None, 5, [1, 2], b"", b"SBPF", b"\0" * 64):
            add(
                f"{cls.__name__}.from_bytes({bad!r})",
                lambda cls=cls, bad=bad: cls.from_bytes(bad),
                "",
            )
        add(f"{cls.__name__}(5)", lambda cls=cls: cls(5), cls.__name__)
    add("Proof.from_bytes(vk bytes)", lambda: sb.Proof.from_bytes(fixture.vk_bytes), "proof")
    add(
        "VerifyingKey.from_bytes(pk bytes)",
        lambda: sb.VerifyingKey.from_bytes(fixture.pk_bytes),
        "verifying key",
    )
    add(
        "ProvingKey.from_bytes(proof bytes)",
        lambda: sb.ProvingKey.from_bytes(fixture.proof_bytes),
        "proving key",
    )
    for bad in (-1, 99, "a", 1.5, None, 2**64):
        add(f"pk.preprocessed_trace({bad!r})", lambda bad=bad: pk.preprocessed_trace(bad), "air_id")

    # -- primitives ---------------------------------------------------------------------------
    from stark_backend import primitives as prim

    bad_arrays: list[tuple[str, Any]] = [
        ("float", np.zeros((4, 16))),
        ("objects", np.array([[object()] * 16] * 2, dtype=object)),
        ("bool", np.zeros((4, 16), dtype=bool)),
        ("negative", -np.ones((4, 16), dtype=np.int32)),
        ("value p", np.full((4, 16), sb.P, dtype=np.uint32)),
        ("huge", np.full((4, 16), 2**64 - 1, dtype=np.uint64)),
        ("3-D", np.zeros((2, 2, 16), dtype=np.uint32)),
        ("0-d", np.uint32(1)),
        ("a str", "abc"),
        ("None", None),
        ("ragged", [[1] * 16, [1] * 15]),
        ("a dict", {"a": 1}),
    ]
    for label, arr in bad_arrays:
        add(f"poseidon2_permute({label})", lambda arr=arr: prim.poseidon2_permute(arr), "states")
        add(f"ntt({label})", lambda arr=arr: prim.ntt(arr), "values")
        add(f"coset_lde({label})", lambda arr=arr: prim.coset_lde(arr, 1), "evals")
        add(f"merkle_root([{label}])", lambda arr=arr: prim.merkle_root([arr]), "matrices[0]")
    add(
        "poseidon2_permute(a broadcast view too large to copy)",
        lambda: prim.poseidon2_permute(np.broadcast_to(np.uint32(0), (1 << 40, 16))),
        "states",
    )
    add(
        "poseidon2_permute(width 15)",
        lambda: prim.poseidon2_permute(np.zeros((2, 15), dtype=np.uint32)),
        "states",
    )
    add(
        "poseidon2_permute((0, 16))",
        lambda: prim.poseidon2_permute(np.zeros((0, 16), dtype=np.uint32)),
        "states",
        True,
    )
    add(
        "poseidon2_permute(Fortran order)",
        lambda: prim.poseidon2_permute(np.asfortranarray(np.ones((4, 16), dtype=np.uint32))),
        "states",
        True,
    )
    add(
        "poseidon2_permute(strided)",
        lambda: prim.poseidon2_permute(np.ones((8, 32), dtype=np.uint32)[::2, ::2]),
        "states",
        True,
    )
    add("ntt(length 3)", lambda: prim.ntt(np.zeros(3, dtype=np.uint32)), "values")
    add("ntt(length 0)", lambda: prim.ntt(np.zeros(0, dtype=np.uint32)), "values")
    add(
        "ntt(inverse=array)",
        lambda: prim.ntt(np.zeros(4, dtype=np.uint32), inverse=np.array([1, 0])),
        "inverse",
    )
    add("ntt(strided)", lambda: prim.ntt(np.ones((8, 4), dtype=np.uint32)[::2]), "values", True)
    for bad in (-1, 1.5, "1", True, 30, None, 2**64):
        add(
            f"coset_lde(log_blowup={bad!r})",
            lambda bad=bad: prim.coset_lde(np.zeros(4, dtype=np.uint32), bad),
            "log_blowup",
        )
    for bad in (0, sb.P, -1, 1.5, True, "3", None):
        add(
            f"coset_lde(shift={bad!r})",
            lambda bad=bad: prim.coset_lde(np.zeros(4, dtype=np.uint32), 1, bad),
            "shift",
        )
    add("coset_lde(length 3)", lambda: prim.coset_lde(np.zeros(3, dtype=np.uint32), 1), "evals")
    for bad in ([], 5, None, "abc", np.zeros((4, 1), dtype=np.uint32)):
        add(
            f"merkle_root({type(bad).__name__} {bad!r:.20})",
            lambda bad=bad: prim.merkle_root(bad),
            "matrices",
        )
    add(
        "merkle_root(height 3)",
        lambda: prim.merkle_root([np.zeros((3, 1), dtype=np.uint32)]),
        "matrices[0]",
    )
    add(
        "merkle_root(width 0)",
        lambda: prim.merkle_root([np.zeros((4, 0), dtype=np.uint32)]),
        "matrices[0]",
    )
    add(
        "merkle_root(height 0)",
        lambda: prim.merkle_root([np.zeros((0, 1), dtype=np.uint32)]),
        "matrices[0]",
    )
    for bad in (-1, 28, 1.5, "3", None, True):
        add(f"two_adic_generator({bad!r})", lambda bad=bad: prim.two_adic_generator(bad), "bits")

    # -- run-time knobs -----------------------------------------------------------------------
    saved_threads = sb.num_threads()

    def set_threads(n: Any) -> None:
        try:
            sb.set_num_threads(n)
        finally:
            _core.set_num_threads(saved_threads)

    for bad in ("a", None, 1.5, 10**30, 10**6, True, [1]):
        add(f"set_num_threads({bad!r})", lambda bad=bad: set_threads(bad), "set_num_threads")
    return cases


# -- the campaign -----------------------------------------------------------------------------


@contextlib.contextmanager
def memory_limit(extra_bytes: int) -> Iterator[None]:
    """Cap this process's address space at its current size plus ``extra_bytes`` (Linux; a no-op
    elsewhere), so an input that makes the package allocate without bound raises MemoryError
    (an untyped finding) instead of exhausting the machine. The previous limit is restored."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = current + extra_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@dataclasses.dataclass
class Report:
    """Counts and the distinct untyped findings of one campaign."""

    tried: Counter[str] = dataclasses.field(default_factory=Counter)
    outcomes: Counter[str] = dataclasses.field(default_factory=Counter)
    untyped: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    accepted: list[str] = dataclasses.field(default_factory=list)
    unnamed: list[str] = dataclasses.field(default_factory=list)

    def add(self, part: str, description: str, out: Outcome) -> None:
        self.tried[part] += 1
        self.outcomes[f"{part}: {out.kind}{' ' + out.error if out.error else ''}"] += 1
        if out.kind == "untyped":
            key = f"{part}: {out.error} at {out.where}"
            self.untyped.setdefault(key, []).append(f"{description}: {out.message}")

    @property
    def num_untyped(self) -> int:
        return sum(len(v) for v in self.untyped.values())


def run_campaign(
    proof_count: int,
    key_count: int,
    seed: int,
    *,
    all_offsets: bool = False,
    flips_per_section: int = 8,
    inputs: bool = True,
    progress: bool = False,
    skip: Sequence[str] = (),
) -> Report:
    """Run all three parts; returns the report (nothing is raised for findings)."""
    fixture = make_fixture()
    report = Report()
    t0 = time.perf_counter()
    for i, m in enumerate(
        proof_mutants(
            fixture, proof_count, seed, all_offsets=all_offsets, flips_per_section=flips_per_section
        )
    ):
        out, accepted = try_proof_mutant(fixture, m.data)
        report.add("proof", m.description, out)
        if accepted:
            report.accepted.append(m.description)
        if progress and i % 20000 == 0 and i:
            print(f"  {i} proof mutants, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    for i, (which, m) in enumerate(
        key_mutants(
            fixture,
            key_count,
            seed + 1,
            all_offsets=all_offsets,
            flips_per_section=flips_per_section,
        )
    ):
        report.add(which, m.description, try_key_mutant(fixture, which, m.data))
        if progress and i % 5000 == 0 and i:
            print(f"  {i} key mutants, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if inputs:
        if progress:
            print(f"  bad inputs, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        with memory_limit(4 << 30):
            cases = [
                c for c in bad_input_cases(fixture) if not any(text in c.label for text in skip)
            ]
        for case in cases:
            with memory_limit(4 << 30):
                out = run_call(case.call)
            report.add("input", case.label, out)
            if out.kind == "ok" and not case.may_succeed:
                report.unnamed.append(f"{case.label}: accepted")
            elif out.kind == "typed" and case.names.lower() not in out.message.lower():
                report.unnamed.append(
                    f"{case.label}: {out.error}: {out.message!r} lacks {case.names!r}"
                )
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proof-mutants", type=int, default=20000, help="random proof mutants")
    parser.add_argument("--key-mutants", type=int, default=2000, help="random key mutants")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--all-offsets", action="store_true", help="flip a byte at every offset")
    parser.add_argument("--flips-per-section", type=int, default=8)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="TEXT",
        help="leave out the bad inputs whose label contains TEXT (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    report = run_campaign(
        args.proof_mutants,
        args.key_mutants,
        args.seed,
        all_offsets=args.all_offsets,
        flips_per_section=args.flips_per_section,
        progress=not args.json,
        skip=args.skip,
    )
    seconds = time.perf_counter() - t0
    if args.json:
        print(
            json.dumps(
                {
                    "tried": dict(report.tried),
                    "outcomes": dict(report.outcomes),
                    "untyped": report.untyped,
                    "accepted": report.accepted,
                    "unnamed": report.unnamed,
                    "seconds": round(seconds, 1),
                },
                indent=2,
            )
        )
    else:
        print(f"reliability campaign ({seconds:.0f} s)")
        for part, n in sorted(report.tried.items()):
            print(f"  {part:6s} {n:8d} tried")
        for key, n in sorted(report.outcomes.items()):
            print(f"    {key}: {n}")
        print(f"untyped errors: {report.num_untyped} ({len(report.untyped)} distinct)")
        for key, cases in sorted(report.untyped.items()):
            print(f"  {key} x{len(cases)}")
            for c in cases[:3]:
                print(f"      e.g. {c[:300]}")
        print(f"accepted proof mutants: {len(report.accepted)}")
        for c in report.accepted[:10]:
            print(f"  {c}")
        print(
            "bad inputs accepted or with a message that does not name the argument: "
            f"{len(report.unnamed)}"
        )
        for c in report.unnamed:
            print(f"  {c}")
    return 1 if report.untyped or report.accepted else 0


if __name__ == "__main__":
    sys.exit(main())
