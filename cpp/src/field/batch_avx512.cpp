// AVX-512 element-wise field kernels (16 lanes): batch_kernels_packed.hpp on the AVX-512 policy.
// Compiled with -mavx512f/bw/dq/vl and called only when the CPU reports all four (see simd.hpp).
// GCC 12 reports a false -Wmaybe-uninitialized inside its own AVX-512 intrinsics (the
// _mm512_undefined idiom) wherever they are inlined; silence that one warning in this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "batch_kernels_packed.hpp"
#include "stark/field/packed_avx512.hpp"

namespace stark::field_kernels {

const BatchKernels& avx512_kernels() {
  static const BatchKernels k = PackedBatch<avx512::Isa>::kernels();
  return k;
}

}  // namespace stark::field_kernels
