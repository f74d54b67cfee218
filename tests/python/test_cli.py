"""The file-based CLI (issue 11 item 1): keygen, prove, verify, inspect, estimate; exit codes
0 / 1 / 2, messages naming the file and field, ``--json``, atomic outputs."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import stark_backend as sb
from stark_backend import cli
from stark_backend.__main__ import main as entry_main
from stark_backend.examples import (
    FibonacciAir,
    InteractionAir,
    fibonacci_trace,
    interaction_pair_traces,
)

FRI = "1,0,8,0,0"
PACKAGE_ROOT = str(Path(sb.__file__).resolve().parent.parent)

CIRCUIT = """
from stark_backend.examples import FibonacciAir, InteractionAir

def airs():
    return [
        FibonacciAir(), InteractionAir(2, send=True, cached=True), InteractionAir(2, send=False)
    ]

def other():
    return [InteractionAir(2, send=True), InteractionAir(2, send=False)]

def broken():
    raise RuntimeError("no circuit today")

NOT_A_FACTORY = 42
"""


def _env(extra: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    paths = [PACKAGE_ROOT] + ([extra] if extra else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def run_cli(
    *args: str, cwd: Path, extra_path: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stark_backend", *args],
        cwd=cwd,
        env=_env(extra_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _traces() -> tuple[dict[str, np.ndarray[Any, Any]], list[int]]:
    fib, pv = fibonacci_trace(16)
    snd, _ = interaction_pair_traces(8, 2, cached=True, seed=3)
    _, rcv = interaction_pair_traces(8, 2, cached=False, seed=3)
    return {"FibonacciAir": fib, "SenderCached": snd, "Receiver": rcv}, pv


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A keyed circuit and a proof, made once through the in-process CLI."""
    d = tmp_path_factory.mktemp("cli")
    (d / "circ.py").write_text(CIRCUIT)
    arrays, pv = _traces()
    np.savez(d / "traces.npz", **arrays)
    (d / "pv.json").write_text(json.dumps({"FibonacciAir": pv}))
    circ = str(d / "circ.py")
    assert (
        cli.main(
            [
                "keygen",
                f"{circ}:airs",
                "-o",
                str(d / "pk.bin"),
                "--vk-out",
                str(d / "vk.bin"),
                "--fri",
                FRI,
            ]
        )
        == 0
    )
    assert cli.main(["keygen", f"{circ}:other", "-o", str(d / "other_pk.bin"), "--fri", FRI]) == 0
    code = cli.main(
        [
            "prove",
            str(d / "pk.bin"),
            str(d / "traces.npz"),
            "--public-values",
            str(d / "pv.json"),
            "-o",
            str(d / "proof.bin"),
        ]
    )
    assert code == 0
    return {"dir": d, "pv": pv, "arrays": arrays}


def _outputs(d: Path) -> set[str]:
    return {p.name for p in d.iterdir()}


# -- the round trip -----------------------------------------------------------------------------


