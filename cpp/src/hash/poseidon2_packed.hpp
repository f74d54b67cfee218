// The Poseidon2 algorithm over vectors of 32-bit lanes, written once for every vector width.
// `Ops` supplies the primitives: VectorOps<Isa> below derives most of them from the packed
// field's ISA policy (packed_field.hpp, whose policies live in anonymous namespaces, so no code
// compiled for one instruction set can be merged into another), and poseidon2_avx2.cpp /
// poseidon2_avx512.cpp add the few that each ISA does its own way (signed_add, halve and the
// 8-word block transposes).
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
#include "stark/field/packed_field.hpp"

namespace stark::p2_kernels {

/// The primitives of Packed<Ops> that every ISA builds the same way from its field policy.
/// An ISA's Ops derives from this and adds: signed_add(a, d) (a in [0, p), d in (-p, p): a + d
/// reduced to [0, p)), halve(x) (x / 2 mod p), load_block8(rows, out) (out[j] lane l =
/// rows[l][j], j < 8) and store_block8(in, rows) (the inverse).
template <class Isa>
struct VectorOps {
  using V = typename Isa::V;
  using A = packed::Arith<Isa>;
  static constexpr size_t kLanes = size_t(Isa::kLanes);

  STARK_FORCE_INLINE static V splat(uint32_t x) { return Isa::set1(x); }
  STARK_FORCE_INLINE static V lane_indices() { return Isa::lane_indices(); }
  // Bit l set iff lane l of x is zero.
  STARK_FORCE_INLINE static uint64_t zero_lanes(V x) { return Isa::zero_lane_bits(x); }
  STARK_FORCE_INLINE static V load(const uint32_t* p) { return Isa::load(p); }
  STARK_FORCE_INLINE static V add(V a, V b) { return Isa::add32(a, b); }
  STARK_FORCE_INLINE static V sub(V a, V b) { return Isa::sub32(a, b); }
  STARK_FORCE_INLINE static V bit_and(V a, V b) { return Isa::bit_and(a, b); }
  STARK_FORCE_INLINE static V mul_low(V a, V b) { return Isa::mullo32(a, b); }
  template <int K>
  STARK_FORCE_INLINE static V shift_right(V a) {
    return Isa::template srli32<K>(a);
  }
  STARK_FORCE_INLINE static V add_mod(V a, V b) { return A::add_mod(a, b); }
  STARK_FORCE_INLINE static V sub_mod(V a, V b) { return A::sub_mod(a, b); }
  STARK_FORCE_INLINE static V canonicalize(V r) { return A::canonicalize(r); }

  // Signed Montgomery product of the low words of each 64-bit lane; result in the high words.
  STARK_FORCE_INLINE static V mont_half(V a, V b) { return A::monty_half_signed(a, b); }
  // Montgomery reduction of the low word x (< 2^31): (x - q p) / 2^32 = -hi(q p), high words.
  STARK_FORCE_INLINE static V redc_half(V x) {
    const V qp = Isa::mul_i32_even(Isa::mul_u32_even(x, A::mu()), A::p());
    return Isa::sub32(Isa::zero(), qp);
  }
  STARK_FORCE_INLINE static V high_to_low(V x) { return A::odd(x); }
  // Even lanes from the high words of `even`, odd lanes from the high words of `odd`.
  STARK_FORCE_INLINE static V merge_high(V even, V odd) { return A::merge_high(even, odd); }
  // High words of even's and odd's 64-bit lanes as (even0, even1, odd0, odd1) per 128-bit block:
  // merge_high with lanes 1 and 2 of each block exchanged, in one shuffle.
  STARK_FORCE_INLINE static V merge_high_swapped(V even, V odd) { return Isa::shuffle_odd_words(even, odd); }
};

template <class Ops>
struct Packed {
  using V = typename Ops::V;
  static constexpr size_t L = Ops::kLanes;

  // ---- S-box --------------------------------------------------------------------------------

  // x^7 of the 32-bit word in the low half of each 64-bit lane; the result is in the high half.
  [[gnu::always_inline]] static inline V pow7_half(V x) {
    const V x2 = Ops::high_to_low(Ops::mont_half(x, x));
    const V x3 = Ops::high_to_low(Ops::mont_half(x2, x));
    const V x4 = Ops::high_to_low(Ops::mont_half(x2, x2));
    return Ops::mont_half(x3, x4);
  }

