// Vector bodies of the PCS kernels, written once over the ISA policy of the packed field
// (packed_field.hpp; included only by fri_kernels_avx2.cpp / fri_kernels_avx512.cpp, which
// instantiate it with packed_avx2.hpp's / packed_avx512.hpp's policy).
//
// Isa::V is a register of Isa::kLanes 32-bit words. Products use the 32×32→64 multiply of the
// even words of each 64-bit lane (mul_wide); the odd words are reached by shifting each 64-bit
// lane right by 32 (odd) or, for a multiplier array in memory, by loading it one element later.
// Up to four such 64-bit products are summed (< 4p² < 2^64) and reduced once (reduce4, the
// packed field's reduce_product_sum), which returns the Montgomery reduction sum·2^-32 mod p of
// every lane in [0, p).
#pragma once

#include <cstddef>
#include <cstdint>

#include "fri_kernels.hpp"
#include "stark/field/packed_field.hpp"

namespace stark::fri_detail {

/// The operations the PCS kernels use, from the packed field on one ISA.
template <class Isa>
struct PackedOps {
  using V = typename Isa::V;
  using A = packed::Arith<Isa>;
  static constexpr size_t kLanes = size_t(Isa::kLanes);
  STARK_FORCE_INLINE static V load(const uint32_t* p) { return Isa::load(p); }
  STARK_FORCE_INLINE static void store(uint32_t* p, V v) { Isa::store(p, v); }
  STARK_FORCE_INLINE static V bcast(uint32_t x) { return Isa::set1(x); }
  STARK_FORCE_INLINE static V zero() { return Isa::zero(); }
  STARK_FORCE_INLINE static V odd(V x) { return A::odd(x); }
  STARK_FORCE_INLINE static V mul_wide(V a, V b) { return Isa::mul_u32_even(a, b); }
  STARK_FORCE_INLINE static V add64(V a, V b) { return Isa::add64(a, b); }
  STARK_FORCE_INLINE static V addp(V a, V b) { return A::add_mod(a, b); }
  STARK_FORCE_INLINE static V reduce4(V t_evn, V t_odd) { return A::reduce_product_sum(t_evn, t_odd); }
};

template <class Isa, size_t J>
void weighted_column_sums_packed_fixed(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                                       const uint32_t* weights, uint32_t* acc, size_t acc_stride) {
  using Ops = PackedOps<Isa>;
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  size_t c = 0;
  for (; c + L <= cols; c += L) {
    V a[J];
    for (size_t j = 0; j < J; ++j) a[j] = Ops::load(acc + j * acc_stride + c);
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
      const uint32_t* p0 = m + r * stride + c;
      const V d0 = Ops::load(p0), d1 = Ops::load(p0 + stride), d2 = Ops::load(p0 + 2 * stride),
              d3 = Ops::load(p0 + 3 * stride);
      const V o0 = Ops::odd(d0), o1 = Ops::odd(d1), o2 = Ops::odd(d2), o3 = Ops::odd(d3);
      const uint32_t* w = weights + r * J;
      for (size_t j = 0; j < J; ++j) {
        const V w0 = Ops::bcast(w[j]), w1 = Ops::bcast(w[J + j]), w2 = Ops::bcast(w[2 * J + j]),
                w3 = Ops::bcast(w[3 * J + j]);
        const V te = Ops::add64(Ops::add64(Ops::mul_wide(d0, w0), Ops::mul_wide(d1, w1)),
                                Ops::add64(Ops::mul_wide(d2, w2), Ops::mul_wide(d3, w3)));
        const V to = Ops::add64(Ops::add64(Ops::mul_wide(o0, w0), Ops::mul_wide(o1, w1)),
                                Ops::add64(Ops::mul_wide(o2, w2), Ops::mul_wide(o3, w3)));
        a[j] = Ops::addp(a[j], Ops::reduce4(te, to));
      }
    }
    for (; r < rows; ++r) {
      const V d = Ops::load(m + r * stride + c);
      const V o = Ops::odd(d);
      for (size_t j = 0; j < J; ++j) {
        const V w = Ops::bcast(weights[r * J + j]);
        a[j] = Ops::addp(a[j], Ops::reduce4(Ops::mul_wide(d, w), Ops::mul_wide(o, w)));
      }
    }
    for (size_t j = 0; j < J; ++j) Ops::store(acc + j * acc_stride + c, a[j]);
  }
  if (c < cols) weighted_column_sums_scalar(m + c, stride, rows, cols - c, weights, J, acc + c, acc_stride);
}

