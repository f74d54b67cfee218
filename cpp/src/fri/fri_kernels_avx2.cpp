// AVX2 build of the PCS kernels (compiled with -mavx2; called only when the CPU has AVX2).
#include <immintrin.h>

#include "fri_kernels_packed.hpp"

namespace stark::fri_detail {
namespace {

struct Avx2Ops {
  using V = __m256i;
  static constexpr size_t kLanes = 8;
  static V load(const uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(uint32_t* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static V bcast(uint32_t x) { return _mm256_set1_epi32(int(x)); }
  static V zero() { return _mm256_setzero_si256(); }
  static V odd(V x) { return _mm256_srli_epi64(x, 32); }
  static V mul_wide(V a, V b) { return _mm256_mul_epu32(a, b); }
  static V add64(V a, V b) { return _mm256_add_epi64(a, b); }
  static V addp(V a, V b) {
    const V p = _mm256_set1_epi32(int(P));
    const V t = _mm256_add_epi32(a, b);
    return _mm256_min_epu32(t, _mm256_sub_epi32(t, p));
  }
  // t < 4p² ⇒ hi32(t) < 2p: bring it below p, then hi32(t) − hi32(q·p) ∈ (−p, p) (the low words
  // cancel exactly), and one conditional addition of p finishes.
  static V reduce4(V t_evn, V t_odd) {
    const V p = _mm256_set1_epi32(int(P));
    const V mu = _mm256_set1_epi32(int(MONTY_MU));
    const V qp_evn = _mm256_mul_epu32(_mm256_mul_epu32(t_evn, mu), p);
    const V qp_odd = _mm256_mul_epu32(_mm256_mul_epu32(t_odd, mu), p);
    V t_hi = _mm256_blend_epi32(_mm256_srli_epi64(t_evn, 32), t_odd, 0b10101010);
    const V qp_hi = _mm256_blend_epi32(_mm256_srli_epi64(qp_evn, 32), qp_odd, 0b10101010);
    t_hi = _mm256_min_epu32(t_hi, _mm256_sub_epi32(t_hi, p));
    const V r = _mm256_sub_epi32(t_hi, qp_hi);
    return _mm256_min_epu32(r, _mm256_add_epi32(r, p));
  }
};

}  // namespace

void weighted_column_sums_avx2(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                               const uint32_t* weights, size_t num_weights, uint32_t* acc,
                               size_t acc_stride) {
  weighted_column_sums_packed<Avx2Ops>(m, stride, rows, cols, weights, num_weights, acc, acc_stride);
}

void row_combinations_avx2(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                           const uint32_t* const alpha[4], uint32_t* out) {
  row_combinations_packed<Avx2Ops>(m, stride, rows, cols, alpha, out);
}

}  // namespace stark::fri_detail
