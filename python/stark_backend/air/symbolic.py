"""The constraint DAG (docs/protocol.md §5.1): hash-consed nodes, degrees and a readable printer.

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

The kinds, their payloads, flags and degree rules are the node-kind table
(``cpp/src/air/kinds/node_kinds.json``, generated into ``node_kinds.py``); the kind sets and
helpers below are derived from it, and each kind's printing is ``kinds/<name>.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .._arrays import P
from .kinds import RENDER
from .kinds._api import Rendered, signed
from .node_kinds import KIND_SPECS, NodeKind

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


class Node(NamedTuple):
    """One DAG node; the meaning of ``a``, ``b``, ``c`` depends on ``kind`` (module docstring).

    The payload fields of the table map to the slots as ``index``/``value``/``lhs`` -> ``a``,
    ``offset``/``rhs`` -> ``b``, ``part`` -> ``c``.
    """

    kind: NodeKind
    a: int = 0
    b: int = 0
    c: int = 0


def _kinds_with(flag: str) -> frozenset[NodeKind]:
    return frozenset(k for k, spec in KIND_SPECS.items() if flag in spec.flags)


BINARY_KINDS = frozenset(k for k, spec in KIND_SPECS.items() if spec.arity == 2)
"""Kinds whose ``a`` and ``b`` are child node ids."""

UNARY_KINDS = frozenset(k for k, spec in KIND_SPECS.items() if spec.arity == 1)
"""Kinds whose ``a`` is their only child's id."""

SELECTOR_KINDS = _kinds_with("selector")

AFTER_CHALLENGE_KINDS = _kinds_with("after_challenge")
"""Variables that only exist after the LogUp challenges are sampled."""

ROW_KINDS = _kinds_with("trace")
"""Variables that take one value per row (degree 1)."""

INTERACTION_FORBIDDEN = SELECTOR_KINDS | AFTER_CHALLENGE_KINDS
"""Kinds an interaction's message or count may not use (docs/protocol.md §7.1)."""

_ARITY = {k: spec.arity for k, spec in KIND_SPECS.items()}
_DEGREE_RULE = {k: spec.degree for k, spec in KIND_SPECS.items()}


def kind_names(flags: int) -> list[str]:
    """Names (lower case) of the node kinds whose bits are set in a ``uses`` bit mask."""
    return [KIND_SPECS[k].name for k in NodeKind if flags >> int(k) & 1]


def node_degree(node: Node, degrees: Sequence[int]) -> int:
    """Degree multiple of ``node`` given the degrees of its (earlier) children."""
    rule = _DEGREE_RULE[node.kind]
    if rule == "zero":
        return 0
    if rule == "one":
        return 1
    children = node_children(node)
    if rule == "sum":
        return sum(degrees[c] for c in children)
    return max((degrees[c] for c in children), default=0)


def node_children(node: Node) -> tuple[int, ...]:
    """Child node ids of ``node`` (empty for leaves)."""
    arity = _ARITY[node.kind]
    if arity == 2:
        return (node.a, node.b)
    if arity == 1:
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
        self._memo: dict[int, Rendered] = {}

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

    @property
    def main_part_offsets(self) -> Sequence[int]:
        """Global index of the first column of each main partition."""
        return self._part_offsets

    def _render(self, nid: int) -> Rendered:
        node = self._nodes[nid]
        children = [self._memo[c] for c in node_children(node)]
        text, prec = RENDER[node.kind](node, children, self)
        if len(text) > self._max_len:
            text = text[: self._max_len] + "..."
        return text, prec
