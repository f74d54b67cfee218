// AVX-512 build of the PCS kernels (compiled with AVX-512 F/BW/DQ/VL; called only when the CPU
// has them).
//
// GCC 12 reports a false -Wmaybe-uninitialized inside its own AVX-512 intrinsics (the
// _mm512_undefined_epi32 pass-through operand of the unmasked forms); silence it for this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "fri_kernels_packed.hpp"

namespace stark::fri_detail {
namespace {

struct Avx512Ops {
  using V = __m512i;
  static constexpr size_t kLanes = 16;
  static V load(const uint32_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint32_t* p, V v) { _mm512_storeu_si512(p, v); }
  static V bcast(uint32_t x) { return _mm512_set1_epi32(int(x)); }
  static V zero() { return _mm512_setzero_si512(); }
  static V odd(V x) { return _mm512_srli_epi64(x, 32); }
  static V mul_wide(V a, V b) { return _mm512_mul_epu32(a, b); }
  static V add64(V a, V b) { return _mm512_add_epi64(a, b); }
  static V addp(V a, V b) {
    const V p = _mm512_set1_epi32(int(P));
    const V t = _mm512_add_epi32(a, b);
    return _mm512_min_epu32(t, _mm512_sub_epi32(t, p));
  }
  // Same reduction as the AVX2 build (see fri_kernels_avx2.cpp).
  static V reduce4(V t_evn, V t_odd) {
    const V p = _mm512_set1_epi32(int(P));
    const V mu = _mm512_set1_epi32(int(MONTY_MU));
    const V qp_evn = _mm512_mul_epu32(_mm512_mul_epu32(t_evn, mu), p);
    const V qp_odd = _mm512_mul_epu32(_mm512_mul_epu32(t_odd, mu), p);
    V t_hi = _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(t_evn, 32), t_odd);
    const V qp_hi = _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(qp_evn, 32), qp_odd);
    t_hi = _mm512_min_epu32(t_hi, _mm512_sub_epi32(t_hi, p));
    const V r = _mm512_sub_epi32(t_hi, qp_hi);
    return _mm512_min_epu32(r, _mm512_add_epi32(r, p));
  }
};

}  // namespace

void weighted_column_sums_avx512(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                                 const uint32_t* weights, size_t num_weights, uint32_t* acc,
                                 size_t acc_stride) {
  weighted_column_sums_packed<Avx512Ops>(m, stride, rows, cols, weights, num_weights, acc, acc_stride);
}

void row_combinations_avx512(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                             const uint32_t* const alpha[4], uint32_t* out) {
  row_combinations_packed<Avx512Ops>(m, stride, rows, cols, alpha, out);
}

}  // namespace stark::fri_detail
