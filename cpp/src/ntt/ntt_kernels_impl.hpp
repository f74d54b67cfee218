// Butterfly sweeps of the NTT written once over a vector policy P (scalar, AVX2, AVX-512) and
// instantiated in one translation unit per instruction set (ntt_*.cpp). Everything here has
// internal linkage, so each ISA's copy is compiled with that ISA's flags and never shared with
// another translation unit by the linker.
//
// A policy P provides: L (lanes), V (a vector of L words), T (a constant ready for
// multiplication), load/store, load_n/store_n (first n lanes, n < L), add/sub (canonical),
// sub_lazy (x - y + p, in [1, 2p), a valid first operand of mul), mul(V, T) (Shoup product,
// canonical result, see ntt_kernels.hpp), tw_bcast(w, q), tw_expand<W>(consts) (lane j gets
// constant j / W), TM/mont_bcast/mont_expand/mul_mont (the same for Montgomery-form factors,
// used by scale_rows), and for vector policies split<S>/merge<S> (see Layers::small_layer) and
// gather (a vectorized prefix of Layers::gather_words; returns how many words it did) and
// swap_blocks<B>(a, b) (a's lanes j with bit B set <-> b's lanes j - B; see Layers::block_layers).
// The vector policies are VectorPolicy<Isa, Shuffles> below: the arithmetic comes from the
// packed field's ISA policy (packed_field.hpp), and only the partial loads and stores and the
// register shuffles (expand, split, merge, swap_blocks, gather) are written per ISA, in
// ntt_avx2.cpp and ntt_avx512.cpp.
//
// Vectorization: when the strip is at least L columns wide, each row pair is processed across
// its columns with a broadcast twiddle (the row-major case: every butterfly moves two whole rows).
// Narrow contiguous strips of width W dividing L are processed as flat arrays with expanded
// twiddle vectors (the single-column case). Anything else falls back to the scalar policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "ntt_kernels.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/matrix.hpp"
#include "stark/field/packed_field.hpp"

