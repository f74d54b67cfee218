// AVX-512 NTT kernels: the generic sweeps of ntt_kernels_impl.hpp on 16 lanes, with the AVX-512
// field policy (packed_avx512.hpp) and the AVX-512 register shuffles below. Compiled with
// -mavx512f/bw/dq/vl, called only when the CPU reports all four.
// GCC 12 reports a false -W(maybe-)uninitialized inside its own AVX-512 intrinsics (the
// _mm512_undefined idiom) wherever they are inlined; silence those in this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include "ntt_kernels_impl.hpp"
#include "stark/field/packed_avx512.hpp"

namespace stark::ntt_kernels {
namespace {

using avx512::Isa;

// The AVX-512 partial loads and stores and register shuffles of the NTT; the arithmetic is VectorPolicy's.
struct Avx512Shuffles {
  static constexpr size_t L = size_t(Isa::kLanes);
  using V = __m512i;
  static __mmask16 first_lanes(size_t n) { return __mmask16((1u << n) - 1u); }
  static V load_n(const uint32_t* p, size_t n) { return _mm512_maskz_loadu_epi32(first_lanes(n), p); }
  static void store_n(uint32_t* p, V v, size_t n) { _mm512_mask_storeu_epi32(p, first_lanes(n), v); }
  template <int W>
  static __m512i expand(const uint32_t* x) {
    if constexpr (W == 1) {
      return Isa::load(x);
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
      const __m512i idx = _mm512_add_epi32(_mm512_sll_epi32(Isa::load(index + t), count), offset);
      Isa::store(dst + t, _mm512_i32gather_epi32(idx, src, 4));
    }
    return t;
  }
};

}  // namespace

const Kernels& avx512_kernels() { return Layers<VectorPolicy<Isa, Avx512Shuffles>>::table(); }

}  // namespace stark::ntt_kernels
