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

static inline PackedFp load(const uint32_t* p) {
  return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))};
}
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

// Product by a broadcast constant: mul_epu32 reads only the low word of each 64-bit lane, so a
// broadcast vector already is its own "odd" form.
static inline PackedFp mul_const(PackedFp a, PackedFp c) { return mul_pre(a, c.v, c.v); }

// Montgomery reduction of 64-bit sums of up to four products of words < p (t < 4 p^2 < 2^64),
// even lanes in t_evn, odd lanes in t_odd. Here hi32(t) < 2p, so it is first reduced below p;
// then hi32(t) - hi32(q p) lies in (-p, p) and one conditional addition finishes. (Reducing
// afterwards would not work: (-p, 2p) does not fit in 32 bits unambiguously.)
static inline PackedFp reduce_product_sum(__m256i t_evn, __m256i t_odd) {
  const __m256i q_evn = _mm256_mul_epu32(t_evn, mu_vec());
  const __m256i q_odd = _mm256_mul_epu32(t_odd, mu_vec());
  const __m256i qp_evn = _mm256_mul_epu32(q_evn, p_vec());
  const __m256i qp_odd = _mm256_mul_epu32(q_odd, p_vec());
  __m256i t_hi = _mm256_blend_epi32(_mm256_srli_epi64(t_evn, 32), t_odd, 0b10101010);
  const __m256i qp_hi = _mm256_blend_epi32(_mm256_srli_epi64(qp_evn, 32), qp_odd, 0b10101010);
  t_hi = _mm256_min_epu32(t_hi, _mm256_sub_epi32(t_hi, p_vec()));
  const __m256i r = _mm256_sub_epi32(t_hi, qp_hi);
  return {_mm256_min_epu32(r, _mm256_add_epi32(r, p_vec()))};
}

// Eight elements of the quartic extension in structure-of-arrays form: c[i] holds coefficient
// i of each lane's element.
struct PackedExt4 {
  PackedFp c[4];
};

// Product in E = F_p[X]/(X^4 - W) with one Montgomery reduction per output coefficient:
// (a b)_m = sum_{i+j=m} a_i b_j + sum_{i+j=m+4} a_i (W b_j). The representation follows
// Montgomery multiplication: Montgomery words times Montgomery words give Montgomery words, and
// canonical words times Montgomery words give canonical words.
static inline PackedExt4 ext_mul(const PackedExt4& a, const PackedExt4& b) {
  constexpr uint32_t kWMont = Fp::from_canonical(constants::kExtensionW).mont;  // folded at compile time
  const PackedFp w = broadcast(kWMont);
  const __m256i b0 = b.c[0].v, b1 = b.c[1].v, b2 = b.c[2].v, b3 = b.c[3].v;
  const __m256i wb1 = mul_const(b.c[1], w).v, wb2 = mul_const(b.c[2], w).v, wb3 = mul_const(b.c[3], w).v;
  const __m256i a0 = a.c[0].v, a1 = a.c[1].v, a2 = a.c[2].v, a3 = a.c[3].v;
  auto odd = [](__m256i x) { return _mm256_srli_epi64(x, 32); };
  const __m256i a0o = odd(a0), a1o = odd(a1), a2o = odd(a2), a3o = odd(a3);
  const __m256i b0o = odd(b0), b1o = odd(b1), b2o = odd(b2), b3o = odd(b3);
  const __m256i wb1o = odd(wb1), wb2o = odd(wb2), wb3o = odd(wb3);
  auto dot4 = [](__m256i x0, __m256i y0, __m256i x1, __m256i y1, __m256i x2, __m256i y2, __m256i x3,
                 __m256i y3) {
    const __m256i s01 = _mm256_add_epi64(_mm256_mul_epu32(x0, y0), _mm256_mul_epu32(x1, y1));
    const __m256i s23 = _mm256_add_epi64(_mm256_mul_epu32(x2, y2), _mm256_mul_epu32(x3, y3));
    return _mm256_add_epi64(s01, s23);
  };
  PackedExt4 r;
  r.c[0] = reduce_product_sum(dot4(a0, b0, a1, wb3, a2, wb2, a3, wb1),
                              dot4(a0o, b0o, a1o, wb3o, a2o, wb2o, a3o, wb1o));
  r.c[1] = reduce_product_sum(dot4(a0, b1, a1, b0, a2, wb3, a3, wb2),
                              dot4(a0o, b1o, a1o, b0o, a2o, wb3o, a3o, wb2o));
  r.c[2] = reduce_product_sum(dot4(a0, b2, a1, b1, a2, b0, a3, wb3),
                              dot4(a0o, b2o, a1o, b1o, a2o, b0o, a3o, wb3o));
  r.c[3] =
      reduce_product_sum(dot4(a0, b3, a1, b2, a2, b1, a3, b0), dot4(a0o, b3o, a1o, b2o, a2o, b1o, a3o, b0o));
  return r;
}

// 4 x 4 transpose of 32-bit words inside each 128-bit lane. Four registers holding eight
// consecutive extension elements (array-of-structures, 4 words each) become four coefficient
// registers (lane order e0 e2 e4 e6 | e1 e3 e5 e7); the map is an involution, so the same call
// converts back.
static inline void transpose_4x4_lanes(__m256i& r0, __m256i& r1, __m256i& r2, __m256i& r3) {
  const __m256i t0 = _mm256_unpacklo_epi32(r0, r1), t1 = _mm256_unpackhi_epi32(r0, r1);
  const __m256i t2 = _mm256_unpacklo_epi32(r2, r3), t3 = _mm256_unpackhi_epi32(r2, r3);
  r0 = _mm256_unpacklo_epi64(t0, t2);
  r1 = _mm256_unpackhi_epi64(t0, t2);
  r2 = _mm256_unpacklo_epi64(t1, t3);
  r3 = _mm256_unpackhi_epi64(t1, t3);
}

// Loads eight consecutive extension elements (32 words) as a PackedExt4, and the reverse.
static inline PackedExt4 load_ext(const uint32_t* p) {
  __m256i r0 = load(p).v, r1 = load(p + 8).v, r2 = load(p + 16).v, r3 = load(p + 24).v;
  transpose_4x4_lanes(r0, r1, r2, r3);
  return {{{r0}, {r1}, {r2}, {r3}}};
}
static inline void store_ext(uint32_t* p, const PackedExt4& a) {
  __m256i r0 = a.c[0].v, r1 = a.c[1].v, r2 = a.c[2].v, r3 = a.c[3].v;
  transpose_4x4_lanes(r0, r1, r2, r3);
  store(p, {r0});
  store(p + 8, {r1});
  store(p + 16, {r2});
  store(p + 24, {r3});
}

}  // namespace stark::avx2