def test_round_trip_subprocess(tmp_path: Path) -> None:
    (tmp_path / "circ.py").write_text(CIRCUIT)
    arrays, pv = _traces()
    np.savez(tmp_path / "t.npz", **arrays)
    r = run_cli(
        "keygen",
        "circ.py:airs",
        "-o",
        "pk.bin",
        "--vk-out",
        "vk.bin",
        "--fri",
        FRI,
        "--json",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    keygen = json.loads(r.stdout)
    assert keygen["ok"] and keygen["pk_bytes"] == (tmp_path / "pk.bin").stat().st_size
    assert [a["name"] for a in keygen["airs"]] == ["FibonacciAir", "SenderCached", "Receiver"]
    r = run_cli(
        "prove",
        "pk.bin",
        "t.npz",
        "--public-values",
        json.dumps({"FibonacciAir": pv}),
        "-o",
        "proof.bin",
        "--json",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    prove = json.loads(r.stdout)
    assert prove["proof_bytes"] == (tmp_path / "proof.bin").stat().st_size
    assert [(a["name"], a["height"]) for a in prove["airs"]] == [
        ("FibonacciAir", 16),
        ("SenderCached", 8),
        ("Receiver", 8),
    ]
    r = run_cli("verify", "vk.bin", "proof.bin", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout
    r = run_cli("verify", "--json", "pk.bin", "proof.bin", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["valid"] is True
    # A module name (not a path) is imported from sys.path.
    r = run_cli(
        "keygen", "circ:airs", "-o", "pk2.bin", "--fri", FRI, cwd=tmp_path, extra_path=str(tmp_path)
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "pk2.bin").read_bytes() == (tmp_path / "pk.bin").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_cli_proof_equals_api_proof(work: dict[str, Any]) -> None:
    """The CLI splits cached partitions like Engine.run_test: the same proof bytes."""
    d = work["dir"]
    pk = sb.ProvingKey.from_bytes((d / "pk.bin").read_bytes())
    arrays = work["arrays"]
    engine = sb.Engine(pk.vk.fri_params, device="cpu")
    snd = arrays["SenderCached"]
    contexts = [
        sb.AirProvingContext(0, arrays["FibonacciAir"], public_values=work["pv"]),
        sb.AirProvingContext(
            1, np.ascontiguousarray(snd[:, 2:]), cached_mains=[np.ascontiguousarray(snd[:, :2])]
        ),
        sb.AirProvingContext(2, arrays["Receiver"]),
    ]
    proof = engine.prove(pk, contexts)
    assert proof.to_bytes() == (d / "proof.bin").read_bytes()


def test_absent_air_and_inline_public_values(
    work: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    d = work["dir"]
    np.savez(tmp_path / "fib.npz", FibonacciAir=work["arrays"]["FibonacciAir"])
    out = tmp_path / "p.bin"
    code, _, err = call(
        capsys,
        "prove",
        str(d / "pk.bin"),
        str(tmp_path / "fib.npz"),
        "--public-values",
        json.dumps([work["pv"], None, None]),
        "-o",
        str(out),
    )
    assert code == 0, err
    code, stdout, err = call(capsys, "inspect", str(out), "--key", str(d / "vk.bin"), "--json")
    assert code == 0, err
    info = json.loads(stdout)
    assert info["kind"] == "proof"
    assert info["airs"] == [
        {"id": 0, "height": 16, "public_values": work["pv"], "name": "FibonacciAir"}
    ]
    code, _, err = call(capsys, "verify", str(d / "vk.bin"), str(out))
    assert code == 0, err


def test_in_process_json(work: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    d = work["dir"]
    code, out, _ = call(capsys, "verify", str(d / "vk.bin"), str(d / "proof.bin"), "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["ok"] and payload["valid"] and payload["error"] is None
    # --json before the subcommand works through the entry point too
    assert entry_main(["--json", "verify", str(d / "vk.bin"), str(d / "proof.bin")]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True


# -- inspect ------------------------------------------------------------------------------------


def test_inspect_key(work: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    d = work["dir"]
    vk = sb.VerifyingKey.from_bytes((d / "vk.bin").read_bytes())
    for name, kind in (("pk.bin", "proving_key"), ("vk.bin", "verifying_key")):
        code, out, err = call(capsys, "inspect", str(d / name), "--json")
        assert code == 0, err
        info = json.loads(out)
        assert info["kind"] == kind
        assert info["bytes"] == (d / name).stat().st_size
        assert info["config"]["name"] == "baby_bear_poseidon2"
        assert info["fri"]["num_queries"] == 8
        report = vk.config.security_report(vk.fri_params)
        assert info["security"]["security_bits"] == report["security_bits"]
        assert [a["name"] for a in info["airs"]] == vk.air_names
        assert [a["main_width"] for a in info["airs"]] == vk.main_widths
        assert info["airs"][1]["cached_main_widths"] == [2]
    code, out, _ = call(capsys, "inspect", str(d / "pk.bin"))
    assert code == 0 and "SenderCached" in out and "security" in out


def test_inspect_proof(work: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    d = work["dir"]
    code, out, err = call(capsys, "inspect", str(d / "proof.bin"), "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["bytes"] == (d / "proof.bin").stat().st_size
    assert [a["height"] for a in info["airs"]] == [16, 8, 8]
    proof = sb.Proof.from_bytes((d / "proof.bin").read_bytes())
    if hasattr(proof._raw, "section_sizes"):
        assert sum(info["sections"].values()) == info["bytes"]
    code, out, _ = call(capsys, "inspect", str(d / "proof.bin"))
    assert code == 0 and "height=16" in out


def test_inspect_unknown_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "junk.bin").write_bytes(b"hello world")
    code, _, err = call(capsys, "inspect", str(tmp_path / "junk.bin"))
    assert code == 2 and "junk.bin" in err and "not a stark_backend key or proof" in err


# -- estimate -----------------------------------------------------------------------------------


def test_estimate(work: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    if not hasattr(sb.Engine, "estimate"):
        pytest.skip("Engine.estimate is not built yet")
    d = work["dir"]
    code, out, err = call(
        capsys,
        "estimate",
        str(d / "pk.bin"),
        "--heights",
        "FibonacciAir=2^10,Receiver=1<<4,SenderCached=16",
        "--device",
        "cpu",
        "--json",
    )
    assert code == 0, err
    got = json.loads(out)["estimate"]
    pk = sb.ProvingKey.from_bytes((d / "pk.bin").read_bytes())
    want = sb.Engine(pk.vk.fri_params, device="cpu").estimate(pk, {0: 1024, 1: 16, 2: 16}).to_dict()
    assert got["proof_bytes"] == want["proof_bytes"] and got["cells"] == want["cells"]
    # one height per AIR, '-' for absent; heights from a trace file
    code, out, err = call(
        capsys, "estimate", str(d / "pk.bin"), "--heights", "2^4,-,-", "--device", "cpu", "--json"
    )
    assert code == 0, err
    code, out, err = call(
        capsys, "estimate", str(d / "pk.bin"), "--traces", str(d / "traces.npz"), "--device", "cpu"
    )
    assert code == 0, err
    code, _, err = call(capsys, "estimate", str(d / "pk.bin"), "--heights", "Nope=16")
    assert code == 2 and "Nope" in err
    code, _, err = call(capsys, "estimate", str(d / "pk.bin"), "--heights", "FibonacciAir=lots")
    assert code == 2 and "lots" in err


# -- exit code 1: rejected proofs ---------------------------------------------------------------


def test_tampered_proof_exits_1(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = work["dir"]
    data = (d / "proof.bin").read_bytes()
    # Flip a bit in the FRI openings (the proof's second half): still a well-formed proof.
    for offset in range(len(data) * 3 // 4, len(data)):
        tampered = bytearray(data)
        tampered[offset] ^= 1
        try:
            sb.Proof.from_bytes(bytes(tampered))
        except sb.ProofFormatError:
            continue
        break
    (tmp_path / "bad.bin").write_bytes(bytes(tampered))
    code, out, err = call(capsys, "verify", str(d / "vk.bin"), str(tmp_path / "bad.bin"), "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["valid"] is False and payload["error"]["type"]
    assert "bad.bin" in err and "rejected" in err
    r = run_cli("verify", str(d / "vk.bin"), str(tmp_path / "bad.bin"), cwd=tmp_path)
    assert r.returncode == 1 and "bad.bin" in r.stderr


# -- exit code 2: bad input ---------------------------------------------------------------------


def test_missing_and_truncated_files(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = work["dir"]
    vk = str(d / "vk.bin")
    code, _, err = call(capsys, "verify", vk, str(tmp_path / "nope.bin"))
    assert code == 2 and "nope.bin" in err and "no such file" in err
    data = (d / "proof.bin").read_bytes()
    (tmp_path / "short.bin").write_bytes(data[: len(data) // 2])
    code, _, err = call(capsys, "verify", vk, str(tmp_path / "short.bin"))
    assert code == 2 and "short.bin" in err and "ProofFormatError" in err
    key = (d / "vk.bin").read_bytes()
    (tmp_path / "short_vk.bin").write_bytes(key[:-5])
    code, _, err = call(capsys, "verify", str(tmp_path / "short_vk.bin"), str(d / "proof.bin"))
    assert code == 2 and "short_vk.bin" in err
    (tmp_path / "empty.bin").write_bytes(b"")
    code, _, err = call(capsys, "inspect", str(tmp_path / "empty.bin"))
    assert code == 2 and "empty.bin" in err
    # a truncated proving key or trace file for prove: no output
    pk = (d / "pk.bin").read_bytes()
    (tmp_path / "short_pk.bin").write_bytes(pk[:-3])
    out = tmp_path / "out.bin"
    code, _, err = call(
        capsys, "prove", str(tmp_path / "short_pk.bin"), str(d / "traces.npz"), "-o", str(out)
    )
    assert code == 2 and "short_pk.bin" in err
    npz = (d / "traces.npz").read_bytes()
    (tmp_path / "short.npz").write_bytes(npz[: len(npz) // 2])
    code, _, err = call(
        capsys, "prove", str(d / "pk.bin"), str(tmp_path / "short.npz"), "-o", str(out)
    )
    assert code == 2 and "short.npz" in err
    code, _, err = call(
        capsys, "prove", str(d / "pk.bin"), str(tmp_path / "missing.npz"), "-o", str(out)
    )
    assert code == 2 and "missing.npz" in err
    assert not out.exists()
    # a key where a proof belongs and the other way round
    code, _, err = call(capsys, "verify", str(d / "proof.bin"), str(d / "proof.bin"))
    assert code == 2 and "is a proof" in err
    code, _, err = call(capsys, "prove", vk, str(d / "traces.npz"), "-o", str(out))
    assert code == 2 and "verifying key" in err
    assert not out.exists()


def _prove_fails(
    capsys: pytest.CaptureFixture[str],
    work: dict[str, Any],
    tmp_path: Path,
    arrays: dict[str, Any],
    *extra: str,
) -> str:
    d = work["dir"]
    np.savez(tmp_path / "bad.npz", **arrays)
    before = _outputs(tmp_path)
    code, _, err = call(
        capsys,
        "prove",
        str(d / "pk.bin"),
        str(tmp_path / "bad.npz"),
        "--public-values",
        json.dumps({"FibonacciAir": work["pv"]}),
        "-o",
        str(tmp_path / "proof.bin"),
        *extra,
    )
    assert code == 2, err
    assert "bad.npz" in err or "--public-values" in err
    assert _outputs(tmp_path) == before  # no proof, no temporary file
    return err


def test_wrong_air_name(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arrays = dict(work["arrays"])
    arrays["Fibonacci"] = arrays.pop("FibonacciAir")
    err = _prove_fails(capsys, work, tmp_path, arrays)
    assert "'Fibonacci'" in err and "FibonacciAir" in err and "bad.npz" in err


def test_wrong_dtype(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arrays = dict(work["arrays"])
    arrays["Receiver"] = arrays["Receiver"].astype(np.float64)
    err = _prove_fails(capsys, work, tmp_path, arrays)
    assert "'Receiver'" in err and "float64" in err


@pytest.mark.parametrize("shape_case", ["width", "one_dim", "three_dim", "height_not_pow2"])
def test_wrong_shape(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str], shape_case: str
) -> None:
    arrays = dict(work["arrays"])
    fib = arrays["FibonacciAir"]
    arrays["FibonacciAir"] = {
        "width": np.concatenate([fib, fib[:, :1]], axis=1),
        "one_dim": fib[:, 0].copy(),
        "three_dim": fib.reshape(16, 2, 1),
        "height_not_pow2": fib[:12],
    }[shape_case]
    err = _prove_fails(capsys, work, tmp_path, arrays)
    assert "'FibonacciAir'" in err and "shape" in err


def test_value_out_of_range(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arrays = dict(work["arrays"])
    rcv = arrays["Receiver"].astype(np.int64)
    rcv[3, 1] = sb.P
    arrays["Receiver"] = rcv
    err = _prove_fails(capsys, work, tmp_path, arrays)
    assert "'Receiver'" in err and "row 3" in err


def test_bad_public_values(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = work["dir"]
    out = tmp_path / "proof.bin"
    cases = [
        ('{"FibonacciAir": [0, 1]}', "takes 3"),
        ('{"Fib": [0, 1, 2]}', "'Fib'"),
        ('{"FibonacciAir": [0, 1, "x"]}', "element 2"),
        ("[1, 2", "invalid JSON"),
        (str(tmp_path / "absent.json"), "absent.json"),
    ]
    for text, needle in cases:
        code, _, err = call(
            capsys,
            "prove",
            str(d / "pk.bin"),
            str(d / "traces.npz"),
            "--public-values",
            text,
            "-o",
            str(out),
        )
        assert code == 2 and needle in err, (text, err)
    code, _, err = call(capsys, "prove", str(d / "pk.bin"), str(d / "traces.npz"), "-o", str(out))
    assert code == 2 and "public values" in err
    assert not out.exists()


def test_key_for_another_circuit(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = work["dir"]
    out = tmp_path / "proof.bin"
    code, _, err = call(
        capsys, "prove", str(d / "other_pk.bin"), str(d / "traces.npz"), "-o", str(out)
    )
    assert code == 2 and "traces.npz" in err and "another circuit" in err
    assert not out.exists()
    code, _, err = call(capsys, "verify", str(d / "other_pk.bin"), str(d / "proof.bin"))
    assert code == 2 and "proof.bin" in err and "another circuit" in err


def test_unsatisfied_traces_with_debug(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arrays = dict(work["arrays"])
    fib = arrays["FibonacciAir"].copy()
    fib[5, 1] += 1
    arrays["FibonacciAir"] = fib
    err = _prove_fails(capsys, work, tmp_path, arrays, "--debug")
    assert "ConstraintViolation" in err


def test_usage_errors(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = work["dir"]
    circ = str(d / "circ.py")
    pk = tmp_path / "pk.bin"
    cases: list[tuple[list[str], str]] = [
        ([], ""),
        (["frobnicate"], "frobnicate"),
        (["keygen", f"{circ}:airs"], "-o"),
        (["keygen", f"{circ}:airs", "-o", str(pk), "--fri", "fastest"], "--fri"),
        (["keygen", f"{circ}:airs", "-o", str(pk), "--fri", "1,0,0,0,0"], "--fri"),
        (["keygen", f"{circ}:airs", "-o", str(pk), "--config", "nope"], "--config"),
        (["keygen", circ, "-o", str(pk)], "MODULE:FACTORY"),
        (["keygen", f"{circ}:missing", "-o", str(pk)], "'missing'"),
        (["keygen", f"{circ}:broken", "-o", str(pk)], "no circuit today"),
        (["keygen", f"{circ}:NOT_A_FACTORY", "-o", str(pk)], "NOT_A_FACTORY"),
        (["keygen", f"{tmp_path}/nope.py:airs", "-o", str(pk)], "nope.py"),
        (["keygen", "no_such_module_xyz:airs", "-o", str(pk)], "no_such_module_xyz"),
        (
            ["keygen", f"{circ}:airs", "-o", str(tmp_path / "no" / "dir" / "pk.bin")],
            "does not exist",
        ),
        (["verify", str(d / "vk.bin")], "PROOF"),
        (["estimate", str(d / "pk.bin")], "--heights"),
    ]
    for argv, needle in cases:
        code, _, err = call(capsys, *argv)
        assert code == 2, (argv, err)
        assert needle in err, (argv, err)
    assert _outputs(tmp_path) == set()
    assert entry_main([]) == 2
    assert entry_main(["frobnicate"]) == 2
    capsys.readouterr()
    code, out, _ = call(capsys, "verify", "--json", str(d / "vk.bin"), str(tmp_path / "x.bin"))
    assert code == 2
    payload = json.loads(out)
    assert (
        payload["ok"] is False
        and payload["exit_code"] == 2
        and "x.bin" in payload["error"]["message"]
    )
    assert cli.main(["--help"]) == 0
    assert entry_main(["verify", "--help"]) == 0
    capsys.readouterr()


def test_json_usage_error_is_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = call(capsys, "keygen", "--json")
    assert code == 2 and "usage" in err
    assert json.loads(out)["error"]["type"] == "UsageError"


# -- atomic outputs -----------------------------------------------------------------------------


def test_write_atomic_replaces_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")
    cli.write_atomic([(str(target), b"new")])
    assert target.read_bytes() == b"new"
    with pytest.raises(cli.CliError, match="cannot write"):
        cli.write_atomic(
            [(str(tmp_path / "b.bin"), b"x"), (str(tmp_path / "missing" / "c.bin"), b"y")]
        )
    assert _outputs(tmp_path) == {"a.bin"}


def test_keygen_overwrites_atomically(
    work: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = work["dir"]
    pk = tmp_path / "pk.bin"
    pk.write_bytes(b"previous")
    code, out, err = call(
        capsys, "keygen", f"{d / 'circ.py'}:airs", "-o", str(pk), "--fri", FRI, "--json"
    )
    assert code == 0, err
    assert pk.read_bytes() == (d / "pk.bin").read_bytes()
    assert json.loads(out)["vk"] is None
    assert _outputs(tmp_path) == {"pk.bin"}
    # a failed keygen leaves the old file as it was, and no temporary file
    code, _, err = call(capsys, "keygen", f"{d / 'circ.py'}:broken", "-o", str(pk))
    assert code == 2
    assert pk.read_bytes() == (d / "pk.bin").read_bytes()
    assert _outputs(tmp_path) == {"pk.bin"}


# -- progress and the other commands ------------------------------------------------------------


def test_progress_display(work: dict[str, Any]) -> None:
    pytest.importorskip("rich")
    if not cli._accepts(sb.Engine.prove, "progress"):
        pytest.skip("Engine.prove has no progress parameter yet")
    d = work["dir"]
    pk = sb.ProvingKey.from_bytes((d / "pk.bin").read_bytes())
    fib, pv = fibonacci_trace(16)
    buf = io.StringIO()
    display = cli.ProgressDisplay(True, file=buf, force=True)
    assert display.callback is not None
    with display:
        sb.Engine(pk.vk.fri_params, device="cpu").prove(
            pk, [sb.AirProvingContext(0, fib, public_values=pv)], progress=display.callback
        )
    text = buf.getvalue()
    assert "main_commit" in text and "open" in text
    # quiet when stderr is not a terminal
    assert cli.ProgressDisplay(True, file=io.StringIO()).callback is None
    assert cli.ProgressDisplay(False, file=buf, force=True).callback is None


def test_info_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert entry_main(["info"]) == 0
    assert "simd" in capsys.readouterr().out
    assert entry_main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert "threads" in info and "cuda" in info
    assert entry_main(["--help"]) == 0
    assert "keygen" in capsys.readouterr().out


def test_fri_spec_parsing() -> None:
    assert cli.parse_fri("standard_fast") == sb.FriParameters.standard_fast()
    assert cli.parse_fri("standard_100_bits:2") == sb.FriParameters.standard_with_100_bits_security(
        2
    )
    assert cli.parse_fri("standard_with_100_bits_security:3") == (
        sb.FriParameters.standard_with_100_bits_security(3)
    )
    assert cli.parse_fri("1, 0, 8, 0, 0") == sb.FriParameters(1, 0, 8, 0, 0)
    with pytest.raises(cli.CliError):
        cli.parse_fri("standard_100_bits:9")


def test_air_from_class_factory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A factory may be an Air class (one AIR) or a list."""
    airs = cli.load_circuit("stark_backend.examples:FibonacciAir")
    assert len(airs) == 1 and isinstance(airs[0], FibonacciAir)
    (tmp_path / "lst.py").write_text(
        "from stark_backend.examples import InteractionAir\n"
        "AIRS = [InteractionAir(1, send=True), InteractionAir(1, send=False)]\n"
    )
    got = cli.load_circuit(f"{tmp_path / 'lst.py'}:AIRS")
    assert [type(a) for a in got] == [InteractionAir, InteractionAir]


def test_duplicate_air_names_are_keyed_by_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "two.py").write_text(
        "from stark_backend.examples import FibonacciAir\n"
        "def airs():\n"
        "    return [FibonacciAir(), FibonacciAir()]\n"
    )
    pk, out = tmp_path / "pk.bin", tmp_path / "proof.bin"
    assert cli.main(["keygen", f"{tmp_path / 'two.py'}:airs", "-o", str(pk), "--fri", FRI]) == 0
    fib, pv = fibonacci_trace(8)
    np.savez(tmp_path / "by_name.npz", FibonacciAir=fib)
    capsys.readouterr()
    code, _, err = call(capsys, "prove", str(pk), str(tmp_path / "by_name.npz"), "-o", str(out))
    assert code == 2 and "several AIRs" in err and "by_name.npz" in err
    np.savez(tmp_path / "by_id.npz", **{"1": fib})
    code, _, err = call(
        capsys,
        "prove",
        str(pk),
        str(tmp_path / "by_id.npz"),
        "--public-values",
        json.dumps([[], pv]),
        "-o",
        str(out),
    )
    assert code == 0, err
    assert sb.Proof.from_bytes(out.read_bytes()).air_ids == [1]
