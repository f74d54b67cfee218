"""The terminal phase bar (demo) and the bench plot (``bench --plot`` / ``--from-json``)."""

from __future__ import annotations

import io
import json
import platform
import re
from pathlib import Path
from typing import Any

import pytest

import stark_backend as sb
from stark_backend import bench, demo
from stark_backend.examples import FibonacciAir, fibonacci_trace
from stark_backend.plot import (
    OTHER,
    PHASE_ORDER,
    phase_bar_lines,
    prove_breakdowns,
    scaling_groups,
    top_level_phases,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BLOCKS = "█▏▎▍▌▋▊▉"

# The shape of ``Engine.prove(timings=)``: top-level phases, sub-phases, cross-cutting totals.
TIMINGS = {
    "lde": 0.0057,
    "merkle_tree": 0.0161,
    "main_commit": 0.0201,
    "pow_grinding": 3.4598,
    "logup": 0.0396,
    "quotient.values": 0.0217,
    "quotient": 0.0225,
    "open.evaluate": 0.0138,
    "open.fri_fold": 2.7784,
    "open.queries": 0.6442,
    "open": 3.4364,
    "total": 3.5191,
}


def _bar_width(line: str) -> int:
    return sum(1 for ch in line if ch in BLOCKS)


def _percents(lines: list[str]) -> list[float]:
    return [float(re.search(r"([\d.]+)%$", line).group(1)) for line in lines]  # type: ignore[union-attr]


def _real_timings() -> dict[str, float]:
    """The timings of a real (tiny, insecure, fast) Fibonacci proof."""
    engine = sb.Engine(sb.FriParameters(1, 0, 8, 0, 0))
    kb = engine.keygen_builder()
    air_id = kb.add_air(FibonacciAir())
    pk = kb.generate_pk()
    trace, pv = fibonacci_trace(256)
    timings: dict[str, float] = {}
    engine.prove(pk, [sb.AirProvingContext(air_id, trace, public_values=pv)], timings=timings)
    return timings


# ---- the terminal bar ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1, 8, 40, 73])
@pytest.mark.parametrize("source", ["synthetic", "real"])
def test_phase_bar_lines(width: int, source: str) -> None:
    timings = TIMINGS if source == "synthetic" else _real_timings()
    lines = phase_bar_lines(timings, width=width)
    names = [line.split()[0] for line in lines]
    # Every top-level phase, in order; no sub-phase, no cross-cutting total.
    expected = [n for n in PHASE_ORDER if n in timings]
    assert names[: len(expected)] == expected
    assert set(names) <= set(PHASE_ORDER) | {OTHER}
    assert sum(_bar_width(line) for line in lines) <= width
    assert sum(_percents(lines)) == pytest.approx(100.0, abs=0.5 + 0.05 * len(lines))
    # Seconds as reported.
    for line in lines:
        name, secs = line.split()[0], float(line.split()[-3])
        if name != OTHER:
            assert secs == pytest.approx(timings[name], abs=1e-3)


def test_phase_bar_lines_scaled_to_total() -> None:
    lines = phase_bar_lines({"total": 1.0, "main_commit": 0.25, "open": 0.5}, width=40)
    assert [line.split()[0] for line in lines] == ["main_commit", "open", OTHER]
    assert [_bar_width(line) for line in lines] == [10, 20, 10]
    assert _percents(lines) == [25.0, 50.0, 25.0]
    # The bars line up: every line is as long as the next.
    assert len({len(line) for line in lines}) == 1


def test_phase_bar_lines_edge_cases() -> None:
    assert phase_bar_lines({}) == []
    assert phase_bar_lines({"total": 0.0}) == []
    # A missing total: the phases' sum. A total below the sum (clock skew): the sum.
    for given in ({}, {"total": 0.5}):
        lines = phase_bar_lines({"main_commit": 1.0, "open": 3.0, **given}, width=8)
        assert _percents(lines) == [25.0, 75.0]
        assert [_bar_width(line) for line in lines] == [2, 6]
    # Byte counts of the CUDA prover and unknown top-level phases.
    phases, total = top_level_phases(
        {"total": 2.0, "open": 1.0, "new_phase": 1.0, "host_to_device_bytes": 1e9}
    )
    assert phases == [("open", 1.0), ("new_phase", 1.0)] and total == 2.0
    with pytest.raises(ValueError, match="width"):
        phase_bar_lines(TIMINGS, width=0)


def test_demo_prints_the_bar(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--fib-log-rows", "6", "--keccak", "1", "--requester-log-rows", "4"]
    assert demo.main(argv) == 0
    out = capsys.readouterr().out
    assert "verified: OK" in out
    start = out.index("prover phases")
    bar = out[start:].splitlines()[1:]
    bar = [line for line in bar if line.endswith("%")]
    names = [line.split()[0] for line in bar]
    for phase in ("main_commit", "logup", "quotient", "open"):
        assert phase in names
    assert sum(_bar_width(line) for line in bar) <= 40
    assert sum(_percents(bar)) == pytest.approx(100.0, abs=1.0)
    assert "\x1b[" not in out  # not a terminal: plain text, no colour codes


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_demo_bar_on_a_terminal_uses_rich() -> None:
    pytest.importorskip("rich")
    out = _Tty()
    demo._print_phase_bar(TIMINGS, out)
    text = out.getvalue()
    for phase in ("main_commit", "logup", "quotient", "open"):
        assert phase in text
    assert "%" in text and "prover phases" in text


# ---- bench results ------------------------------------------------------------------------------


def _synthetic_result() -> dict[str, Any]:
    def row(
        name: str, value: float, baseline: str | None, ratio: float | None, **params: Any
    ) -> Any:
        return {
            "name": name,
            "value": value,
            "unit": "s",
            "params": params,
            "baseline": baseline,
            "baseline_value": None if ratio is None else value * ratio,
            "ratio": ratio,
            "reference": None,
        }

    return {
        "machine": {"platform": "test", "processor": "x86_64", "threads": 4, "simd": "avx2"},
        "quick": True,
        "device": "cpu",
        "rows": [
            row("poseidon2_permutations_per_s_1_thread", 1e7, "scalar path, 1 thread", 8.0,
                simd="avx2"),
            row("poseidon2_permutations_per_s_all_threads", 3e7, "1 thread", 3.1, threads=4),
            row("keccak256_leaf_hash_gb_per_s_1_thread_avx2", 1.1, "scalar", 3.2, simd="avx2"),
            row("ntt_2^14_ms", 0.02, "galois 0.4 ntt", 30.0),
            row("bn254_poseidon2_perm_per_s_1_thread", 1e5, None, None),
            row("prove_keccak_s", 1.2, "1 thread", 3.5, threads=4, prover_timings=TIMINGS),
            row("prove_fibonacci_s", 0.3, "1 thread", 3.9, threads=4,
                prover_timings={"total": 0.3, "main_commit": 0.1, "quotient": 0.05, "open": 0.1}),
            row("prove_keccak_baby_bear_blake3_s", 0.4, "baby_bear_poseidon2", 3.0,
                prover_timings={"total": 0.4, "open": 0.3, "main_commit": 0.1}),
        ],
    }  # fmt: skip


def _real_result() -> dict[str, Any]:
    """Rows measured now, the way ``bench.run`` makes them (the cheap ones), plus a proof row
    carrying a real proof's timings (``bench.run`` gets those from a worker process)."""
    rows: list[bench.Row] = []
    bench.bench_lde_and_merkle(True, 1, rows)
    bench.bench_field(True, rows)
    bench.bench_hash_throughput(True, rows)
    timings = _real_timings()
    rows.append(
        bench.Row(
            "prove_fibonacci_s",
            timings["total"],
            "s",
            {"threads": sb.num_threads(), "prover_timings": timings},
            baseline="1 thread",
            baseline_value=timings["total"],
            ratio=1.0,
        )
    )
    from dataclasses import asdict

    return {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.machine(),
            "threads": sb.num_threads(),
            "simd": "test",
        },
        "quick": True,
        "device": "cpu",
        "rows": [asdict(r) for r in rows],
    }


def test_breakdowns_and_scaling_groups() -> None:
    result = _synthetic_result()
    names = [name for name, _ in prove_breakdowns(result)]
    assert names == ["prove_keccak_s", "prove_fibonacci_s", "prove_keccak_baby_bear_blake3_s"]
    groups = scaling_groups(result)
    assert [n for n, _, _ in groups["threads"]] == [
        "poseidon2_permutations_per_s_all_threads",
        "prove_keccak_s",
        "prove_fibonacci_s",
    ]
    assert all(ideal == 4.0 for _, _, ideal in groups["threads"])
    assert len(groups["simd"]) == 2
    assert len(groups["other"]) == 2  # galois, configuration; the row without a ratio is left out


def _assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 1024


@pytest.mark.parametrize("source", ["synthetic", "real"])
def test_plot_bench_writes_a_png(tmp_path: Path, source: str) -> None:
    pytest.importorskip("matplotlib")
    from stark_backend.plot import plot_bench

    result = _synthetic_result() if source == "synthetic" else _real_result()
    out = tmp_path / "bench.png"
    plot_bench(result, str(out))
    _assert_png(out)


def test_plot_bench_without_rows(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from stark_backend.plot import plot_bench

    out = tmp_path / "empty.png"
    plot_bench({"machine": {}, "rows": []}, str(out))
    _assert_png(out)


def test_plot_bench_without_matplotlib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    from stark_backend.plot import plot_bench

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import raises ImportError
    with pytest.raises(ImportError, match=r"pip install stark-backend\[plot\]"):
        plot_bench(_synthetic_result(), str(tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()


def test_bench_from_json_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    saved = tmp_path / "b.json"
    saved.write_text(json.dumps(_synthetic_result()), encoding="utf-8")
    out = tmp_path / "b.png"
    assert bench.main(["--from-json", str(saved), "--plot", str(out)]) == 0
    _assert_png(out)
    captured = capsys.readouterr()
    assert "prove_keccak_s" in captured.err  # the table, from the file: nothing was measured
    assert captured.out == ""


def test_bench_from_json_table_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "b.json"
    saved.write_text(json.dumps(_synthetic_result()), encoding="utf-8")
    copy = tmp_path / "copy.json"
    assert bench.main(["--from-json", str(saved), "--json", str(copy)]) == 0
    assert json.loads(copy.read_text(encoding="utf-8")) == _synthetic_result()
    assert "ntt_2^14_ms" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (None, "cannot read"),
        ("{not json", "not JSON"),
        ("[]", "not a bench result"),
        ('{"rows": []}', "'machine'"),
        ('{"machine": {"processor": "x", "threads": 1, "simd": "s"}}', "'rows'"),
        (
            '{"machine": {"processor": "x", "threads": 1, "simd": "s"}, "rows": [{"name": 1}]}',
            "'rows[0].name'",
        ),
    ],
)
def test_bench_from_json_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, field: str
) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert bench.main(["--from-json", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and field in err
