#!/usr/bin/env bash
# All tests: C++ unit tests through ctest (the CMake "test" workflow preset, which also compiles
# the CUDA units when nvcc is present) and the Python suite against the installed package.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --workflow --preset test
python3 -m pytest tests/python -q
