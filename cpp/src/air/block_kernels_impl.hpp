// The block-interpreter kernels written once over a "packed field" policy P and instantiated
// per SIMD level (block_kernels.cpp: scalar, block_kernels_avx2.cpp, block_kernels_avx512.cpp).
//
// P provides: type V (kLanes Montgomery words), load, store, broadcast, add, sub, neg, mul
// (Montgomery product a·b·2^-32) and mul_const (same product when the second operand is a
// broadcast). Each translation unit defines its policy in an anonymous namespace, so every
// instantiation below has internal linkage and code compiled with AVX flags can never be picked
// by the linker for another level.
//
// Extension arithmetic in E = F[X]/(X^4 - W), W = 11, per lane:
//   c0 = a0 b0 + W (a1 b3 + a2 b2 + a3 b1)      c1 = a0 b1 + a1 b0 + W (a2 b3 + a3 b2)
//   c2 = a0 b2 + a1 b1 + a2 b0 + W a3 b3         c3 = a0 b3 + a1 b2 + a2 b1 + a3 b0
#pragma once

#include <cstddef>
#include <cstdint>

#include "block_kernels.hpp"
#include "stark/field/babybear.hpp"

namespace stark::air_detail {

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
  static void add_const(uint32_t* d, const uint32_t* a, uint32_t c, size_t n) {
    const V cv = P::broadcast(c);
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::add(P::load(a + i), cv));
  }
  static void sub_const(uint32_t* d, const uint32_t* a, uint32_t c, size_t n) {
    const V cv = P::broadcast(c);
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::sub(P::load(a + i), cv));
  }
  static void const_sub(uint32_t* d, const uint32_t* a, uint32_t c, size_t n) {
    const V cv = P::broadcast(c);
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::sub(cv, P::load(a + i)));
  }
  static void mul_const(uint32_t* d, const uint32_t* a, uint32_t c, size_t n) {
    const V cv = P::broadcast(c);
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::mul_const(P::load(a + i), cv));
  }
  static void to_montgomery(uint32_t* d, const uint32_t* a, size_t n) {
    const V r2 = P::broadcast(kR2);
    for (size_t i = 0; i < n; i += L) P::store(d + i, P::mul_const(P::load(a + i), r2));
  }

  static void ext_product(const V a[4], const V b[4], V c[4]) {
    const V w = P::broadcast(kWMont);
    const V wb1 = P::mul_const(b[1], w), wb2 = P::mul_const(b[2], w), wb3 = P::mul_const(b[3], w);
    c[0] = P::add(P::add(P::mul(a[0], b[0]), P::mul(a[1], wb3)), P::add(P::mul(a[2], wb2), P::mul(a[3], wb1)));
    c[1] = P::add(P::add(P::mul(a[0], b[1]), P::mul(a[1], b[0])), P::add(P::mul(a[2], wb3), P::mul(a[3], wb2)));
    c[2] = P::add(P::add(P::mul(a[0], b[2]), P::mul(a[1], b[1])), P::add(P::mul(a[2], b[0]), P::mul(a[3], wb3)));
    c[3] = P::add(P::add(P::mul(a[0], b[3]), P::mul(a[1], b[2])), P::add(P::mul(a[2], b[1]), P::mul(a[3], b[0])));
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
  static void accumulate_base(uint32_t* acc, const uint32_t* src, const uint32_t coeff[4], size_t s, size_t n) {
    const V c0 = P::broadcast(coeff[0]), c1 = P::broadcast(coeff[1]), c2 = P::broadcast(coeff[2]),
            c3 = P::broadcast(coeff[3]);
    for (size_t i = 0; i < n; i += L) {
      const V x = P::load(src + i);
      P::store(acc + i, P::add(P::load(acc + i), P::mul_const(x, c0)));
      P::store(acc + s + i, P::add(P::load(acc + s + i), P::mul_const(x, c1)));
      P::store(acc + 2 * s + i, P::add(P::load(acc + 2 * s + i), P::mul_const(x, c2)));
      P::store(acc + 3 * s + i, P::add(P::load(acc + 3 * s + i), P::mul_const(x, c3)));
    }
  }
  static void accumulate_ext(uint32_t* acc, const uint32_t* src, const uint32_t coeff[4], size_t s, size_t n) {
    const V cv[4] = {P::broadcast(coeff[0]), P::broadcast(coeff[1]), P::broadcast(coeff[2]), P::broadcast(coeff[3])};
    for (size_t i = 0; i < n; i += L) {
      V xv[4], pv[4];
      for (size_t e = 0; e < 4; ++e) xv[e] = P::load(src + e * s + i);
      ext_product(xv, cv, pv);
      for (size_t e = 0; e < 4; ++e) P::store(acc + e * s + i, P::add(P::load(acc + e * s + i), pv[e]));
    }
  }

  static BlockKernels table() {
    BlockKernels k{};
    k.add = &add;
    k.sub = &sub;
    k.mul = &mul;
    k.neg = &neg;
    k.add_const = &add_const;
    k.sub_const = &sub_const;
    k.const_sub = &const_sub;
    k.mul_const = &mul_const;
    k.to_montgomery = &to_montgomery;
    k.ext_mul = &ext_mul;
    k.ext_mul_base = &ext_mul_base;
    k.accumulate_base = &accumulate_base;
    k.accumulate_ext = &accumulate_ext;
    return k;
  }
};

}  // namespace stark::air_detail
