"""Reliability: malformed proofs, keys and inputs raise only ``sb.StarkError`` subclasses.

A fixed, fast sample of ``scripts/reliability_campaign.py`` (which runs the same campaign at any
size): byte mutants of a multi-AIR proof (interactions on two buses, cached and preprocessed
partitions) and of its keys, about 400 bad inputs to every public entry point, the translation
of C++ exceptions, and ``set_num_threads`` while other threads prove.
"""

from __future__ import annotations

import importlib.util
import struct
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import stark_backend as sb
from stark_backend import _core


def _load_campaign() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "reliability_campaign.py"
    spec = importlib.util.spec_from_file_location("reliability_campaign", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


rc = _load_campaign()


@pytest.fixture(scope="module")
def fixture() -> Any:
    return rc.make_fixture()


def _typed_as(out: Any, *classes: type[BaseException]) -> bool:
    cls = getattr(sb, out.error, None)
    return isinstance(cls, type) and issubclass(cls, classes)


# -- proofs -----------------------------------------------------------------------------------


def test_proof_layout_covers_every_section(fixture: Any) -> None:
    layout = rc.proof_sections(fixture.proof_bytes)
    assert layout.end == len(fixture.proof_bytes)
    names = {name.split(":")[0].split(" ")[0] for _, name in layout.sections}
    for section in ("magic", "version", "AIR", "main", "after-challenge", "LogUp", "DEEP", "FRI"):
        assert section in names
    opened = {name for _, name in layout.sections if name.startswith("opened")}
    assert opened == {
        "opened preprocessed",
        "opened main",
        "opened after-challenge",
        "opened quotient",
    }


def test_proof_mutants_raise_only_typed_errors(fixture: Any) -> None:
    """Flips at sampled offsets of every section, every u32 field set to extreme values,
    truncations, insertions and deletions at every section boundary, random mutants."""
    untyped, accepted, wrong_class = [], [], []
    tried = 0
    for m in rc.proof_mutants(fixture, 400, seed=8, flips_per_section=3):
        out, ok = rc.try_proof_mutant(fixture, m.data)
        tried += 1
        if out.kind == "untyped":
            untyped.append(f"{m.description}: {out}")
        elif out.kind == "typed" and not _typed_as(out, sb.ProofFormatError, sb.VerificationError):
            wrong_class.append(f"{m.description}: {out}")
        if ok:
            accepted.append(m.description)
    assert tried > 2500
    assert not untyped, untyped[:5]
    assert not wrong_class, wrong_class[:5]
    assert not accepted, accepted[:5]


def test_proof_truncated_at_every_section_boundary(fixture: Any) -> None:
    data = fixture.proof_bytes
    sections = rc.proof_sections(data).sections
    assert len(sections) > 30
    for offset, name in sections:
        assert name
        with pytest.raises(sb.ProofFormatError, match="byte offset"):
            sb.Proof.from_bytes(data[:offset])
        with pytest.raises(sb.ProofFormatError):
            sb.Proof.from_bytes(data[:offset] + b"\xff" * 4 + data[offset:])


# -- keys -------------------------------------------------------------------------------------


def test_key_mutants_raise_only_typed_errors(fixture: Any) -> None:
    """Raw and resealed (pre_hash recomputed) mutants of the verifying and proving keys: each
    decoded mutant has every property read, verifies the valid proof and proves the traces."""
    untyped, decoded = [], 0
    for which, m in rc.key_mutants(fixture, 300, seed=9, flips_per_section=2):
        out = rc.try_key_mutant(fixture, which, m.data)
        if out.kind == "untyped":
            untyped.append(f"{which}: {m.description}: {out}")
        decoded += out.kind == "ok" or not _typed_as(out, sb.ProofFormatError)
    assert not untyped, untyped[:5]
    assert decoded > 10  # resealing reaches the keys' users, not only the decoder


def _vk_with_name(vk_bytes: bytes, name: bytes, log_blowup: int) -> bytes:
    """The key with AIR 0's name replaced by ``name`` and its pre_hash recomputed."""
    at = (
        4 + 4 + 4 + 20 + 8 + 4
    )  # magic, version, configuration, FRI parameters, PoW bits, AIR count
    (old_len,) = struct.unpack_from("<I", vk_bytes, at)
    body = vk_bytes[:at] + struct.pack("<I", len(name)) + name + vk_bytes[at + 4 + old_len :]
    return bytes(rc.reseal_vk(body, log_blowup))


# Valid and invalid UTF-8: every class of RFC 3629 error (lone continuation, overlong forms,
# surrogates, above U+10FFFF, truncated sequences, bytes 0xF5..0xFF).
NAMES = [
    b"Fib",
    "Fibé😀€".encode(),
    b"\xed\x9f\xbf",
    b"\xee\x80\x80",
    b"\xf4\x8f\xbf\xbf",
    b"\x00nul",
    b"\xff",
    b"ab\x80",
    b"\xc0\x80",
    b"\xc1\xbf",
    b"\xe0\x9f\xbf",
    b"\xf0\x8f\xbf\xbf",
    b"\xed\xa0\x80",
    b"x\xed\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xf5\x80\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"ab\xe2\x82",
    b"\xe2\x28\xa1",
]


@pytest.mark.parametrize("name", NAMES, ids=[n.hex() for n in NAMES])
def test_air_names_decode_exactly_when_python_accepts_them(fixture: Any, name: bytes) -> None:
    """Before, a key with a non-UTF-8 name decoded and ``air_names``, ``repr``, ``verify`` and
    ``prove`` raised a bare UnicodeDecodeError."""
    log_blowup = fixture.engine.fri_params.log_blowup
    data = _vk_with_name(fixture.vk_bytes, name, log_blowup)
    try:
        text: str | None = name.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = None
        bad_byte = 4 + 4 + 4 + 20 + 8 + 4 + 4 + exc.start
    # The same key inside a proving key.
    vk_len = len(fixture.vk_bytes)
    pk_data = (
        fixture.pk_bytes[:8] + struct.pack("<I", len(data)) + data + fixture.pk_bytes[12 + vk_len :]
    )
    if text is not None:
        vk = sb.VerifyingKey.from_bytes(data)
        assert vk.air_names[0] == text and repr(text) in repr(vk)
        pk = sb.ProvingKey.from_bytes(pk_data)
        proof = fixture.engine.prove(pk, fixture.contexts)  # the name enters the transcript seed
        fixture.engine.verify(vk, proof)
        return
    with pytest.raises(
        sb.ProofFormatError, match=f"AIR 0 at byte offset {bad_byte}: invalid UTF-8"
    ):
        sb.VerifyingKey.from_bytes(data)
    # Offsets count from the proving key's first byte (magic, version, VK length come first).
    with pytest.raises(sb.ProofFormatError, match=f"AIR 0 at byte offset {12 + bad_byte}: invalid"):
        sb.ProvingKey.from_bytes(pk_data)


# -- bad inputs -------------------------------------------------------------------------------


def _check_bad_inputs(cases: list[Any]) -> list[str]:
    problems = []
    for case in cases:
        with rc.memory_limit(4 << 30):
            out = rc.run_call(case.call)
        if out.kind == "untyped":
            problems.append(f"{case.label}: untyped {out}")
        elif out.kind == "ok" and not case.may_succeed:
            problems.append(f"{case.label}: accepted")
        elif out.kind == "typed" and case.names.lower() not in out.message.lower():
            problems.append(
                f"{case.label}: {out.error} {out.message!r} does not name {case.names!r}"
            )
    return problems


def test_bad_inputs_raise_typed_errors_naming_the_argument(fixture: Any) -> None:
    cases = list(rc.bad_input_cases(fixture))
    assert len(cases) > 350
    problems = _check_bad_inputs(cases)
    assert not problems, "\n".join(problems)


def test_unusual_but_valid_arrays_are_accepted() -> None:
    """Non-contiguous, Fortran-ordered and narrow-dtype inputs are copied, never refused."""
    from stark_backend import primitives as prim

    states = np.arange(64, dtype=np.uint32).reshape(4, 16)
    want = prim.poseidon2_permute(states)
    assert np.array_equal(prim.poseidon2_permute(np.asfortranarray(states)), want)
    assert np.array_equal(prim.poseidon2_permute(states.astype(np.int8)), want)
    wide = np.zeros((4, 32), dtype=np.uint32)
    wide[:, ::2] = states
    assert np.array_equal(prim.poseidon2_permute(wide[:, ::2]), want)
    assert prim.poseidon2_permute(np.zeros((0, 16), dtype=np.uint32)).shape == (0, 16)


# -- the binding lets only StarkErrors through ------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cls", "message"),
    [
        ("runtime_error", sb.StarkError, "internal error: a std::runtime_error"),
        ("logic_error", sb.StarkError, "internal error: a std::logic_error"),
        ("out_of_range", sb.StarkError, "internal error: a std::out_of_range"),
        ("invalid_argument", sb.StarkError, "internal error: a std::invalid_argument"),
        ("internal_error", sb.StarkError, "internal error: an InternalError"),
        ("not_an_exception", sb.StarkError, "internal error: an exception of unknown type"),
        ("bad_alloc", sb.ResourceError, "out of memory"),
        ("resource_error", sb.ResourceError, "a ResourceError"),
    ],
)
def test_every_cpp_exception_becomes_a_stark_error(
    kind: str, cls: type[sb.StarkError], message: str
) -> None:
    with pytest.raises(cls, match=message) as info:
        _core.raise_core_exception_for_tests(kind)
    assert isinstance(info.value, sb.StarkError)
    if cls is sb.ResourceError:
        assert isinstance(info.value, MemoryError)


