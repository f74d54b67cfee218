"""Debug checks on concrete traces: every constraint on every row, and every bus balance.

Used by ``prove(..., debug=True)`` and ``run_test``. The DAG is evaluated node by node (each
kind's ``debug_value`` in ``kinds/<name>.py``), each node over all rows at once with NumPy
(``int64`` values in ``[0, p)``; a product of two of them is below ``2^62``), so Python loops
over nodes, never over rows. Selectors are the normalized
ones (``is_first_row`` = 1 on row 0, ``is_last_row`` = 1 on row ``n - 1``, ``is_transition`` =
1 except on the last row); the next row of ``r`` is ``(r + 1) mod n``. The LogUp constraints
(after-challenge columns) are not checked here; ``check_interactions`` checks what they encode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .._arrays import P, as_field_array, as_matrix
from ..errors import ConstraintViolation, InputError, UnbalancedInteractions
from .kinds import DEBUG_VALUE
from .kinds._api import I64Array, Value
from .node_kinds import KIND_SPECS
from .symbolic import node_children, signed
from .system import ConstraintSystem

__all__ = ["AirTraces", "check_constraints", "check_interactions", "debug_check"]


@dataclass
class AirTraces:
    """Concrete data of one AIR for the debug checks.

    ``mains``: the main trace partitions, cached ones in order then the common main (which may
    be omitted when its width is 0); a single 2-D array holding all main columns is also
    accepted and split by the partition widths. ``preprocessed``: required iff the system has a
    preprocessed trace. All arrays have shape ``(height, width)`` and canonical values.
    """

    system: ConstraintSystem
    mains: Sequence[Any] | npt.NDArray[Any]
    public_values: Sequence[int] = ()
    preprocessed: Any = None


class _Rows:
    """Validated int64 columns of one AIR (partitions, preprocessed, public values)."""

    def __init__(self, data: AirTraces) -> None:
        system = data.system
        name = system.name
        widths = system.main_part_widths
        mains = data.mains
        if isinstance(mains, np.ndarray):
            matrix = as_matrix(mains, f"AIR {name!r}: main trace")
            if matrix.shape[1] != system.main_width:
                raise InputError(
                    f"AIR {name!r}: main trace has {matrix.shape[1]} columns, "
                    f"expected {system.main_width}"
                )
            bounds = np.cumsum([0, *widths])
            parts = [matrix[:, bounds[k] : bounds[k + 1]] for k in range(len(widths))]
        else:
            parts = [as_matrix(m, f"AIR {name!r}: main partition {k}") for k, m in enumerate(mains)]
            if len(parts) == len(widths) - 1 and widths[-1] == 0:
                parts.append(np.zeros((parts[0].shape[0] if parts else 0, 0), np.uint32))
            if len(parts) != len(widths):
                raise InputError(
                    f"AIR {name!r}: {len(parts)} main partitions given, expected {len(widths)}"
                )
        for k, (part, w) in enumerate(zip(parts, widths, strict=True)):
            if part.shape[1] != w:
                raise InputError(
                    f"AIR {name!r}: main partition {k} has {part.shape[1]} columns, expected {w}"
                )
        height = parts[0].shape[0] if parts else 0
        if height == 0 or any(part.shape[0] != height for part in parts):
            raise InputError(
                f"AIR {name!r}: main partitions need one common non-zero height, got "
                f"{[part.shape[0] for part in parts]}"
            )
        self.height = height
        self.mains = [part.astype(np.int64) for part in parts]
        if system.preprocessed_width:
            if data.preprocessed is None:
                raise InputError(f"AIR {name!r}: the preprocessed trace is missing")
            prep = as_matrix(data.preprocessed, f"AIR {name!r}: preprocessed trace")
            if prep.shape != (height, system.preprocessed_width):
                raise InputError(
                    f"AIR {name!r}: preprocessed trace has shape {prep.shape}, expected "
                    f"{(height, system.preprocessed_width)}"
                )
            self.prep = prep.astype(np.int64)
        else:
            self.prep = np.zeros((height, 0), np.int64)
        pv = as_field_array(list(data.public_values), f"AIR {name!r}: public values", ndim=(1,))
        if pv.shape[0] != system.num_public_values:
            raise InputError(
                f"AIR {name!r}: {pv.shape[0]} public values given, expected "
                f"{system.num_public_values}"
            )
        self.public = [int(v) for v in pv]


def _evaluate(
    system: ConstraintSystem,
    rows: _Rows,
    roots: Sequence[int],
    on_root: Callable[[int, Value], None],
) -> None:
    """Evaluate the sub-DAG below ``roots``; call ``on_root(node_id, value)`` for each root.

    Node values are dropped after their last use, so memory stays near the DAG's width.
    """
    nodes = system.nodes
    needed = np.zeros(len(nodes), dtype=bool)
    last_use = [-1] * len(nodes)
    is_root = set(roots)
    for r in roots:
        needed[r] = True
    for i in range(len(nodes) - 1, -1, -1):
        if needed[i]:
            for child in node_children(nodes[i]):
                needed[child] = True
                last_use[child] = max(last_use[child], i)
    values: dict[int, Value] = {}
    for i in np.flatnonzero(needed).tolist():
        node = nodes[i]
        debug_value = DEBUG_VALUE[node.kind]
        if debug_value is None or "after_challenge" in KIND_SPECS[node.kind].flags:
            raise InputError(
                f"AIR {system.name!r}: node {i} ({KIND_SPECS[node.kind].name}) cannot be "
                "evaluated by the debug checker (it needs the LogUp challenges)"
            )
        children = node_children(node)
        value = debug_value(node, [values[c] for c in children], rows)
        for child in set(children):  # x * x has the same child twice
            if last_use[child] == i and child not in is_root:
                del values[child]
        if i in is_root:
            on_root(i, value)
        if last_use[i] >= 0:
            values[i] = value


def check_constraints(
    system: ConstraintSystem,
    mains: Sequence[Any] | npt.NDArray[Any],
    public_values: Sequence[int] = (),
    preprocessed: Any = None,
) -> None:
    """Check every AIR constraint of ``system`` on every row of the given traces.

    Raises ``ConstraintViolation`` for the first row with a failing constraint (the lowest
    failing constraint index on that row), naming the AIR, row, constraint index, the
    constraint as an expression and its value; ``InputError`` for malformed traces.
    """
    _constraints(system, _Rows(AirTraces(system, mains, public_values, preprocessed)))


def _constraints(system: ConstraintSystem, rows: _Rows) -> None:
    air_constraints = system.constraints[: system.num_air_constraints]
    by_node: dict[int, list[int]] = {}
    for k, c in enumerate(air_constraints):
        by_node.setdefault(c, []).append(k)
    worst: list[tuple[int, int, int]] = []  # (row, constraint index, value)

    def on_root(nid: int, value: Value) -> None:
        if isinstance(value, int):
            if value == 0:
                return
            row, v = 0, value
        else:
            bad = np.flatnonzero(value)
            if bad.size == 0:
                return
            row = int(bad[0])
            v = int(value[row])
        candidate = (row, min(by_node[nid]), v)
        if not worst or candidate < worst[0]:
            worst[:] = [candidate]

    _evaluate(system, rows, list(by_node), on_root)
    if worst:
        row, k, v = worst[0]
        raise ConstraintViolation(
            f"AIR {system.name!r}: constraint {k} fails on row {row} of {rows.height} "
            f"(value {signed(v)}): {system.constraint_strs[k]} != 0"
        )


def _interaction_values(system: ConstraintSystem, rows: _Rows) -> list[tuple[I64Array, I64Array]]:
    """Per interaction: ``(messages (n, L), counts (n,))`` as int64 arrays in ``[0, p)``."""
    n = rows.height
    roots = sorted({nid for it in system.interactions for nid in (it.count, *it.fields)})
    values: dict[int, Value] = {}

    def keep(nid: int, value: Value) -> None:
        values[nid] = value

    _evaluate(system, rows, roots, keep)

    def column(nid: int) -> I64Array:
        return np.broadcast_to(np.asarray(values[nid], dtype=np.int64), (n,))

    return [
        (np.stack([column(f) for f in it.fields], axis=1), column(it.count))
        for it in system.interactions
    ]


def check_interactions(airs: Sequence[AirTraces]) -> None:
    """Check that every bus balances over all the given AIRs and rows.

    For every ``(bus, message)`` the counts of all rows of all AIRs must sum to 0 mod p
    (messages of different lengths differ). Raises ``UnbalancedInteractions`` naming the bus,
    the message and the net multiplicity (a signed integer in ``(-p/2, p/2]``), together with
    the net count each AIR contributes; rows with count 0 are ignored.
    """
    _interactions([(data.system, _Rows(data)) for data in airs])


def _interactions(airs: Sequence[tuple[ConstraintSystem, _Rows]]) -> None:
    keys: list[I64Array] = []
    counts: list[I64Array] = []
    owners: list[I64Array] = []
    width = 2 + max((len(it.fields) for system, _ in airs for it in system.interactions), default=0)
    for a_idx, (system, rows) in enumerate(airs):
        for it, (msg, cnt) in zip(
            system.interactions, _interaction_values(system, rows), strict=True
        ):
            live = np.flatnonzero(cnt)
            if live.size == 0:
                continue
            key = np.zeros((live.size, width), np.int64)
            key[:, 0] = it.bus
            key[:, 1] = len(it.fields)
            key[:, 2 : 2 + len(it.fields)] = msg[live]
            keys.append(key)
            counts.append(cnt[live])
            owners.append(np.full(live.size, a_idx, np.int64))
    if not keys:
        return
    key_all = np.concatenate(keys)
    count_all = np.concatenate(counts)
    uniq, inverse = np.unique(key_all, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    totals = np.zeros(len(uniq), np.int64)
    np.add.at(totals, inverse, count_all)  # < 2^31 per row: no overflow below 2^32 rows
    totals %= P
    bad = np.flatnonzero(totals)
    if bad.size == 0:
        return
    g = int(bad[0])
    key = uniq[g]
    bus, length = int(key[0]), int(key[1])
    message = [int(v) for v in key[2 : 2 + length]]
    owner_all = np.concatenate(owners)
    mask = inverse == g
    per_air: list[str] = []
    for a_idx in np.unique(owner_all[mask]).tolist():
        net = int(count_all[mask & (owner_all == a_idx)].sum() % P)
        per_air.append(f"{airs[a_idx][0].name!r}: {signed(net)}")
    raise UnbalancedInteractions(
        f"bus {bus}: message {message} has net multiplicity {signed(int(totals[g]))} "
        f"(per AIR: {', '.join(per_air)})"
    )


def debug_check(airs: Sequence[AirTraces]) -> None:
    """``check_constraints`` for every AIR (in order), then ``check_interactions`` on all."""
    checked = [(data.system, _Rows(data)) for data in airs]
    for system, rows in checked:
        _constraints(system, rows)
    _interactions(checked)
