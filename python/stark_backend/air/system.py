"""An AIR's keyed constraint system and the keygen logic that needs no cryptography.

``compile_air(air, log_blowup)`` is docs/protocol.md §8.2 steps 1-4 for one AIR: evaluate ``eval``
symbolically, validate (``KeygenError`` naming the AIR and the reason), chunk the interactions
(§7.2), append the LogUp constraints (§7.5), check the degree against
``max_constraint_degree = 2^log_blowup + 1`` and fix the quotient degree (§6).
``trace_height_constraints`` (§8.3) and ``check_keygen_limits`` (§8.2 step 7) work on the list
of all AIRs' systems, indexed by air id.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .._arrays import P, U32Array, as_matrix, check_power_of_two_height
from ..errors import InputError, KeygenError, StarkError
from .builder import RawInteraction, SymbolicAir, symbolic_eval
from .logup import append_logup_constraints, find_interaction_chunks
from .symbolic import (
    INTERACTION_FORBIDDEN,
    ExprPrinter,
    Node,
    kind_names,
    node_degree,
)

if TYPE_CHECKING:
    from .air import Air

__all__ = [
    "MAX_BUS_INDEX",
    "MAX_LOG_HEIGHT",
    "MAX_MESSAGE_LENGTH",
    "MAX_WIDTH",
    "CompiledAir",
    "ConstraintSystem",
    "Interaction",
    "LinearConstraint",
    "check_keygen_limits",
    "compile_air",
    "max_constraint_degree",
    "quotient_degree",
    "trace_height_constraints",
]

MAX_MESSAGE_LENGTH = 127
"""Longest interaction message (fields, not counting the bus): ``fields + 1 <= 2^7``."""

MAX_BUS_INDEX = 65535
"""Buses are ``u16`` so that ``bus + 1`` is never ``0 mod p``."""

MAX_LOG_HEIGHT = 27
"""Two-adicity of BabyBear: every LDE height ``2^(k + log_blowup)`` needs ``k + b <= 27``."""

MAX_WIDTH = 1 << 20
"""Largest main width and public-value count of one AIR. Far above any AIR a proof can afford
(the standard parameters allow 40000 columns over all AIRs), it stops an absurd attribute from
making keygen build a column list that exhausts memory."""

U32_MAX = (1 << 32) - 1

MAX_INTERACTION_COUNT = P
"""Threshold of the trace-height constraints (openvm ``max_interaction_count`` for BabyBear)."""


@dataclass(frozen=True)
class Interaction:
    """One interaction: bus, message field node ids, count node id, count weight."""

    bus: int
    fields: tuple[int, ...]
    count: int
    count_weight: int


@dataclass(frozen=True)
class LinearConstraint:
    """``Σ_A coefficients[A] · height_A < threshold`` over the AIRs present in a proof."""

    coefficients: list[int]
    threshold: int


def max_constraint_degree(log_blowup: int) -> int:
    """``2^log_blowup + 1``: the largest constraint degree a blowup of ``2^log_blowup`` allows."""
    return (1 << log_blowup) + 1


def quotient_degree(degree: int) -> int:
    """``2^ceil(log2(max(degree, 2) - 1))`` (docs/protocol.md §6): 1, 2, 4, 4, 8… for 2, 3, 4, 5,
    6…."""
    return 1 << (max(degree, 2) - 2).bit_length()


@dataclass(frozen=True)
class ConstraintSystem:
    """One AIR's keyed constraint system: the content of its verifying-key entry (no commits).

    Attributes:
        name: AIR name (not part of the IR encoding).
        preprocessed_width, preprocessed_height: 0, 0 without a preprocessed trace.
        cached_main_widths: widths of the cached main partitions (each ``>= 1``).
        common_main_width: width of the common main partition (``>= 0``).
        num_public_values: number of public values.
        nodes: the DAG in topological order (``symbolic.Node``).
        constraints: node ids; the first ``num_air_constraints`` come from ``eval``, the rest
            are the LogUp constraints (chunks, then T, F, L).
        interactions: in ``push_interaction`` order.
        chunks: LogUp partition of the interaction indices (empty without interactions).
        quotient_degree: ``q`` (a power of two).
    """

    name: str
    preprocessed_width: int
    preprocessed_height: int
    cached_main_widths: tuple[int, ...]
    common_main_width: int
    num_public_values: int
    nodes: tuple[Node, ...]
    constraints: tuple[int, ...]
    num_air_constraints: int
    interactions: tuple[Interaction, ...]
    chunks: tuple[tuple[int, ...], ...]
    quotient_degree: int

    @property
    def main_part_widths(self) -> list[int]:
        """Widths of the main partitions in part order: cached ones, then the common main."""
        return [*self.cached_main_widths, self.common_main_width]

    @property
    def main_part_offsets(self) -> list[int]:
        """Column of ``b.main()`` where each partition starts."""
        offsets = [0]
        for w in self.cached_main_widths:
            offsets.append(offsets[-1] + w)
        return offsets

    @property
    def main_width(self) -> int:
        """Total main width (all partitions)."""
        return sum(self.cached_main_widths) + self.common_main_width

    @property
    def num_interactions(self) -> int:
        """Number of interactions."""
        return len(self.interactions)

    @property
    def after_challenge_width(self) -> int:
        """Extension columns of the LogUp trace: ``#chunks + 1``, or 0 without interactions."""
        return len(self.chunks) + 1 if self.chunks else 0

    @property
    def total_width(self) -> int:
        """Preprocessed + main + 4 * after-challenge columns (``VerifyingKey.total_widths``)."""
        return self.preprocessed_width + self.main_width + 4 * self.after_challenge_width

    @cached_property
    def degrees(self) -> tuple[int, ...]:
        """Degree multiple of every node."""
        degrees: list[int] = []
        for node in self.nodes:
            degrees.append(node_degree(node, degrees))
        return tuple(degrees)

    @property
    def max_degree(self) -> int:
        """``deg(A)``: the maximum constraint degree (0 without constraints)."""
        return max((self.degrees[c] for c in self.constraints), default=0)

    @cached_property
    def _printer(self) -> ExprPrinter:
        return ExprPrinter(self.nodes, self.main_part_offsets)

    def expr_str(self, node_id: int) -> str:
        """Node ``node_id`` printed as an expression (e.g. ``main[1]' - main[0]``)."""
        return self._printer(node_id)

    @cached_property
    def constraint_strs(self) -> tuple[str, ...]:
        """Every constraint printed as an expression (index = constraint index)."""
        return tuple(self._printer(c) for c in self.constraints)

    def to_bytes(self) -> bytes:
        """Canonical IR encoding (``stark_backend.air.ir``); the name is not included."""
        from .ir import encode_constraint_system

        return encode_constraint_system(self)

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "") -> ConstraintSystem:
        """Decode and validate an IR encoding; ``ProofFormatError`` on malformed bytes."""
        from .ir import decode_constraint_system

        return decode_constraint_system(data, name=name)


