#!/usr/bin/env bash
# Executes the AVX-512 Poseidon2 kernels on a CPU without AVX-512: poseidon2_avx512.cpp is
# compiled without AVX-512 flags against SIMDe (apt: libsimde-dev), whose portable intrinsics
# replace <immintrin.h> through this directory's stand-in header, then checked against the
# scalar permutation. Not part of ctest (it needs SIMDe and a build of stark_core).
#   usage: tests/cpp/avx512_emulation/run_poseidon2.sh <build-dir>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
build="$(cd "${1:?usage: $0 <build-dir>}" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
flags=(-std=c++20 -O1 -DSTARK_X86=1 -I"$root/cpp/include" -I"$build/generated" -I"$root/cpp/src/hash")
g++ "${flags[@]}" -I"$here" -w -Davx512_kernels=avx512_kernels_emulated \
  -c "$root/cpp/src/hash/poseidon2_avx512.cpp" -o "$out/avx512.o"
g++ "${flags[@]}" -c "$here/poseidon2_harness.cpp" -o "$out/harness.o"
g++ "$out/harness.o" "$out/avx512.o" "$build/libstark_core.a" -lpthread -o "$out/harness"
"$out/harness"