  /// z: int32 lanes congruent to Montgomery words. Returns (z)^7 in [0, p).
  [[gnu::always_inline]] static inline V sbox(V z) {
    const V even = pow7_half(z);
    const V odd = pow7_half(Ops::high_to_low(z));
    return Ops::canonicalize(Ops::merge_high(even, odd));
  }

  /// The S-boxes of N words computed level by level, so the scheduler sees 2 N independent
  /// multiplication chains side by side. The final even/odd merge is a single shuffle that
  /// leaves lanes 1 and 2 of every 128-bit block exchanged; applied to every word of the state
  /// an even number of rounds in a row (each half of the full rounds), the exchanges cancel.
  template <int N>
  [[gnu::always_inline]] static inline void sbox_swapped_many(V* z) {
    V e[N], o[N], e2[N], o2[N], e3[N], o3[N];
    for (int j = 0; j < N; ++j) {
      e[j] = z[j];
      o[j] = Ops::high_to_low(z[j]);
    }
    for (int j = 0; j < N; ++j) {
      e2[j] = Ops::high_to_low(Ops::mont_half(e[j], e[j]));
      o2[j] = Ops::high_to_low(Ops::mont_half(o[j], o[j]));
    }
    for (int j = 0; j < N; ++j) {
      e3[j] = Ops::high_to_low(Ops::mont_half(e2[j], e[j]));
      o3[j] = Ops::high_to_low(Ops::mont_half(o2[j], o[j]));
      e2[j] = Ops::high_to_low(Ops::mont_half(e2[j], e2[j]));  // x^4
      o2[j] = Ops::high_to_low(Ops::mont_half(o2[j], o2[j]));
    }
    for (int j = 0; j < N; ++j)
      z[j] = Ops::canonicalize(
          Ops::merge_high_swapped(Ops::mont_half(e3[j], e2[j]), Ops::mont_half(o3[j], o2[j])));
  }

  // ---- Montgomery conversions ---------------------------------------------------------------

  /// Canonical x in [0, p) -> x 2^32 mod p in [0, p): Montgomery product with 2^64 mod p.
  [[gnu::always_inline]] static inline V to_monty(V x) {
    const V r2 = Ops::splat(field_params::kMontyR2);
    return Ops::canonicalize(Ops::merge_high(Ops::mont_half(x, r2), Ops::mont_half(Ops::high_to_low(x), r2)));
  }

  /// Montgomery word in [0, p) -> canonical value: x 2^-32 = (x - q p) / 2^32 = -hi(q p).
  [[gnu::always_inline]] static inline V from_monty(V x) {
    return Ops::canonicalize(Ops::merge_high(Ops::redc_half(x), Ops::redc_half(Ops::high_to_low(x))));
  }

  // ---- linear layers ------------------------------------------------------------------------

  [[gnu::always_inline]] static inline V dbl(V x) { return Ops::add_mod(x, x); }

