// The Poseidon2 algorithm over vectors of 32-bit lanes, written once for every vector width.
// `Ops` (defined in poseidon2_avx2.cpp / poseidon2_avx512.cpp, in an anonymous namespace so no
// code compiled for one instruction set can be merged into another) supplies the primitives.
//
// Representation. Inside a permutation each state word is the Montgomery form x * 2^32 mod p,
// in [0, p) between steps. The linear layers and the constant additions are linear, so they
// do not care about the scale; only the S-box multiplies. Words are converted on entry and on
// exit (sponges convert only the absorbed words and the digest).
//
// S-box. x^7 = x^3 * x^4 with x^2, x^3, x^4 by signed Montgomery products computed on the even
// and odd 32-bit lanes separately (the vector multiply takes one 32-bit factor per 64-bit lane):
//   t = a * b (signed 64-bit),  q = (t mod 2^32) * p^-1 mod 2^32 (signed),  r = (t - q p) / 2^32.
// For any int32 a, b: |t| <= 2^62 and |q p| <= 2^31 p, so |r| <= 2^30 + p/2 < 2^31; and when
// |b| < p, |r| < p. Running the chain x^2, x^3 = x^2 x, x^4 = (x^2)^2, x^7 = x^3 x^4 from any
// int32 x gives |x^2| <= 2^30 + p/2, |x^3|, |x^4| < 2^31 and |x^7| < 0.98 p, so no reduction is
// needed inside the chain and one conditional addition of p makes the output canonical. The
// round constants are stored minus p, so "state + constant" lies in (-p, p) without reduction.
//
// Internal diagonal. 1/2^k is applied as x 2^-k = hi - lo 15 2^(27-k) with x = hi 2^k + lo,
// because 2^-k = -15 2^(27-k) mod p (p - 1 = 15 2^27): a signed value in (-p, 2^(31-k)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "poseidon2_kernels.hpp"

namespace stark::p2_kernels {

template <class Ops>
struct Packed {
  using V = typename Ops::V;
  static constexpr size_t L = Ops::kLanes;

  // ---- S-box --------------------------------------------------------------------------------

  // x^7 of the 32-bit word in the low half of each 64-bit lane; the result is in the high half.
  static inline V pow7_half(V x) {
    const V x2 = Ops::high_to_low(Ops::mont_half(x, x));
    const V x3 = Ops::high_to_low(Ops::mont_half(x2, x));
    const V x4 = Ops::high_to_low(Ops::mont_half(x2, x2));
    return Ops::mont_half(x3, x4);
  }

  /// z: int32 lanes congruent to Montgomery words. Returns (z)^7 in [0, p).
  static inline V sbox(V z) {
    const V even = pow7_half(z);
    const V odd = pow7_half(Ops::high_to_low(z));
    return Ops::canonicalize(Ops::merge_high(even, odd));
  }

  // ---- Montgomery conversions ---------------------------------------------------------------

  /// Canonical x in [0, p) -> x 2^32 mod p in [0, p): Montgomery product with 2^64 mod p.
  static inline V to_monty(V x) {
    const V r2 = Ops::splat(Ops::kR2);
    return Ops::canonicalize(
        Ops::merge_high(Ops::mont_half(x, r2), Ops::mont_half(Ops::high_to_low(x), r2)));
  }

  /// Montgomery word in [0, p) -> canonical value: x 2^-32 = (x - q p) / 2^32 = -hi(q p).
  static inline V from_monty(V x) {
    return Ops::canonicalize(Ops::merge_high(Ops::redc_half(x), Ops::redc_half(Ops::high_to_low(x))));
  }

  // ---- linear layers ------------------------------------------------------------------------

  static inline V dbl(V x) { return Ops::add_mod(x, x); }

  /// circ(2, 3, 1, 1) on one chunk of four words, 8 additions and 2 doublings.
  static inline void mat4(V& x0, V& x1, V& x2, V& x3) {
    const V t01 = Ops::add_mod(x0, x1);
    const V t23 = Ops::add_mod(x2, x3);
    const V t0123 = Ops::add_mod(t01, t23);
    const V t01123 = Ops::add_mod(t0123, x1);
    const V t01233 = Ops::add_mod(t0123, x3);
    const V y3 = Ops::add_mod(t01233, dbl(x0));  // 3 x0 + x1 + x2 + 2 x3
    const V y1 = Ops::add_mod(t01123, dbl(x2));  // x0 + 2 x1 + 3 x2 + x3
    const V y0 = Ops::add_mod(t01123, t01);      // 2 x0 + 3 x1 + x2 + x3
    const V y2 = Ops::add_mod(t01233, t23);      // x0 + x1 + 2 x2 + 3 x3
    x0 = y0;
    x1 = y1;
    x2 = y2;
    x3 = y3;
  }

