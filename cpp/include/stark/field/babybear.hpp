// BabyBear prime field F_p, p = 2^31 - 2^27 + 1 = 15 * 2^27 + 1.
//
// Elements are stored in Montgomery form: the value x is held as x * R mod p with R = 2^32.
// Montgomery multiplication computes a * b * R^-1 mod p with one 32x32->64 product and a
// reduction that needs no division:
//     q = (t mod 2^32) * MU mod 2^32,  MU = p^-1 mod 2^32
//     (t - q * p) / 2^32 is congruent to t * R^-1 and lies in (-p, p).
// Every value that crosses a public boundary (NumPy arrays, proofs, keys) is canonical, in
// [0, p). A useful consequence used by the NTT and the hash: Montgomery-multiplying a
// *canonical* value by a constant stored in Montgomery form yields the canonical product, so
// bulk data can stay canonical while constants are pre-scaled.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/babybear_params.hpp"
#include "stark/util/force_inline.hpp"

namespace stark {

// Short names of the parameters (defined and checked in babybear_params.hpp).
inline constexpr uint32_t P = field_params::kP;
inline constexpr uint32_t MONTY_MU = field_params::kMontyMu;
inline constexpr uint32_t TWO_ADICITY = field_params::kTwoAdicity;

namespace detail {

// t < p * 2^32. Returns t * 2^-32 mod p in [0, p).
STARK_FORCE_INLINE constexpr uint32_t monty_reduce(uint64_t t) {
  const uint32_t q = uint32_t(t) * MONTY_MU;
  const uint64_t qp = uint64_t(q) * P;
  const uint32_t t_hi = uint32_t(t >> 32);
  const uint32_t qp_hi = uint32_t(qp >> 32);
  const uint32_t r = t_hi - qp_hi;
  return t_hi < qp_hi ? r + P : r;
}

// Any t < 2^64 (e.g. a sum of up to four products of canonical or Montgomery words).
// (t - q p) / 2^32 lies in (-p, 2^32). It is formed in 64-bit signed arithmetic and brought into
// [0, p) with sign masks: GCC compiles the plain comparisons here to branches, which on random
// data mispredict half the time and made extension-field products twice as slow.
constexpr uint32_t monty_reduce_wide(uint64_t t) {
  const uint32_t q = uint32_t(t) * MONTY_MU;
  const uint64_t qp = uint64_t(q) * P;
  constexpr int64_t p = P, two_p = 2 * int64_t(P);
  int64_t r = int64_t(t >> 32) - int64_t(qp >> 32);  // in (-p, 2^32)
  r += p & (r >> 63);                                // [0, 2^32): add p where negative
  int64_t s = r - two_p;
  r = s + (two_p & (s >> 63));  // [0, 2p)
  s = r - p;
  r = s + (p & (s >> 63));  // [0, p)
  return uint32_t(r);
}

STARK_FORCE_INLINE constexpr uint32_t add_mod(uint32_t a, uint32_t b) {
  const uint32_t s = a + b;  // < 2^32 because a, b < 2^31
  return s >= P ? s - P : s;
}
STARK_FORCE_INLINE constexpr uint32_t sub_mod(uint32_t a, uint32_t b) { return a >= b ? a - b : a + P - b; }

// R^2 mod p, used to enter Montgomery form: to_monty(x) = monty_reduce(x * R^2).
inline constexpr uint32_t R2 = field_params::kMontyR2;

}  // namespace detail

/// One element of F_p in Montgomery form. Trivially copyable, 4 bytes, so arrays of Fp may be
/// reinterpreted as arrays of uint32 Montgomery words (the SIMD kernels do).
struct Fp {
  uint32_t mont = 0;  // x * 2^32 mod p

  constexpr Fp() = default;
  static constexpr Fp from_mont(uint32_t m) {
    Fp r;
    r.mont = m;
    return r;
  }
  /// x must be canonical (< p).
  static constexpr Fp from_canonical(uint32_t x) {
    return from_mont(detail::monty_reduce(uint64_t(x) * detail::R2));
  }
  /// Any 64-bit integer, reduced mod p.
  static constexpr Fp from_u64(uint64_t x) { return from_canonical(uint32_t(x % P)); }
  constexpr uint32_t canonical() const { return detail::monty_reduce(mont); }

  static constexpr Fp zero() { return Fp(); }
  static constexpr Fp one() { return from_canonical(1); }

  constexpr bool is_zero() const { return mont == 0; }
  constexpr bool operator==(const Fp& o) const { return mont == o.mont; }
  constexpr bool operator!=(const Fp& o) const { return mont != o.mont; }

  constexpr Fp operator+(Fp o) const { return from_mont(detail::add_mod(mont, o.mont)); }
  constexpr Fp operator-(Fp o) const { return from_mont(detail::sub_mod(mont, o.mont)); }
  constexpr Fp operator-() const { return from_mont(mont == 0 ? 0 : P - mont); }
  constexpr Fp operator*(Fp o) const { return from_mont(detail::monty_reduce(uint64_t(mont) * o.mont)); }
  constexpr Fp& operator+=(Fp o) { return *this = *this + o; }
  constexpr Fp& operator-=(Fp o) { return *this = *this - o; }
  constexpr Fp& operator*=(Fp o) { return *this = *this * o; }

  constexpr Fp square() const { return *this * *this; }
  constexpr Fp pow(uint64_t e) const {
    Fp base = *this, acc = one();
    while (e) {
      if (e & 1) acc *= base;
      base = base.square();
      e >>= 1;
    }
    return acc;
  }
  /// Multiplicative inverse by Fermat; inverse(0) = 0 (callers check for zero where it matters).
  constexpr Fp inverse() const { return pow(P - 2); }
  /// Halving is a field operation: (x + p*(x odd)) / 2, valid in any scaling (Montgomery too).
  constexpr Fp halve() const {
    return from_mont((mont & 1) ? uint32_t((uint64_t(mont) + P) >> 1) : mont >> 1);
  }
};
static_assert(sizeof(Fp) == 4);

/// Multiplicative generator of F_p^* (31), the fixed LDE coset shift.
inline constexpr Fp generator() { return Fp::from_canonical(field_params::kGenerator); }

/// Primitive 2^bits-th root of unity (two_adic_generator(bits)); bits <= 27.
inline constexpr Fp two_adic_generator(uint32_t bits) {
  return Fp::from_canonical(field_params::kTwoAdicGenerators[bits]);
}

/// Canonical helpers for code that keeps bulk data canonical (see file comment).
/// monty_mul_canonical(x, c) = x * c mod p for canonical x and c given in Montgomery form.
inline constexpr uint32_t mul_canonical_by_mont(uint32_t x, Fp c) {
  return detail::monty_reduce(uint64_t(x) * c.mont);
}

/// In-place batch inversion (Montgomery's trick): 3(n-1) multiplications and one inversion.
/// Zero inputs are left as zero and do not poison the other results.
void batch_inverse(Fp* values, size_t n);

}  // namespace stark