@dataclass(frozen=True)
class CompiledAir:
    """Result of :func:`compile_air`: the constraint system and the validated preprocessed
    trace (C-contiguous ``uint32``, shape ``(height, width)``), or ``None``."""

    system: ConstraintSystem
    preprocessed_trace: U32Array | None


def _int_attr(air: Any, attr: str, name: str, minimum: int) -> int:
    try:
        value = getattr(air, attr, None)
    except Exception as exc:  # a property of the user's class that raises
        raise KeygenError(
            f"AIR {name!r}: reading {attr} raised {type(exc).__name__}: {exc}"
        ) from exc
    if value is None:
        raise KeygenError(f"AIR {name!r}: attribute {attr!r} is not set")
    try:
        v = operator.index(value)
    except TypeError:
        raise KeygenError(
            f"AIR {name!r}: {attr} must be an int, got {type(value).__name__}"
        ) from None
    if not minimum <= v <= MAX_WIDTH:
        raise KeygenError(f"AIR {name!r}: {attr} = {v} must be in [{minimum}, {MAX_WIDTH}]")
    return v


def _air_name(air: Any) -> str:
    try:
        name = getattr(air, "name", None)
    except Exception:  # a property of the user's class that raises: use the class name
        name = None
    if not (isinstance(name, str) and name):
        return type(air).__name__
    try:
        name.encode("utf-8")  # the key stores UTF-8; lone surrogates cannot be encoded
    except UnicodeEncodeError as exc:
        raise KeygenError(
            f"AIR name {name!r} is not valid Unicode text (it cannot be encoded as UTF-8: {exc})"
        ) from None
    return name


