// The BN254 scalar field F_r (r =
// 21888242871839275222246405745257275088548364400416034343698204186575808495617, ~2^253.6), for the root
// configuration's Poseidon2 (stark/hash/bn254_poseidon2.hpp). Elements are 4 × 64-bit limbs, little-endian,
// in Montgomery form (a·2^256 mod r); multiplication is the coarsely integrated operand-scanning Montgomery
// product on 64×64→128-bit products (the compiler emits mulx/adcx/adox where the target has them). The prime
// comes from the reference data (third_party/reference/poseidon2_bn254_t3.json); every derived constant is
// computed from it at compile time.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "stark/generated_constants.hpp"
#include "stark/util/force_inline.hpp"

namespace stark::bn254 {

using Limbs = std::array<uint64_t, 4>;  // little-endian 64-bit limbs

namespace detail {

constexpr Limbs parse_decimal(const char* s) {
  Limbs v{};
  for (; *s; ++s) {
    unsigned __int128 carry = uint64_t(*s - '0');
    for (auto& limb : v) {
      const unsigned __int128 t = (unsigned __int128)limb * 10 + carry;
      limb = uint64_t(t);
      carry = t >> 64;
    }
  }
  return v;
}

constexpr bool geq(const Limbs& a, const Limbs& b) {
  for (int i = 3; i >= 0; --i) {
    if (a[i] != b[i]) return a[i] > b[i];
  }
  return true;
}

// a - b (a >= b).
constexpr Limbs sub_limbs(const Limbs& a, const Limbs& b) {
  Limbs r{};
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    const unsigned __int128 t = (unsigned __int128)a[i] - b[i] - borrow;
    r[i] = uint64_t(t);
    borrow = uint64_t(t >> 64) & 1;
  }
  return r;
}

inline constexpr Limbs kModulus = parse_decimal(constants::kBn254Prime);

// -r^-1 mod 2^64 (Newton: each step doubles the correct low bits).
constexpr uint64_t neg_inverse(uint64_t r0) {
  uint64_t x = 1;
  for (int i = 0; i < 6; ++i) x *= 2 - r0 * x;
  return ~x + 1;
}
inline constexpr uint64_t kInv = neg_inverse(kModulus[0]);

// 2^k mod r by doubling from 1.
constexpr Limbs pow2_mod(int k) {
  Limbs v{1, 0, 0, 0};
  for (int i = 0; i < k; ++i) {
    uint64_t carry = 0;
    for (auto& limb : v) {
      const uint64_t next = limb >> 63;
      limb = (limb << 1) | carry;
      carry = next;
    }
    if (carry || geq(v, kModulus)) v = sub_limbs(v, kModulus);
  }
  return v;
}
inline constexpr Limbs kR = pow2_mod(256);   // Montgomery one
inline constexpr Limbs kR2 = pow2_mod(512);  // to Montgomery form

static_assert(kModulus[3] >> 62 == 0, "BN254 r must leave two spare bits in the top limb");

}  // namespace detail

/// An element in Montgomery form.
struct Fr {
  Limbs m{};

  bool operator==(const Fr&) const = default;
};

namespace detail {

using u128 = unsigned __int128;

// lo + carry-out of a + b + carry_in (carry 0/1). On x86 the carry-flag intrinsics: GCC's
// code for 128-bit sums spills the halves through the stack (~4x slower).
STARK_FORCE_INLINE inline uint64_t adc(uint64_t a, uint64_t b, uint64_t& carry) {
#if defined(__x86_64__)
  unsigned long long out;
  carry = _addcarry_u64(static_cast<unsigned char>(carry), a, b, &out);
  return out;
#else
  const u128 t = u128(a) + b + carry;
  carry = uint64_t(t >> 64);
  return uint64_t(t);
#endif
}
// a - b - borrow_in, borrow 0/1.
STARK_FORCE_INLINE inline uint64_t sbb(uint64_t a, uint64_t b, uint64_t& borrow) {
#if defined(__x86_64__)
  unsigned long long out;
  borrow = _subborrow_u64(static_cast<unsigned char>(borrow), a, b, &out);
  return out;
#else
  const u128 t = u128(a) - b - borrow;
  borrow = uint64_t(t >> 64) & 1;
  return uint64_t(t);
#endif
}
// t + a * b + carry: returns the low word, carry := the high word (never overflows: the sum
// is below 2^128).
STARK_FORCE_INLINE inline uint64_t mac(uint64_t t, uint64_t a, uint64_t b, uint64_t& carry) {
  const u128 x = u128(a) * b + t + carry;
  carry = uint64_t(x >> 64);
  return uint64_t(x);
}

// v mod r for v < 2r (v = v0..v3 + high·2^256). Branch-free, scalar (a vector blend of limbs
// just written by scalar code stalls on store forwarding).
STARK_FORCE_INLINE inline Limbs reduce_once(uint64_t v0, uint64_t v1, uint64_t v2, uint64_t v3,
                                            uint64_t high) {
  uint64_t borrow = 0;
  const uint64_t d0 = sbb(v0, kModulus[0], borrow);
  const uint64_t d1 = sbb(v1, kModulus[1], borrow);
  const uint64_t d2 = sbb(v2, kModulus[2], borrow);
  const uint64_t d3 = sbb(v3, kModulus[3], borrow);
  (void)sbb(high, 0, borrow);                  // borrow survives only if v < r
  const uint64_t keep = uint64_t(0) - borrow;  // all ones: v < r, keep v
  return {(v0 & keep) | (d0 & ~keep), (v1 & keep) | (d1 & ~keep), (v2 & keep) | (d2 & ~keep),
          (v3 & keep) | (d3 & ~keep)};
}

}  // namespace detail

