"""Canonical binary encoding of one AIR's constraint system (the "IR"; part of the VK).

This is the contract between the Python keygen and the C++ evaluator/verifier. The encoding is
deterministic (same system → same bytes) and self-delimiting (a decoder knows where it ends,
so it can be embedded in a larger record). All integers are little-endian; ``u8`` is one byte,
``u32`` four bytes. The AIR name is not encoded.

Layout::

    magic               4 bytes  b"SBIR"
    version             u32      = 1
    preprocessed_width  u32      0 = no preprocessed trace
    preprocessed_height u32      0 iff preprocessed_width = 0, else a power of two <= 2^27
    num_cached          u32
    cached_widths       u32 * num_cached             each >= 1
    common_main_width   u32
    num_public_values   u32
    num_nodes           u32
    nodes               node * num_nodes             (see below), topological order
    num_constraints     u32
    constraints         u32 * num_constraints        node ids
    num_air_constraints u32      <= num_constraints (the first ones; the rest are LogUp's)
    num_interactions    u32
    interactions        interaction * num_interactions
    num_chunks          u32
    chunks              chunk * num_chunks
    quotient_degree     u32

    interaction = bus u32 (<= 65535), count_weight u32, count u32 (node id),
                  num_fields u32 (1..127), fields u32 * num_fields (node ids)
    chunk       = len u32 (>= 1), interaction indices u32 * len

    node = tag u8, then the payload of its kind (the node-kind table,
    cpp/src/air/kinds/node_kinds.json, lists each kind's fields in byte order):
      tag 0  Preprocessed   offset u8, index u32
      tag 1  Main           part u32, offset u8, index u32
      tag 2  Permutation    offset u8, index u32
      tag 3  Public         index u32
      tag 4  Challenge      index u32
      tag 5  Exposed        index u32
      tag 6  Const          value u32 (canonical, < p)
      tag 7  IsFirstRow     (none)
      tag 8  IsLastRow      (none)
      tag 9  IsTransition   (none)
      tag 10 Add            left u32, right u32
      tag 11 Sub            left u32, right u32
      tag 12 Neg            child u32
      tag 13 Mul            left u32, right u32

Validation (any failure is a ``ProofFormatError``; a decoder MUST check all of it):

- magic and version; no bytes missing; every count is checked against the bytes that remain
  (each node needs >= 1 byte, each u32 entry 4 bytes, each interaction >= 20 bytes, each
  chunk >= 8 bytes) *before* anything is allocated; ``decode_constraint_system`` also rejects
  trailing bytes;
- widths: cached widths >= 1, main width (cached + common) >= 1, preprocessed height as above;
- nodes: known tag; offset in {0, 1}; child ids < the node's own id; Preprocessed index <
  preprocessed width; Main part <= num_cached (part num_cached is the common main) and index <
  that part's width; Public index < num_public_values; Const < p; Permutation index <
  after-challenge width (= num_chunks + 1, or 0 without interactions); Challenge index < 2 and
  Exposed index < 1, both only in a system with interactions;
- constraint, count and field ids < num_nodes; interaction message and count expressions use no
  selector, Permutation, Challenge or Exposed node; per bus, Σ count_weight fits a u32;
- chunks: non-empty, together a partition of ``0..num_interactions-1`` (each index exactly
  once); num_chunks = 0 iff num_interactions = 0;
- quotient_degree = ``2^ceil(log2(max(d, 2) - 1))`` where ``d`` is the maximum degree over the
  constraints (degrees per docs/protocol.md §5.1, computed with saturation at 2^32), and <= 2^27.
"""

from __future__ import annotations

import struct

from .._arrays import P
from ..errors import ProofFormatError
from .node_kinds import KIND_SPECS
from .symbolic import (
    AFTER_CHALLENGE_KINDS,
    INTERACTION_FORBIDDEN,
    NUM_CHALLENGES,
    NUM_EXPOSED,
    Node,
    NodeKind,
    kind_names,
    node_children,
    node_degree,
)
from .system import (
    MAX_BUS_INDEX,
    MAX_LOG_HEIGHT,
    MAX_MESSAGE_LENGTH,
    U32_MAX,
    ConstraintSystem,
    Interaction,
    quotient_degree,
)

__all__ = [
    "IR_MAGIC",
    "IR_VERSION",
    "decode_constraint_system",
    "decode_constraint_system_from",
    "encode_constraint_system",
]