def _cached_widths(air: Any, name: str, width: int) -> list[int]:
    try:
        raw = getattr(air, "cached_main_widths", ())
        cached = [operator.index(w) for w in raw]
    except TypeError:
        raise KeygenError(f"AIR {name!r}: cached_main_widths must be a list of ints") from None
    except Exception as exc:  # an iterable of the user's that raises
        raise KeygenError(
            f"AIR {name!r}: reading cached_main_widths raised {type(exc).__name__}: {exc}"
        ) from exc
    if any(w < 1 for w in cached):
        raise KeygenError(f"AIR {name!r}: cached main widths {cached} must all be >= 1")
    if sum(cached) > width:
        raise KeygenError(
            f"AIR {name!r}: cached main widths {cached} exceed the main width {width}"
        )
    return cached


def _load_preprocessed(air: Air, name: str, log_blowup: int) -> U32Array | None:
    method = getattr(air, "preprocessed_trace", None)
    if not callable(method):
        raise KeygenError(
            f"AIR {name!r}: preprocessed_trace must be a method returning an array or None, got "
            f"{type(method).__name__}"
        )
    try:
        raw = method()
    except StarkError:
        raise
    except Exception as exc:
        raise KeygenError(
            f"AIR {name!r}: preprocessed_trace() raised {type(exc).__name__}: {exc}"
        ) from exc
    if raw is None:
        return None
    try:
        trace = as_matrix(raw, "preprocessed trace")
        log_height = check_power_of_two_height(trace, "preprocessed trace")
    except InputError as exc:
        raise KeygenError(f"AIR {name!r}: {exc}") from None
    if trace.shape[1] == 0:
        raise KeygenError(f"AIR {name!r}: preprocessed trace has no columns")
    if log_height + log_blowup > MAX_LOG_HEIGHT:
        raise KeygenError(
            f"AIR {name!r}: preprocessed height 2^{log_height} is too large for log_blowup "
            f"{log_blowup} (needs log2(height) + log_blowup <= {MAX_LOG_HEIGHT})"
        )
    return trace


def _validate_interactions(sym: SymbolicAir) -> None:
    name = sym.name
    uses = sym.graph.uses
    forbidden = 0
    for kind in INTERACTION_FORBIDDEN:
        forbidden |= 1 << int(kind)
    weight_per_bus: dict[int, int] = {}
    for i, it in enumerate(sym.interactions):
        where = f"AIR {name!r}: interaction {i}"
        if not 0 <= it.bus <= MAX_BUS_INDEX:
            raise KeygenError(f"{where}: bus index {it.bus} outside [0, {MAX_BUS_INDEX}]")
        if not 1 <= len(it.fields) <= MAX_MESSAGE_LENGTH:
            raise KeygenError(
                f"{where}: message length {len(it.fields)} outside [1, {MAX_MESSAGE_LENGTH}]"
            )
        if not 0 <= it.count_weight <= U32_MAX:
            raise KeygenError(f"{where}: count_weight {it.count_weight} is not a u32")
        total = weight_per_bus.get(it.bus, 0) + it.count_weight
        if total > U32_MAX:
            raise KeygenError(f"{where}: count weights on bus {it.bus} overflow u32")
        weight_per_bus[it.bus] = total
        for label, nid in [("count", it.count)] + [
            (f"field {j}", f) for j, f in enumerate(it.fields)
        ]:
            bad = uses[nid] & forbidden
            if bad:
                raise KeygenError(
                    f"{where}: {label} uses {', '.join(kind_names(bad))}; interaction "
                    "expressions may only use trace columns, public values and constants"
                )


