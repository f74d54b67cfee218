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

// Product by a broadcast constant (a broadcast vector is its own "odd" form, see packed_avx2.hpp).
static inline PackedFp mul_const(PackedFp a, PackedFp c) { return mul_pre(a, c.v, c.v); }

// Montgomery reduction of 64-bit sums of up to four products of words < p (t < 4 p^2); the
// same steps as avx2::reduce_product_sum: bring hi32(t) < 2p below p first, then subtract.
static inline PackedFp reduce_product_sum(__m512i t_evn, __m512i t_odd) {
  const __m512i q_evn = _mm512_mul_epu32(t_evn, mu_vec());
  const __m512i q_odd = _mm512_mul_epu32(t_odd, mu_vec());
  const __m512i qp_evn = _mm512_mul_epu32(q_evn, p_vec());
  const __m512i qp_odd = _mm512_mul_epu32(q_odd, p_vec());
  __m512i t_hi = _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(t_evn, 32), t_odd);
  const __m512i qp_hi = _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(qp_evn, 32), qp_odd);
  t_hi = _mm512_min_epu32(t_hi, _mm512_sub_epi32(t_hi, p_vec()));
  const __m512i r = _mm512_sub_epi32(t_hi, qp_hi);
  return {_mm512_min_epu32(r, _mm512_add_epi32(r, p_vec()))};
}

// Sixteen extension elements in structure-of-arrays form (see avx2::PackedExt4).
struct PackedExt4 {
  PackedFp c[4];
};

// Product in E = F_p[X]/(X^4 - W), one reduction per output coefficient (see avx2::ext_mul).
static inline PackedExt4 ext_mul(const PackedExt4& a, const PackedExt4& b) {
  constexpr uint32_t kWMont = Fp::from_canonical(constants::kExtensionW).mont;  // folded at compile time
  const PackedFp w = broadcast(kWMont);
  const __m512i b0 = b.c[0].v, b1 = b.c[1].v, b2 = b.c[2].v, b3 = b.c[3].v;
  const __m512i wb1 = mul_const(b.c[1], w).v, wb2 = mul_const(b.c[2], w).v, wb3 = mul_const(b.c[3], w).v;
  const __m512i a0 = a.c[0].v, a1 = a.c[1].v, a2 = a.c[2].v, a3 = a.c[3].v;
  auto odd = [](__m512i x) { return _mm512_srli_epi64(x, 32); };
  const __m512i a0o = odd(a0), a1o = odd(a1), a2o = odd(a2), a3o = odd(a3);
  const __m512i b0o = odd(b0), b1o = odd(b1), b2o = odd(b2), b3o = odd(b3);
  const __m512i wb1o = odd(wb1), wb2o = odd(wb2), wb3o = odd(wb3);
  auto dot4 = [](__m512i x0, __m512i y0, __m512i x1, __m512i y1, __m512i x2, __m512i y2, __m512i x3,
                 __m512i y3) {
    const __m512i s01 = _mm512_add_epi64(_mm512_mul_epu32(x0, y0), _mm512_mul_epu32(x1, y1));
    const __m512i s23 = _mm512_add_epi64(_mm512_mul_epu32(x2, y2), _mm512_mul_epu32(x3, y3));
    return _mm512_add_epi64(s01, s23);
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

// 4 x 4 transpose of 32-bit words inside each 128-bit lane: sixteen consecutive extension
// elements (one per 128-bit lane of four registers) <-> four coefficient registers. Involution.
static inline void transpose_4x4_lanes(__m512i& r0, __m512i& r1, __m512i& r2, __m512i& r3) {
  const __m512i t0 = _mm512_unpacklo_epi32(r0, r1), t1 = _mm512_unpackhi_epi32(r0, r1);
  const __m512i t2 = _mm512_unpacklo_epi32(r2, r3), t3 = _mm512_unpackhi_epi32(r2, r3);
  r0 = _mm512_unpacklo_epi64(t0, t2);
  r1 = _mm512_unpackhi_epi64(t0, t2);
  r2 = _mm512_unpacklo_epi64(t1, t3);
  r3 = _mm512_unpackhi_epi64(t1, t3);
}

static inline PackedExt4 load_ext(const uint32_t* p) {
  __m512i r0 = load(p).v, r1 = load(p + 16).v, r2 = load(p + 32).v, r3 = load(p + 48).v;
  transpose_4x4_lanes(r0, r1, r2, r3);
  return {{{r0}, {r1}, {r2}, {r3}}};
}
static inline void store_ext(uint32_t* p, const PackedExt4& a) {
  __m512i r0 = a.c[0].v, r1 = a.c[1].v, r2 = a.c[2].v, r3 = a.c[3].v;
  transpose_4x4_lanes(r0, r1, r2, r3);
  store(p, {r0});
  store(p + 16, {r1});
  store(p + 32, {r2});
  store(p + 48, {r3});
}

}  // namespace stark::avx512