namespace stark::ntt_kernels {
namespace {

constexpr uint32_t kP = field_params::kP;

struct ScalarPolicy {
  static constexpr size_t L = 1;
  using V = uint32_t;
  struct T {
    uint32_t w, q;
  };
  static V load(const uint32_t* p) { return *p; }
  static void store(uint32_t* p, V v) { *p = v; }
  static V load_n(const uint32_t* p, size_t) { return *p; }
  static void store_n(uint32_t* p, V v, size_t) { *p = v; }
  static T tw_bcast(uint32_t w, uint32_t q) { return {w, q}; }
  template <int W>
  static T tw_expand(Consts c) {
    return {*c.w, *c.q};
  }
  static V add(V a, V b) { return detail::add_mod(a, b); }
  static V sub(V a, V b) { return detail::sub_mod(a, b); }
  static V sub_lazy(V a, V b) { return a + kP - b; }
  using TM = uint32_t;
  static TM mont_bcast(uint32_t m) { return m; }
  template <int W>
  static TM mont_expand(const uint32_t* m) {
    return *m;
  }
  // Montgomery product a m 2^-32 (a < 2^32, m < p, so a m < p 2^32).
  static V mul_mont(V a, TM m) { return detail::monty_reduce(uint64_t(a) * m); }
  static V mul(V a, T t) {
    const uint32_t quotient = uint32_t((uint64_t(a) * t.q) >> 32);
    const uint32_t r = a * t.w - quotient * kP;  // exact: the true value is below 2p < 2^32
    return r >= kP ? r - kP : r;
  }
};

// The arithmetic half of a vector policy, the same on every ISA (the Isa primitives and the
// packed field of packed_field.hpp); `Shuffles` adds load_n/store_n and the ISA's register
// rearrangements: expand<W>(words) (lane j gets words[j / W]), split<S>, merge<S>,
// swap_blocks<B> and gather.
template <class Isa, class Shuffles>
struct VectorPolicy : Shuffles {
  static constexpr size_t L = size_t(Isa::kLanes);
  using V = typename Isa::V;
  using A = packed::Arith<Isa>;
  // A constant w with its Shoup quotient q; q_odd is the multiplier of the odd 32-bit lanes
  // (the vector multiply reads the low word of each 64-bit lane).
  struct T {
    V w, q, q_odd;
  };
  STARK_FORCE_INLINE static V load(const uint32_t* p) { return Isa::load(p); }
  STARK_FORCE_INLINE static void store(uint32_t* p, V v) { Isa::store(p, v); }
  // A broadcast quotient is its own odd form.
  STARK_FORCE_INLINE static T tw_bcast(uint32_t w, uint32_t q) {
    const V qv = Isa::set1(q);
    return {Isa::set1(w), qv, qv};
  }
  template <int W>
  STARK_FORCE_INLINE static T tw_expand(Consts c) {
    const V q = Shuffles::template expand<W>(c.q);
    return {Shuffles::template expand<W>(c.w), q, A::odd(q)};
  }
  // Montgomery-form factor and its odd-lane form (scale_rows).
  struct TM {
    V v, odd;
  };
  STARK_FORCE_INLINE static TM mont_bcast(uint32_t m) {
    const V v = Isa::set1(m);
    return {v, v};
  }
  template <int W>
  STARK_FORCE_INLINE static TM mont_expand(const uint32_t* m) {
    const V v = Shuffles::template expand<W>(m);
    return {v, A::odd(v)};
  }
  STARK_FORCE_INLINE static V mul_mont(V a, const TM& m) { return A::mul_pre(a, m.v, m.odd); }
  STARK_FORCE_INLINE static V add(V a, V b) { return A::add_mod(a, b); }
  STARK_FORCE_INLINE static V sub(V a, V b) { return A::sub_mod(a, b); }
  STARK_FORCE_INLINE static V sub_lazy(V a, V b) { return Isa::add32(Isa::sub32(a, b), A::p()); }
  // Shoup product: quotient = hi32(a q), result a w - quotient p (mod 2^32) in [0, 2p).
  STARK_FORCE_INLINE static V mul(V a, const T& t) {
    const V prod_evn = Isa::mul_u32_even(a, t.q);
    const V prod_odd = Isa::mul_u32_even(A::odd(a), t.q_odd);
    const V quotient = A::merge_high(prod_evn, prod_odd);
    V p = A::p();
    // Opaque to the optimizer: GCC otherwise rewrites quotient * p as shifts and adds
    // (p = 2^31 - 2^27 + 1), four instructions instead of one multiplication.
    asm("" : "+v"(p));
    const V r = Isa::sub32(Isa::mullo32(a, t.w), Isa::mullo32(quotient, p));
    return Isa::min_u32(r, Isa::sub32(r, p));
  }
};

// f(std::integral_constant<unsigned, i>()) for i = 0 .. N-1, unrolled.
template <unsigned N, class F, unsigned... I>
inline void static_for_impl(F&& f, std::integer_sequence<unsigned, I...>) {
  (f(std::integral_constant<unsigned, I>()), ...);
}
template <unsigned N, class F>
inline void static_for(F&& f) {
  static_for_impl<N>(f, std::make_integer_sequence<unsigned, N>());
}

// ---- butterflies on one vector position: x0..x3 at a, a + s, a + 2s, a + 3s ----------------

template <class P, bool kTrivialLo, class Ld, class St>
inline void dit4_at(uint32_t* a, size_t s, const typename P::T& t_lo, const typename P::T& t_hi0,
                    const typename P::T& t_hi1, Ld ld, St st) {
  using V = typename P::V;
  V x0 = ld(a), x1 = ld(a + s), x2 = ld(a + 2 * s), x3 = ld(a + 3 * s);
  // layer r: (x0, x1) and (x2, x3), both with t_lo
  const V u1 = kTrivialLo ? x1 : P::mul(x1, t_lo);
  const V u3 = kTrivialLo ? x3 : P::mul(x3, t_lo);
  x1 = P::sub(x0, u1);
  x0 = P::add(x0, u1);
  x3 = P::sub(x2, u3);
  x2 = P::add(x2, u3);
  // layer r + 1: (x0, x2) with t_hi0, (x1, x3) with t_hi1
  const V u2 = P::mul(x2, t_hi0);
  const V v3 = P::mul(x3, t_hi1);
  st(a, P::add(x0, u2));
  st(a + 2 * s, P::sub(x0, u2));
  st(a + s, P::add(x1, v3));
  st(a + 3 * s, P::sub(x1, v3));
}

template <class P, bool kTrivialLo, class Ld, class St>
inline void dif4_at(uint32_t* a, size_t s, const typename P::T& t_lo, const typename P::T& t_hi0,
                    const typename P::T& t_hi1, Ld ld, St st) {
  using V = typename P::V;
  const V x0 = ld(a), x1 = ld(a + s), x2 = ld(a + 2 * s), x3 = ld(a + 3 * s);
  // layer r + 1: (x0, x2) with t_hi0, (x1, x3) with t_hi1
  const V y0 = P::add(x0, x2);
  const V y2 = P::mul(P::sub_lazy(x0, x2), t_hi0);
  const V y1 = P::add(x1, x3);
  const V y3 = P::mul(P::sub_lazy(x1, x3), t_hi1);
  // layer r: (y0, y1) and (y2, y3), both with t_lo
  st(a, P::add(y0, y1));
  st(a + 2 * s, P::add(y2, y3));
  if constexpr (kTrivialLo) {
    st(a + s, P::sub(y0, y1));
    st(a + 3 * s, P::sub(y2, y3));
  } else {
    st(a + s, P::mul(P::sub_lazy(y0, y1), t_lo));
    st(a + 3 * s, P::mul(P::sub_lazy(y2, y3), t_lo));
  }
}

template <class P, bool kTrivial, class Ld, class St>
inline void dit2_at(uint32_t* a, size_t s, const typename P::T& t, Ld ld, St st) {
  using V = typename P::V;
  const V x = ld(a), y = ld(a + s);
  const V u = kTrivial ? y : P::mul(y, t);
  st(a, P::add(x, u));
  st(a + s, P::sub(x, u));
}

template <class P, bool kTrivial, class Ld, class St>
inline void dif2_at(uint32_t* a, size_t s, const typename P::T& t, Ld ld, St st) {
  using V = typename P::V;
  const V x = ld(a), y = ld(a + s);
  st(a, P::add(x, y));
  if constexpr (kTrivial) {
    st(a + s, P::sub(x, y));
  } else {
    st(a + s, P::mul(P::sub_lazy(x, y), t));
  }
}

// ---- one sweep over `rows` row pairs (or quadruples) at distance `stride` words ------------

// Functor-style operations so one row loop serves the four butterfly shapes.
template <class P, bool kDit, bool kTrivialLo>
struct Radix4 {
  Consts tw_lo, tw_hi0, tw_hi1;
  using T = typename P::T;
  template <int W>
  void expand(size_t r, T& lo, T& hi0, T& hi1) const {
    if constexpr (!kTrivialLo) lo = P::template tw_expand<W>(tw_lo + r);
    hi0 = P::template tw_expand<W>(tw_hi0 + r);
    hi1 = P::template tw_expand<W>(tw_hi1 + r);
  }
  void twiddles(size_t r, T& lo, T& hi0, T& hi1) const {
    if constexpr (!kTrivialLo) lo = P::tw_bcast(tw_lo.w[r], tw_lo.q[r]);
    hi0 = P::tw_bcast(tw_hi0.w[r], tw_hi0.q[r]);
    hi1 = P::tw_bcast(tw_hi1.w[r], tw_hi1.q[r]);
  }
  template <class Ld, class St>
  void at(uint32_t* a, size_t s, const T& lo, const T& hi0, const T& hi1, Ld ld, St st) const {
    if constexpr (kDit) {
      dit4_at<P, kTrivialLo>(a, s, lo, hi0, hi1, ld, st);
    } else {
      dif4_at<P, kTrivialLo>(a, s, lo, hi0, hi1, ld, st);
    }
  }
};

template <class P, bool kDit, bool kTrivial>
struct Radix2 {
  Consts tw;
  using T = typename P::T;
  template <int W>
  void expand(size_t r, T& t, T&, T&) const {
    if constexpr (!kTrivial) t = P::template tw_expand<W>(tw + r);
  }
  void twiddles(size_t r, T& t, T&, T&) const {
    if constexpr (!kTrivial) t = P::tw_bcast(tw.w[r], tw.q[r]);
  }
  template <class Ld, class St>
  void at(uint32_t* a, size_t s, const T& t, const T&, const T&, Ld ld, St st) const {
    if constexpr (kDit) {
      dit2_at<P, kTrivial>(a, s, t, ld, st);
    } else {
      dif2_at<P, kTrivial>(a, s, t, ld, st);
    }
  }
};

template <class P, int W, class Op>
inline void sweep_flat_w(const Op& op, uint32_t* a, size_t stride, size_t rows) {
  using T = typename P::T;
  const size_t words = rows * W;
  for (size_t v = 0; v < words; v += P::L) {
    T t0{}, t1{}, t2{};
    op.template expand<W>(v / W, t0, t1, t2);
    op.at(a + v, stride, t0, t1, t2, P::load, P::store);
  }
}

// Rows [0, rows) of the group starting at a: partner rows at a + stride, a + 2 stride, ...
template <class P, class Op, class ScalarOp>
inline void sweep(const Op& op, const ScalarOp& scalar_op, uint32_t* a, size_t stride, size_t rows,
                  size_t width, size_t ld) {
  using T = typename P::T;
  constexpr size_t L = P::L;
  if (width >= L) {
    const size_t full = width - width % L;
    const size_t rest = width - full;
    for (size_t r = 0; r < rows; ++r) {
      uint32_t* row = a + r * ld;
      T t0{}, t1{}, t2{};
      op.twiddles(r, t0, t1, t2);
      for (size_t c = 0; c < full; c += L) op.at(row + c, stride, t0, t1, t2, P::load, P::store);
      if (rest != 0) {
        op.at(
            row + full, stride, t0, t1, t2, [rest](const uint32_t* p) { return P::load_n(p, rest); },
            [rest](uint32_t* p, typename P::V v) { P::store_n(p, v, rest); });
      }
    }
    return;
  }
  if constexpr (L > 1) {
    if (ld == width && (rows * width) % L == 0) {
      switch (width) {
        case 1:
          sweep_flat_w<P, 1>(op, a, stride, rows);
          return;
        case 2:
          sweep_flat_w<P, 2>(op, a, stride, rows);
          return;
        case 4:
          sweep_flat_w<P, 4>(op, a, stride, rows);
          return;
        case 8:
          if constexpr (L > 8) {
            sweep_flat_w<P, 8>(op, a, stride, rows);
            return;
          }
          break;
        default:
          break;
      }
    }
    sweep<ScalarPolicy>(scalar_op, scalar_op, a, stride, rows, width, ld);
  }
}

// ---- layer drivers -----------------------------------------------------------------------

template <class P>
struct Layers {
  template <bool kDit, bool kTrivialLo>
  static void radix4(Strip s, size_t spans, size_t span_rows, unsigned r, const Consts* tw) {
    const size_t d = size_t(1) << r;
    const size_t rows = d * span_rows;
    const size_t stride = rows * s.ld;
    const Radix4<P, kDit, kTrivialLo> op{tw[r], tw[r + 1], tw[r + 1] + rows};
    const Radix4<ScalarPolicy, kDit, kTrivialLo> scalar_op{tw[r], tw[r + 1], tw[r + 1] + rows};
    for (size_t blk = 0; blk < spans; blk += 4 * d)
      sweep<P>(op, scalar_op, s.data + blk * span_rows * s.ld, stride, rows, s.width, s.ld);
  }

