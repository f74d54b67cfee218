// The packed BabyBear field, written once over an instruction-set policy `Isa` (AVX2:
// packed_avx2.hpp, AVX-512: packed_avx512.hpp). This header has no intrinsics; each ISA header
// supplies its primitives as a struct and instantiates what follows.
//
// Values are 32-bit words in [0, p); whether they are canonical or Montgomery words is the
// caller's convention (add/sub are representation-agnostic; mul is Montgomery multiplication,
// a*b*2^-32). The vector multiply takes one 32-bit factor from each 64-bit lane (the even words),
// so even and odd words are handled as two interleaved halves:
//   t = a*b,  q = lo32(t) * MU,  r = hi32(t) - hi32(q*p)  (mod 2^32),  r += p if it wrapped.
// The low words of t and q*p are equal, so a 32-bit lane subtraction leaves exactly r in the
// high word. "If it wrapped" is min_u32(r, r + p): when hi32(t) < hi32(q p) the difference wraps
// to a value >= 2^32 - p > r + p (mod 2^32); otherwise r < p <= r + p.
//
// An `Isa` provides (all static): V (a register of kLanes 32-bit words), Mask (a lane predicate),
// kLanes, kRegisters (vector registers the ISA has);
//   set1, zero, lane_indices (0, 1, ..., kLanes-1), load, store (unaligned),
//   add32, sub32, min_u32, mullo32 (32-bit lanes), add64 (64-bit lanes), bit_and, bit_xor,
//   mul_u32_even / mul_i32_even (32x32 -> 64 product of the even words, unsigned / signed),
//   srli64_32 (each 64-bit lane shifted right by 32: odd words to even positions),
//   srli32<K> (each 32-bit lane shifted right by K), blend_odd (even words of a, odd of b),
//   unpacklo32/hi32/lo64/hi64 and shuffle_odd_words (a1 a3 b1 b3), all per 128-bit block,
//   is_zero (Mask of the zero lanes), select (m ? a : b per lane), clear (0 where m is set),
//   zero_lane_bits (bit l set iff lane l is zero), first_lane.
//
// Linkage. Every ISA header defines its policy in an anonymous namespace, so everything
// instantiated from here has internal linkage: code compiled with AVX-512 enabled can never be
// picked by the linker for another translation unit (scripts/check_simd_isolation.py). The
// functions are always_inline so that Debug builds emit no out-of-line copies either.
#pragma once

#include <cstdint>

#include "stark/field/babybear_params.hpp"
#include "stark/util/force_inline.hpp"

namespace stark::packed {

/// kLanes field words in one register.
template <class Isa>
struct PackedFp {
  typename Isa::V v;
};

/// kLanes extension elements in structure-of-arrays form: c[i] holds coefficient i of each
/// lane's element.
template <class Isa>
struct PackedExt4 {
  PackedFp<Isa> c[4];
};

/// The field steps on raw registers; the kernels that keep raw registers (NTT, FRI, Poseidon2)
/// use these, the PackedFp functions below wrap them.
template <class Isa>
struct Arith {
  using V = typename Isa::V;

  STARK_FORCE_INLINE static V p() { return Isa::set1(field_params::kP); }
  STARK_FORCE_INLINE static V mu() { return Isa::set1(field_params::kMontyMu); }

  /// The odd words moved to the even positions (the multiplier's operand form of the odd lanes).
  STARK_FORCE_INLINE static V odd(V x) { return Isa::srli64_32(x); }
  /// High words of even's 64-bit lanes into the even lanes, of odd's into the odd lanes.
  STARK_FORCE_INLINE static V merge_high(V even, V odd_lanes) {
    return Isa::blend_odd(Isa::srli64_32(even), odd_lanes);
  }

  /// a, b in [0, p): a + b < 2^32, one conditional subtraction (min picks the non-wrapped one).
  STARK_FORCE_INLINE static V add_mod(V a, V b) {
    const V t = Isa::add32(a, b);
    return Isa::min_u32(t, Isa::sub32(t, p()));
  }
  STARK_FORCE_INLINE static V sub_mod(V a, V b) {
    const V t = Isa::sub32(a, b);
    return Isa::min_u32(t, Isa::add32(t, p()));
  }
  /// r in (-p, p) as int32 -> [0, p).
  STARK_FORCE_INLINE static V canonicalize(V r) { return Isa::min_u32(r, Isa::add32(r, p())); }