template <class Isa>
void weighted_column_sums_packed(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                                 const uint32_t* weights, size_t num_weights, uint32_t* acc,
                                 size_t acc_stride) {
  switch (num_weights) {
    case 1:
      return weighted_column_sums_packed_fixed<Isa, 1>(m, stride, rows, cols, weights, acc, acc_stride);
    case 2:
      return weighted_column_sums_packed_fixed<Isa, 2>(m, stride, rows, cols, weights, acc, acc_stride);
    case 3:
      return weighted_column_sums_packed_fixed<Isa, 3>(m, stride, rows, cols, weights, acc, acc_stride);
    case 4:
      return weighted_column_sums_packed_fixed<Isa, 4>(m, stride, rows, cols, weights, acc, acc_stride);
    case 5:
      return weighted_column_sums_packed_fixed<Isa, 5>(m, stride, rows, cols, weights, acc, acc_stride);
    case 6:
      return weighted_column_sums_packed_fixed<Isa, 6>(m, stride, rows, cols, weights, acc, acc_stride);
    case 7:
      return weighted_column_sums_packed_fixed<Isa, 7>(m, stride, rows, cols, weights, acc, acc_stride);
    case 8:
      return weighted_column_sums_packed_fixed<Isa, 8>(m, stride, rows, cols, weights, acc, acc_stride);
    default:
      return weighted_column_sums_scalar(m, stride, rows, cols, weights, num_weights, acc, acc_stride);
  }
}

template <class Isa>
void row_combinations_packed(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                             const uint32_t* const alpha[4], uint32_t* out) {
  using Ops = PackedOps<Isa>;
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  for (size_t r = 0; r < rows; ++r) {
    const uint32_t* row = m + r * stride;
    V acc[4] = {Ops::zero(), Ops::zero(), Ops::zero(), Ops::zero()};
    size_t c = 0;
    for (; c + 4 * L <= cols; c += 4 * L) {
      const V d0 = Ops::load(row + c), d1 = Ops::load(row + c + L), d2 = Ops::load(row + c + 2 * L),
              d3 = Ops::load(row + c + 3 * L);
      const V o0 = Ops::odd(d0), o1 = Ops::odd(d1), o2 = Ops::odd(d2), o3 = Ops::odd(d3);
      for (int e = 0; e < 4; ++e) {
        const uint32_t* a = alpha[e] + c;
        const V te = Ops::add64(
            Ops::add64(Ops::mul_wide(d0, Ops::load(a)), Ops::mul_wide(d1, Ops::load(a + L))),
            Ops::add64(Ops::mul_wide(d2, Ops::load(a + 2 * L)), Ops::mul_wide(d3, Ops::load(a + 3 * L))));
        const V to = Ops::add64(
            Ops::add64(Ops::mul_wide(o0, Ops::load(a + 1)), Ops::mul_wide(o1, Ops::load(a + L + 1))),
            Ops::add64(Ops::mul_wide(o2, Ops::load(a + 2 * L + 1)),
                       Ops::mul_wide(o3, Ops::load(a + 3 * L + 1))));
        acc[e] = Ops::addp(acc[e], Ops::reduce4(te, to));
      }
    }
    for (; c + L <= cols; c += L) {
      const V d = Ops::load(row + c);
      const V o = Ops::odd(d);
      for (int e = 0; e < 4; ++e) {
        const uint32_t* a = alpha[e] + c;
        acc[e] = Ops::addp(acc[e],
                           Ops::reduce4(Ops::mul_wide(d, Ops::load(a)), Ops::mul_wide(o, Ops::load(a + 1))));
      }
    }
    for (int e = 0; e < 4; ++e) {
      uint32_t lanes[L];
      Ops::store(lanes, acc[e]);
      uint32_t s = 0;
      for (size_t l = 0; l < L; ++l) s = detail::add_mod(s, lanes[l]);
      for (size_t t = c; t < cols; ++t)
        s = detail::add_mod(s, detail::monty_reduce(uint64_t(alpha[e][t]) * row[t]));
      out[4 * r + e] = s;
    }
  }
}

}  // namespace stark::fri_detail