  template <bool kDit, bool kTrivial>
  static void radix2(Strip s, size_t spans, size_t span_rows, unsigned r, const Consts* tw) {
    const size_t d = size_t(1) << r;
    const size_t rows = d * span_rows;
    const size_t stride = rows * s.ld;
    const Radix2<P, kDit, kTrivial> op{tw[r]};
    const Radix2<ScalarPolicy, kDit, kTrivial> scalar_op{tw[r]};
    for (size_t blk = 0; blk < spans; blk += 2 * d)
      sweep<P>(op, scalar_op, s.data + blk * span_rows * s.ld, stride, rows, s.width, s.ld);
  }

  template <bool kDit>
  static void pair(Strip s, size_t spans, size_t span_rows, unsigned r, const Consts* tw) {
    if (tw[r].empty()) {
      radix4<kDit, true>(s, spans, span_rows, r, tw);
    } else {
      radix4<kDit, false>(s, spans, span_rows, r, tw);
    }
  }
  template <bool kDit>
  static void single(Strip s, size_t spans, size_t span_rows, unsigned r, const Consts* tw) {
    if (tw[r].empty()) {
      radix2<kDit, true>(s, spans, span_rows, r, tw);
    } else {
      radix2<kDit, false>(s, spans, span_rows, r, tw);
    }
  }

