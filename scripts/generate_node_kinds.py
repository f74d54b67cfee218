"""Writes ``python/stark_backend/air/node_kinds.py`` from the node-kind table.

The table ``cpp/src/air/kinds/node_kinds.json`` defines the constraint-DAG node kinds once; the
C++ build generates ``stark::NodeKind`` from it (``cmake/GenerateNodeKinds.cmake``) and this
script the Python ``NodeKind`` and ``KIND_SPECS``. The Python file is checked in because the
package must import without the compiled core and type-check with mypy (a static enum);
``tests/python/test_air_node_kinds.py`` fails when it and the table differ.

Usage: ``python scripts/generate_node_kinds.py`` (rewrite) or ``--check`` (exit 1 on a
difference).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "cpp" / "src" / "air" / "kinds" / "node_kinds.json"
OUTPUT = ROOT / "python" / "stark_backend" / "air" / "node_kinds.py"

_HEADER = '''\
"""The node kinds of the constraint DAG (generated: do not edit).

Written by ``scripts/generate_node_kinds.py`` from ``cpp/src/air/kinds/node_kinds.json``, the
table that also generates the C++ ``stark::NodeKind``; ``tests/python/test_air_node_kinds.py``
fails when this file and the table differ. What the fields mean is the table's ``about``; what
each kind computes in Python (printing, debug evaluation) is ``kinds/<name>.py``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple

__all__ = ["KIND_SPECS", "KindSpec", "NodeKind"]


class NodeKind(IntEnum):
    """Kinds of DAG nodes; the values are the tag bytes of the IR encoding (``ir.py``)."""

'''

_SPEC_CLASS = '''

class KindSpec(NamedTuple):
    """One row of the node-kind table."""

    name: str
    """Snake case: messages, and the semantics module ``kinds/<name>.py``."""
    payload: tuple[str, ...]
    """Encoded fields in byte order: offset, part, index, value, lhs, rhs."""
    bound: str
    """What bounds the index field ("" without one)."""
    flags: frozenset[str]
    """trace, selector, after_challenge, extension."""
    degree: str
    """zero, one, max or sum (of the children)."""

    @property
    def arity(self) -> int:
        """Number of children (the lhs and rhs fields)."""
        return sum(1 for field in self.payload if field in ("lhs", "rhs"))


KIND_SPECS: dict[NodeKind, KindSpec] = {
'''


def snake_case(name: str) -> str:
    """``IsFirstRow`` -> ``is_first_row`` (the rule CMake applies too)."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def _tuple(items: list[str]) -> str:
    quoted = [f'"{item}"' for item in items]
    if len(quoted) == 1:
        return f"({quoted[0]},)"
    return f"({', '.join(quoted)})"


def _frozenset(items: list[str]) -> str:
    if not items:
        return "frozenset()"
    return "frozenset({" + ", ".join(f'"{item}"' for item in items) + "})"


def render(table: dict[str, Any]) -> str:
    """The text of ``node_kinds.py`` for a parsed table."""
    kinds = table["kinds"]
    out = [_HEADER]
    for position, kind in enumerate(kinds):
        if kind["tag"] != position:
            raise ValueError(f"kind {kind['name']}: tag {kind['tag']} must equal its position")
        out.append(f"    {snake_case(kind['name']).upper()} = {kind['tag']}\n")
    out.append(_SPEC_CLASS)
    for kind in kinds:
        member = snake_case(kind["name"]).upper()
        out.append(
            f"    NodeKind.{member}: KindSpec(\n"
            f'        name="{snake_case(kind["name"])}",\n'
            f"        payload={_tuple(kind['payload'])},\n"
            f'        bound="{kind.get("bound", "")}",\n'
            f"        flags={_frozenset(kind['flags'])},\n"
            f'        degree="{kind["degree"]}",\n'
            "    ),\n"
        )
    out.append("}\n")
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text = render(json.loads(TABLE.read_text(encoding="utf-8")))
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if args.check:
        if current != text:
            print(f"{OUTPUT} is out of date: run python scripts/generate_node_kinds.py")
            return 1
        return 0
    if current != text:
        OUTPUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