  /// circ(2, 3, 1, 1) on one chunk of four words, 8 additions and 2 doublings.
  [[gnu::always_inline]] static inline void mat4(V& x0, V& x1, V& x2, V& x3) {
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
  [[gnu::always_inline]] static inline void external_linear(V s[16]) {
    for (int c = 0; c < 4; ++c) mat4(s[4 * c], s[4 * c + 1], s[4 * c + 2], s[4 * c + 3]);
    for (int k = 0; k < 4; ++k) {
      const V col = Ops::add_mod(Ops::add_mod(s[k], s[4 + k]), Ops::add_mod(s[8 + k], s[12 + k]));
      for (int c = 0; c < 4; ++c) s[4 * c + k] = Ops::add_mod(s[4 * c + k], col);
    }
  }

  template <int Mult>
  [[gnu::always_inline]] static inline V small_multiple(V x) {
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
  [[gnu::always_inline]] static inline V div_2exp_signed(V x) {
    static_assert(K >= 1 && K <= 27);
    const V hi = Ops::template shift_right<K>(x);  // < 2^(31-k)
    const V lo = Ops::bit_and(x, Ops::splat((uint32_t(1) << K) - 1));
    const V lo_scaled = Ops::mul_low(lo, Ops::splat(uint32_t(15) << (27 - K)));  // < 15 2^27 = p - 1
    return Negate ? Ops::sub(lo_scaled, hi) : Ops::sub(hi, lo_scaled);
  }

  /// out_i = sum + V_i x_i for i >= 1 (the table kInternalDiag says what V_i is).
  template <int I>
  [[gnu::always_inline]] static inline V internal_output(V sum, V x) {
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
  [[gnu::always_inline]] static inline void internal_outputs(V s[16], V sum, std::index_sequence<I...>) {
    ((s[I + 1] = internal_output<int(I + 1)>(sum, s[I + 1])), ...);
  }

  [[gnu::always_inline]] static inline V partial_sum(const V s[16]) {  // x_1 + ... + x_15
    const V a = Ops::add_mod(Ops::add_mod(s[1], s[2]), Ops::add_mod(s[3], s[4]));
    const V b = Ops::add_mod(Ops::add_mod(s[5], s[6]), Ops::add_mod(s[7], s[8]));
    const V c = Ops::add_mod(Ops::add_mod(s[9], s[10]), Ops::add_mod(s[11], s[12]));
    const V d = Ops::add_mod(Ops::add_mod(s[13], s[14]), s[15]);
    return Ops::add_mod(Ops::add_mod(a, b), Ops::add_mod(c, d));
  }

  // ---- rounds on G independent groups of L states ---------------------------------------------
  //
  // The partial rounds are one long dependency chain through x_0's S-box; with G = 2 groups in
  // flight, one group's S-box latency hides behind the other group's linear layer.

  template <size_t G>
  [[gnu::always_inline]] static inline void internal_round(V (&s)[G][16], V rc) {
    static_assert(kInternalDiag[0].sign == -1 && kInternalDiag[0].mult == 2 && kInternalDiag[0].shift == 0,
                  "V_0 = -2 is folded into out_0 = partial_sum - x_0");
    V partial[G], x0[G];
#pragma GCC unroll 4
    for (size_t g = 0; g < G; ++g) partial[g] = partial_sum(s[g]);
#pragma GCC unroll 4
    for (size_t g = 0; g < G; ++g) x0[g] = sbox(Ops::add(s[g][0], rc));
#pragma GCC unroll 4
    for (size_t g = 0; g < G; ++g) {
      const V sum = Ops::add_mod(partial[g], x0[g]);
      s[g][0] = Ops::sub_mod(partial[g], x0[g]);  // sum - 2 x0
      internal_outputs(s[g], sum, std::make_index_sequence<15>{});
    }
  }

  template <size_t G>
  [[gnu::always_inline]] static inline void external_round(V (&s)[G][16], const V rc[16]) {
    for (size_t g = 0; g < G; ++g) {
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) s[g][i] = Ops::add(s[g][i], rc[i]);
#pragma GCC unroll 8
      for (int i = 0; i < 16; i += 2) sbox_swapped_many<2>(s[g] + i);
      external_linear(s[g]);
    }
  }

  /// Round constants broadcast to vectors once per kernel call (not once per use).
  struct RoundVectors {
    V external_initial[kPoseidon2RoundsFHalf][16];
    V internal[kPoseidon2RoundsP];
    V external_terminal[kPoseidon2RoundsFHalf][16];

    explicit RoundVectors(const KernelConstants& kc) {
      for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) {
        for (size_t i = 0; i < 16; ++i) {
          external_initial[r][i] = Ops::splat(uint32_t(kc.external_initial[r][i]));
          external_terminal[r][i] = Ops::splat(uint32_t(kc.external_terminal[r][i]));
        }
      }
      for (size_t r = 0; r < kPoseidon2RoundsP; ++r) internal[r] = Ops::splat(uint32_t(kc.internal[r]));
    }
  };

  /// The permutation on Montgomery words. The round loops stay loops: fully unrolled, the body
  /// would not fit the micro-op cache.
  template <size_t G>
  static void permute_monty(V (&s)[G][16], const RoundVectors& rv) {
    static_assert(kPoseidon2RoundsFHalf % 2 == 0, "the lane exchange of sbox_swapped must cancel");
    for (size_t g = 0; g < G; ++g) external_linear(s[g]);
#pragma GCC unroll 1
    for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) external_round<G>(s, rv.external_initial[r]);
#pragma GCC unroll 1
    for (size_t r = 0; r < kPoseidon2RoundsP; ++r) internal_round<G>(s, rv.internal[r]);
#pragma GCC unroll 1
    for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) external_round<G>(s, rv.external_terminal[r]);
  }

  // ---- batched entry points -------------------------------------------------------------------
  //
  // Each works on 2 L items at a time while it can, then on L; a last partial group is padded by
  // repeating its last valid item, and only valid lanes are written back.

