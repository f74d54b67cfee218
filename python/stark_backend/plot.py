"""Pictures of where the prover's time goes.

Two views of the same numbers:

- :func:`phase_bar_lines` renders one prover's ``timings`` (what ``Engine.prove(timings=)``
  fills) as terminal bars, one per top-level phase, scaled to ``total``; plain text with
  Unicode block characters, no dependency (``python -m stark_backend demo`` prints it).
- :func:`plot_bench` draws a ``python -m stark_backend bench`` result (the JSON document, as
  a dict) to a PNG with matplotlib (optional extra ``stark-backend[plot]``): the per-phase
  breakdown of the end-to-end proofs and the scaling rows (threads, SIMD levels, the other
  ratio rows). ``bench --from-json FILE --plot OUT.png`` redraws a saved run.

matplotlib is imported only inside :func:`plot_bench`: importing this module costs nothing.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from typing import Any

# The prover's top-level phases, in the order they run; together they partition ``total``.
PHASE_ORDER = ("main_commit", "logup", "quotient", "open")
# Totals over all phases (they overlap the phases they occur in), not phases of their own.
CROSS_CUTTING = frozenset({"lde", "merkle_tree", "pow_grinding"})
# The remainder of ``total`` that no top-level phase accounts for.
OTHER = "other"
# ... shown only from this share of ``total`` on (below it the phases' percentages sum to ~100).
OTHER_MIN_SHARE = 0.005

_EIGHTHS = " ▏▎▍▌▋▊▉"  # index k: a cell filled k/8 from the left
_FULL = "█"
_INSTALL_HINT = "pip install stark-backend[plot]"


def _is_phase(name: str) -> bool:
    """A top-level phase: no sub-phase ('.'), not a cross-cutting total, not a byte count."""
    return (
        name != "total"
        and "." not in name
        and name not in CROSS_CUTTING
        and not name.endswith("_bytes")
        and name != OTHER
    )


def top_level_phases(timings: Mapping[str, float]) -> tuple[list[tuple[str, float]], float]:
    """``([(phase, seconds), ...], total)``: the top-level phases of one proof in the order
    they run (known ones first, then any others the core reports), plus ``"other"`` for the
    part of ``total`` they leave unaccounted. The seconds sum to the returned total (``total``,
    or the phases' sum where that is larger or ``total`` is missing)."""
    phases = [(n, float(timings[n])) for n in PHASE_ORDER if n in timings]
    phases += [(n, float(v)) for n, v in timings.items() if n not in PHASE_ORDER and _is_phase(n)]
    phases = [(n, max(0.0, s)) for n, s in phases if math.isfinite(s)]
    summed = sum(s for _, s in phases)
    total = float(timings.get("total", summed))
    if not math.isfinite(total) or total < summed:
        total = summed
    rest = total - summed
    if rest > OTHER_MIN_SHARE * total:
        phases.append((OTHER, rest))
    return phases, total


def _cell_eighths(fractions: list[float], width: int) -> list[int]:
    """Bar lengths in eighths of a cell: cumulative rounding (so the lengths add up to the
    whole), then the longest bar shortened, a cell at a time, until the bars (each partial
    cell taking a whole one) fit in ``width`` cells; short phases stay visible."""
    eighths: list[int] = []
    cum = 0.0
    prev = 0
    for f in fractions:
        cum += f
        edge = min(width * 8, round(cum * width * 8))
        eighths.append(max(0, edge - prev))
        prev = max(prev, edge)

    def cells() -> int:
        return sum(-(-e // 8) for e in eighths)

    while cells() > width:
        i = max(range(len(eighths)), key=lambda j: eighths[j])
        eighths[i] -= eighths[i] % 8 or 8
    return eighths


def _bar(eighths: int) -> str:
    full, part = divmod(eighths, 8)
    return _FULL * full + (_EIGHTHS[part] if part else "")


def phase_bar_lines(timings: Mapping[str, float], width: int = 40) -> list[str]:
    """One line per top-level prover phase: ``name  ████▌  0.123 s  45.6%``; the bars, scaled
    to the proof's total, together take at most ``width`` cells. Empty for no timings."""
    if width < 1:
        raise ValueError(f"phase_bar_lines: width must be >= 1, got {width}")
    phases, total = top_level_phases(timings)
    if not phases or total <= 0:
        return []
    fractions = [s / total for _, s in phases]
    eighths = _cell_eighths(fractions, width)
    label = max(len(n) for n, _ in phases)
    return [
        f"{name:<{label}}  {_bar(e):<{width}}  {secs:8.3f} s  {100 * frac:5.1f}%"
        for (name, secs), frac, e in zip(phases, fractions, eighths, strict=True)
    ]


# ---- bench results ------------------------------------------------------------------------------


def prove_breakdowns(result: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, float]]]]:
    """``[(row name, [(phase, seconds), ...]), ...]`` for every row of a bench result that
    carries a prover's per-phase timings (the end-to-end proofs, CPU and CUDA)."""
    out = []
    for row in result.get("rows", []):
        params = row.get("params") or {}
        timings = params.get("prover_timings") or params.get("cuda_timings")
        if not isinstance(timings, Mapping) or not timings:
            continue
        phases, _ = top_level_phases(timings)
        if phases:
            out.append((str(row["name"]), phases))
    return out