def test_simd_level_errors_are_input_errors() -> None:
    # Before: std::invalid_argument, which pybind11 turned into a plain ValueError.
    with pytest.raises(sb.InputError, match="unknown SIMD level 'avx9000'"):
        _core.set_simd_level("avx9000")


# -- set_num_threads while other threads prove ------------------------------------------------


def test_set_num_threads_while_proving_keeps_proofs_identical(fixture: Any) -> None:
    """Two threads prove while two others resize the pool: one through ``set_num_threads``, one
    through the Poseidon2 benchmark, which sets the thread count without holding the GIL. Before,
    a resize ran without the pool's run lock: it raced with the running job's workers, and two
    resizes at once joined the same workers twice (the process aborted)."""
    expected = fixture.proof_bytes
    saved = sb.num_threads()
    proofs: list[bytes] = []
    errors: list[BaseException] = []
    proving = threading.Event()
    proving.set()

    def prover() -> None:
        try:
            for _ in range(4):
                proofs.append(fixture.engine.prove(fixture.pk, fixture.contexts).to_bytes())
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def resizer(through_bench: bool) -> None:
        i = 0
        try:
            while proving.is_set():
                if through_bench:
                    _core.bench_poseidon2(256, 1 + i % 3)  # sets, then restores the count
                else:
                    sb.set_num_threads(1 + i % 4)
                n = sb.num_threads()
                if not 1 <= n <= 4:
                    raise AssertionError(f"num_threads() = {n} during resizing")
                i += 1
        except BaseException as exc:
            errors.append(exc)

    provers = [threading.Thread(target=prover) for _ in range(2)]
    resizers = [threading.Thread(target=resizer, args=(b,)) for b in (False, True)]
    sb.set_num_threads(2)  # so that the count the benchmark restores is in range too
    try:
        for t in provers + resizers:
            t.start()
        for t in provers:
            t.join()
    finally:
        proving.clear()
        for t in resizers:
            t.join()
        sb.set_num_threads(saved)
    assert not errors, errors
    assert len(proofs) == 8
    assert all(p == expected for p in proofs)