  /// M_ext (MDSLight): y = mat4 on each chunk, out_i = y_i + sum_c y_{4c + (i mod 4)}.
  static inline void external_linear(V s[16]) {
    for (int c = 0; c < 4; ++c) mat4(s[4 * c], s[4 * c + 1], s[4 * c + 2], s[4 * c + 3]);
    for (int k = 0; k < 4; ++k) {
      const V col = Ops::add_mod(Ops::add_mod(s[k], s[4 + k]), Ops::add_mod(s[8 + k], s[12 + k]));
      for (int c = 0; c < 4; ++c) s[4 * c + k] = Ops::add_mod(s[4 * c + k], col);
    }
  }

  template <int Mult>
  static inline V small_multiple(V x) {
    static_assert(Mult >= 1 && Mult <= 4, "diagonal multiples 1..4 only");
    if constexpr (Mult == 1) {
      return x;
    } else if constexpr (Mult == 2) {
      return dbl(x);
    } else if constexpr (Mult == 3) {
      return Ops::add_mod(dbl(x), x);
    } else {
      return dbl(dbl(x));
    }
  }

  /// x 2^-k (or -x 2^-k when Negate) as a signed value in (-p, p) (see the file comment).
  template <int K, bool Negate>
  static inline V div_2exp_signed(V x) {
    static_assert(K >= 1 && K <= 27);
    const V hi = Ops::template shift_right<K>(x);  // < 2^(31-k)
    const V lo = Ops::bit_and(x, Ops::splat((uint32_t(1) << K) - 1));
    const V lo_scaled = Ops::mul_low(lo, Ops::splat(uint32_t(15) << (27 - K)));  // < 15 2^27 = p - 1
    return Negate ? Ops::sub(lo_scaled, hi) : Ops::sub(hi, lo_scaled);
  }

  /// out_i = sum + V_i x_i for i >= 1 (the table kInternalDiag says what V_i is).
  template <int I>
  static inline V internal_output(V sum, V x) {
    constexpr DiagEntry e = kInternalDiag[I];
    static_assert(e.sign == 1 || e.sign == -1);
    if constexpr (e.shift == 0) {
      const V m = small_multiple<e.mult>(x);
      return e.sign > 0 ? Ops::add_mod(sum, m) : Ops::sub_mod(sum, m);
    } else if constexpr (e.shift == 1) {
      static_assert(e.mult == 1);
      const V h = Ops::halve(x);
      return e.sign > 0 ? Ops::add_mod(sum, h) : Ops::sub_mod(sum, h);
    } else {
      static_assert(e.mult == 1);
      return Ops::signed_add(sum, div_2exp_signed<e.shift, (e.sign < 0)>(x));
    }
  }

  template <size_t... I>
  static inline void internal_outputs(V s[16], V sum, std::index_sequence<I...>) {
    ((s[I + 1] = internal_output<int(I + 1)>(sum, s[I + 1])), ...);
  }

  static inline void internal_round(V s[16], int32_t rc) {
    static_assert(kInternalDiag[0].sign == -1 && kInternalDiag[0].mult == 2 && kInternalDiag[0].shift == 0,
                  "V_0 = -2 is folded into out_0 = partial_sum - x_0");
    // The partial sum does not depend on the S-box: the out-of-order core overlaps the two.
    const V a = Ops::add_mod(Ops::add_mod(s[1], s[2]), Ops::add_mod(s[3], s[4]));
    const V b = Ops::add_mod(Ops::add_mod(s[5], s[6]), Ops::add_mod(s[7], s[8]));
    const V c = Ops::add_mod(Ops::add_mod(s[9], s[10]), Ops::add_mod(s[11], s[12]));
    const V d = Ops::add_mod(Ops::add_mod(s[13], s[14]), s[15]);
    const V partial = Ops::add_mod(Ops::add_mod(a, b), Ops::add_mod(c, d));
    const V x0 = sbox(Ops::add(s[0], Ops::splat(uint32_t(rc))));
    const V sum = Ops::add_mod(partial, x0);
    s[0] = Ops::sub_mod(partial, x0);  // sum - 2 x0
    internal_outputs(s, sum, std::make_index_sequence<15>{});
  }

  static inline void external_round(V s[16], const int32_t rc[16]) {
    for (int i = 0; i < 16; ++i) s[i] = sbox(Ops::add(s[i], Ops::splat(uint32_t(rc[i]))));
    external_linear(s);
  }