def scaling_groups(result: Mapping[str, Any]) -> dict[str, list[tuple[str, float, float | None]]]:
    """The bench rows with a ratio, grouped: ``{"threads": ..., "simd": ..., "other": ...}``,
    each ``[(row name, ratio, ideal or None), ...]`` (ratio: speed-up over the row's baseline;
    ideal: the thread count for rows against one thread)."""
    groups: dict[str, list[tuple[str, float, float | None]]] = {
        "threads": [],
        "simd": [],
        "other": [],
    }
    for row in result.get("rows", []):
        ratio = row.get("ratio")
        if ratio is None or not math.isfinite(float(ratio)) or float(ratio) <= 0:
            continue
        baseline = str(row.get("baseline") or "")
        params = row.get("params") or {}
        name = str(row["name"])
        if baseline == "1 thread":
            threads = params.get("threads")
            ideal = float(threads) if isinstance(threads, (int, float)) else None
            groups["threads"].append((name, float(ratio), ideal))
        elif baseline.startswith("scalar"):
            level = params.get("simd")
            label = f"{name} ({level})" if level and str(level) not in name else name
            groups["simd"].append((label, float(ratio), None))
        else:
            groups["other"].append((f"{name} / {baseline}", float(ratio), None))
    return groups


_PHASE_COLORS = {
    "main_commit": "#4c72b0",
    "logup": "#55a868",
    "quotient": "#c44e52",
    "open": "#8172b2",
    OTHER: "#bbbbbb",
}


def _import_pyplot() -> Any:
    # importlib: mypy checks this module the same with or without matplotlib installed.
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError as exc:
        raise ImportError(
            f"plotting needs matplotlib, which is not installed: {_INSTALL_HINT}"
        ) from exc
    matplotlib.use("Agg")  # files only: no display needed
    return importlib.import_module("matplotlib.pyplot")