  // Layers whose pair distance S = 2^r * span_rows * width words is below the vector length, on
  // a contiguous strip: each vector holds both halves of its butterflies, so pairs of vectors
  // are rearranged in registers (P::split<S>) into one vector of first halves and one of second
  // halves, transformed, and put back (P::merge<S>). In both layouts lane j of the halves sits
  // at offset j mod S within its butterfly block, so one twiddle vector serves the whole sweep
  // (every block of a small layer uses the same twiddles).
  template <bool kDit, bool kTrivial, int S>
  static void small_layer(uint32_t* data, size_t words, size_t width, Consts tw) {
    using T = typename P::T;
    using V = typename P::V;
    constexpr size_t L = P::L;
    alignas(64) uint32_t tw_w[L], tw_q[L];
    for (size_t j = 0; j < L; ++j) {
      const size_t row = (j % S) / width;
      tw_w[j] = kTrivial ? 0 : tw.w[row];
      tw_q[j] = kTrivial ? 0 : tw.q[row];
    }
    const T t = P::template tw_expand<1>(Consts{tw_w, tw_q});
    for (size_t v = 0; v < words; v += 2 * L) {
      V x, y;
      P::template split<S>(P::load(data + v), P::load(data + v + L), x, y);
      V a, b;
      if constexpr (kDit) {
        const V u = kTrivial ? y : P::mul(y, t);
        a = P::add(x, u);
        b = P::sub(x, u);
      } else {
        a = P::add(x, y);
        b = kTrivial ? P::sub(x, y) : P::mul(P::sub_lazy(x, y), t);
      }
      V lo, hi;
      P::template merge<S>(a, b, lo, hi);
      P::store(data + v, lo);
      P::store(data + v + L, hi);
    }
  }