  /// The permutation on Montgomery words. The round loops are kept as loops: fully unrolled,
  /// the body would not fit the instruction caches.
  static void permute_monty(V s[16], const KernelConstants& kc) {
    external_linear(s);
#pragma GCC unroll 1
    for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) external_round(s, kc.external_initial[r]);
#pragma GCC unroll 1
    for (size_t r = 0; r < kPoseidon2RoundsP; ++r) internal_round(s, kc.internal[r]);
#pragma GCC unroll 1
    for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) external_round(s, kc.external_terminal[r]);
  }

  // ---- batched entry points -----------------------------------------------------------------

  /// L consecutive states at `states` (row-major L x 16).
  static inline void permute_group(const KernelConstants& kc, uint32_t* states) {
    const uint32_t* lo[L];
    const uint32_t* hi[L];
    for (size_t l = 0; l < L; ++l) {
      lo[l] = states + 16 * l;
      hi[l] = states + 16 * l + 8;
    }
    V s[16];
    Ops::load_block8(lo, s);
    Ops::load_block8(hi, s + 8);
    for (int i = 0; i < 16; ++i) s[i] = to_monty(s[i]);
    permute_monty(s, kc);
    for (int i = 0; i < 16; ++i) s[i] = from_monty(s[i]);
    uint32_t* out_lo[L];
    uint32_t* out_hi[L];
    for (size_t l = 0; l < L; ++l) {
      out_lo[l] = states + 16 * l;
      out_hi[l] = states + 16 * l + 8;
    }
    Ops::store_block8(s, out_lo);
    Ops::store_block8(s + 8, out_hi);
  }

  static void permute(const KernelConstants& kc, uint32_t* states, size_t n) {
    size_t i = 0;
    for (; i + L <= n; i += L) permute_group(kc, states + 16 * i);
    if (i < n) {  // tail: run a zero-padded full group on a copy
      uint32_t buf[16 * L] = {};
      std::memcpy(buf, states + 16 * i, (n - i) * 16 * sizeof(uint32_t));
      permute_group(kc, buf);
      std::memcpy(states + 16 * i, buf, (n - i) * 16 * sizeof(uint32_t));
    }
  }

  /// Writes the 8 digest words of each valid lane (lanes >= valid are padding).
  static inline void store_digests(V s[16], uint32_t* out, size_t valid) {
    V d[8];
    for (int j = 0; j < 8; ++j) d[j] = from_monty(s[j]);
    if (valid == L) {
      uint32_t* rows[L];
      for (size_t l = 0; l < L; ++l) rows[l] = out + 8 * l;
      Ops::store_block8(d, rows);
    } else {
      uint32_t buf[8 * L];
      uint32_t* rows[L];
      for (size_t l = 0; l < L; ++l) rows[l] = buf + 8 * l;
      Ops::store_block8(d, rows);
      std::memcpy(out, buf, valid * 8 * sizeof(uint32_t));
    }
  }

  static void hash_rows(const KernelConstants& kc, const ConstMatrixView* mats, size_t num_mats, size_t row_begin,
                        size_t row_end, uint32_t* out) {
    for (size_t r0 = row_begin; r0 < row_end; r0 += L) {
      const size_t valid = row_end - r0 < L ? row_end - r0 : L;
      V s[16];
      for (int i = 0; i < 16; ++i) s[i] = Ops::splat(0);
      int k = 0;  // next state word to overwrite in the current block
      for (size_t m = 0; m < num_mats; ++m) {
        const size_t w = mats[m].width;
        if (w == 0) continue;
        const uint32_t* rows[L];
        for (size_t l = 0; l < L; ++l) rows[l] = mats[m].data + (r0 + (l < valid ? l : valid - 1)) * w;
        size_t c = 0;
        // Eight columns at a time (one 8 x L transpose); the block boundary may fall anywhere.
        for (; c + 8 <= w; c += 8) {
          const uint32_t* cols[L];
          for (size_t l = 0; l < L; ++l) cols[l] = rows[l] + c;
          V blk[8];
          Ops::load_block8(cols, blk);
          for (int j = 0; j < 8; ++j) {
            s[k] = to_monty(blk[j]);
            if (++k == 8) {
              permute_monty(s, kc);
              k = 0;
            }
          }
        }
        for (; c < w; ++c) {
          uint32_t lanes[L];
          for (size_t l = 0; l < L; ++l) lanes[l] = rows[l][c];
          s[k] = to_monty(Ops::load(lanes));
          if (++k == 8) {
            permute_monty(s, kc);
            k = 0;
          }
        }
      }
      if (k > 0) permute_monty(s, kc);  // short last block: words k..15 keep their values
      store_digests(s, out + 8 * (r0 - row_begin), valid);
    }
  }

  static void compress(const KernelConstants& kc, const uint32_t* left, const uint32_t* right, size_t stride,
                       size_t n, uint32_t* out) {
    for (size_t i0 = 0; i0 < n; i0 += L) {
      const size_t valid = n - i0 < L ? n - i0 : L;
      const uint32_t* l_rows[L];
      const uint32_t* r_rows[L];
      for (size_t l = 0; l < L; ++l) {
        const size_t i = i0 + (l < valid ? l : valid - 1);
        l_rows[l] = left + stride * i;
        r_rows[l] = right + stride * i;
      }
      V s[16];
      Ops::load_block8(l_rows, s);
      Ops::load_block8(r_rows, s + 8);
      for (int i = 0; i < 16; ++i) s[i] = to_monty(s[i]);
      permute_monty(s, kc);
      store_digests(s, out + 8 * i0, valid);
    }
  }
};

}  // namespace stark::p2_kernels