def compile_air(air: Air, log_blowup: int) -> CompiledAir:
    """Key one AIR for an engine with the given ``log_blowup`` (docs/protocol.md §8.2 steps 1-4).

    Raises ``KeygenError`` (naming the AIR) for: bad widths or public-value count, a malformed
    preprocessed trace, a column or public value index out of range in ``eval``, an invalid
    interaction (bus, message length, count weight, selectors in its expressions), or a
    constraint of degree above ``2^log_blowup + 1``.
    """
    name = _air_name(air)
    b = operator.index(log_blowup)
    if not 0 <= b < MAX_LOG_HEIGHT:
        raise KeygenError(f"log_blowup {b} outside [0, {MAX_LOG_HEIGHT})")
    max_deg = max_constraint_degree(b)
    width = _int_attr(air, "width", name, 1)
    num_public = _int_attr(air, "num_public_values", name, 0)
    cached = _cached_widths(air, name, width)
    prep = _load_preprocessed(air, name, b)
    sym = symbolic_eval(
        air,
        name=name,
        preprocessed_width=0 if prep is None else prep.shape[1],
        cached_main_widths=cached,
        common_main_width=width - sum(cached),
        num_public_values=num_public,
    )
    _validate_interactions(sym)
    graph = sym.graph
    printer = sym.context.printer
    for k, c in enumerate(sym.constraints):
        if graph.degrees[c] > max_deg:
            raise KeygenError(
                f"AIR {name!r}: constraint {k} has degree {graph.degrees[c]} > maximum "
                f"{max_deg} (log_blowup {b}): {printer(c)}"
            )
    chunks = find_interaction_chunks(
        [max((graph.degrees[f] for f in it.fields), default=0) for it in sym.interactions],
        [graph.degrees[it.count] for it in sym.interactions],
        max_deg,
        name,
    )
    logup = append_logup_constraints(graph, sym.interactions, chunks)
    constraints = [*sym.constraints, *logup]
    degree = max((graph.degrees[c] for c in constraints), default=0)
    if degree > max_deg:
        raise KeygenError(f"AIR {name!r}: degree {degree} > maximum {max_deg}")
    system = ConstraintSystem(
        name=name,
        preprocessed_width=0 if prep is None else int(prep.shape[1]),
        preprocessed_height=0 if prep is None else int(prep.shape[0]),
        cached_main_widths=tuple(cached),
        common_main_width=width - sum(cached),
        num_public_values=num_public,
        nodes=tuple(graph.nodes),
        constraints=tuple(constraints),
        num_air_constraints=len(sym.constraints),
        interactions=tuple(_freeze(it) for it in sym.interactions),
        chunks=tuple(tuple(c) for c in chunks),
        quotient_degree=quotient_degree(degree),
    )
    return CompiledAir(system, prep)


def _freeze(it: RawInteraction) -> Interaction:
    return Interaction(it.bus, tuple(it.fields), it.count, it.count_weight)


def trace_height_constraints(systems: Sequence[ConstraintSystem]) -> list[LinearConstraint]:
    """Trace-height linear constraints (docs/protocol.md §8.3), coefficients indexed by air id.

    One per bus used by any interaction, in increasing bus order, with coefficient
    ``Σ count_weight`` of the AIR's interactions on that bus; then one whose coefficient is
    the AIR's number of interactions. Every threshold is ``p``. Empty without interactions.
    """
    buses = sorted({it.bus for s in systems for it in s.interactions})
    out: list[LinearConstraint] = []
    for bus in buses:
        coefficients = []
        for s in systems:
            w = sum(it.count_weight for it in s.interactions if it.bus == bus)
            if w > U32_MAX:
                raise KeygenError(f"AIR {s.name!r}: count weights on bus {bus} overflow u32")
            coefficients.append(w)
        out.append(LinearConstraint(coefficients, MAX_INTERACTION_COUNT))
    if buses:
        out.append(LinearConstraint([s.num_interactions for s in systems], MAX_INTERACTION_COUNT))
    return out


MAX_TOTAL_CONSTRAINTS = 30000
"""openvm sdk budget: constraints over all AIRs, LogUp constraints included."""


def check_keygen_limits(systems: Sequence[ConstraintSystem], log_blowup: int) -> None:
    """Global keygen checks (docs/protocol.md §8.2 step 6 and "at least one AIR").

    ``2·(Σ_A total_width(A) + 4·max_A q_A)`` must be ``<= 80000`` for ``log_blowup = 1`` and
    ``<= 4000`` otherwise; the total number of constraints ``<= 30000``. ``KeygenError``
    otherwise.
    """
    if not systems:
        raise KeygenError("no AIRs to key")
    budget = 80000 if log_blowup == 1 else 4000
    used = 2 * (sum(s.total_width for s in systems) + 4 * max(s.quotient_degree for s in systems))
    if used > budget:
        raise KeygenError(
            f"the AIRs are too wide for log_blowup {log_blowup}: 2·(total width + 4·max quotient "
            f"degree) = {used} > {budget}"
        )
    total = sum(len(s.constraints) for s in systems)
    if total > MAX_TOTAL_CONSTRAINTS:
        raise KeygenError(f"too many constraints over all AIRs: {total} > {MAX_TOTAL_CONSTRAINTS}")