  template <bool kDit>
  static void small(Strip s, size_t words, size_t distance, Consts tw) {
    if constexpr (P::L > 1) small_vector<kDit>(s, words, distance, tw);
  }
  template <bool kDit>
  static void small_vector(Strip s, size_t words, size_t distance, Consts tw) {
    auto run = [&](auto s_tag) {
      constexpr int kS = decltype(s_tag)::value;
      if (tw.empty()) {
        small_layer<kDit, true, kS>(s.data, words, s.width, tw);
      } else {
        small_layer<kDit, false, kS>(s.data, words, s.width, tw);
      }
    };
    switch (distance) {
      case 1:
        run(std::integral_constant<int, 1>());
        break;
      case 2:
        run(std::integral_constant<int, 2>());
        break;
      case 4:
        run(std::integral_constant<int, 4>());
        break;
      default:
        if constexpr (P::L > 8) run(std::integral_constant<int, 8>());
        break;
    }
  }

  // Number of leading layers of [r_begin, r_end) that run as small layers (0 when the strip is
  // not a flat array of a width dividing the vector length).
  static unsigned small_layer_end(Strip s, size_t spans, size_t span_rows, unsigned r_begin, unsigned r_end) {
    constexpr size_t L = P::L;
    if constexpr (L == 1) {
      return r_begin;
    } else {
      const size_t words = spans * span_rows * s.width;
      if (s.ld != s.width || L % s.width != 0 || words % (2 * L) != 0) return r_begin;
      unsigned r = r_begin;
      while (r < r_end && (span_rows << r) * s.width < L) ++r;
      return r;
    }
  }

