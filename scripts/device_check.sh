#!/usr/bin/env bash
# The GPU checks in one run, for a lent GPU machine (docs/architecture.md §11):
#   1. the C++ tests built with CUDA for the machine's GPU (ctest: host tests and GPU tests);
#   2. the Python package built with CUDA, and pytest (the CUDA tests compare proof bytes with
#      the CPU device on every example and on a multi-AIR circuit);
#   3. python -m stark_backend bench --device cuda --json (CPU and CUDA rows in the same run).
# Budget: under 8 minutes on 16 cores; each step has its own time limit so that a hang still
# leaves a report. Logs and the bench JSON go to $OUT (default /tmp/device_check). The last line
# printed is a one-line summary: "device_check: ctest OK|FAIL ... pytest ... bench ... (N s)".
# Runs without network access: everything it needs must already be installed (numpy, pybind11,
# scikit-build-core, cmake, ninja, pytest; cupy for the CuPy tests).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/device_check}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
jobs=$(nproc)
t0=$(date +%s)
elapsed() { echo $(($(date +%s) - t0)); }
step() { echo "== $1 (at $(elapsed) s)"; }
arch=${CUDA_ARCH:-$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d .)}
arch=${arch:-90}

step "machine"
nvidia-smi -L 2>&1 | head -4
nvcc --version 2>&1 | tail -1
lscpu 2>/dev/null | grep -m1 'Model name'
echo "CUDA architecture: sm_$arch, $jobs build jobs"

step "C++ build with CUDA (build/device)"
ctest_state=FAIL
if timeout 240 cmake -S . -B build/device -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTARK_BUILD_PYTHON=OFF \
  -DSTARK_BUILD_TESTS=ON -DSTARK_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="$arch" >"$OUT/cmake.log" 2>&1 &&
  timeout 240 cmake --build build/device -j"$jobs" >"$OUT/build.log" 2>&1; then
  step "ctest"
  if timeout 120 ctest --test-dir build/device -j4 --output-on-failure >"$OUT/ctest.log" 2>&1; then
    ctest_state=OK
  fi
  grep -E "tests passed|tests failed|Failed|\(Failed\)|\*\*\*" "$OUT/ctest.log" | head -20
else
  echo "C++ build failed:"
  tail -30 "$OUT/build.log" "$OUT/cmake.log" 2>/dev/null
  ctest_state=BUILD-FAIL
fi

step "Python package with CUDA (pip install --target)"
site=$(mktemp -d)/site
pytest_state=FAIL
bench_state=FAIL
if STARK_CUDA=ON CMAKE_ARGS="-DCMAKE_CUDA_ARCHITECTURES=$arch" CMAKE_BUILD_PARALLEL_LEVEL="$jobs" \
  timeout 300 python3 -m pip install -q --no-build-isolation --no-deps --no-index --target "$site" . \
  >"$OUT/pip.log" 2>&1; then
  export PYTHONPATH="$site"
  python3 -c "import stark_backend._core as c; print('cuda:', c.cuda_available(), c.cuda_describe())"
  step "pytest"
  xdist=()
  python3 -c "import xdist" 2>/dev/null && xdist=(-n 8)
  if timeout 240 python3 -m pytest tests/python -q -p no:cacheprovider "${xdist[@]}" >"$OUT/pytest.log" 2>&1; then
    pytest_state=OK
  fi
  grep -E "FAILED|ERROR|passed|failed" "$OUT/pytest.log" | tail -15
  step "bench --device cuda"
  if timeout 240 python3 -m stark_backend bench --device cuda --repeats 2 --json "$OUT/bench.json" \
    >"$OUT/bench.log" 2>&1; then
    bench_state=OK
  fi
  tail -40 "$OUT/bench.log"
else
  echo "pip install failed:"
  tail -30 "$OUT/pip.log"
  pytest_state=BUILD-FAIL
  bench_state=BUILD-FAIL
fi

summary="device_check: ctest $ctest_state, pytest $pytest_state, bench $bench_state ($(elapsed) s)"
if [ -f "$OUT/bench.json" ]; then
  summary="$summary; $(python3 - "$OUT/bench.json" <<'EOF'
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))["rows"]}
parts = []
for name, r in rows.items():
    if name == "prove_keccak_cuda_s" and r.get("ratio") is not None:
        parts.append(f"keccak cuda/cpu x{r['ratio']:.2f}")
    if name.startswith("poseidon2_permutations_per_s_cuda"):
        parts.append(f"poseidon2 {r['value'] / 1e9:.2f} G/s")
print(", ".join(parts) if parts else "no CUDA rows")
EOF
)"
fi
echo "$summary"
[ "$ctest_state" = OK ] && [ "$pytest_state" = OK ] && [ "$bench_state" = OK ]
