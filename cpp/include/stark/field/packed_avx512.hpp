// Sixteen BabyBear elements in one 512-bit register (AVX-512F). Include only from *_avx512.cpp.
// Same conventions and reduction as packed_avx2.hpp; the masked forms replace min_epu32 tricks
// where they save an instruction.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "stark/field/babybear.hpp"

namespace stark::avx512 {

inline constexpr int kLanes = 16;

struct PackedFp {
  __m512i v;
};

static inline __m512i p_vec() { return _mm512_set1_epi32(int(P)); }
static inline __m512i mu_vec() { return _mm512_set1_epi32(int(MONTY_MU)); }

static inline PackedFp load(const uint32_t* p) { return {_mm512_loadu_si512(p)}; }
static inline void store(uint32_t* p, PackedFp a) { _mm512_storeu_si512(p, a.v); }
static inline PackedFp broadcast(uint32_t x) { return {_mm512_set1_epi32(int(x))}; }

static inline PackedFp add(PackedFp a, PackedFp b) {
  const __m512i t = _mm512_add_epi32(a.v, b.v);
  return {_mm512_min_epu32(t, _mm512_sub_epi32(t, p_vec()))};
}
static inline PackedFp sub(PackedFp a, PackedFp b) {
  const __m512i t = _mm512_sub_epi32(a.v, b.v);
  return {_mm512_min_epu32(t, _mm512_add_epi32(t, p_vec()))};
}
static inline PackedFp neg(PackedFp a) { return sub({_mm512_setzero_si512()}, a); }

static inline __m512i monty_half(__m512i a, __m512i b) {
  const __m512i t = _mm512_mul_epu32(a, b);
  const __m512i q = _mm512_mul_epu32(t, mu_vec());
  const __m512i qp = _mm512_mul_epu32(q, p_vec());
  return _mm512_sub_epi32(t, qp);
}

static inline PackedFp mul(PackedFp a, PackedFp b) {
  const __m512i r_evn = monty_half(a.v, b.v);
  const __m512i r_odd = monty_half(_mm512_srli_epi64(a.v, 32), _mm512_srli_epi64(b.v, 32));
  const __m512i r = _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(r_evn, 32), r_odd);
  return {_mm512_min_epu32(r, _mm512_add_epi32(r, p_vec()))};
}

static inline PackedFp mul_pre(PackedFp a, __m512i b, __m512i b_odd) {
  const __m512i r_evn = monty_half(a.v, b);
  const __m512i r_odd = monty_half(_mm512_srli_epi64(a.v, 32), b_odd);
  const __m512i r = _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(r_evn, 32), r_odd);
  return {_mm512_min_epu32(r, _mm512_add_epi32(r, p_vec()))};
}

static inline PackedFp square(PackedFp a) { return mul(a, a); }

}  // namespace stark::avx512
