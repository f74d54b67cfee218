"""Command line: ``python -m stark_backend COMMAND`` (also the ``stark-backend`` script).

Files (:mod:`stark_backend.cli`, docs/cli.md): ``keygen``, ``prove``, ``verify``, ``inspect``,
``estimate``. Demos and measurements: ``demo``, ``bench``, ``info``.
"""

from __future__ import annotations

import json
import sys

_OTHER = ("demo", "bench", "info")

_HELP = """\
usage: stark-backend COMMAND [options]    (also: python -m stark_backend COMMAND)

keys and proofs as files (docs/cli.md); --json prints one JSON object on stdout:
  keygen MODULE:FACTORY -o pk.bin [--vk-out vk.bin] [--fri PARAMS] [--config NAME]
  prove pk.bin TRACES.npz [--public-values JSON] -o proof.bin
  verify vk.bin proof.bin          exit 0 valid, 1 rejected, 2 bad usage or input
  inspect FILE                     what a key or proof holds
  estimate pk.bin --heights NAME=2^16,...

demos and measurements:
  demo                             prove and verify the example circuits
  bench [--plot FILE]              benchmarks (JSON)
  info [--json]                    the core's SIMD, threads and CUDA

COMMAND --help describes a command's options.
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        (sys.stdout if argv else sys.stderr).write(_HELP)
        return 0 if argv else 2
    from . import cli

    # `--json COMMAND ...` as well as `COMMAND --json ...`
    first = next((a for a in argv if a != "--json"), "")
    command, rest = argv[0], argv[1:]
    if first in cli.COMMANDS:
        return cli.main(argv)
    if command == "demo":
        from . import demo

        return demo.main(rest)
    if command == "bench":
        from . import bench

        return bench.main(rest)
    if command == "info":
        return _info(rest)
    sys.stderr.write(_HELP)
    sys.stderr.write(
        f"stark-backend: error (UsageError): unknown command {command!r} "
        f"(choose from {', '.join((*cli.COMMANDS, *_OTHER))})\n"
    )
    return 2


def _info(rest: list[str]) -> int:
    from . import _core

    unknown = [a for a in rest if a != "--json"]
    if unknown:
        sys.stderr.write(f"stark-backend info: error (UsageError): unknown options {unknown}\n")
        return 2
    if "--json" in rest:
        info = {
            "simd": str(_core.simd_detected()),
            "threads": int(_core.num_threads()),
            "cuda": {
                "compiled": bool(_core.cuda_compiled()),
                "available": bool(_core.cuda_available()),
                "describe": str(_core.cuda_describe()),
            },
        }
        print(json.dumps(info))
        return 0
    print(f"stark_backend core: simd={_core.simd_detected()} threads={_core.num_threads()}")
    print(f"cuda: compiled={_core.cuda_compiled()} available={_core.cuda_available()}")
    print(f"      {_core.cuda_describe()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