  // Single column, the first (DIT) or last (DIF) 2 log2(L) layers in one pass: each block of
  // L*L words is held in L registers, transposed so that the layers with pair distance < L become
  // butterflies between whole registers (their twiddles depend only on the register index, so
  // they are broadcasts), transposed back for the layers of distance L .. L*L/2 (lane-varying
  // twiddles, the same vectors for every block). Against one sweep over memory per layer (or
  // per two), the data are read and written once for 2 log2(L) layers.
  static constexpr unsigned kBlockLayers = 2 * (P::L == 16 ? 4 : P::L == 8 ? 3 : 0);

  static bool block_applies(Strip s, size_t spans, size_t span_rows, unsigned r_begin, unsigned r_end,
                            const Consts* tw) {
    if constexpr (kBlockLayers == 0) {
      return false;
    } else {
      if (s.width != 1 || s.ld != 1 || span_rows != 1 || r_begin != 0 || r_end < kBlockLayers ||
          spans % (P::L * P::L) != 0)
        return false;
      for (unsigned r = 1; r < kBlockLayers; ++r)
        if (tw[r].empty()) return false;
      return true;
    }
  }

  // Transposes the L x L matrix held in x[0..L) (x[i] lane j <-> x[j] lane i): for block sizes
  // b = L/2 .. 1, rows i and i + b exchange their off-diagonal b x b blocks (P::swap_blocks<b>).
  template <size_t B>
  static void transpose_level(typename P::V* x) {
    if constexpr (B >= 1) {
      for (size_t i = 0; i < P::L; ++i)
        if ((i & B) == 0) P::template swap_blocks<B>(x[i], x[i + B]);
      transpose_level<B / 2>(x);
    }
  }

  template <bool kDit, bool kTrivial0>
  static void block_layers(uint32_t* data, size_t words, const Consts* tw) {
    using T = typename P::T;
    using V = typename P::V;
    constexpr size_t L = P::L;
    constexpr unsigned kLg = kBlockLayers / 2;
    // Register layers r < kLg: pair (v, v + 2^r) uses tw[r][v mod 2^r], at vt[2^r - 1 + v mod 2^r].
    // Lane layers r = kLg + s: pair of registers (u, u + 2^s) uses lanes tw[r][(u mod 2^s) L ..].
    T vt[L - 1], lt[L - 1];
    for (unsigned r = 0; r < kLg; ++r)
      for (size_t i = 0; i < (size_t(1) << r); ++i)
        vt[(size_t(1) << r) - 1 + i] = (r == 0 && kTrivial0) ? T{} : P::tw_bcast(tw[r].w[i], tw[r].q[i]);
    for (unsigned s = 0; s < kLg; ++s)
      for (size_t i = 0; i < (size_t(1) << s); ++i)
        lt[(size_t(1) << s) - 1 + i] = P::template tw_expand<1>(tw[kLg + s] + i * L);
    // Everything below is unrolled at compile time (layer and register indices are constants),
    // so the data stay in registers and the trivial layer 0 costs no multiplications.
    auto butterfly = [](V& a, V& b, const T& t, auto trivial) {
      if constexpr (kDit) {
        const V u = decltype(trivial)::value ? b : P::mul(b, t);
        b = P::sub(a, u);
        a = P::add(a, u);
      } else {
        const V d = decltype(trivial)::value ? P::sub(a, b) : P::mul(P::sub_lazy(a, b), t);
        a = P::add(a, b);
        b = d;
      }
    };
    auto register_layer = [&](V* x, auto r_tag) {
      constexpr unsigned r = decltype(r_tag)::value;
      constexpr size_t d = size_t(1) << r;
      static_for<L>([&](auto v_tag) {
        constexpr size_t v = decltype(v_tag)::value;
        if constexpr ((v & d) == 0)
          butterfly(x[v], x[v + d], vt[d - 1 + (v & (d - 1))], std::bool_constant<kTrivial0 && r == 0>());
      });
    };
    auto lane_layer = [&](V* x, auto s_tag) {
      constexpr size_t d = size_t(1) << decltype(s_tag)::value;
      static_for<L>([&](auto u_tag) {
        constexpr size_t u = decltype(u_tag)::value;
        if constexpr ((u & d) == 0) butterfly(x[u], x[u + d], lt[d - 1 + (u & (d - 1))], std::false_type());
      });
    };
    for (size_t b = 0; b < words; b += L * L) {
      V x[L];
      for (size_t v = 0; v < L; ++v) x[v] = P::load(data + b + v * L);
      if constexpr (kDit) {
        transpose_level<L / 2>(x);
        static_for<kLg>([&](auto r) { register_layer(x, r); });
        transpose_level<L / 2>(x);
        static_for<kLg>([&](auto s) { lane_layer(x, s); });
      } else {
        static_for<kLg>([&](auto i) { lane_layer(x, std::integral_constant<unsigned, kLg - 1 - i>()); });
        transpose_level<L / 2>(x);
        static_for<kLg>([&](auto i) { register_layer(x, std::integral_constant<unsigned, kLg - 1 - i>()); });
        transpose_level<L / 2>(x);
      }
      for (size_t v = 0; v < L; ++v) P::store(data + b + v * L, x[v]);
    }
  }

