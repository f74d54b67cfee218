// The block-interpreter kernels written once over a "packed field" policy P and instantiated
// per SIMD level (block_kernels.cpp: scalar, block_kernels_avx2.cpp, block_kernels_avx512.cpp).
//
// P provides: type V (kLanes Montgomery words), load, store, broadcast, add, sub, neg, mul
// (Montgomery product a·b·2^-32) and mul_const (same product when the second operand is a
// broadcast); and for delayed reduction a signed 64-bit accumulator type Wide with wide_zero,
// center (the representative of a word in (-p/2, p/2)), odd_half (the operand form of the odd
// lanes), mac (w += x·c, exact signed products of centered words) and reduce (Montgomery
// reduction of w + 2p^2 to a word in [0, p)).
//
// Delayed reduction of a dot product Σ_t c_t·x_t: with both factors centered every product has
// |x·c| < p^2/4, so up to kSignedTerms = 8 of them sum to |w| < 2p^2 in a signed 64-bit lane;
// then 0 < w + 2p^2 < 4p^2 < 2^64, which one Montgomery reduction brings into [0, p) (adding
// 2p^2 does not change the value mod p). Each translation unit defines its policy in an anonymous namespace,
// so every instantiation below has internal linkage and code compiled with AVX flags can never be picked by
// the linker for another level.
//
// Extension arithmetic in E = F[X]/(X^4 - W), W = 11, per lane:
//   c0 = a0 b0 + W (a1 b3 + a2 b2 + a3 b1)      c1 = a0 b1 + a1 b0 + W (a2 b3 + a3 b2)
//   c2 = a0 b2 + a1 b1 + a2 b0 + W a3 b3         c3 = a0 b3 + a1 b2 + a2 b1 + a3 b0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "block_kernels.hpp"
#include "stark/field/babybear.hpp"

namespace stark::air_detail {

/// Products a Wide accumulator absorbs before it must be reduced (see above).
inline constexpr size_t kSignedTerms = 8;

template <class P>
struct KernelSet {
  using V = typename P::V;
  static constexpr size_t L = P::kLanes;
  static_assert(kBlockAlign % L == 0);

  static constexpr uint32_t kWMont = Fp::from_canonical(constants::kExtensionW).mont;
  static constexpr uint32_t kR2 = detail::R2;

