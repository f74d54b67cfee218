// AVX2 NTT kernels: the generic sweeps of ntt_kernels_impl.hpp on 8 lanes, with the AVX2 field
// policy (packed_avx2.hpp) and the AVX2 register shuffles below. Compiled with -mavx2 -mbmi2,
// called only when the CPU reports AVX2.
#include <immintrin.h>

#include "ntt_kernels_impl.hpp"
#include "stark/field/packed_avx2.hpp"

namespace stark::ntt_kernels {
namespace {

using avx2::Isa;

// The AVX2 partial loads and stores and register shuffles of the NTT; the arithmetic is VectorPolicy's.
struct Avx2Shuffles {
  static constexpr size_t L = size_t(Isa::kLanes);
  using V = __m256i;
  static V first_lanes(size_t n) { return _mm256_cmpgt_epi32(Isa::set1(uint32_t(n)), Isa::lane_indices()); }
  static V load_n(const uint32_t* p, size_t n) {
    return _mm256_maskload_epi32(reinterpret_cast<const int*>(p), first_lanes(n));
  }
  static void store_n(uint32_t* p, V v, size_t n) {
    _mm256_maskstore_epi32(reinterpret_cast<int*>(p), first_lanes(n), v);
  }
  template <int W>
  static __m256i expand(const uint32_t* x) {
    if constexpr (W == 1) {
      return Isa::load(x);
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
      const __m256i idx = _mm256_add_epi32(_mm256_sll_epi32(Isa::load(index + t), count), offset);
      Isa::store(dst + t, _mm256_i32gather_epi32(reinterpret_cast<const int*>(src), idx, 4));
    }
    return t;
  }
};

}  // namespace

const Kernels& avx2_kernels() { return Layers<VectorPolicy<Isa, Avx2Shuffles>>::table(); }

}  // namespace stark::ntt_kernels