  template <bool kDit>
  static void run_block_layers(Strip s, size_t spans, const Consts* tw) {
    if (tw[0].empty()) {
      block_layers<kDit, true>(s.data, spans, tw);
    } else {
      block_layers<kDit, false>(s.data, spans, tw);
    }
  }

  static void dit(Strip s, size_t spans, size_t span_rows, unsigned r_begin, unsigned r_end,
                  const Consts* tw) {
    if constexpr (kBlockLayers > 0) {
      if (block_applies(s, spans, span_rows, r_begin, r_end, tw)) {
        run_block_layers<true>(s, spans, tw);
        r_begin = kBlockLayers;
      }
    }
    const unsigned small_end = small_layer_end(s, spans, span_rows, r_begin, r_end);
    const size_t words = spans * span_rows * s.width;
    for (unsigned r = r_begin; r < small_end; ++r) small<true>(s, words, (span_rows << r) * s.width, tw[r]);
    unsigned r = small_end;
    for (; r + 2 <= r_end; r += 2) pair<true>(s, spans, span_rows, r, tw);
    if (r < r_end) single<true>(s, spans, span_rows, r, tw);
  }

  static void dif(Strip s, size_t spans, size_t span_rows, unsigned r_begin, unsigned r_end,
                  const Consts* tw) {
    const bool block = block_applies(s, spans, span_rows, r_begin, r_end, tw);
    if (block) r_begin = kBlockLayers;
    const unsigned small_end = small_layer_end(s, spans, span_rows, r_begin, r_end);
    unsigned r = r_end;
    for (; r >= small_end + 2; r -= 2) pair<false>(s, spans, span_rows, r - 2, tw);
    if (r > small_end) single<false>(s, spans, span_rows, small_end, tw);
    const size_t words = spans * span_rows * s.width;
    for (unsigned q = small_end; q-- > r_begin;) small<false>(s, words, (span_rows << q) * s.width, tw[q]);
    if constexpr (kBlockLayers > 0) {
      if (block) run_block_layers<false>(s, spans, tw);
    }
  }

