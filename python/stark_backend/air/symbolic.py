"""The constraint DAG (PROTOCOL.md §5.1): hash-consed nodes, degrees and a readable printer.

An AIR's ``eval`` runs once against a symbolic builder; every arithmetic operation on an
:class:`~stark_backend.air.expr.Expr` interns one :class:`Node` in an :class:`ExprGraph`.
Interning is hash-consing: structurally identical nodes (same kind, same children or payload)
get the same id, so shared sub-expressions are stored and evaluated once. Nodes are appended in
creation order, and a node's children already exist when it is created, so the node list is in
topological order (every child id is smaller than its parent's id).

Node payloads (``Node(kind, a, b, c)``):

===================  =====================================================================
kind                 payload
===================  =====================================================================
``PREPROCESSED``     ``a`` = column index, ``b`` = offset (0 local, 1 next)
``MAIN``             ``a`` = column index inside the partition, ``b`` = offset, ``c`` = part
                     (cached partitions in order, then the common main)
``PERMUTATION``      ``a`` = after-challenge extension column, ``b`` = offset
``PUBLIC``           ``a`` = public value index
``CHALLENGE``        ``a`` = challenge index (0 = LogUp ``alpha``, 1 = ``beta``)
``EXPOSED``          ``a`` = exposed value index (0 = the AIR's cumulative sum)
``CONST``            ``a`` = canonical value in ``[0, p)``
``IS_FIRST_ROW``,    no payload
``IS_LAST_ROW``,
``IS_TRANSITION``
``ADD``/``SUB``/     ``a`` = left child id, ``b`` = right child id
``MUL``
``NEG``              ``a`` = child id
===================  =====================================================================

Degrees are "degree multiples" in units of the trace height (§5.1): trace variables and the
first/last-row selectors have degree 1, ``is_transition``, constants, public values, challenges
and exposed values degree 0; ``Add``/``Sub`` take the maximum, ``Neg`` keeps it and ``Mul`` adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import NamedTuple

from .._arrays import P

__all__ = [
    "NUM_CHALLENGES",
    "NUM_EXPOSED",
    "ExprGraph",
    "ExprPrinter",
    "Node",
    "NodeKind",
    "kind_names",
    "signed",
]

NUM_CHALLENGES = 2
"""LogUp challenges of an AIR with interactions: index 0 = ``alpha``, 1 = ``beta``."""

NUM_EXPOSED = 1
"""Exposed values of an AIR with interactions: index 0 = its LogUp cumulative sum."""


class NodeKind(IntEnum):
    """Kinds of DAG nodes; the values are the tag bytes of the IR encoding (``ir.py``)."""

    PREPROCESSED = 0
    MAIN = 1
    PERMUTATION = 2
    PUBLIC = 3
    CHALLENGE = 4
    EXPOSED = 5
    CONST = 6
    IS_FIRST_ROW = 7
    IS_LAST_ROW = 8
    IS_TRANSITION = 9
    ADD = 10
    SUB = 11
    NEG = 12
    MUL = 13


class Node(NamedTuple):
    """One DAG node; the meaning of ``a``, ``b``, ``c`` depends on ``kind`` (module docstring)."""

    kind: NodeKind
    a: int = 0
    b: int = 0
    c: int = 0


BINARY_KINDS = frozenset({NodeKind.ADD, NodeKind.SUB, NodeKind.MUL})
"""Kinds whose ``a`` and ``b`` are child node ids."""

SELECTOR_KINDS = frozenset({NodeKind.IS_FIRST_ROW, NodeKind.IS_LAST_ROW, NodeKind.IS_TRANSITION})

AFTER_CHALLENGE_KINDS = frozenset({NodeKind.PERMUTATION, NodeKind.CHALLENGE, NodeKind.EXPOSED})
"""Variables that only exist after the LogUp challenges are sampled."""

ROW_KINDS = frozenset({NodeKind.PREPROCESSED, NodeKind.MAIN, NodeKind.PERMUTATION})
"""Variables that take one value per row (degree 1)."""

_DEGREE_ONE = ROW_KINDS | {NodeKind.IS_FIRST_ROW, NodeKind.IS_LAST_ROW}

INTERACTION_FORBIDDEN = SELECTOR_KINDS | AFTER_CHALLENGE_KINDS
"""Kinds an interaction's message or count may not use (PROTOCOL.md §7.1)."""