IR_MAGIC = b"SBIR"
IR_VERSION = 1
DEGREE_CAP = 1 << 32

_U32 = struct.Struct("<I")
_KINDS = {int(k): k for k in NodeKind}

# The payload of each kind, from the table: the fields in byte order (offset is a u8, every
# other field a u32) and the Node slot each one fills.
_SLOT_OF_FIELD = {"index": 0, "value": 0, "lhs": 0, "offset": 1, "rhs": 1, "part": 2}
_LAYOUT: dict[NodeKind, struct.Struct | None] = {
    kind: (
        struct.Struct("<" + "".join("B" if f == "offset" else "I" for f in spec.payload))
        if spec.payload
        else None
    )
    for kind, spec in KIND_SPECS.items()
}
"""Payload of each node kind (module docstring)."""
_SLOTS = {kind: tuple(_SLOT_OF_FIELD[f] for f in spec.payload) for kind, spec in KIND_SPECS.items()}


def _payload(node: Node) -> tuple[int, ...]:
    """Values of ``node``'s payload in ``_LAYOUT`` order."""
    slots = (node.a, node.b, node.c)
    return tuple(slots[s] for s in _SLOTS[node.kind])


def _from_payload(kind: NodeKind, values: tuple[int, ...]) -> Node:
    """Inverse of :func:`_payload`."""
    slots = [0, 0, 0]
    for slot, value in zip(_SLOTS[kind], values, strict=True):
        slots[slot] = value
    return Node(kind, slots[0], slots[1], slots[2])


class _Writer:
    def __init__(self) -> None:
        self.buf = bytearray()

    def u8(self, v: int) -> None:
        self.buf.append(v)

    def u32(self, v: int) -> None:
        if not 0 <= v <= U32_MAX:
            raise ValueError(f"value {v} does not fit a u32")
        self.buf += _U32.pack(v)

    def u32s(self, values: tuple[int, ...] | list[int]) -> None:
        self.u32(len(values))
        for v in values:
            self.u32(v)


def encode_constraint_system(system: ConstraintSystem) -> bytes:
    """The canonical bytes of ``system`` (layout in the module docstring)."""
    w = _Writer()
    w.buf += IR_MAGIC
    w.u32(IR_VERSION)
    w.u32(system.preprocessed_width)
    w.u32(system.preprocessed_height)
    w.u32s(system.cached_main_widths)
    w.u32(system.common_main_width)
    w.u32(system.num_public_values)
    w.u32(len(system.nodes))
    for node in system.nodes:
        kind = NodeKind(node.kind)
        w.u8(int(kind))
        layout = _LAYOUT[kind]
        if layout is not None:
            try:
                w.buf += layout.pack(*_payload(node))
            except struct.error as exc:
                raise ValueError(f"node {node} does not fit its encoding: {exc}") from None
    w.u32s(system.constraints)
    w.u32(system.num_air_constraints)
    w.u32(len(system.interactions))
    for it in system.interactions:
        w.u32(it.bus)
        w.u32(it.count_weight)
        w.u32(it.count)
        w.u32s(it.fields)
    w.u32(len(system.chunks))
    for chunk in system.chunks:
        w.u32s(chunk)
    w.u32(system.quotient_degree)
    return bytes(w.buf)


class _Reader:
    def __init__(self, data: bytes, offset: int) -> None:
        self.data = data
        self.pos = offset

    def fail(self, msg: str) -> ProofFormatError:
        return ProofFormatError(f"constraint system IR, byte {self.pos}: {msg}")

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def u8(self, what: str) -> int:
        if self.pos >= len(self.data):
            raise self.fail(f"truncated reading {what}")
        v = self.data[self.pos]
        self.pos += 1
        return v

    def u32(self, what: str) -> int:
        if self.pos + 4 > len(self.data):
            raise self.fail(f"truncated reading {what}")
        (v,) = _U32.unpack_from(self.data, self.pos)
        self.pos += 4
        return int(v)

    def count(self, what: str, min_bytes_each: int) -> int:
        n = self.u32(f"number of {what}")
        if n * min_bytes_each > self.remaining():
            raise self.fail(f"{n} {what} cannot fit in the {self.remaining()} bytes left")
        return n

    def below(self, what: str, bound: int) -> int:
        v = self.u32(what)
        if v >= bound:
            raise self.fail(f"{what} = {v} must be < {bound}")
        return v


