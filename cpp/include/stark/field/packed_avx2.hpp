// Eight BabyBear elements in one 256-bit register (AVX2). Include only from *_avx2.cpp files
// (or *_avx512.cpp), which are compiled with the matching target flags.
//
// Values are 32-bit words in [0, p); whether they are canonical or Montgomery words is the
// caller's convention (add/sub are representation-agnostic; mul is Montgomery multiplication,
// a*b*2^-32). Montgomery multiplication in lanes: _mm256_mul_epu32 multiplies the even lanes
// into 64-bit products, so even and odd lanes are handled as two interleaved halves:
//   t = a*b,  q = lo32(t) * MU,  r = hi32(t) - hi32(q*p)  (mod 2^32),  r += p if it wrapped.
// "If it wrapped" is computed as min_epu32(r, r + p): when hi32(t) < hi32(q p) the difference
// wraps to a value >= 2^32 - p > r + p (mod 2^32); otherwise r < p <= r + p.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "stark/field/babybear.hpp"

namespace stark::avx2 {

inline constexpr int kLanes = 8;

struct PackedFp {
  __m256i v;
};

static inline __m256i p_vec() { return _mm256_set1_epi32(int(P)); }
static inline __m256i mu_vec() { return _mm256_set1_epi32(int(MONTY_MU)); }

static inline PackedFp load(const uint32_t* p) { return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))}; }
static inline void store(uint32_t* p, PackedFp a) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), a.v); }
static inline PackedFp broadcast(uint32_t x) { return {_mm256_set1_epi32(int(x))}; }

static inline PackedFp add(PackedFp a, PackedFp b) {
  const __m256i t = _mm256_add_epi32(a.v, b.v);
  return {_mm256_min_epu32(t, _mm256_sub_epi32(t, p_vec()))};
}
static inline PackedFp sub(PackedFp a, PackedFp b) {
  const __m256i t = _mm256_sub_epi32(a.v, b.v);
  return {_mm256_min_epu32(t, _mm256_add_epi32(t, p_vec()))};
}
static inline PackedFp neg(PackedFp a) { return sub({_mm256_setzero_si256()}, a); }

// Montgomery product of the even lanes of a and b; returns hi32(t) - hi32(qp) in the odd
// (high) 32-bit halves of each 64-bit lane.
static inline __m256i monty_half(__m256i a, __m256i b) {
  const __m256i t = _mm256_mul_epu32(a, b);
  const __m256i q = _mm256_mul_epu32(t, mu_vec());
  const __m256i qp = _mm256_mul_epu32(q, p_vec());
  return _mm256_sub_epi32(t, qp);  // low halves cancel exactly; high halves hold r
}

static inline PackedFp mul(PackedFp a, PackedFp b) {
  const __m256i r_evn = monty_half(a.v, b.v);
  const __m256i r_odd = monty_half(_mm256_srli_epi64(a.v, 32), _mm256_srli_epi64(b.v, 32));
  // r_evn's results sit in the odd 32-bit slots; move them down and merge with r_odd's.
  const __m256i r = _mm256_blend_epi32(_mm256_srli_epi64(r_evn, 32), r_odd, 0b10101010);
  return {_mm256_min_epu32(r, _mm256_add_epi32(r, p_vec()))};
}

// Multiplication by a constant that is already spread into even/odd form saves two shifts:
// callers that reuse one multiplier many times (NTT twiddles) may precompute b_odd.
static inline PackedFp mul_pre(PackedFp a, __m256i b, __m256i b_odd) {
  const __m256i r_evn = monty_half(a.v, b);
  const __m256i r_odd = monty_half(_mm256_srli_epi64(a.v, 32), b_odd);
  const __m256i r = _mm256_blend_epi32(_mm256_srli_epi64(r_evn, 32), r_odd, 0b10101010);
  return {_mm256_min_epu32(r, _mm256_add_epi32(r, p_vec()))};
}

static inline PackedFp square(PackedFp a) { return mul(a, a); }

}  // namespace stark::avx2