STARK_FORCE_INLINE inline Fr add(const Fr& a, const Fr& b) {
  uint64_t carry = 0;
  const uint64_t s0 = detail::adc(a.m[0], b.m[0], carry);
  const uint64_t s1 = detail::adc(a.m[1], b.m[1], carry);
  const uint64_t s2 = detail::adc(a.m[2], b.m[2], carry);
  const uint64_t s3 = detail::adc(a.m[3], b.m[3], carry);
  // a + b < 2r < 2^255: no carry out of the top limb.
  return {detail::reduce_once(s0, s1, s2, s3, 0)};
}

namespace detail {
// One CIOS round: t := (t + a·bi + q·r) / 2^64 with q chosen to clear the low word.
STARK_FORCE_INLINE inline void mont_round(const Limbs& a, uint64_t bi, uint64_t& t0, uint64_t& t1,
                                          uint64_t& t2, uint64_t& t3, uint64_t& t4) {
  uint64_t c = 0;
  t0 = mac(t0, a[0], bi, c);
  t1 = mac(t1, a[1], bi, c);
  t2 = mac(t2, a[2], bi, c);
  t3 = mac(t3, a[3], bi, c);
  uint64_t cc = 0;
  t4 = adc(t4, c, cc);
  const uint64_t q = t0 * kInv;
  c = 0;
  (void)mac(t0, q, kModulus[0], c);
  t0 = mac(t1, q, kModulus[1], c);
  t1 = mac(t2, q, kModulus[2], c);
  t2 = mac(t3, q, kModulus[3], c);
  uint64_t c2 = 0;
  t3 = adc(t4, c, c2);
  t4 = cc + c2;
}
}  // namespace detail

// Montgomery product a·b·2^-256 mod r (CIOS, four unrolled rounds).
STARK_FORCE_INLINE inline Fr mul(const Fr& a, const Fr& b) {
  uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
  detail::mont_round(a.m, b.m[0], t0, t1, t2, t3, t4);
  detail::mont_round(a.m, b.m[1], t0, t1, t2, t3, t4);
  detail::mont_round(a.m, b.m[2], t0, t1, t2, t3, t4);
  detail::mont_round(a.m, b.m[3], t0, t1, t2, t3, t4);
  return {detail::reduce_once(t0, t1, t2, t3, t4)};
}

STARK_FORCE_INLINE inline Fr dbl(const Fr& a) { return add(a, a); }

/// x^5.
STARK_FORCE_INLINE inline Fr pow5(const Fr& x) {
  const Fr x2 = mul(x, x);
  const Fr x4 = mul(x2, x2);
  return mul(x4, x);
}

inline Fr zero() { return {}; }
inline Fr one() { return {detail::kR}; }

/// Whether a (little-endian limbs) is below r.
inline bool is_canonical(const Limbs& a) { return !detail::geq(a, detail::kModulus); }

/// a < 2^256 reduced mod r, into Montgomery form.
Fr from_limbs_reduce(Limbs a);
/// a < r into Montgomery form.
inline Fr from_canonical(const Limbs& a) { return mul(Fr{a}, Fr{detail::kR2}); }
/// The canonical value (< r).
inline Limbs to_canonical(const Fr& a) { return mul(a, Fr{{1, 0, 0, 0}}).m; }

inline Fr from_u64(uint64_t v) { return from_canonical({v, 0, 0, 0}); }

/// "0x…" (or bare) hex, < r; InputError otherwise.
Limbs parse_hex(const std::string& hex);
/// Canonical value as "0x" + 64 hex digits.
std::string to_hex(const Limbs& a);

}  // namespace stark::bn254