def _node_error(node: Node, i: int, part_widths: list[int], bounds: dict[str, int]) -> str | None:
    """Why ``node`` (at index ``i``) is invalid, or ``None``; after-challenge checks come later.

    ``bounds[bound]``: exclusive bound of an index field by the table's bound name.
    """
    kind, a, b, c = node
    spec = KIND_SPECS[kind]
    fields = spec.payload
    if spec.arity:
        if a >= i or (spec.arity == 2 and b >= i):
            return f"children must be < {i}"
    if "offset" in fields and b > 1:
        return f"offset {b} must be 0 or 1"
    if "part" in fields and c >= len(part_widths):
        return f"part {c} must be < {len(part_widths)}"
    if "index" in fields:
        if spec.bound == "main_part_width":
            if a >= part_widths[c]:
                return f"column {a} must be < {part_widths[c]} (width of part {c})"
        elif spec.bound == "preprocessed_width":
            if a >= bounds[spec.bound]:
                return f"column {a} must be < the preprocessed width {bounds[spec.bound]}"
        elif spec.bound in bounds and a >= bounds[spec.bound]:
            return f"value {a} must be < {bounds[spec.bound]}"
    if "value" in fields and a >= P:
        return f"value {a} must be < {P}"
    return None


def _read_nodes(
    r: _Reader, num_nodes: int, part_widths: list[int], prep_width: int, num_public: int
) -> list[Node]:
    data = r.data
    # The bounds known before the whole system is read (after_challenge_width comes later).
    bounds = {
        "preprocessed_width": prep_width,
        "public_values": num_public,
        "challenges": NUM_CHALLENGES,
        "exposed_values": NUM_EXPOSED,
    }
    nodes: list[Node] = []
    for i in range(num_nodes):
        tag = r.u8(f"tag of node {i}")
        if tag not in _KINDS:
            raise r.fail(f"node {i} has unknown tag {tag}")
        kind = _KINDS[tag]
        layout = _LAYOUT[kind]
        if layout is None:
            node = Node(kind)
        else:
            if r.pos + layout.size > len(data):
                raise r.fail(f"truncated reading node {i} ({KIND_SPECS[kind].name})")
            node = _from_payload(kind, layout.unpack_from(data, r.pos))
            r.pos += layout.size
        error = _node_error(node, i, part_widths, bounds)
        if error is not None:
            raise r.fail(f"node {i} ({KIND_SPECS[kind].name}): {error}")
        nodes.append(node)
    return nodes


def decode_constraint_system_from(
    data: bytes, offset: int = 0, name: str = ""
) -> tuple[ConstraintSystem, int]:
    """Decode and validate one system starting at ``data[offset]``.

    Returns the system (named ``name``) and the offset just past its encoding. Raises
    ``ProofFormatError`` on any violation listed in the module docstring.
    """
    r = _Reader(bytes(data), offset)
    if r.remaining() < 4 or r.data[r.pos : r.pos + 4] != IR_MAGIC:
        raise r.fail("bad magic (expected b'SBIR')")
    r.pos += 4
    version = r.u32("version")
    if version != IR_VERSION:
        raise r.fail(f"unsupported version {version}")
    prep_width = r.u32("preprocessed width")
    prep_height = r.u32("preprocessed height")
    if (prep_width == 0) != (prep_height == 0):
        raise r.fail("preprocessed width and height must both be 0 or both non-zero")
    if prep_height & (prep_height - 1) or prep_height > 1 << MAX_LOG_HEIGHT:
        raise r.fail(f"preprocessed height {prep_height} is not a power of two <= 2^27")
    cached = tuple(r.u32("cached main width") for _ in range(r.count("cached partitions", 4)))
    if any(w == 0 for w in cached):
        raise r.fail("cached main partitions must have width >= 1")
    common = r.u32("common main width")
    if sum(cached) + common == 0:
        raise r.fail("main width must be >= 1")
    num_public = r.u32("number of public values")

    num_nodes = r.count("nodes", 1)
    part_widths = [*cached, common]
    nodes = _read_nodes(r, num_nodes, part_widths, prep_width, num_public)

    constraints = tuple(
        r.below("constraint node id", num_nodes) for _ in range(r.count("constraints", 4))
    )
    num_air = r.u32("number of AIR constraints")
    if num_air > len(constraints):
        raise r.fail(f"{num_air} AIR constraints but only {len(constraints)} constraints")

    interactions = [_read_interaction(r, k, num_nodes) for k in range(r.count("interactions", 20))]
    num_chunks = r.count("chunks", 8)
    seen = [False] * len(interactions)
    chunks: list[tuple[int, ...]] = []
    for c in range(num_chunks):
        length = r.count(f"interactions in chunk {c}", 4)
        if length == 0:
            raise r.fail(f"chunk {c} is empty")
        chunk = tuple(
            r.below(f"interaction index in chunk {c}", len(interactions)) for _ in range(length)
        )
        for i in chunk:
            if seen[i]:
                raise r.fail(f"interaction {i} appears in two chunks")
            seen[i] = True
        chunks.append(chunk)
    if not all(seen):
        raise r.fail(f"interaction {seen.index(False)} is in no chunk")
    q = r.u32("quotient degree")

    _check_semantics(r, nodes, constraints, interactions, num_chunks, q)
    system = ConstraintSystem(
        name=name,
        preprocessed_width=prep_width,
        preprocessed_height=prep_height,
        cached_main_widths=cached,
        common_main_width=common,
        num_public_values=num_public,
        nodes=tuple(nodes),
        constraints=constraints,
        num_air_constraints=num_air,
        interactions=tuple(interactions),
        chunks=tuple(chunks),
        quotient_degree=q,
    )
    return system, r.pos