def _ratio_panel(ax: Any, title: str, items: list[tuple[str, float, float | None]]) -> None:
    names = [n for n, _, _ in items]
    ratios = [r for _, r, _ in items]
    ys = list(range(len(items)))
    ax.barh(ys, ratios, color="#4c72b0", height=0.6)
    for y, (_, ratio, ideal) in zip(ys, items, strict=True):
        ax.text(max(ratio, ideal or 0.0), y, f" x{ratio:.2f}", va="center", fontsize=7)
        if ideal is not None:
            ax.plot([ideal, ideal], [y - 0.35, y + 0.35], color="#c44e52", linewidth=1.5)
    if any(ideal is not None for _, _, ideal in items):
        ax.plot([], [], color="#c44e52", label="ideal\n(thread count)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
    ax.axvline(1.0, color="#555555", linewidth=0.8, linestyle="--")
    if ratios and max(ratios) / min(ratios) > 20:
        ax.set_xscale("log")
    ax.set_yticks(ys, names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("speed-up over baseline (x)")
    ax.set_title(title, fontsize=10)
    right = max(ratios + [i for _, _, i in items if i is not None] + [1.0])
    if ax.get_xscale() == "linear":
        ax.set_xlim(0, right * 1.15)
    else:
        ax.set_xlim(min([*ratios, 1.0]) / 1.5, right * 3)


def plot_bench(result: dict[str, Any], path: str) -> None:
    """Draw a bench result (the dict ``bench.run`` returns / ``bench --json`` writes) to the
    PNG ``path``: (a) the per-phase breakdown of every end-to-end proof (stacked bars of the
    prover's top-level phases, seconds), (b) thread scaling (speed-up over one thread against
    the ideal), (c) SIMD levels (speed-up over the scalar path), (d) the other ratio rows
    (configurations, galois, CUDA over CPU). Panels without rows are left out.

    Raises ``ImportError`` (naming ``pip install stark-backend[plot]``) without matplotlib."""
    plt = _import_pyplot()
    breakdowns = prove_breakdowns(result)
    groups = scaling_groups(result)
    panels: list[tuple[str, Any]] = []
    if breakdowns:
        panels.append(("phases", breakdowns))
    titles = {
        "threads": "Thread scaling (vs 1 thread)",
        "simd": "SIMD levels (vs scalar path)",
        "other": "Other ratios (vs the row's baseline)",
    }
    for key, title in titles.items():
        if groups[key]:
            panels.append((title, groups[key]))
    heights = [max(2.0, 0.32 * len(data) + 1.2) for _, data in panels] or [2.0]
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(11, sum(heights)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
        layout="constrained",
    )
    machine = result.get("machine") or {}
    fig.suptitle(
        "stark_backend bench"
        + (" (quick)" if result.get("quick") else "")
        + f": {machine.get('processor', '?')}, threads={machine.get('threads', '?')}, "
        f"simd={machine.get('simd', '?')}, device={result.get('device', 'cpu')}",
        fontsize=10,
    )
    if not panels:
        ax = axes[0][0]
        ax.axis("off")
        ax.text(0.5, 0.5, "no rows to plot", ha="center", va="center")
    for i, (title, data) in enumerate(panels):
        ax = axes[i][0]
        if title == "phases":
            _phase_panel(ax, data)
        else:
            _ratio_panel(ax, title, data)
    try:
        fig.savefig(path, format="png", dpi=110)
    finally:
        plt.close(fig)


def _phase_panel(ax: Any, breakdowns: list[tuple[str, list[tuple[str, float]]]]) -> None:
    seen: list[str] = []
    for _, phases in breakdowns:
        seen += [n for n, _ in phases if n not in seen]
    order = [n for n in (*PHASE_ORDER, *seen) if n in seen and n != OTHER]
    order = list(dict.fromkeys(order)) + ([OTHER] if OTHER in seen else [])
    palette = ["#dd8452", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]
    colors = {n: _PHASE_COLORS.get(n) or palette[i % len(palette)] for i, n in enumerate(order)}
    ys = list(range(len(breakdowns)))
    totals = [sum(s for _, s in phases) for _, phases in breakdowns]
    for phase in order:
        widths = [dict(phases).get(phase, 0.0) for _, phases in breakdowns]
        lefts = [
            sum(s for n, s in phases if order.index(n) < order.index(phase))
            for _, phases in breakdowns
        ]
        ax.barh(ys, widths, left=lefts, color=colors[phase], label=phase, height=0.6)
    for y, total in zip(ys, totals, strict=True):
        ax.text(total, y, f" {total:.3g} s", va="center", fontsize=7)
    ax.set_yticks(ys, [name for name, _ in breakdowns], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, max([*totals, 1e-9]) * 1.15)
    ax.set_xlabel("prover time (s), by phase")
    ax.set_title("End-to-end proofs: per-phase breakdown", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
