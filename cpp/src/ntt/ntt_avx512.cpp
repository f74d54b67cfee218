// AVX-512 NTT kernels: the generic sweeps of ntt_kernels_impl.hpp on 16 lanes, a mirror of
// ntt_avx2.cpp. Compiled with -mavx512f/bw/dq/vl, called only when the CPU reports all four.
// GCC 12 reports a false -W(maybe-)uninitialized inside its own AVX-512 intrinsics (the
// _mm512_undefined idiom) wherever they are inlined; silence those in this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include "ntt_kernels_impl.hpp"
#include "stark/field/packed_avx512.hpp"

namespace stark::ntt_kernels {
namespace {

struct Avx512Policy {
  static constexpr size_t L = 16;
  using V = __m512i;
  struct T {
    __m512i v, odd;
  };
  static V load(const uint32_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint32_t* p, V v) { _mm512_storeu_si512(p, v); }
  static __mmask16 lane_mask(size_t n) { return __mmask16((1u << n) - 1u); }
  static V load_n(const uint32_t* p, size_t n) { return _mm512_maskz_loadu_epi32(lane_mask(n), p); }
  static void store_n(uint32_t* p, V v, size_t n) { _mm512_mask_storeu_epi32(p, lane_mask(n), v); }
  static T tw_bcast(uint32_t t) {
    const __m512i v = _mm512_set1_epi32(int(t));
    return {v, v};
  }
  template <int W>
  static T tw_expand(const uint32_t* tw) {
    __m512i v;
    if constexpr (W == 1) {
      v = load(tw);
    } else if constexpr (W == 2) {
      v = _mm512_permutexvar_epi32(
          _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7),
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(tw))));
    } else if constexpr (W == 4) {
      v = _mm512_permutexvar_epi32(
          _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
          _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tw))));
    } else {
      static_assert(W == 8, "AVX-512 expands twiddles for widths 1, 2, 4 and 8");
      v = _mm512_permutexvar_epi32(
          _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1),
          _mm512_castsi128_si512(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(tw))));
    }
    return {v, _mm512_srli_epi64(v, 32)};
  }
  static V add(V a, V b) { return avx512::add({a}, {b}).v; }
  static V sub(V a, V b) { return avx512::sub({a}, {b}).v; }
  static V sub_lazy(V a, V b) { return _mm512_add_epi32(_mm512_sub_epi32(a, b), _mm512_set1_epi32(int(kP))); }
  static V mul(V a, const T& t) { return avx512::mul_pre({a}, t.v, t.odd).v; }
};

}  // namespace

const Kernels& avx512_kernels() { return Layers<Avx512Policy>::table(); }

}  // namespace stark::ntt_kernels
