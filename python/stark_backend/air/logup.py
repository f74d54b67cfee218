"""LogUp at keygen: interaction chunking (docs/protocol.md §7.2) and LogUp constraints (§7.5).

For interaction ``i`` with message ``s_i`` of ``L_i`` fields, bus ``bus_i`` and count ``m_i``,
the fingerprint is ``d_i = alpha + Σ_j beta^j·s_{i,j} + beta^{L_i}·(bus_i + 1)`` (``alpha``,
``beta`` are the Challenge variables 0 and 1). Interactions are grouped into chunks; the
after-challenge trace has one extension column ``perm_c`` per chunk plus the running sum ``φ``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import KeygenError
from .builder import RawInteraction
from .symbolic import ExprGraph, NodeKind

__all__ = ["append_logup_constraints", "find_interaction_chunks", "fingerprint"]


def find_interaction_chunks(
    field_degrees: Sequence[int],
    count_degrees: Sequence[int],
    max_degree: int,
    air_name: str = "",
) -> list[list[int]]:
    """Partition interactions ``0..I-1`` into chunks (openvm ``find_interaction_chunks``).

    ``field_degrees[i]`` = max degree of interaction ``i``'s message fields, ``count_degrees[i]``
    = degree of its count, ``max_degree`` = the engine's ``max_constraint_degree``. Greedy over
    the interactions sorted by (field degree, count degree) (stable); a chunk grows while
    ``max(numerator degree, denominator degree + 1) <= max_degree``. Returns ``[]`` when there
    are no interactions. Raises ``KeygenError`` if a single interaction does not fit.
    """
    if len(field_degrees) != len(count_degrees):
        raise KeygenError(
            f"AIR {air_name!r}: field_degrees ({len(field_degrees)}) and count_degrees "
            f"({len(count_degrees)}) differ in length"
        )
    if not field_degrees:
        return []
    order = sorted(range(len(field_degrees)), key=lambda i: (field_degrees[i], count_degrees[i]))
    chunks: list[list[int]] = []
    cur: list[int] = []
    num = 0
    den = 0
    for i in order:
        fd, cd = field_degrees[i], count_degrees[i]
        new_num = max(num + fd, cd + den)
        new_den = den + fd
        if max(new_num, new_den + 1) <= max_degree:
            cur.append(i)
            num, den = new_num, new_den
        else:
            if cur:
                chunks.append(cur)
            if max(cd, fd + 1) > max_degree:
                raise KeygenError(
                    f"AIR {air_name!r}: interaction {i} alone exceeds the maximum constraint "
                    f"degree {max_degree} (field degree {fd}, count degree {cd})"
                )
            cur = [i]
            num, den = cd, fd
    chunks.append(cur)
    return chunks


def fingerprint(graph: ExprGraph, interaction: RawInteraction) -> int:
    """Node of ``d = alpha + Σ_j beta^j·s_j + beta^L·(bus + 1)`` for ``L`` fields (§7.3)."""
    alpha = graph.var(NodeKind.CHALLENGE, 0)
    beta = graph.var(NodeKind.CHALLENGE, 1)
    acc = alpha
    power = graph.const(1)
    for j, f in enumerate(interaction.fields):
        if j:
            power = graph.mul(power, beta)
        acc = graph.add(acc, graph.mul(power, f))
    power = graph.mul(power, beta)
    return graph.add(acc, graph.mul(power, graph.const(interaction.bus + 1)))


def append_logup_constraints(
    graph: ExprGraph, interactions: Sequence[RawInteraction], chunks: Sequence[Sequence[int]]
) -> list[int]:
    """Build the LogUp constraints (§7.5) in ``graph``; returns their node ids in order.

    For chunk ``c`` with interactions ``i_1..i_s``:
    ``perm_c·Π_a d_a - Σ_a m_a·Π_{b≠a} d_b``; then
    ``T = is_transition·((φ' - φ) - Σ_c perm'_c)``, ``F = is_first_row·(φ - Σ_c perm_c)``,
    ``L = is_last_row·(φ - S)`` with ``φ`` the last after-challenge column and ``S`` the
    exposed cumulative sum. Empty ``chunks`` gives no constraints.
    """
    if not chunks:
        return []
    d = [fingerprint(graph, it) for it in interactions]
    perm = [graph.var(NodeKind.PERMUTATION, c, 0) for c in range(len(chunks))]
    perm_next = [graph.var(NodeKind.PERMUTATION, c, 1) for c in range(len(chunks))]
    phi = graph.var(NodeKind.PERMUTATION, len(chunks), 0)
    phi_next = graph.var(NodeKind.PERMUTATION, len(chunks), 1)
    out: list[int] = []
    for c, chunk in enumerate(chunks):
        lhs = graph.mul(perm[c], graph.product([d[i] for i in chunk]))
        terms = [
            graph.mul(
                interactions[a].count,
                graph.product([d[b] for b in chunk if b != a]),
            )
            for a in chunk
        ]
        out.append(graph.sub(lhs, graph.sum(terms)))
    is_transition = graph.var(NodeKind.IS_TRANSITION, 0)
    is_first = graph.var(NodeKind.IS_FIRST_ROW, 0)
    is_last = graph.var(NodeKind.IS_LAST_ROW, 0)
    cumsum = graph.var(NodeKind.EXPOSED, 0)
    out.append(graph.mul(is_transition, graph.sub(graph.sub(phi_next, phi), graph.sum(perm_next))))
    out.append(graph.mul(is_first, graph.sub(phi, graph.sum(perm))))
    out.append(graph.mul(is_last, graph.sub(phi, cumsum)))
    return out
