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
  // A constant w with its Shoup quotient q; q_odd is the multiplier of the odd 32-bit lanes
  // (mul_epu32 reads the low word of each 64-bit lane).
  struct T {
    __m256i w, q, q_odd;
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
  // A broadcast quotient is its own odd form.
  static T tw_bcast(uint32_t w, uint32_t q) {
    const __m256i qv = _mm256_set1_epi32(int(q));
    return {_mm256_set1_epi32(int(w)), qv, qv};
  }
  template <int W>
  static __m256i expand(const uint32_t* x) {
    if constexpr (W == 1) {
      return load(x);
    } else if constexpr (W == 2) {
      return _mm256_permutevar8x32_epi32(
          _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x))),
          _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
    } else {
      static_assert(W == 4, "AVX2 expands constants for widths 1, 2 and 4");
      return _mm256_permutevar8x32_epi32(
          _mm256_castsi128_si256(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x))),
          _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1));
    }
  }
  template <int W>
  static T tw_expand(Consts c) {
    const __m256i q = expand<W>(c.q);
    return {expand<W>(c.w), q, _mm256_srli_epi64(q, 32)};
  }
  // Two vectors a, b holding butterfly blocks of 2S words -> first halves x, second halves y
  // (lane j of x and y at offset j mod S in its block), and back.
  template <int S>
  static void split(V a, V b, V& x, V& y) {
    if constexpr (S == 4) {
      x = _mm256_permute2x128_si256(a, b, 0x20);
      y = _mm256_permute2x128_si256(a, b, 0x31);
    } else if constexpr (S == 2) {
      x = _mm256_unpacklo_epi64(a, b);
      y = _mm256_unpackhi_epi64(a, b);
    } else {
      static_assert(S == 1);
      const __m256 fa = _mm256_castsi256_ps(a), fb = _mm256_castsi256_ps(b);
      x = _mm256_castps_si256(_mm256_shuffle_ps(fa, fb, _MM_SHUFFLE(2, 0, 2, 0)));
      y = _mm256_castps_si256(_mm256_shuffle_ps(fa, fb, _MM_SHUFFLE(3, 1, 3, 1)));
    }
  }
  template <int S>
  static void merge(V x, V y, V& a, V& b) {
    if constexpr (S == 4) {
      a = _mm256_permute2x128_si256(x, y, 0x20);
      b = _mm256_permute2x128_si256(x, y, 0x31);
    } else if constexpr (S == 2) {
      a = _mm256_unpacklo_epi64(x, y);
      b = _mm256_unpackhi_epi64(x, y);
    } else {
      static_assert(S == 1);
      a = _mm256_unpacklo_epi32(x, y);
      b = _mm256_unpackhi_epi32(x, y);
    }
  }
  // a lane j (bit B set) <-> b lane j - B: rows i and i + B of one level of an 8 x 8 transpose.
  template <int B>
  static void swap_blocks(V& a, V& b) {
    V x, y;
    if constexpr (B == 4) {
      x = _mm256_permute2x128_si256(a, b, 0x20);
      y = _mm256_permute2x128_si256(a, b, 0x31);
    } else if constexpr (B == 2) {
      x = _mm256_unpacklo_epi64(a, b);
      y = _mm256_unpackhi_epi64(a, b);
    } else {
      static_assert(B == 1);
      x = _mm256_blend_epi32(a, _mm256_slli_epi64(b, 32), 0b10101010);
      y = _mm256_blend_epi32(_mm256_srli_epi64(a, 32), b, 0b10101010);
    }
    a = x;
    b = y;
  }
  static size_t gather(uint32_t* dst, const uint32_t* src, const uint32_t* index, size_t n, unsigned shift,
                       size_t add) {
    const __m256i offset = _mm256_set1_epi32(int(add));
    const __m128i count = _mm_cvtsi32_si128(int(shift));
    size_t t = 0;
    for (; t + L <= n; t += L) {
      const __m256i idx = _mm256_add_epi32(_mm256_sll_epi32(load(index + t), count), offset);
      store(dst + t, _mm256_i32gather_epi32(reinterpret_cast<const int*>(src), idx, 4));
    }
    return t;
  }
  // Montgomery-form factor and its odd-lane form (scale_rows).
  struct TM {
    __m256i v, odd;
  };
  static TM mont_bcast(uint32_t m) {
    const __m256i v = _mm256_set1_epi32(int(m));
    return {v, v};
  }
  template <int W>
  static TM mont_expand(const uint32_t* m) {
    const __m256i v = expand<W>(m);
    return {v, _mm256_srli_epi64(v, 32)};
  }
  static V mul_mont(V a, const TM& m) { return avx2::mul_pre({a}, m.v, m.odd).v; }
  static V add(V a, V b) { return avx2::add({a}, {b}).v; }
  static V sub(V a, V b) { return avx2::sub({a}, {b}).v; }
  static V sub_lazy(V a, V b) { return _mm256_add_epi32(_mm256_sub_epi32(a, b), _mm256_set1_epi32(int(kP))); }
  // Shoup product: quotient = hi32(a q), result a w - quotient p (mod 2^32) in [0, 2p).
  static V mul(V a, const T& t) {
    const __m256i prod_evn = _mm256_mul_epu32(a, t.q);
    const __m256i prod_odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), t.q_odd);
    const __m256i quotient = _mm256_blend_epi32(_mm256_srli_epi64(prod_evn, 32), prod_odd, 0b10101010);
    __m256i p = _mm256_set1_epi32(int(kP));
    // Opaque to the optimizer: GCC otherwise rewrites quotient * p as shifts and adds
    // (p = 2^31 - 2^27 + 1), four instructions instead of one multiplication.
    asm("" : "+v"(p));
    const __m256i r = _mm256_sub_epi32(_mm256_mullo_epi32(a, t.w), _mm256_mullo_epi32(quotient, p));
    return _mm256_min_epu32(r, _mm256_sub_epi32(r, p));
  }
};

}  // namespace

const Kernels& avx2_kernels() { return Layers<Avx2Policy>::table(); }

}  // namespace stark::ntt_kernels
