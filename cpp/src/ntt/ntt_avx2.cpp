// AVX2 NTT kernels: the generic sweeps of ntt_kernels_impl.hpp on 8 lanes. Compiled with
// -mavx2 -mbmi2, called only when the CPU reports AVX2.
#include <immintrin.h>

#include "ntt_kernels_impl.hpp"
#include "stark/field/packed_avx2.hpp"

namespace stark::ntt_kernels {
namespace {

struct Avx2Policy {
  static constexpr size_t L = 8;
  using V = __m256i;
  // A twiddle and its odd-lane form (the multiplier of the odd 32-bit lanes, see packed_avx2.hpp).
  struct T {
    __m256i v, odd;
  };
  static V load(const uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(uint32_t* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static __m256i lane_mask(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V load_n(const uint32_t* p, size_t n) {
    return _mm256_maskload_epi32(reinterpret_cast<const int*>(p), lane_mask(n));
  }
  static void store_n(uint32_t* p, V v, size_t n) {
    _mm256_maskstore_epi32(reinterpret_cast<int*>(p), lane_mask(n), v);
  }
  // A broadcast twiddle is its own odd form: mul_epu32 reads the low word of each 64-bit lane.
  static T tw_bcast(uint32_t t) {
    const __m256i v = _mm256_set1_epi32(int(t));
    return {v, v};
  }
  template <int W>
  static T tw_expand(const uint32_t* tw) {
    __m256i v;
    if constexpr (W == 1) {
      v = load(tw);
    } else if constexpr (W == 2) {
      v = _mm256_permutevar8x32_epi32(
          _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tw))),
          _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
    } else {
      static_assert(W == 4, "AVX2 expands twiddles for widths 1, 2 and 4");
      v = _mm256_permutevar8x32_epi32(
          _mm256_castsi128_si256(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(tw))),
          _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1));
    }
    return {v, _mm256_srli_epi64(v, 32)};
  }
  static V add(V a, V b) { return avx2::add({a}, {b}).v; }
  static V sub(V a, V b) { return avx2::sub({a}, {b}).v; }
  static V sub_lazy(V a, V b) { return _mm256_add_epi32(_mm256_sub_epi32(a, b), _mm256_set1_epi32(int(kP))); }
  static V mul(V a, const T& t) { return avx2::mul_pre({a}, t.v, t.odd).v; }
};

}  // namespace

const Kernels& avx2_kernels() { return Layers<Avx2Policy>::table(); }

}  // namespace stark::ntt_kernels