def _read_interaction(r: _Reader, k: int, num_nodes: int) -> Interaction:
    where = f"interaction {k}"
    bus = r.u32(f"{where} bus")
    if bus > MAX_BUS_INDEX:
        raise r.fail(f"{where} bus {bus} > {MAX_BUS_INDEX}")
    weight = r.u32(f"{where} count weight")
    count = r.below(f"{where} count node id", num_nodes)
    n = r.count(f"fields of {where}", 4)
    if not 1 <= n <= MAX_MESSAGE_LENGTH:
        raise r.fail(f"{where} message length {n} outside [1, {MAX_MESSAGE_LENGTH}]")
    fields = tuple(r.below(f"{where} field node id", num_nodes) for _ in range(n))
    return Interaction(bus, fields, count, weight)


def _check_semantics(
    r: _Reader,
    nodes: list[Node],
    constraints: tuple[int, ...],
    interactions: list[Interaction],
    num_chunks: int,
    q: int,
) -> None:
    """Checks that need the whole system: after-challenge variables, interaction expressions,
    count-weight sums and the quotient degree."""
    after_width = num_chunks + 1 if num_chunks else 0
    uses: list[int] = []
    degrees: list[int] = []
    for i, node in enumerate(nodes):
        kind = node.kind
        spec = KIND_SPECS[kind]
        if spec.bound == "after_challenge_width" and node.a >= after_width:
            raise r.fail(
                f"node {i} ({spec.name}) column {node.a} >= after-challenge width {after_width}"
            )
        if kind in AFTER_CHALLENGE_KINDS and not interactions:
            raise r.fail(f"node {i} ({spec.name}) in a system without interactions")
        flags = 1 << int(kind)
        for child in node_children(node):
            flags |= uses[child]
        uses.append(flags)
        degrees.append(min(node_degree(node, degrees), DEGREE_CAP))
    forbidden = 0
    for kind in INTERACTION_FORBIDDEN:
        forbidden |= 1 << int(kind)
    weights: dict[int, int] = {}
    for k, it in enumerate(interactions):
        for nid in (it.count, *it.fields):
            if uses[nid] & forbidden:
                raise r.fail(f"interaction {k} uses {', '.join(kind_names(uses[nid] & forbidden))}")
        weights[it.bus] = weights.get(it.bus, 0) + it.count_weight
        if weights[it.bus] > U32_MAX:
            raise r.fail(f"count weights on bus {it.bus} overflow u32")
    degree = max((degrees[c] for c in constraints), default=0)
    if q > 1 << MAX_LOG_HEIGHT or q != quotient_degree(degree):
        raise r.fail(f"quotient degree {q} does not match the constraint degree {degree}")


def decode_constraint_system(data: bytes, name: str = "") -> ConstraintSystem:
    """Decode and validate ``data``, which must hold exactly one encoded system."""
    system, end = decode_constraint_system_from(data, 0, name)
    if end != len(data):
        raise ProofFormatError(f"constraint system IR: {len(data) - end} trailing bytes")
    return system
