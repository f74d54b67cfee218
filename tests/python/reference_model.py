"""Slow pure-Python reference of Poseidon2 (BabyBear, width 16), the sponge and compression.

Written from the description in ``third_party/reference/poseidon2_babybear.json`` alone (its
``permutation_algorithm`` steps, the explicit 16 x 16 external matrix and the internal diagonal)
and from docs/protocol.md §1, with plain integer arithmetic mod p and no shortcuts, so it is an
independent check of the C++ core. It is slow (about a millisecond per permutation): use it on a
handful of inputs.

Public names: ``P``, ``reference()``, ``Poseidon2Model`` (``standard()``, ``from_constants()``,
``permute()``), ``permute``, ``hash_sponge``, ``compress``, ``hash_rows``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "third_party" / "reference"

RATE = 8
DIGEST = 8
WIDTH = 16


@cache
def reference() -> dict[str, Any]:
    """The parsed poseidon2_babybear.json."""
    with open(REFERENCE_DIR / "poseidon2_babybear.json", encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


P: int = int(reference()["field_prime"])


def _external_matrix() -> list[list[int]]:
    """M_ext as written out in the JSON, cross-checked against its MDSLight construction."""
    ext = reference()["external_linear_layer"]
    explicit = [[int(v) for v in row] for row in ext["explicit_matrix_width_16"]]
    mat4 = ext["mat4"]
    built = [
        [(2 if a // 4 == b // 4 else 1) * mat4[a % 4][b % 4] for b in range(WIDTH)]
        for a in range(WIDTH)
    ]
    if built != explicit:
        raise AssertionError("explicit_matrix_width_16 disagrees with the MDSLight construction")
    return explicit


def _internal_diagonal() -> list[int]:
    """V_i of M_int = J + diag(V), canonical."""
    return [int(v) % P for v in reference()["internal_linear_layer"]["V_canonical"]]


class Poseidon2Model:
    """Poseidon2 with given round constants (lists of canonical ints)."""

    def __init__(
        self,
        external_initial: Sequence[Sequence[int]],
        internal: Sequence[int],
        external_terminal: Sequence[Sequence[int]],
    ) -> None:
        ref = reference()
        self.rounds_f_half = int(ref["rounds_f"]) // 2
        self.rounds_p = int(ref["rounds_p"])
        self.degree = int(ref["sbox_degree"])
        if (
            len(external_initial) != self.rounds_f_half
            or len(external_terminal) != self.rounds_f_half
        ):
            raise ValueError("wrong number of external round-constant rows")
        if len(internal) != self.rounds_p:
            raise ValueError("wrong number of internal round constants")
        self.external_initial = [[int(c) for c in row] for row in external_initial]
        self.internal = [int(c) for c in internal]
        self.external_terminal = [[int(c) for c in row] for row in external_terminal]
        self.m_ext = _external_matrix()
        self.diag = _internal_diagonal()

    @classmethod
    def from_constants(cls, rc: dict[str, Any]) -> Poseidon2Model:
        return cls(rc["external_initial"], rc["internal"], rc["external_terminal"])

    @classmethod
    def standard(cls) -> Poseidon2Model:
        """The protocol's instance (openvm default_perm())."""
        return _standard_model()

    def _external_linear(self, s: list[int]) -> list[int]:
        return [sum(m * x for m, x in zip(row, s, strict=True)) % P for row in self.m_ext]

    def _internal_linear(self, s: list[int]) -> list[int]:
        total = sum(s)
        return [(total + v * x) % P for v, x in zip(self.diag, s, strict=True)]

    def permute(self, state: Sequence[int]) -> list[int]:
        if len(state) != WIDTH:
            raise ValueError(f"state must have {WIDTH} elements")
        s = [int(x) % P for x in state]
        s = self._external_linear(s)
        for rc in self.external_initial:
            s = [pow((x + c) % P, self.degree, P) for x, c in zip(s, rc, strict=True)]
            s = self._external_linear(s)
        for c in self.internal:
            s[0] = pow((s[0] + c) % P, self.degree, P)
            s = self._internal_linear(s)
        for rc in self.external_terminal:
            s = [pow((x + c) % P, self.degree, P) for x, c in zip(s, rc, strict=True)]
            s = self._external_linear(s)
        return s


@lru_cache(maxsize=1)
def _standard_model() -> Poseidon2Model:
    return Poseidon2Model.from_constants(reference()["round_constants"])


def permute(state: Sequence[int]) -> list[int]:
    """The standard permutation of one 16-element state."""
    return _standard_model().permute(state)


def hash_sponge(values: Sequence[int], model: Poseidon2Model | None = None) -> list[int]:
    """docs/protocol.md §1.1: overwrite the first k <= 8 words with each block, permute;
    return state[0..8)."""
    perm = model or _standard_model()
    s = [0] * WIDTH
    values = [int(v) for v in values]
    for pos in range(0, len(values), RATE):
        block = values[pos : pos + RATE]
        s[: len(block)] = block
        s = perm.permute(s)
    return s[:DIGEST]


def compress(
    left: Sequence[int], right: Sequence[int], model: Poseidon2Model | None = None
) -> list[int]:
    """docs/protocol.md §1.2: C(l, r) = Perm(l || r)[0..8)."""
    perm = model or _standard_model()
    return perm.permute([int(x) for x in left] + [int(x) for x in right])[:DIGEST]


def hash_rows(matrices: Sequence[Any]) -> list[list[int]]:
    """Digest of each row of the concatenated matrices (each a 2-D sequence of equal height)."""
    height = len(matrices[0])
    return [hash_sponge([int(v) for m in matrices for v in m[i]]) for i in range(height)]