  /// G L consecutive states (row-major, 16 words each).
  template <size_t G>
  [[gnu::always_inline]] static inline void permute_groups(const RoundVectors& rv, uint32_t* states) {
    V s[G][16];
    for (size_t g = 0; g < G; ++g) {
      const uint32_t* lo[L];
      const uint32_t* hi[L];
      for (size_t l = 0; l < L; ++l) {
        lo[l] = states + 16 * (g * L + l);
        hi[l] = lo[l] + 8;
      }
      Ops::load_block8(lo, s[g]);
      Ops::load_block8(hi, s[g] + 8);
      for (int i = 0; i < 16; ++i) s[g][i] = to_monty(s[g][i]);
    }
    permute_monty<G>(s, rv);
    for (size_t g = 0; g < G; ++g) {
      for (int i = 0; i < 16; ++i) s[g][i] = from_monty(s[g][i]);
      uint32_t* lo[L];
      uint32_t* hi[L];
      for (size_t l = 0; l < L; ++l) {
        lo[l] = states + 16 * (g * L + l);
        hi[l] = lo[l] + 8;
      }
      Ops::store_block8(s[g], lo);
      Ops::store_block8(s[g] + 8, hi);
    }
  }

  static void permute(const KernelConstants& kc, uint32_t* states, size_t n) {
    const RoundVectors rv(kc);
    size_t i = 0;
    for (; i + 2 * L <= n; i += 2 * L) permute_groups<2>(rv, states + 16 * i);
    for (; i + L <= n; i += L) permute_groups<1>(rv, states + 16 * i);
    if (i < n) {  // tail: a zero-padded group on a copy
      uint32_t buf[16 * L] = {};
      std::memcpy(buf, states + 16 * i, (n - i) * 16 * sizeof(uint32_t));
      permute_groups<1>(rv, buf);
      std::memcpy(states + 16 * i, buf, (n - i) * 16 * sizeof(uint32_t));
    }
  }

  /// Writes the 8 digest words of the first `valid` lanes of group states s[g], g < G.
  template <size_t G>
  [[gnu::always_inline]] static inline void store_digests(V (&s)[G][16], uint32_t* out, size_t valid) {
    for (size_t g = 0; g < G; ++g) {
      V d[8];
      for (int j = 0; j < 8; ++j) d[j] = from_monty(s[g][j]);
      const size_t first = g * L;
      if (first >= valid) return;
      uint32_t buf[8 * L];
      const bool full = valid - first >= L;
      uint32_t* rows[L];
      for (size_t l = 0; l < L; ++l) rows[l] = full ? out + 8 * (first + l) : buf + 8 * l;
      Ops::store_block8(d, rows);
      if (!full) std::memcpy(out + 8 * first, buf, (valid - first) * 8 * sizeof(uint32_t));
    }
  }

  /// Rows r0 .. r0 + valid - 1 (valid <= G L) of the concatenated matrices.
  template <size_t G>
  [[gnu::always_inline]] static inline void hash_row_groups(const RoundVectors& rv,
                                                            const ConstMatrixView* mats, size_t num_mats,
                                                            size_t r0, size_t valid, uint32_t* out) {
    V s[G][16];
    for (size_t g = 0; g < G; ++g)
      for (int i = 0; i < 16; ++i) s[g][i] = Ops::splat(0);
    int k = 0;  // next state word to overwrite in the current block
    auto absorb = [&](V(&words)[G]) {
      for (size_t g = 0; g < G; ++g) s[g][k] = to_monty(words[g]);
      if (++k == 8) {
        permute_monty<G>(s, rv);
        k = 0;
      }
    };
    for (size_t m = 0; m < num_mats; ++m) {
      const size_t w = mats[m].width;
      if (w == 0) continue;
      const uint32_t* rows[G * L];
      for (size_t l = 0; l < G * L; ++l) rows[l] = mats[m].data + (r0 + (l < valid ? l : valid - 1)) * w;
      size_t c = 0;
      // Eight columns at a time (one 8 x L transpose per group); the block boundary may fall
      // anywhere inside them.
      for (; c + 8 <= w; c += 8) {
        V blk[G][8];
        for (size_t g = 0; g < G; ++g) {
          const uint32_t* cols[L];
          for (size_t l = 0; l < L; ++l) cols[l] = rows[g * L + l] + c;
          Ops::load_block8(cols, blk[g]);
        }
        for (int j = 0; j < 8; ++j) {
          V words[G];
          for (size_t g = 0; g < G; ++g) words[g] = blk[g][j];
          absorb(words);
        }
      }
      for (; c < w; ++c) {
        V words[G];
        for (size_t g = 0; g < G; ++g) {
          uint32_t lanes[L];
          for (size_t l = 0; l < L; ++l) lanes[l] = rows[g * L + l][c];
          words[g] = Ops::load(lanes);
        }
        absorb(words);
      }
    }
    if (k > 0) permute_monty<G>(s, rv);  // short last block: words k..15 keep their values
    store_digests<G>(s, out, valid);
  }

