"""Command line: ``python -m stark_backend {demo,bench,info}``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m stark_backend")
    parser.add_argument("command", choices=["demo", "bench", "info"], help="what to run")
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "demo":
        from . import demo

        return demo.main(rest)
    if command == "bench":
        from . import bench

        return bench.main(rest)
    if command == "info":
        from . import _core

        print(f"stark_backend core: simd={_core.simd_detected()} threads={_core.num_threads()}")
        print(f"cuda: compiled={_core.cuda_compiled()} available={_core.cuda_available()}")
        print(f"      {_core.cuda_describe()}")
        return 0
    parser.error(f"unknown command {command!r}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