  static void add(uint32_t* d, const uint32_t* a, const uint32_t* b, size_t n) {
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::add(P::load(a + i), P::load(b + i)));
  }
  static void sub(uint32_t* d, const uint32_t* a, const uint32_t* b, size_t n) {
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::sub(P::load(a + i), P::load(b + i)));
  }
  static void mul(uint32_t* d, const uint32_t* a, const uint32_t* b, size_t n) {
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::mul(P::load(a + i), P::load(b + i)));
  }
  static void neg(uint32_t* d, const uint32_t* a, size_t n) {
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::neg(P::load(a + i)));
  }
  static void lincomb(uint32_t* d, const uint32_t* arena, const LinHeader& h, const LinTerm* terms,
                      size_t n) {
    const size_t np = h.count[0], nm = h.count[1], npp = h.count[2], npm = h.count[3], ns = h.count[4],
                 nps = h.count[5];
    const LinTerm* minus = terms + np;
    const LinTerm* prod_plus = minus + nm;
    const LinTerm* prod_minus = prod_plus + 2 * npp;
    const LinTerm* scaled = prod_minus + 2 * npm;
    const LinTerm* prod_scaled = scaled + ns;
    const V c0 = P::broadcast(h.c0);
    for (size_t i = 0; i < n; i += L) {
      V acc = c0;
      for (size_t t = 0; t < np; ++t) acc = P::add(acc, P::load(arena + terms[t].offset + i));
      for (size_t t = 0; t < nm; ++t) acc = P::sub(acc, P::load(arena + minus[t].offset + i));
      for (size_t t = 0; t < 2 * npp; t += 2)
        acc = P::add(acc, P::mul(P::load(arena + prod_plus[t].offset + i),
                                 P::load(arena + prod_plus[t + 1].offset + i)));
      for (size_t t = 0; t < 2 * npm; t += 2)
        acc = P::sub(acc, P::mul(P::load(arena + prod_minus[t].offset + i),
                                 P::load(arena + prod_minus[t + 1].offset + i)));
      if (ns + nps != 0) {
        typename P::Wide w = P::wide_zero();
        size_t k = 0;
        for (size_t t = 0; t < ns; ++t, ++k) {
          if (k == kSignedTerms) {
            acc = P::add(acc, P::reduce(w));
            w = P::wide_zero();
            k = 0;
          }
          const V x = P::center(P::load(arena + scaled[t].offset + i));
          P::mac(w, x, P::odd_half(x), P::broadcast(centered(scaled[t].coeff)));
        }
        for (size_t t = 0; t < 2 * nps; t += 2, ++k) {
          if (k == kSignedTerms) {
            acc = P::add(acc, P::reduce(w));
            w = P::wide_zero();
            k = 0;
          }
          const V x = P::center(P::mul(P::load(arena + prod_scaled[t].offset + i),
                                       P::load(arena + prod_scaled[t + 1].offset + i)));
          P::mac(w, x, P::odd_half(x), P::broadcast(centered(prod_scaled[t].coeff)));
        }
        acc = P::add(acc, P::reduce(w));
      }
      if (h.chain_length != 0) {
        const LinTerm* chain = prod_scaled + 2 * nps;
        V hv = P::load(arena + chain[h.chain_length - 1].offset + i);
        for (size_t j = h.chain_length - 1; j-- > 0;)
          hv = P::add(P::add(hv, hv), P::load(arena + chain[j].offset + i));
        for (uint32_t k = 0; k < h.chain_shift; ++k) hv = P::add(hv, hv);
        acc = h.chain_negative ? P::sub(acc, hv) : P::add(acc, hv);
      }
      P::store(d + i, acc);
    }
  }

  // Unrolled kernel of one small shape (counts per term group as template arguments).
  template <int NP, int NM, int NPP, int NPM, int NS, int NPS>
  static void lincomb_fixed(uint32_t* d, const uint32_t* arena, const LinHeader& h, const LinTerm* t,
                            size_t n) {
    constexpr int kEntries = NP + NM + 2 * NPP + 2 * NPM + NS + 2 * NPS;
    const uint32_t* p[kEntries + 1];
    for (int j = 0; j < kEntries; ++j) p[j] = arena + t[j].offset;
    constexpr int kScaled = NP + NM + 2 * NPP + 2 * NPM;
    const V cs = P::broadcast(NS ? t[kScaled].coeff : 0);
    const uint32_t nps_coeff = NPS ? t[kScaled + NS].coeff : 0;
    const V cps = P::broadcast(nps_coeff);
    constexpr uint32_t kTwo = Fp::from_canonical(2).mont, kMinusTwo = Fp::from_canonical(stark::P - 2).mont;
    const bool nps_double = nps_coeff == kTwo || nps_coeff == kMinusTwo;
    const bool nps_negative = nps_coeff == kMinusTwo;
    const V c0 = P::broadcast(h.c0);
    const bool has_c0 = h.c0 != 0;
    for (size_t i = 0; i < n; i += L) {
      V acc;
      int j = 0;
      if constexpr (NP > 0) {
        acc = P::load(p[j++] + i);
        if (has_c0) acc = P::add(acc, c0);
      } else {
        acc = c0;
      }
      for (int k = 1; k < NP; ++k) acc = P::add(acc, P::load(p[j++] + i));
      for (int k = 0; k < NM; ++k) acc = P::sub(acc, P::load(p[j++] + i));
      for (int k = 0; k < NPP; ++k, j += 2)
        acc = P::add(acc, P::mul(P::load(p[j] + i), P::load(p[j + 1] + i)));
      for (int k = 0; k < NPM; ++k, j += 2)
        acc = P::sub(acc, P::mul(P::load(p[j] + i), P::load(p[j + 1] + i)));
      for (int k = 0; k < NS; ++k) acc = P::add(acc, P::mul_const(P::load(p[j++] + i), cs));
      for (int k = 0; k < NPS; ++k, j += 2) {
        const V prod = P::mul(P::load(p[j] + i), P::load(p[j + 1] + i));
        // ±2·x·y (the XOR a + b - 2ab of bit constraints) by doubling; the condition is loop
        // invariant, so the compiler splits the loop instead of branching per lane group.
        if (nps_double)
          acc = nps_negative ? P::sub(acc, P::add(prod, prod)) : P::add(acc, P::add(prod, prod));
        else
          acc = P::add(acc, P::mul_const(prod, cps));
      }
      P::store(d + i, acc);
    }
  }
  template <size_t J>
  static void lincomb_shape(uint32_t* d, const uint32_t* arena, const LinHeader& h, const LinTerm* t,
                            size_t n) {
    constexpr int kCode = lin_shape::code_of_kernel(int(J));
    static_assert(kCode >= 0);
    constexpr int c[6] = {kCode / 48, kCode / 16 % 3, kCode / 8 % 2, kCode / 4 % 2, kCode / 2 % 2, kCode % 2};
    lincomb_fixed<c[0], c[1], c[2], c[3], c[4], c[5]>(d, arena, h, t, n);
  }
  template <size_t... J>
  static const BlockKernels::LinComb* fixed_table(std::index_sequence<J...>) {
    static const BlockKernels::LinComb table[] = {&lincomb_shape<J>...};
    return table;
  }

  static void ext_product(const V a[4], const V b[4], V c[4]) {
    const V w = P::broadcast(kWMont);
    const V wb1 = P::mul_const(b[1], w), wb2 = P::mul_const(b[2], w), wb3 = P::mul_const(b[3], w);
    c[0] =
        P::add(P::add(P::mul(a[0], b[0]), P::mul(a[1], wb3)), P::add(P::mul(a[2], wb2), P::mul(a[3], wb1)));
    c[1] =
        P::add(P::add(P::mul(a[0], b[1]), P::mul(a[1], b[0])), P::add(P::mul(a[2], wb3), P::mul(a[3], wb2)));
    c[2] =
        P::add(P::add(P::mul(a[0], b[2]), P::mul(a[1], b[1])), P::add(P::mul(a[2], b[0]), P::mul(a[3], wb3)));
    c[3] = P::add(P::add(P::mul(a[0], b[3]), P::mul(a[1], b[2])),
                  P::add(P::mul(a[2], b[1]), P::mul(a[3], b[0])));
  }

  static void ext_mul(uint32_t* d, const uint32_t* a, const uint32_t* b, size_t s, size_t n) {
    for (size_t i = 0; i < n; i += L) {
      V av[4], bv[4], cv[4];
      for (size_t e = 0; e < 4; ++e) {
        av[e] = P::load(a + e * s + i);
        bv[e] = P::load(b + e * s + i);
      }
      ext_product(av, bv, cv);
      for (size_t e = 0; e < 4; ++e) P::store(d + e * s + i, cv[e]);
    }
  }
  static void ext_mul_base(uint32_t* d, const uint32_t* a, const uint32_t* b, size_t s, size_t n) {
    for (size_t i = 0; i < n; i += L) {
      const V bv = P::load(b + i);
      V cv[4];
      for (size_t e = 0; e < 4; ++e) cv[e] = P::mul(P::load(a + e * s + i), bv);
      for (size_t e = 0; e < 4; ++e) P::store(d + e * s + i, cv[e]);
    }
  }
  static void accumulate_ext(uint32_t* acc, const uint32_t* src, const uint32_t coeff[4], size_t s,
                             size_t n) {
    const V cv[4] = {P::broadcast(coeff[0]), P::broadcast(coeff[1]), P::broadcast(coeff[2]),
                     P::broadcast(coeff[3])};
    for (size_t i = 0; i < n; i += L) {
      V xv[4], pv[4];
      for (size_t e = 0; e < 4; ++e) xv[e] = P::load(src + e * s + i);
      ext_product(xv, cv, pv);
      for (size_t e = 0; e < 4; ++e) P::store(acc + e * s + i, P::add(P::load(acc + e * s + i), pv[e]));
    }
  }

  // Tiles of kColumnTile columns keep the destination vectors of a tile in L1 while each row
  // segment is read contiguously (a column-at-a-time gather would touch a new page per point).
  static constexpr size_t kColumnTile = 64;
  static void gather_columns(uint32_t* dst, size_t stride, const uint32_t* const* rows, size_t num_points,
                             size_t first_col, size_t num_cols) {
    for (size_t c0 = 0; c0 < num_cols; c0 += kColumnTile) {
      const size_t c1 = c0 + kColumnTile < num_cols ? c0 + kColumnTile : num_cols;
      for (size_t p = 0; p < num_points; ++p) {
        const uint32_t* row = rows[p] + first_col;
        for (size_t c = c0; c < c1; ++c) dst[c * stride + p] = detail::monty_reduce(uint64_t(row[c]) * kR2);
      }
    }
  }

  // BatchTerm coefficients are stored centered (see BatchTerm).
  static void accumulate_base_batch(uint32_t* acc, size_t s, const uint32_t* arena, const BatchTerm* terms,
                                    size_t count, size_t n) {
    for (size_t i = 0; i < n; i += L) {
      V sum[4] = {P::load(acc + i), P::load(acc + s + i), P::load(acc + 2 * s + i), P::load(acc + 3 * s + i)};
      for (size_t t0 = 0; t0 < count; t0 += kSignedTerms) {
        const size_t t1 = t0 + kSignedTerms < count ? t0 + kSignedTerms : count;
        typename P::Wide w[4] = {P::wide_zero(), P::wide_zero(), P::wide_zero(), P::wide_zero()};
        for (size_t t = t0; t < t1; ++t) {
          const V x = P::center(P::load(arena + terms[t].offset + i));
          const V xo = P::odd_half(x);
          for (size_t e = 0; e < 4; ++e) P::mac(w[e], x, xo, P::broadcast(terms[t].coeff[e]));
        }
        for (size_t e = 0; e < 4; ++e) sum[e] = P::add(sum[e], P::reduce(w[e]));
      }
      for (size_t e = 0; e < 4; ++e) P::store(acc + e * s + i, sum[e]);
    }
  }

  static BlockKernels table() {
    BlockKernels k{};
    k.add = &add;
    k.sub = &sub;
    k.mul = &mul;
    k.neg = &neg;
    k.lincomb = &lincomb;
    k.lincomb_fixed = fixed_table(std::make_index_sequence<size_t(lin_shape::kNumKernels)>());
    k.ext_mul = &ext_mul;
    k.ext_mul_base = &ext_mul_base;
    k.accumulate_ext = &accumulate_ext;
    k.gather_columns = &gather_columns;
    k.accumulate_base_batch = &accumulate_base_batch;
    return k;
  }
};

}  // namespace stark::air_detail