  static void scale_rows(Strip dst, const uint32_t* src, size_t src_ld, size_t rows,
                         const uint32_t* factors) {
    using T = typename P::TM;
    constexpr size_t L = P::L;
    const size_t width = dst.width;
    if (width >= L) {
      const size_t full = width - width % L, rest = width - full;
      for (size_t r = 0; r < rows; ++r) {
        const T f = P::mont_bcast(factors[r]);
        const uint32_t* in = src + r * src_ld;
        uint32_t* out = dst.data + r * dst.ld;
        for (size_t c = 0; c < full; c += L) P::store(out + c, P::mul_mont(P::load(in + c), f));
        if (rest != 0) P::store_n(out + full, P::mul_mont(P::load_n(in + full, rest), f), rest);
      }
      return;
    }
    if constexpr (L > 1) {
      if (dst.ld == width && src_ld == width && (rows * width) % L == 0) {
        auto flat = [&](auto w_tag) {
          constexpr int W = decltype(w_tag)::value;
          for (size_t v = 0; v < rows * W; v += L)
            P::store(dst.data + v,
                     P::mul_mont(P::load(src + v), P::template mont_expand<W>(factors + v / W)));
        };
        switch (width) {
          case 1:
            flat(std::integral_constant<int, 1>());
            return;
          case 2:
            flat(std::integral_constant<int, 2>());
            return;
          case 4:
            flat(std::integral_constant<int, 4>());
            return;
          case 8:
            if constexpr (L > 8) {
              flat(std::integral_constant<int, 8>());
              return;
            }
            break;
          default:
            break;
        }
      }
      Layers<ScalarPolicy>::scale_rows(dst, src, src_ld, rows, factors);
    }
  }

  static void scale(Strip s, size_t rows, uint32_t w, uint32_t q) {
    using T = typename P::T;
    constexpr size_t L = P::L;
    const T f = P::tw_bcast(w, q);
    auto run = [&](uint32_t* p, size_t n) {
      size_t i = 0;
      for (; i + L <= n; i += L) P::store(p + i, P::mul(P::load(p + i), f));
      if (i < n) P::store_n(p + i, P::mul(P::load_n(p + i, n - i), f), n - i);
    };
    if (s.ld == s.width) {
      run(s.data, rows * s.width);
    } else {
      for (size_t r = 0; r < rows; ++r) run(s.data + r * s.ld, s.width);
    }
  }

  static void gather_words(uint32_t* dst, const uint32_t* src, const uint32_t* index, size_t n,
                           unsigned shift, size_t add) {
    size_t t = 0;
    if constexpr (P::L > 1) t = P::gather(dst, src, index, n, shift, add);
    for (; t < n; ++t) dst[t] = src[(size_t(index[t]) << shift) + add];
  }

  // With t = (a, b, c) (q = log2 L high and low bits), rev(t) = (rev c, rev b, rev a): for each
  // middle part b, the L x L tile of L-word runs (a, b, .) is loaded with row i = run a = rev_q(i),
  // transposed, and register c (lane i: element (rev_q(i), b, c)) is the contiguous destination
  // run (rev c, rev b, .). A word-by-word gather (or a vector gather) instead touches a new cache
  // line per word, and its bit-reversed reads alias in the L1 once the column outgrows it.
  static void bit_reverse_words(uint32_t* dst, const uint32_t* src, unsigned k) {
    constexpr unsigned q = kBlockLayers / 2;
    if constexpr (q > 0) {
      if (k >= 2 * q) {
        constexpr size_t L = P::L;
        const unsigned mid = k - 2 * q;
        for (size_t b = 0; b < (size_t(1) << mid); ++b) {
          typename P::V x[L];
          for (size_t i = 0; i < L; ++i) x[i] = P::load(src + (reverse_bits(i, q) << (k - q)) + (b << q));
          transpose_level<L / 2>(x);
          const size_t base = reverse_bits(b, mid) << q;
          for (size_t c = 0; c < L; ++c) P::store(dst + (reverse_bits(c, q) << (k - q)) + base, x[c]);
        }
        return;
      }
    }
    for (size_t t = 0; t < (size_t(1) << k); ++t) dst[reverse_bits(t, k)] = src[t];
  }

  static const Kernels& table() {
    static const Kernels k{&Layers::dit,   &Layers::dif,          &Layers::scale_rows,
                           &Layers::scale, &Layers::gather_words, &Layers::bit_reverse_words};
    return k;
  }
};

}  // namespace
}  // namespace stark::ntt_kernels
