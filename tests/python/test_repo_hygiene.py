"""The repository keeps its own promises: the checks CI runs, the versions it claims, its docs.

Each test here failed on the tree before the fix it guards (issue 8): the installed package had no
``py.typed``; mypy targeted a newer Python than ``requires-python``; ``CMakePresets.json`` needed a
newer CMake than ``CMakeLists.txt`` asked for; the CUDA kernels' host-side tests were built only
with ``nvcc``; CI ran neither the sanitizer preset, nor stubtest, nor lint of ``scripts/``; and 34
source files cited design documents that a clone does not have.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("python", "cpp", "cuda", "tests", "scripts", "cmake", "third_party", ".ci")


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _source_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CMakeLists.txt"]
    for d in SOURCE_DIRS:
        files += [p for p in (ROOT / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [p for p in files if p.suffix not in (".so", ".pyc", ".bin")]


def test_installed_package_is_marked_typed() -> None:
    assert resources.files("stark_backend").joinpath("py.typed").is_file()


def test_type_check_and_lint_target_the_oldest_supported_python() -> None:
    project = _pyproject()
    m = re.fullmatch(r">=\s*3\.(\d+)", project["project"]["requires-python"])
    assert m, project["project"]["requires-python"]
    minor = int(m.group(1))
    assert project["tool"]["mypy"]["python_version"] == f"3.{minor}"
    assert project["tool"]["ruff"]["target-version"] == f"py3{minor}"
    cmake = (ROOT / "CMakeLists.txt").read_text()
    assert re.search(rf"find_package\(Python 3\.{minor} REQUIRED", cmake)


def test_one_minimum_cmake_version() -> None:
    cmake = (ROOT / "CMakeLists.txt").read_text()
    m = re.search(r"cmake_minimum_required\(VERSION (\d+)\.(\d+)\)", cmake)
    assert m
    lists_min = (int(m.group(1)), int(m.group(2)))
    presets = json.loads((ROOT / "CMakePresets.json").read_text())["cmakeMinimumRequired"]
    assert (presets["major"], presets["minor"]) == lists_min
    skbuild = _pyproject()["tool"]["scikit-build"]["cmake"]["version"]
    assert skbuild == f">={lists_min[0]}.{lists_min[1]}"


def test_cuda_kernel_bodies_are_tested_without_nvcc() -> None:
    """A test that includes the kernels' host-device headers is not gated on a CUDA build."""
    gated = re.compile(r"_cuda$")  # CMakeLists.txt skips tests/cpp/test_*_cuda.cpp without nvcc
    host_tests = [
        p
        for p in (ROOT / "tests" / "cpp").glob("test_*.cpp")
        if re.search(r'#include "(ntt|poseidon2)\.cuh"', p.read_text()) and not gated.search(p.stem)
    ]
    assert host_tests
    cmake = (ROOT / "CMakeLists.txt").read_text()
    assert re.search(r'if\(name MATCHES "_cuda\$" AND NOT STARK_HAVE_CUDA\)', cmake)


def test_ci_runs_every_check() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    for needle in (
        "cmake --workflow --preset debug",
        "mypy.stubtest stark_backend._core",
        "ruff check python tests/python scripts",
        "ruff format --check python tests/python scripts",
        "clang-format --dry-run -Werror",
        "python3 -m build --wheel",
        "auditwheel repair",
        "--only-binary :all:",
        "bash scripts/test.sh",
    ):
        assert needle in ci, needle


def test_no_citation_of_documents_outside_the_repo() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _source_files()
        if p.name != "test_repo_hygiene.py"
        and re.search(r"\b(DESIGN|PROTOCOL)\.md\b", p.read_text(errors="replace"))
    ]
    assert not offenders, offenders


def _headings(doc: Path) -> set[str]:
    """Section numbers of a markdown file: '## 8. Keygen' -> '8', '### 8.2 Steps' -> '8.2'."""
    found = set()
    for line in doc.read_text().splitlines():
        m = re.match(r"#{1,6}\s+(\d+(?:\.\d+)*)\.?\s", line)
        if m:
            found.add(m.group(1))
    return found


def test_docs_citations_name_existing_sections() -> None:
    cite = re.compile(r"docs/([\w-]+\.md)((?:\s*§\s*\d+(?:\.\d+)*(?:[\u2013-]\d+(?:\.\d+)*)?,?)*)")
    headings: dict[str, set[str]] = {}
    problems = []
    for p in [*_source_files(), *(ROOT / "docs").glob("*.md")]:
        for m in cite.finditer(p.read_text(errors="replace")):
            doc = ROOT / "docs" / m.group(1)
            if not doc.is_file():
                problems.append(f"{p.relative_to(ROOT)}: docs/{m.group(1)} does not exist")
                continue
            known = headings.setdefault(doc.name, _headings(doc))
            for section in re.findall(r"§\s*(\d+(?:\.\d+)*)", m.group(2)):
                if section not in known:
                    problems.append(f"{p.relative_to(ROOT)}: docs/{doc.name} has no §{section}")
    assert not problems, "\n".join(problems)