  /// Montgomery product of the even words of a and b (unsigned, < p); returns hi32(t) - hi32(qp)
  /// in the odd (high) 32-bit halves of each 64-bit lane.
  STARK_FORCE_INLINE static V monty_half(V a, V b) {
    const V t = Isa::mul_u32_even(a, b);
    const V q = Isa::mul_u32_even(t, mu());
    const V qp = Isa::mul_u32_even(q, p());
    return Isa::sub32(t, qp);
  }
  /// The same for signed int32 factors: t = a*b and q*p as signed 64-bit products, q = lo32(t)*MU
  /// unsigned. For |a|, |b| < 2^31 the high word is in (-2^31, 2^31); for |b| < p, in (-p, p).
  STARK_FORCE_INLINE static V monty_half_signed(V a, V b) {
    const V t = Isa::mul_i32_even(a, b);
    const V q = Isa::mul_u32_even(t, mu());
    const V qp = Isa::mul_i32_even(q, p());
    return Isa::sub32(t, qp);
  }

  STARK_FORCE_INLINE static V mul(V a, V b) {
    const V r_evn = monty_half(a, b);
    const V r_odd = monty_half(odd(a), odd(b));
    return canonicalize(merge_high(r_evn, r_odd));
  }
  /// Product by a multiplier already spread into even/odd form (saves two shifts when one
  /// multiplier is reused, e.g. NTT twiddles). A broadcast is its own odd form.
  STARK_FORCE_INLINE static V mul_pre(V a, V b, V b_odd) {
    const V r_evn = monty_half(a, b);
    const V r_odd = monty_half(odd(a), b_odd);
    return canonicalize(merge_high(r_evn, r_odd));
  }

  /// Montgomery reduction of 64-bit sums of up to four products of words < p (t < 4 p^2 < 2^64),
  /// even lanes in t_evn, odd lanes in t_odd. Here hi32(t) < 2p, so it is first brought below p;
  /// then hi32(t) - hi32(q p) lies in (-p, p) and one conditional addition finishes. (Reducing
  /// afterwards would not work: (-p, 2p) does not fit in 32 bits unambiguously.)
  STARK_FORCE_INLINE static V reduce_product_sum(V t_evn, V t_odd) {
    const V qp_evn = Isa::mul_u32_even(Isa::mul_u32_even(t_evn, mu()), p());
    const V qp_odd = Isa::mul_u32_even(Isa::mul_u32_even(t_odd, mu()), p());
    V t_hi = merge_high(t_evn, t_odd);
    const V qp_hi = merge_high(qp_evn, qp_odd);
    t_hi = Isa::min_u32(t_hi, Isa::sub32(t_hi, p()));
    return canonicalize(Isa::sub32(t_hi, qp_hi));
  }

  /// x0 y0 + x1 y1 + x2 y2 + x3 y3 of the even words, as 64-bit lanes (< 4 p^2 for words < p).
  STARK_FORCE_INLINE static V dot4(V x0, V y0, V x1, V y1, V x2, V y2, V x3, V y3) {
    const V s01 = Isa::add64(Isa::mul_u32_even(x0, y0), Isa::mul_u32_even(x1, y1));
    const V s23 = Isa::add64(Isa::mul_u32_even(x2, y2), Isa::mul_u32_even(x3, y3));
    return Isa::add64(s01, s23);
  }

