"""Post-process pybind11-stubgen output into python/stark_backend/_core.pyi (mypy --strict clean).

Usage: pybind11-stubgen stark_backend._core -o /tmp/stubs && python scripts/fix_stub.py /tmp/stubs
then: ruff check --fix python/stark_backend/_core.pyi && ruff format python/stark_backend/_core.pyi
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

src = Path(sys.argv[1]) / "stark_backend" / "_core.pyi"
text = src.read_text()
text = re.sub(r"\blist\b(?!\[)", "list[typing.Any]", text)
text = re.sub(r"(?<![\w.])dict\b(?!\[)", "dict[str, typing.Any]", text)
text = re.sub(r"(?<![\w.])tuple\b(?!\[)", "tuple[typing.Any, ...]", text)
text = re.sub(r"^\s*__hash__: typing\.ClassVar\[None\] = None.*\n", "", text, flags=re.M)
text = re.sub(
    r"def __eq__\(self, \w+: \w+\) -> bool:", "def __eq__(self, other: object) -> bool:", text
)
header = (
    "# Type stubs of the compiled module; "
    "regenerate with scripts/fix_stub.py (see its docstring).\n"
)
out = Path(__file__).resolve().parent.parent / "python" / "stark_backend" / "_core.pyi"
out.write_text(header + text)
