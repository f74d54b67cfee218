// Sixteen BabyBear elements in one 512-bit register (AVX-512F/BW/DQ/VL): the AVX-512 primitives
// of the packed field (packed_field.hpp, which holds the arithmetic) and its instantiation as
// stark::avx512. Include only from *_avx512.cpp. Lane predicates are mask registers.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "stark/field/packed_field.hpp"

namespace stark::avx512 {
namespace {  // internal linkage: see packed_field.hpp

struct Isa {
  using V = __m512i;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static constexpr int kRegisters = 32;

  STARK_FORCE_INLINE static V set1(uint32_t x) { return _mm512_set1_epi32(int(x)); }
  STARK_FORCE_INLINE static V zero() { return _mm512_setzero_si512(); }
  STARK_FORCE_INLINE static V lane_indices() {
    return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  }
  STARK_FORCE_INLINE static V load(const uint32_t* p) { return _mm512_loadu_si512(p); }
  STARK_FORCE_INLINE static void store(uint32_t* p, V v) { _mm512_storeu_si512(p, v); }

  STARK_FORCE_INLINE static V add32(V a, V b) { return _mm512_add_epi32(a, b); }
  STARK_FORCE_INLINE static V sub32(V a, V b) { return _mm512_sub_epi32(a, b); }
  STARK_FORCE_INLINE static V min_u32(V a, V b) { return _mm512_min_epu32(a, b); }
  STARK_FORCE_INLINE static V mullo32(V a, V b) { return _mm512_mullo_epi32(a, b); }
  STARK_FORCE_INLINE static V add64(V a, V b) { return _mm512_add_epi64(a, b); }
  STARK_FORCE_INLINE static V bit_and(V a, V b) { return _mm512_and_si512(a, b); }
  STARK_FORCE_INLINE static V bit_xor(V a, V b) { return _mm512_xor_si512(a, b); }
  STARK_FORCE_INLINE static V mul_u32_even(V a, V b) { return _mm512_mul_epu32(a, b); }
  STARK_FORCE_INLINE static V mul_i32_even(V a, V b) { return _mm512_mul_epi32(a, b); }
  STARK_FORCE_INLINE static V srli64_32(V a) { return _mm512_srli_epi64(a, 32); }
  template <int K>
  STARK_FORCE_INLINE static V srli32(V a) {
    return _mm512_srli_epi32(a, K);
  }
  STARK_FORCE_INLINE static V blend_odd(V even, V odd) {
    return _mm512_mask_blend_epi32(Mask(0xAAAA), even, odd);
  }

  STARK_FORCE_INLINE static V unpacklo32(V a, V b) { return _mm512_unpacklo_epi32(a, b); }
  STARK_FORCE_INLINE static V unpackhi32(V a, V b) { return _mm512_unpackhi_epi32(a, b); }
  STARK_FORCE_INLINE static V unpacklo64(V a, V b) { return _mm512_unpacklo_epi64(a, b); }
  STARK_FORCE_INLINE static V unpackhi64(V a, V b) { return _mm512_unpackhi_epi64(a, b); }
  STARK_FORCE_INLINE static V shuffle_odd_words(V a, V b) {
    return _mm512_castps_si512(_mm512_shuffle_ps(_mm512_castsi512_ps(a), _mm512_castsi512_ps(b), 0xDD));
  }

  STARK_FORCE_INLINE static Mask is_zero(V x) { return _mm512_cmpeq_epi32_mask(x, zero()); }
  STARK_FORCE_INLINE static V select(Mask m, V if_set, V if_clear) {
    return _mm512_mask_mov_epi32(if_clear, m, if_set);
  }
  STARK_FORCE_INLINE static V clear(Mask m, V x) { return _mm512_maskz_mov_epi32(Mask(~m), x); }
  STARK_FORCE_INLINE static uint64_t zero_lane_bits(V x) { return uint64_t(is_zero(x)); }
  STARK_FORCE_INLINE static uint32_t first_lane(V x) {
    return uint32_t(_mm_cvtsi128_si32(_mm512_castsi512_si128(x)));
  }
};

// The packed-field interface on AVX-512: avx512::PackedFp, avx512::add(a, b), ...
using namespace stark::packed;
inline constexpr int kLanes = Isa::kLanes;
using PackedFp = packed::PackedFp<Isa>;
using PackedExt4 = packed::PackedExt4<Isa>;
using Arith = packed::Arith<Isa>;
// The functions whose ISA cannot be deduced from an argument.
STARK_FORCE_INLINE inline PackedFp load(const uint32_t* p) { return packed::load<Isa>(p); }
STARK_FORCE_INLINE inline PackedFp broadcast(uint32_t x) { return packed::broadcast<Isa>(x); }
STARK_FORCE_INLINE inline PackedExt4 load_ext(const uint32_t* p) { return packed::load_ext<Isa>(p); }
STARK_FORCE_INLINE inline PackedFp reduce_product_sum(__m512i t_evn, __m512i t_odd) {
  return {Arith::reduce_product_sum(t_evn, t_odd)};
}

}  // namespace
}  // namespace stark::avx512
