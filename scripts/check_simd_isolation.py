"""Check that SIMD translation units export no inline (weak/COMDAT) definitions.

Files named *_avx2.cpp / *_avx512.cpp are compiled with -mavx2 / -mavx512*. If such a file
emits a weak definition of a shared inline function (say an Fp operator from a header), the
linker may keep that copy for the whole library, and plain code would then execute AVX-512
instructions on CPUs without them. The kernels therefore keep everything they define local;
this check (run by ctest) fails if any SIMD object file defines a weak symbol.

Usage: check_simd_isolation.py OBJECT...   (non-SIMD objects are ignored; an argument may be
a ';'-separated list, as ctest passes $<TARGET_OBJECTS:...>)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys


def main(paths: list[str]) -> int:
    nm = shutil.which("nm")
    if nm is None:
        print("nm not found; cannot check SIMD isolation", file=sys.stderr)
        return 1
    paths = [p for arg in paths for p in arg.split(";") if p]
    simd = [p for p in paths if re.search(r"_avx(2|512)\.cpp\.o(bj)?$", p)]
    if not simd:
        print("no SIMD objects given", file=sys.stderr)
        return 1
    bad: list[str] = []
    for obj in simd:
        out = subprocess.run(
            [nm, "-C", "--defined-only", obj], check=True, capture_output=True, text=True
        ).stdout
        for line in out.splitlines():
            parts = line.split(" ", 2)
            # DW.ref.__gxx_personality_v0 is a pointer to the C++ exception personality
            # routine (data, identical in every object), not code.
            if (
                len(parts) == 3
                and parts[1] in ("W", "V", "u")
                and not parts[2].startswith("DW.ref.")
            ):
                bad.append(f"{obj}: {parts[2]}")
    for b in bad:
        print("weak definition in a SIMD object:", b)
    print(
        f"{len(simd) - len({b.split(':')[0] for b in bad})} passed, "
        f"{len({b.split(':')[0] for b in bad})} failed"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
