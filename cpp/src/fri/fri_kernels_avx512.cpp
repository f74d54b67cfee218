// AVX-512 build of the PCS kernels: fri_kernels_packed.hpp on the AVX-512 field policy (compiled
// with AVX-512 F/BW/DQ/VL; called only when the CPU has them).
//
// GCC 12 reports a false -Wmaybe-uninitialized inside its own AVX-512 intrinsics (the
// _mm512_undefined_epi32 pass-through operand of the unmasked forms); silence it for this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "fri_kernels_packed.hpp"
#include "stark/field/packed_avx512.hpp"

namespace stark::fri_detail {

void weighted_column_sums_avx512(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                                 const uint32_t* weights, size_t num_weights, uint32_t* acc,
                                 size_t acc_stride) {
  weighted_column_sums_packed<avx512::Isa>(m, stride, rows, cols, weights, num_weights, acc, acc_stride);
}

void row_combinations_avx512(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                             const uint32_t* const alpha[4], uint32_t* out) {
  row_combinations_packed<avx512::Isa>(m, stride, rows, cols, alpha, out);
}

}  // namespace stark::fri_detail
