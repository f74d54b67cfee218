// Quartic extension E = F_p[X] / (X^4 - W), W = 11 (irreducible over BabyBear).
//
// An element is (c0, c1, c2, c3) = c0 + c1 X + c2 X^2 + c3 X^3. The product follows from
// X^4 = W:  (a*b)_m = sum_{i+j=m} a_i b_j + W * sum_{i+j=m+4} a_i b_j.
// This is the challenge field of the proof system (Plonky3 BinomialExtensionField<BabyBear,4>).
#pragma once

#include <array>

#include "stark/field/babybear.hpp"

namespace stark {

struct Ext4 {
  std::array<Fp, 4> c{};

  constexpr Ext4() = default;
  constexpr explicit Ext4(Fp base) : c{base, Fp(), Fp(), Fp()} {}
  constexpr Ext4(Fp c0, Fp c1, Fp c2, Fp c3) : c{c0, c1, c2, c3} {}

  static constexpr Ext4 zero() { return Ext4(); }
  static constexpr Ext4 one() { return Ext4(Fp::one()); }
  static constexpr Ext4 from_canonical(const uint32_t v[4]) {
    return Ext4(Fp::from_canonical(v[0]), Fp::from_canonical(v[1]), Fp::from_canonical(v[2]),
                Fp::from_canonical(v[3]));
  }
  constexpr void to_canonical(uint32_t out[4]) const {
    for (int i = 0; i < 4; ++i) out[i] = c[i].canonical();
  }

  constexpr bool is_zero() const {
    return c[0].is_zero() && c[1].is_zero() && c[2].is_zero() && c[3].is_zero();
  }
  constexpr bool operator==(const Ext4& o) const { return c == o.c; }
  constexpr bool operator!=(const Ext4& o) const { return !(c == o.c); }

  constexpr Ext4 operator+(const Ext4& o) const {
    return Ext4(c[0] + o.c[0], c[1] + o.c[1], c[2] + o.c[2], c[3] + o.c[3]);
  }
  constexpr Ext4 operator-(const Ext4& o) const {
    return Ext4(c[0] - o.c[0], c[1] - o.c[1], c[2] - o.c[2], c[3] - o.c[3]);
  }
  constexpr Ext4 operator-() const { return Ext4(-c[0], -c[1], -c[2], -c[3]); }
  constexpr Ext4 operator*(Fp s) const { return Ext4(c[0] * s, c[1] * s, c[2] * s, c[3] * s); }
  constexpr Ext4 operator+(Fp s) const { return Ext4(c[0] + s, c[1], c[2], c[3]); }
  constexpr Ext4 operator-(Fp s) const { return Ext4(c[0] - s, c[1], c[2], c[3]); }

  // Schoolbook product with delayed reduction. Each output coefficient is a sum of four
  // products of Montgomery words (< 4 p^2 < 2^64), reduced once by monty_reduce_wide. The
  // terms that wrap past X^3 use W * b_j, precomputed mod p.
  constexpr Ext4 operator*(const Ext4& o) const {
    const uint64_t a0 = c[0].mont, a1 = c[1].mont, a2 = c[2].mont, a3 = c[3].mont;
    const uint64_t b0 = o.c[0].mont, b1 = o.c[1].mont, b2 = o.c[2].mont, b3 = o.c[3].mont;
    const uint64_t w = field_params::kExtensionW;
    const uint64_t wb1 = w * b1 % P, wb2 = w * b2 % P, wb3 = w * b3 % P;
    using detail::monty_reduce_wide;
    return Ext4(Fp::from_mont(monty_reduce_wide(a0 * b0 + a1 * wb3 + a2 * wb2 + a3 * wb1)),
                Fp::from_mont(monty_reduce_wide(a0 * b1 + a1 * b0 + a2 * wb3 + a3 * wb2)),
                Fp::from_mont(monty_reduce_wide(a0 * b2 + a1 * b1 + a2 * b0 + a3 * wb3)),
                Fp::from_mont(monty_reduce_wide(a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0)));
  }
  constexpr Ext4& operator+=(const Ext4& o) { return *this = *this + o; }
  constexpr Ext4& operator-=(const Ext4& o) { return *this = *this - o; }
  constexpr Ext4& operator*=(const Ext4& o) { return *this = *this * o; }

  constexpr Ext4 square() const { return *this * *this; }
  constexpr Ext4 pow(uint64_t e) const {
    Ext4 base = *this, acc = one();
    while (e) {
      if (e & 1) acc *= base;
      base = base.square();
      e >>= 1;
    }
    return acc;
  }
  /// Inverse via the norm to F_p: a^-1 = conj(a) / N(a), where conj(a) = a^(p + p^2 + p^3).
  /// Returns zero for zero.
  Ext4 inverse() const;
  /// Frobenius a -> a^p: coefficient i is multiplied by (W^((p-1)/4))^i.
  Ext4 frobenius() const;
};

}  // namespace stark
