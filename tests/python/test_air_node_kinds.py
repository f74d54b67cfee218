"""Node kinds are defined once: ``cpp/src/air/kinds/node_kinds.json``.

The table generates the C++ ``stark::NodeKind`` at build time (``cmake/GenerateNodeKinds.cmake``)
and the committed Python ``stark_backend/air/node_kinds.py`` (``scripts/generate_node_kinds.py``).
These tests fail when the Python file is stale, when a kind lacks its per-kind semantics file in
either language, or when a tag is not the kind's position (the IR's tag byte; test_air_ir.py
checks that the core refuses tags outside the table).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from stark_backend.air.node_kinds import KIND_SPECS, NodeKind

ROOT = Path(__file__).resolve().parents[2]
TABLE_PATH = ROOT / "cpp" / "src" / "air" / "kinds" / "node_kinds.json"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_node_kinds", ROOT / "scripts" / "generate_node_kinds.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table() -> list[dict[str, object]]:
    kinds: list[dict[str, object]] = json.loads(TABLE_PATH.read_text())["kinds"]
    return kinds


def test_generated_python_enum_is_current() -> None:
    gen = _generator()
    assert gen.main(["--check"]) == 0
    assert gen.render(json.loads(TABLE_PATH.read_text())) == gen.OUTPUT.read_text()


def test_a_changed_table_makes_the_check_fail() -> None:
    gen = _generator()
    table = json.loads(TABLE_PATH.read_text())
    square = {"name": "Square", "payload": ["lhs"], "flags": [], "degree": "sum"}
    table["kinds"].append({"tag": len(table["kinds"]), **square})
    assert gen.render(table) != gen.OUTPUT.read_text()
    table["kinds"][-1]["tag"] = 99
    with pytest.raises(ValueError, match="tag 99 must equal its position"):
        gen.render(table)


def test_python_enum_follows_the_table() -> None:
    table = _table()
    assert [k.value for k in NodeKind] == list(range(len(table)))
    for row, kind in zip(table, NodeKind, strict=True):
        spec = KIND_SPECS[kind]
        assert spec.name == re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(row["name"])).lower()
        assert kind.name == spec.name.upper()
        assert spec.payload == tuple(row["payload"])  # type: ignore[arg-type]
        assert spec.flags == frozenset(row["flags"])  # type: ignore[arg-type]
        assert spec.degree == row["degree"]
        assert spec.bound == row.get("bound", "")


@pytest.mark.parametrize("kind", list(NodeKind), ids=lambda k: k.name)
def test_every_kind_has_its_semantics_in_both_languages(kind: NodeKind) -> None:
    name = KIND_SPECS[kind].name
    assert (ROOT / "cpp" / "src" / "air" / "kinds" / f"{name}.hpp").is_file()
    assert (ROOT / "python" / "stark_backend" / "air" / "kinds" / f"{name}.py").is_file()
