// Eight BabyBear elements in one 256-bit register (AVX2): the AVX2 primitives of the packed
// field (packed_field.hpp, which holds the arithmetic) and its instantiation as stark::avx2.
// Include only from *_avx2.cpp and *_avx512.cpp files, which are compiled with AVX2 enabled.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "stark/field/packed_field.hpp"

namespace stark::avx2 {
namespace {  // internal linkage: see packed_field.hpp

struct Isa {
  using V = __m256i;
  using Mask = __m256i;  // all ones in the selected lanes
  static constexpr int kLanes = 8;
  static constexpr int kRegisters = 16;

  STARK_FORCE_INLINE static V set1(uint32_t x) { return _mm256_set1_epi32(int(x)); }
  STARK_FORCE_INLINE static V zero() { return _mm256_setzero_si256(); }
  STARK_FORCE_INLINE static V lane_indices() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
  STARK_FORCE_INLINE static V load(const uint32_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  STARK_FORCE_INLINE static void store(uint32_t* p, V v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
  }

  STARK_FORCE_INLINE static V add32(V a, V b) { return _mm256_add_epi32(a, b); }
  STARK_FORCE_INLINE static V sub32(V a, V b) { return _mm256_sub_epi32(a, b); }
  STARK_FORCE_INLINE static V min_u32(V a, V b) { return _mm256_min_epu32(a, b); }
  STARK_FORCE_INLINE static V mullo32(V a, V b) { return _mm256_mullo_epi32(a, b); }
  STARK_FORCE_INLINE static V add64(V a, V b) { return _mm256_add_epi64(a, b); }
  STARK_FORCE_INLINE static V bit_and(V a, V b) { return _mm256_and_si256(a, b); }
  STARK_FORCE_INLINE static V bit_xor(V a, V b) { return _mm256_xor_si256(a, b); }
  STARK_FORCE_INLINE static V mul_u32_even(V a, V b) { return _mm256_mul_epu32(a, b); }
  STARK_FORCE_INLINE static V mul_i32_even(V a, V b) { return _mm256_mul_epi32(a, b); }
  STARK_FORCE_INLINE static V srli64_32(V a) { return _mm256_srli_epi64(a, 32); }
  template <int K>
  STARK_FORCE_INLINE static V srli32(V a) {
    return _mm256_srli_epi32(a, K);
  }
  STARK_FORCE_INLINE static V blend_odd(V even, V odd) { return _mm256_blend_epi32(even, odd, 0b10101010); }

  STARK_FORCE_INLINE static V unpacklo32(V a, V b) { return _mm256_unpacklo_epi32(a, b); }
  STARK_FORCE_INLINE static V unpackhi32(V a, V b) { return _mm256_unpackhi_epi32(a, b); }
  STARK_FORCE_INLINE static V unpacklo64(V a, V b) { return _mm256_unpacklo_epi64(a, b); }
  STARK_FORCE_INLINE static V unpackhi64(V a, V b) { return _mm256_unpackhi_epi64(a, b); }
  STARK_FORCE_INLINE static V shuffle_odd_words(V a, V b) {
    return _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b), 0xDD));
  }

  STARK_FORCE_INLINE static Mask is_zero(V x) { return _mm256_cmpeq_epi32(x, zero()); }
  STARK_FORCE_INLINE static V select(Mask m, V if_set, V if_clear) {
    return _mm256_blendv_epi8(if_clear, if_set, m);
  }
  STARK_FORCE_INLINE static V clear(Mask m, V x) { return _mm256_andnot_si256(m, x); }
  STARK_FORCE_INLINE static uint64_t zero_lane_bits(V x) {
    return uint64_t(unsigned(_mm256_movemask_ps(_mm256_castsi256_ps(is_zero(x)))));
  }
  STARK_FORCE_INLINE static uint32_t first_lane(V x) {
    return uint32_t(_mm_cvtsi128_si32(_mm256_castsi256_si128(x)));
  }
};

/// 8 x 8 transpose of 32-bit words (an involution): r[i] lane j <-> r[j] lane i. Also used by
/// the AVX-512 kernels on 256-bit halves.
STARK_FORCE_INLINE inline void transpose_8x8(__m256i r[8]) {
  const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
  r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

// The packed-field interface on AVX2: avx2::PackedFp, avx2::add(a, b), ... (packed_field.hpp).
using namespace stark::packed;
inline constexpr int kLanes = Isa::kLanes;
using PackedFp = packed::PackedFp<Isa>;
using PackedExt4 = packed::PackedExt4<Isa>;
using Arith = packed::Arith<Isa>;
// The functions whose ISA cannot be deduced from an argument.
STARK_FORCE_INLINE inline PackedFp load(const uint32_t* p) { return packed::load<Isa>(p); }
STARK_FORCE_INLINE inline PackedFp broadcast(uint32_t x) { return packed::broadcast<Isa>(x); }
STARK_FORCE_INLINE inline PackedExt4 load_ext(const uint32_t* p) { return packed::load_ext<Isa>(p); }
STARK_FORCE_INLINE inline PackedFp reduce_product_sum(__m256i t_evn, __m256i t_odd) {
  return {Arith::reduce_product_sum(t_evn, t_odd)};
}

}  // namespace
}  // namespace stark::avx2
