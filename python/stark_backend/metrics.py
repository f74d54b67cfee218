"""What a proof cost: :class:`ProofMetrics`, filled by ``engine.prove(..., metrics=m)``.

Everything in it is a count the core measured or a size it can derive from the key and the
trace heights — nothing is sampled:

- per AIR (:class:`AirMetrics`): the trace height and the cells (field elements) of each trace
  the prover commits — preprocessed, main (cached partitions and the common main),
  after-challenge (the LogUp trace, 4 base-field columns per extension column) and quotient
  (``quotient_degree`` chunks of 4 base-field columns) — before the ``2^log_blowup`` LDE;
- ``permutations``: hash permutations per prover phase (Poseidon2 for the Poseidon2
  configurations, Keccak-f or BLAKE3 compressions for the byte-hash ones): Merkle leaves and
  compressions, the transcript's sponge; ``grinding``: the proof-of-work candidates tried,
  counted as the sequential search would (``witness + 1``), so both are the same for every
  thread count and device;
- ``section_bytes``: the proof's bytes per section of its encoding (they sum to
  ``proof_bytes = len(proof)``);
- ``timings``: wall-clock seconds per phase, as ``Engine.prove(timings=...)``.

``to_dict()`` / ``to_json()`` give the whole record (docs/metrics.md lists the fields).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["AirMetrics", "ProofMetrics"]

# The phases of a proof, in order, that partition its total time (the others nest in them).
TOP_LEVEL_PHASES = ("main_commit", "logup", "quotient", "pow_grinding", "open")


@dataclass
class AirMetrics:
    """One present AIR of a proof: its height and the cells of each committed trace."""

    air_id: int
    name: str
    height: int
    preprocessed_cells: int
    cached_main_cells: int
    common_main_cells: int
    after_challenge_cells: int
    quotient_cells: int

    @property
    def main_cells(self) -> int:
        """Cached partitions plus the common main."""
        return self.cached_main_cells + self.common_main_cells

    @property
    def total_cells(self) -> int:
        return (
            self.preprocessed_cells
            + self.main_cells
            + self.after_challenge_cells
            + self.quotient_cells
        )


@dataclass
class ProofMetrics:
    """Filled by ``engine.prove(pk, contexts, metrics=m)`` (a fresh object, or one that is
    overwritten: every field is replaced). Shapes: ``airs`` one entry per present AIR in
    ascending id; ``permutations`` / ``grinding`` ``{phase: count}``; ``section_bytes``
    ``{section: bytes}`` in encoding order; ``timings`` ``{phase: seconds}``."""

    config: str = ""
    device: str = ""
    log_blowup: int = 0
    airs: list[AirMetrics] = field(default_factory=list)
    permutations: dict[str, int] = field(default_factory=dict)
    grinding: dict[str, int] = field(default_factory=dict)
    section_bytes: dict[str, int] = field(default_factory=dict)
    proof_bytes: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def total_cells(self) -> int:
        """Cells of every committed trace of the proof, before the LDE."""
        return sum(a.total_cells for a in self.airs)

    @property
    def main_cells(self) -> int:
        return sum(a.main_cells for a in self.airs)

    @property
    def total_permutations(self) -> int:
        """Hash permutations of the whole proof (grinding not included)."""
        return sum(self.permutations.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: every field, the per-AIR totals, and ``totals``."""
        out = asdict(self)
        for record, air in zip(out["airs"], self.airs, strict=True):
            record["main_cells"] = air.main_cells
            record["total_cells"] = air.total_cells
        out["totals"] = {
            "cells": self.total_cells,
            "main_cells": self.main_cells,
            "permutations": self.total_permutations,
            "grinding": sum(self.grinding.values()),
            "proof_bytes": self.proof_bytes,
            "seconds": self.timings.get("total", 0.0),
        }
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def summary(self) -> str:
        """A few lines for people: cells, permutations, bytes and time per phase."""
        lines = [
            f"{len(self.airs)} AIRs, {self.total_cells:,} cells "
            f"({self.main_cells:,} main), proof {self.proof_bytes:,} bytes, "
            f"{self.total_permutations:,} hash permutations"
        ]
        for phase in TOP_LEVEL_PHASES:
            if phase in self.timings or phase in self.permutations:
                lines.append(
                    f"  {phase:<13} {self.timings.get(phase, 0.0):9.4f} s  "
                    f"{self.permutations.get(phase, 0):>12,} permutations"
                )
        return "\n".join(lines)


def air_metrics(vk: Any, air_ids: list[int], heights: list[int]) -> list[AirMetrics]:
    """The per-AIR cells of a proof of these AIRs at these heights (``vk``: a VerifyingKey)."""
    out = []
    names = vk.air_names
    prep = vk.preprocessed_widths
    cached = vk.cached_main_widths
    common = vk.common_main_widths
    main = vk.main_widths
    total = vk.total_widths
    degrees = vk.quotient_degrees
    for air_id, height in zip(air_ids, heights, strict=True):
        after = total[air_id] - prep[air_id] - main[air_id]
        out.append(
            AirMetrics(
                air_id=air_id,
                name=names[air_id],
                height=height,
                preprocessed_cells=height * prep[air_id],
                cached_main_cells=height * sum(cached[air_id]),
                common_main_cells=height * common[air_id],
                after_challenge_cells=height * after,
                # q_A chunks of n rows, each 4 base-field columns (an extension element).
                quotient_cells=height * degrees[air_id] * 4,
            )
        )
    return out


def fill(
    metrics: ProofMetrics,
    *,
    vk: Any,
    device: str,
    proof: Any,
    counts: dict[str, dict[str, int]],
    timings: dict[str, float],
) -> None:
    """Overwrite ``metrics`` from one proof (``proof``: a Proof) and the core's records."""
    metrics.config = vk.config.name
    metrics.device = device
    metrics.log_blowup = vk.fri_params.log_blowup
    metrics.airs = air_metrics(vk, proof.air_ids, proof.trace_heights)
    metrics.permutations = {
        phase: int(c["hash_permutations"])
        for phase, c in counts.items()
        if "hash_permutations" in c
    }
    metrics.grinding = {
        phase: int(c["grinding_permutations"])
        for phase, c in counts.items()
        if "grinding_permutations" in c
    }
    metrics.section_bytes = {str(k): int(v) for k, v in proof._raw.section_sizes()}
    metrics.proof_bytes = len(proof)
    metrics.timings = dict(timings)