  /// 4 x 4 transpose of 32-bit words inside each 128-bit block. Four registers holding kLanes
  /// consecutive extension elements (array-of-structures, 4 words each) become four coefficient
  /// registers (lane order e0 e2 e4 e6 | e1 e3 e5 e7 for 8 lanes); an involution.
  STARK_FORCE_INLINE static void transpose_4x4_blocks(V& r0, V& r1, V& r2, V& r3) {
    const V t0 = Isa::unpacklo32(r0, r1), t1 = Isa::unpackhi32(r0, r1);
    const V t2 = Isa::unpacklo32(r2, r3), t3 = Isa::unpackhi32(r2, r3);
    r0 = Isa::unpacklo64(t0, t2);
    r1 = Isa::unpackhi64(t0, t2);
    r2 = Isa::unpacklo64(t1, t3);
    r3 = Isa::unpackhi64(t1, t3);
  }
};

// ---- the PackedFp / PackedExt4 interface (Isa deduced from the operands) ---------------------

template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> load(const uint32_t* p) {
  return {Isa::load(p)};
}
template <class Isa>
STARK_FORCE_INLINE inline void store(uint32_t* p, PackedFp<Isa> a) {
  Isa::store(p, a.v);
}
template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> broadcast(uint32_t x) {
  return {Isa::set1(x)};
}

template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> add(PackedFp<Isa> a, PackedFp<Isa> b) {
  return {Arith<Isa>::add_mod(a.v, b.v)};
}
template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> sub(PackedFp<Isa> a, PackedFp<Isa> b) {
  return {Arith<Isa>::sub_mod(a.v, b.v)};
}
template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> neg(PackedFp<Isa> a) {
  return {Arith<Isa>::sub_mod(Isa::zero(), a.v)};
}
template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> mul(PackedFp<Isa> a, PackedFp<Isa> b) {
  return {Arith<Isa>::mul(a.v, b.v)};
}
template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> mul_pre(PackedFp<Isa> a, typename Isa::V b, typename Isa::V b_odd) {
  return {Arith<Isa>::mul_pre(a.v, b, b_odd)};
}
template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> square(PackedFp<Isa> a) {
  return mul(a, a);
}
/// Product by a broadcast constant: the multiplier reads only the low word of each 64-bit lane,
/// so a broadcast vector already is its own odd form.
template <class Isa>
STARK_FORCE_INLINE inline PackedFp<Isa> mul_const(PackedFp<Isa> a, PackedFp<Isa> c) {
  return {Arith<Isa>::mul_pre(a.v, c.v, c.v)};
}

/// Product in E = F_p[X]/(X^4 - W) with one Montgomery reduction per output coefficient:
/// (a b)_m = sum_{i+j=m} a_i b_j + sum_{i+j=m+4} a_i (W b_j). The representation follows
/// Montgomery multiplication: Montgomery words times Montgomery words give Montgomery words, and
/// canonical words times Montgomery words give canonical words.
template <class Isa>
STARK_FORCE_INLINE inline PackedExt4<Isa> ext_mul(const PackedExt4<Isa>& a, const PackedExt4<Isa>& b) {
  using A = Arith<Isa>;
  using V = typename Isa::V;
  const PackedFp<Isa> w{Isa::set1(field_params::kExtensionWMont)};
  const V b0 = b.c[0].v, b1 = b.c[1].v, b2 = b.c[2].v, b3 = b.c[3].v;
  const V wb1 = mul_const(b.c[1], w).v, wb2 = mul_const(b.c[2], w).v, wb3 = mul_const(b.c[3], w).v;
  const V a0 = a.c[0].v, a1 = a.c[1].v, a2 = a.c[2].v, a3 = a.c[3].v;
  const V a0o = A::odd(a0), a1o = A::odd(a1), a2o = A::odd(a2), a3o = A::odd(a3);
  const V b0o = A::odd(b0), b1o = A::odd(b1), b2o = A::odd(b2), b3o = A::odd(b3);
  const V wb1o = A::odd(wb1), wb2o = A::odd(wb2), wb3o = A::odd(wb3);
  PackedExt4<Isa> r;
  r.c[0] = {A::reduce_product_sum(A::dot4(a0, b0, a1, wb3, a2, wb2, a3, wb1),
                                  A::dot4(a0o, b0o, a1o, wb3o, a2o, wb2o, a3o, wb1o))};
  r.c[1] = {A::reduce_product_sum(A::dot4(a0, b1, a1, b0, a2, wb3, a3, wb2),
                                  A::dot4(a0o, b1o, a1o, b0o, a2o, wb3o, a3o, wb2o))};
  r.c[2] = {A::reduce_product_sum(A::dot4(a0, b2, a1, b1, a2, b0, a3, wb3),
                                  A::dot4(a0o, b2o, a1o, b1o, a2o, b0o, a3o, wb3o))};
  r.c[3] = {A::reduce_product_sum(A::dot4(a0, b3, a1, b2, a2, b1, a3, b0),
                                  A::dot4(a0o, b3o, a1o, b2o, a2o, b1o, a3o, b0o))};
  return r;
}

/// Loads kLanes consecutive extension elements (4 kLanes words) as a PackedExt4, and the reverse.
template <class Isa>
STARK_FORCE_INLINE inline PackedExt4<Isa> load_ext(const uint32_t* p) {
  constexpr int L = Isa::kLanes;
  typename Isa::V r0 = Isa::load(p), r1 = Isa::load(p + L), r2 = Isa::load(p + 2 * L),
                  r3 = Isa::load(p + 3 * L);
  Arith<Isa>::transpose_4x4_blocks(r0, r1, r2, r3);
  return {{{r0}, {r1}, {r2}, {r3}}};
}
template <class Isa>
STARK_FORCE_INLINE inline void store_ext(uint32_t* p, const PackedExt4<Isa>& a) {
  constexpr int L = Isa::kLanes;
  typename Isa::V r0 = a.c[0].v, r1 = a.c[1].v, r2 = a.c[2].v, r3 = a.c[3].v;
  Arith<Isa>::transpose_4x4_blocks(r0, r1, r2, r3);
  Isa::store(p, r0);
  Isa::store(p + L, r1);
  Isa::store(p + 2 * L, r2);
  Isa::store(p + 3 * L, r3);
}

}  // namespace stark::packed
