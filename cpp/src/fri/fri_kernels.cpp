// Portable builds of the PCS kernels and the run-time dispatch (see fri_kernels.hpp).
#include "fri_kernels.hpp"

#include "stark/field/simd.hpp"

namespace stark::fri_detail {

void weighted_column_sums_scalar(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                                 const uint32_t* weights, size_t num_weights, uint32_t* acc,
                                 size_t acc_stride) {
  for (size_t r = 0; r < rows; ++r) {
    const uint32_t* row = m + r * stride;
    const uint32_t* w = weights + r * num_weights;
    for (size_t j = 0; j < num_weights; ++j) {
      const uint64_t wj = w[j];
      uint32_t* a = acc + j * acc_stride;
      for (size_t c = 0; c < cols; ++c) a[c] = detail::add_mod(a[c], detail::monty_reduce(wj * row[c]));
    }
  }
}

void row_combinations_scalar(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                             const uint32_t* const alpha[4], uint32_t* out) {
  for (size_t r = 0; r < rows; ++r) {
    const uint32_t* row = m + r * stride;
    for (int e = 0; e < 4; ++e) {
      const uint32_t* a = alpha[e];
      uint32_t s = 0;
      for (size_t c = 0; c < cols; ++c) s = detail::add_mod(s, detail::monty_reduce(uint64_t(a[c]) * row[c]));
      out[4 * r + e] = s;
    }
  }
}

void weighted_column_sums(const uint32_t* m, size_t stride, size_t rows, size_t cols, const uint32_t* weights,
                          size_t num_weights, uint32_t* acc, size_t acc_stride) {
#if defined(STARK_X86)
  switch (simd::active()) {
    case simd::Level::Avx512:
      return weighted_column_sums_avx512(m, stride, rows, cols, weights, num_weights, acc, acc_stride);
    case simd::Level::Avx2:
      return weighted_column_sums_avx2(m, stride, rows, cols, weights, num_weights, acc, acc_stride);
    case simd::Level::Scalar:
      break;
  }
#endif
  weighted_column_sums_scalar(m, stride, rows, cols, weights, num_weights, acc, acc_stride);
}

void row_combinations(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                      const uint32_t* const alpha[4], uint32_t* out) {
#if defined(STARK_X86)
  switch (simd::active()) {
    case simd::Level::Avx512:
      return row_combinations_avx512(m, stride, rows, cols, alpha, out);
    case simd::Level::Avx2:
      return row_combinations_avx2(m, stride, rows, cols, alpha, out);
    case simd::Level::Scalar:
      break;
  }
#endif
  row_combinations_scalar(m, stride, rows, cols, alpha, out);
}

}  // namespace stark::fri_detail
