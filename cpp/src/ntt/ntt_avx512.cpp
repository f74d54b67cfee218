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
    __m512i w, q, q_odd;
  };
  static V load(const uint32_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint32_t* p, V v) { _mm512_storeu_si512(p, v); }
  static __mmask16 lane_mask(size_t n) { return __mmask16((1u << n) - 1u); }
  static V load_n(const uint32_t* p, size_t n) { return _mm512_maskz_loadu_epi32(lane_mask(n), p); }
  static void store_n(uint32_t* p, V v, size_t n) { _mm512_mask_storeu_epi32(p, lane_mask(n), v); }
  static T tw_bcast(uint32_t w, uint32_t q) {
    const __m512i qv = _mm512_set1_epi32(int(q));
    return {_mm512_set1_epi32(int(w)), qv, qv};
  }
  template <int W>
  static __m512i expand(const uint32_t* x) {
    if constexpr (W == 1) {
      return load(x);
    } else if constexpr (W == 2) {
      return _mm512_permutexvar_epi32(
          _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7),
          _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x))));
    } else if constexpr (W == 4) {
      return _mm512_permutexvar_epi32(
          _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3),
          _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x))));
    } else {
      static_assert(W == 8, "AVX-512 expands constants for widths 1, 2, 4 and 8");
      return _mm512_permutexvar_epi32(
          _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1),
          _mm512_castsi128_si512(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x))));
    }
  }
  template <int W>
  static T tw_expand(Consts c) {
    const __m512i q = expand<W>(c.q);
    return {expand<W>(c.w), q, _mm512_srli_epi64(q, 32)};
  }
  // Two vectors a, b holding butterfly blocks of 2S words -> first halves x, second halves y
  // (lane j of x and y at offset j mod S in its block), and back (see ntt_avx2.cpp).
  template <int S>
  static void split(V a, V b, V& x, V& y) {
    if constexpr (S == 8) {
      x = _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(1, 0, 1, 0));
      y = _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(3, 2, 3, 2));
    } else if constexpr (S == 4) {
      x = _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(2, 0, 2, 0));
      y = _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    } else if constexpr (S == 2) {
      x = _mm512_unpacklo_epi64(a, b);
      y = _mm512_unpackhi_epi64(a, b);
    } else {
      static_assert(S == 1);
      const __m512 fa = _mm512_castsi512_ps(a), fb = _mm512_castsi512_ps(b);
      x = _mm512_castps_si512(_mm512_shuffle_ps(fa, fb, _MM_SHUFFLE(2, 0, 2, 0)));
      y = _mm512_castps_si512(_mm512_shuffle_ps(fa, fb, _MM_SHUFFLE(3, 1, 3, 1)));
    }
  }
  template <int S>
  static void merge(V x, V y, V& a, V& b) {
    if constexpr (S == 8) {
      a = _mm512_shuffle_i64x2(x, y, _MM_SHUFFLE(1, 0, 1, 0));
      b = _mm512_shuffle_i64x2(x, y, _MM_SHUFFLE(3, 2, 3, 2));
    } else if constexpr (S == 4) {
      // x = [a.0 a.2 b.0 b.2], y = [a.1 a.3 b.1 b.3] in 128-bit blocks
      a = _mm512_permutex2var_epi64(x, _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), y);
      b = _mm512_permutex2var_epi64(x, _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15), y);
    } else if constexpr (S == 2) {
      a = _mm512_unpacklo_epi64(x, y);
      b = _mm512_unpackhi_epi64(x, y);
    } else {
      static_assert(S == 1);
      a = _mm512_unpacklo_epi32(x, y);
      b = _mm512_unpackhi_epi32(x, y);
    }
  }
  // a lane j (bit B set) <-> b lane j - B: rows i and i + B of one level of a 16 x 16 transpose
  // (the mirror of ntt_avx2.cpp's, as two-source permutes; index 16 + x is b's lane x).
  template <int B>
  static void swap_blocks(V& a, V& b) {
    alignas(64) int lo[16], hi[16];
    for (int j = 0; j < 16; ++j) {
      lo[j] = (j & B) ? 16 + j - B : j;
      hi[j] = (j & B) ? 16 + j : j + B;
    }
    const V x = _mm512_permutex2var_epi32(a, _mm512_load_si512(lo), b);
    const V y = _mm512_permutex2var_epi32(a, _mm512_load_si512(hi), b);
    a = x;
    b = y;
  }
  static size_t gather(uint32_t* dst, const uint32_t* src, const uint32_t* index, size_t n, unsigned shift,
                       size_t add) {
    const __m512i offset = _mm512_set1_epi32(int(add));
    const __m128i count = _mm_cvtsi32_si128(int(shift));
    size_t t = 0;
    for (; t + L <= n; t += L) {
      const __m512i idx = _mm512_add_epi32(_mm512_sll_epi32(load(index + t), count), offset);
      store(dst + t, _mm512_i32gather_epi32(idx, src, 4));
    }
    return t;
  }
  // Montgomery-form factor and its odd-lane form (scale_rows).
  struct TM {
    __m512i v, odd;
  };
  static TM mont_bcast(uint32_t m) {
    const __m512i v = _mm512_set1_epi32(int(m));
    return {v, v};
  }
  template <int W>
  static TM mont_expand(const uint32_t* m) {
    const __m512i v = expand<W>(m);
    return {v, _mm512_srli_epi64(v, 32)};
  }
  static V mul_mont(V a, const TM& m) { return avx512::mul_pre({a}, m.v, m.odd).v; }
  static V add(V a, V b) { return avx512::add({a}, {b}).v; }
  static V sub(V a, V b) { return avx512::sub({a}, {b}).v; }
  static V sub_lazy(V a, V b) { return _mm512_add_epi32(_mm512_sub_epi32(a, b), _mm512_set1_epi32(int(kP))); }
  // Shoup product (see ntt_avx2.cpp).
  static V mul(V a, const T& t) {
    const __m512i prod_evn = _mm512_mul_epu32(a, t.q);
    const __m512i prod_odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), t.q_odd);
    const __m512i quotient =
        _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(prod_evn, 32), prod_odd);
    __m512i p = _mm512_set1_epi32(int(kP));
    // Opaque to the optimizer: GCC otherwise rewrites quotient * p as shifts and adds
    // (p = 2^31 - 2^27 + 1), four instructions instead of one multiplication.
    asm("" : "+v"(p));
    const __m512i r = _mm512_sub_epi32(_mm512_mullo_epi32(a, t.w), _mm512_mullo_epi32(quotient, p));
    return _mm512_min_epu32(r, _mm512_sub_epi32(r, p));
  }
};

}  // namespace

const Kernels& avx512_kernels() { return Layers<Avx512Policy>::table(); }

}  // namespace stark::ntt_kernels
