// AVX2 element-wise field kernels (8 lanes): batch_kernels_packed.hpp on the AVX2 policy.
// Compiled with -mavx2 -mbmi2 and called only when the CPU reports AVX2 (see simd.hpp).
#include "batch_kernels_packed.hpp"
#include "stark/field/packed_avx2.hpp"

namespace stark::field_kernels {

const BatchKernels& avx2_kernels() {
  static const BatchKernels k = PackedBatch<avx2::Isa>::kernels();
  return k;
}

}  // namespace stark::field_kernels