def kind_names(flags: int) -> list[str]:
    """Names (lower case) of the node kinds whose bits are set in a ``uses`` bit mask."""
    return [k.name.lower() for k in NodeKind if flags >> int(k) & 1]


def signed(value: int) -> int:
    """The representative of ``value mod p`` in ``(-p/2, p/2]``."""
    v = value % P
    return v - P if v > P // 2 else v


def node_degree(node: Node, degrees: Sequence[int]) -> int:
    """Degree multiple of ``node`` given the degrees of its (earlier) children."""
    kind = node.kind
    if kind in BINARY_KINDS:
        da, db = degrees[node.a], degrees[node.b]
        return da + db if kind == NodeKind.MUL else max(da, db)
    if kind == NodeKind.NEG:
        return degrees[node.a]
    return 1 if kind in _DEGREE_ONE else 0


def node_children(node: Node) -> tuple[int, ...]:
    """Child node ids of ``node`` (empty for leaves)."""
    if node.kind in BINARY_KINDS:
        return (node.a, node.b)
    if node.kind == NodeKind.NEG:
        return (node.a,)
    return ()


class ExprGraph:
    """A growing hash-consed DAG; every method returns a node id.

    ``degrees[i]`` is the degree of node ``i``; ``uses[i]`` is a bit mask with bit ``k`` set
    when node ``i``'s sub-DAG contains a node of kind ``k`` (used to validate interactions).
    Constant folding is applied to constant-with-constant operations and to the neutral
    elements ``x + 0``, ``x - 0``, ``x * 1`` (none of which changes a degree).
    """

    __slots__ = ("_index", "degrees", "nodes", "uses")

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.degrees: list[int] = []
        self.uses: list[int] = []
        self._index: dict[Node, int] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def intern(self, node: Node) -> int:
        """Id of ``node``, appending it if no identical node exists yet."""
        found = self._index.get(node)
        if found is not None:
            return found
        nid = len(self.nodes)
        uses = 1 << int(node.kind)
        for child in node_children(node):
            uses |= self.uses[child]
        self.degrees.append(node_degree(node, self.degrees))
        self.uses.append(uses)
        self.nodes.append(node)
        self._index[node] = nid
        return nid

    def const(self, value: int) -> int:
        """A constant; ``value`` is reduced mod p (negative ints are allowed)."""
        return self.intern(Node(NodeKind.CONST, value % P))

    def var(self, kind: NodeKind, index: int, offset: int = 0, part: int = 0) -> int:
        """A variable or selector node (payload as in the module docstring)."""
        return self.intern(Node(kind, index, offset, part))

    def _const_value(self, nid: int) -> int | None:
        node = self.nodes[nid]
        return node.a if node.kind == NodeKind.CONST else None

    def add(self, x: int, y: int) -> int:
        """``x + y``."""
        cx, cy = self._const_value(x), self._const_value(y)
        if cx is not None and cy is not None:
            return self.const(cx + cy)
        if cy == 0:
            return x
        if cx == 0:
            return y
        return self.intern(Node(NodeKind.ADD, x, y))

    def sub(self, x: int, y: int) -> int:
        """``x - y``."""
        cx, cy = self._const_value(x), self._const_value(y)
        if cx is not None and cy is not None:
            return self.const(cx - cy)
        if cy == 0:
            return x
        return self.intern(Node(NodeKind.SUB, x, y))

    def neg(self, x: int) -> int:
        """``-x``."""
        cx = self._const_value(x)
        if cx is not None:
            return self.const(-cx)
        return self.intern(Node(NodeKind.NEG, x))

    def mul(self, x: int, y: int) -> int:
        """``x * y``."""
        cx, cy = self._const_value(x), self._const_value(y)
        if cx is not None and cy is not None:
            return self.const(cx * cy)
        if cy == 1:
            return x
        if cx == 1:
            return y
        return self.intern(Node(NodeKind.MUL, x, y))

    def sum(self, terms: Sequence[int]) -> int:
        """``terms[0] + terms[1] + ...`` (left to right); 0 for no terms."""
        if not terms:
            return self.const(0)
        acc = terms[0]
        for t in terms[1:]:
            acc = self.add(acc, t)
        return acc

    def product(self, factors: Sequence[int]) -> int:
        """``factors[0] * factors[1] * ...`` (left to right); 1 for no factors."""
        if not factors:
            return self.const(1)
        acc = factors[0]
        for f in factors[1:]:
            acc = self.mul(acc, f)
        return acc


