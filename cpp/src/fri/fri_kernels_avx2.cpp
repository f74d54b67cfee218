// AVX2 build of the PCS kernels: fri_kernels_packed.hpp on the AVX2 field policy (compiled with
// -mavx2; called only when the CPU has AVX2).
#include "fri_kernels_packed.hpp"
#include "stark/field/packed_avx2.hpp"

namespace stark::fri_detail {

void weighted_column_sums_avx2(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                               const uint32_t* weights, size_t num_weights, uint32_t* acc,
                               size_t acc_stride) {
  weighted_column_sums_packed<avx2::Isa>(m, stride, rows, cols, weights, num_weights, acc, acc_stride);
}

void row_combinations_avx2(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                           const uint32_t* const alpha[4], uint32_t* out) {
  row_combinations_packed<avx2::Isa>(m, stride, rows, cols, alpha, out);
}

}  // namespace stark::fri_detail