  static void hash_rows(const KernelConstants& kc, const ConstMatrixView* mats, size_t num_mats,
                        size_t row_begin, size_t row_end, uint32_t* out) {
    const RoundVectors rv(kc);
    size_t r0 = row_begin;
    for (; r0 + 2 * L <= row_end; r0 += 2 * L)
      hash_row_groups<2>(rv, mats, num_mats, r0, 2 * L, out + 8 * (r0 - row_begin));
    for (; r0 < row_end; r0 += L) {
      const size_t valid = row_end - r0 < L ? row_end - r0 : L;
      hash_row_groups<1>(rv, mats, num_mats, r0, valid, out + 8 * (r0 - row_begin));
    }
  }

  /// Proof-of-work search (docs/protocol.md §3.1, fast form): the smallest i < count such that the low
  /// `bits` bits of canonical(Perm(s)[7]) are zero, where s = `base` (canonical words) with
  /// s[slot] = first + i; `count` when there is none. Candidate states are built in registers
  /// (no memory traffic per candidate) and only word 7 leaves Montgomery form. Lanes past
  /// `count` in the last group are computed and ignored. Requires first + count <= p.
  static size_t grind(const KernelConstants& kc, const uint32_t base[16], size_t slot, uint32_t first,
                      size_t count, uint32_t bits) {
    const RoundVectors rv(kc);
    V tmpl[16];
    for (int i = 0; i < 16; ++i) tmpl[i] = to_monty(Ops::splat(base[i]));
    const V lane_index = Ops::lane_indices();
    const V low_mask = Ops::splat(uint32_t((uint64_t(1) << bits) - 1));
    for (size_t i0 = 0; i0 < count; i0 += 2 * L) {
      V s[2][16];
      for (size_t g = 0; g < 2; ++g) {
        for (int i = 0; i < 16; ++i) s[g][i] = tmpl[i];
        const V candidates = Ops::add(Ops::splat(uint32_t(first + i0 + g * L)), lane_index);
        s[g][slot] = to_monty(candidates);
      }
      permute_monty<2>(s, rv);
      for (size_t g = 0; g < 2; ++g) {
        const uint64_t hits = Ops::zero_lanes(Ops::bit_and(from_monty(s[g][7]), low_mask));
        if (hits != 0) {
          const size_t i = i0 + g * L + size_t(__builtin_ctzll(hits));
          return i < count ? i : count;
        }
      }
    }
    return count;
  }

  template <size_t G>
  [[gnu::always_inline]] static inline void compress_groups(const RoundVectors& rv, const uint32_t* left,
                                                            const uint32_t* right, size_t stride, size_t i0,
                                                            size_t valid, uint32_t* out) {
    V s[G][16];
    for (size_t g = 0; g < G; ++g) {
      const uint32_t* l_rows[L];
      const uint32_t* r_rows[L];
      for (size_t l = 0; l < L; ++l) {
        const size_t lane = g * L + l;
        const size_t i = i0 + (lane < valid ? lane : valid - 1);
        l_rows[l] = left + stride * i;
        r_rows[l] = right + stride * i;
      }
      Ops::load_block8(l_rows, s[g]);
      Ops::load_block8(r_rows, s[g] + 8);
      for (int i = 0; i < 16; ++i) s[g][i] = to_monty(s[g][i]);
    }
    permute_monty<G>(s, rv);
    store_digests<G>(s, out + 8 * i0, valid);
  }

  static void compress(const KernelConstants& kc, const uint32_t* left, const uint32_t* right, size_t stride,
                       size_t n, uint32_t* out) {
    const RoundVectors rv(kc);
    size_t i0 = 0;
    for (; i0 + 2 * L <= n; i0 += 2 * L) compress_groups<2>(rv, left, right, stride, i0, 2 * L, out);
    for (; i0 < n; i0 += L) compress_groups<1>(rv, left, right, stride, i0, n - i0 < L ? n - i0 : L, out);
  }
};

}  // namespace stark::p2_kernels