# Printing precedence: sums < products < prefix minus (and negative constants) < atoms.
_PREC_SUM = 1
_PREC_PRODUCT = 2
_PREC_PREFIX = 3
_PREC_ATOM = 4

_CHALLENGE_NAMES = ("logup_alpha", "logup_beta")


class ExprPrinter:
    """Renders DAG nodes as readable expressions, e.g. ``main[1]' - (main[0] + main[1])``.

    Main columns are printed by their index in ``b.main()`` order (cached partitions first),
    ``'`` marks the next row, constants print in ``(-p/2, p/2]``. Strings are memoized per node
    and truncated to ``max_len`` characters (``...``) so that deep DAGs print in linear time.
    """

    def __init__(
        self, nodes: Sequence[Node], main_part_offsets: Sequence[int], max_len: int = 1000
    ) -> None:
        self._nodes = nodes
        self._part_offsets = list(main_part_offsets)
        self._max_len = max_len
        self._memo: dict[int, tuple[str, int]] = {}

    def __call__(self, nid: int) -> str:
        """The expression of node ``nid``."""
        stack = [nid]
        while stack:
            top = stack[-1]
            if top in self._memo:
                stack.pop()
                continue
            missing = [c for c in node_children(self._nodes[top]) if c not in self._memo]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            self._memo[top] = self._render(top)
        return self._memo[nid][0]

    def _leaf(self, node: Node) -> tuple[str, int]:
        kind = node.kind
        tick = "'" if node.b else ""
        if kind == NodeKind.MAIN:
            part = node.c
            base = self._part_offsets[part] if part < len(self._part_offsets) else 0
            return f"main[{base + node.a}]{tick}", _PREC_ATOM
        if kind == NodeKind.PREPROCESSED:
            return f"prep[{node.a}]{tick}", _PREC_ATOM
        if kind == NodeKind.PERMUTATION:
            return f"perm[{node.a}]{tick}", _PREC_ATOM
        if kind == NodeKind.PUBLIC:
            return f"pub[{node.a}]", _PREC_ATOM
        if kind == NodeKind.CHALLENGE:
            name = _CHALLENGE_NAMES[node.a] if node.a < 2 else f"challenge[{node.a}]"
            return name, _PREC_ATOM
        if kind == NodeKind.EXPOSED:
            return ("logup_sum" if node.a == 0 else f"exposed[{node.a}]"), _PREC_ATOM
        if kind == NodeKind.CONST:
            v = signed(node.a)
            return str(v), (_PREC_PREFIX if v < 0 else _PREC_ATOM)
        return kind.name.lower(), _PREC_ATOM  # the three selectors

    def _render(self, nid: int) -> tuple[str, int]:
        node = self._nodes[nid]
        kind = node.kind
        if kind == NodeKind.NEG:
            s, p = self._memo[node.a]
            text, prec = "-" + (s if p == _PREC_ATOM else f"({s})"), _PREC_PREFIX
        elif kind in BINARY_KINDS:
            (ls, lp), (rs, rp) = self._memo[node.a], self._memo[node.b]
            if kind == NodeKind.MUL:
                prec, op = _PREC_PRODUCT, " * "
                left = ls if lp >= _PREC_PRODUCT else f"({ls})"
                right = rs if rp == _PREC_ATOM else f"({rs})"
            else:
                prec, op = _PREC_SUM, (" + " if kind == NodeKind.ADD else " - ")
                left = ls
                right = rs if rp in (_PREC_PRODUCT, _PREC_ATOM) else f"({rs})"
            text = left + op + right
        else:
            text, prec = self._leaf(node)
        if len(text) > self._max_len:
            text = text[: self._max_len] + "..."
        return text, prec
