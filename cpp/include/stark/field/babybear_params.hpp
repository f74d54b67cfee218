// The parameters of BabyBear and of its quartic extension, defined once for every layer: the
// scalar field (babybear.hpp), the SIMD kernels (packed_field.hpp and the per-ISA policies), the
// NTT, the hash and the CUDA kernels. Plain constexpr C++ with no intrinsics, so host compilers
// and nvcc read it alike.
//
// The numbers come from third_party/reference/babybear.json through the generated header
// (cmake/GenerateConstants.cmake); what can be computed from p is computed here, and the
// static_asserts below check every relation the arithmetic relies on, so a wrong number in the
// JSON stops the build instead of producing wrong proofs.
#pragma once

#include <cstdint>

#include "stark/generated_constants.hpp"

namespace stark::field_params {

/// p = 2^31 - 2^27 + 1 = 15 * 2^27 + 1.
inline constexpr uint32_t kP = constants::kBabyBearP;
/// Montgomery constant MU = p^-1 mod 2^32 (Montgomery radix R = 2^32).
inline constexpr uint32_t kMontyMu = constants::kBabyBearMontyMu;
/// R mod p = 2^32 mod p: the Montgomery word of 1.
inline constexpr uint32_t kMontyOne = uint32_t((uint64_t(1) << 32) % kP);
/// R^2 mod p = 2^64 mod p: a Montgomery product with it turns a canonical word into its
/// Montgomery word (and a Montgomery product of two canonical words back into their product).
inline constexpr uint32_t kMontyR2 = uint32_t(uint64_t(kMontyOne) * kMontyOne % kP);
/// (p + 1) / 2, the canonical 1/2 (halving an odd x adds it to x >> 1).
inline constexpr uint32_t kHalfPPlus1 = (kP + 1) / 2;

/// Largest k with 2^k | p - 1.
inline constexpr uint32_t kTwoAdicity = uint32_t(constants::kBabyBearTwoAdicity);
/// Multiplicative generator of F_p^* (canonical), the LDE coset shift.
inline constexpr uint32_t kGenerator = constants::kBabyBearGenerator;
/// kTwoAdicGenerators[k]: a primitive 2^k-th root of unity (canonical), k = 0 .. kTwoAdicity.
inline constexpr const uint32_t (&kTwoAdicGenerators)[kTwoAdicity + 1] = constants::kTwoAdicGenerators;

/// The extension E = F_p[X] / (X^4 - W).
inline constexpr uint32_t kExtensionDegree = 4;
inline constexpr uint32_t kExtensionW = constants::kExtensionW;
/// W in Montgomery form (the SIMD extension products multiply by it).
inline constexpr uint32_t kExtensionWMont = uint32_t(uint64_t(kExtensionW) * kMontyOne % kP);

namespace checks {

constexpr uint64_t mul_mod(uint64_t a, uint64_t b) { return a * b % kP; }
constexpr uint64_t pow_mod(uint64_t a, uint64_t e) {
  uint64_t r = 1;
  for (; e != 0; e >>= 1, a = mul_mod(a, a))
    if (e & 1) r = mul_mod(r, a);
  return r;
}
// Each generator is the square of the next one and generator 1 is -1, so generator k has order
// exactly 2^k.
constexpr bool two_adic_chain_holds() {
  if (kTwoAdicGenerators[0] != 1 || kTwoAdicGenerators[1] != kP - 1) return false;
  for (uint32_t k = 1; k <= kTwoAdicity; ++k) {
    if (kTwoAdicGenerators[k] >= kP) return false;
    if (mul_mod(kTwoAdicGenerators[k], kTwoAdicGenerators[k]) != kTwoAdicGenerators[k - 1]) return false;
  }
  return true;
}

}  // namespace checks

// Word arithmetic: lazy sums a + b of canonical words fit in 32 bits, and signed 32-bit lanes
// hold (-p, p).
static_assert(kP % 2 == 1 && kP < (uint32_t(1) << 31), "p must be an odd 31-bit prime");
static_assert(uint64_t(kP) == (uint64_t(15) << 27) + 1,
              "p - 1 = 15 * 2^27: the Poseidon2 kernels use 2^-k = -15 * 2^(27-k) mod p");
static_assert(uint32_t(uint64_t(kP) * kMontyMu) == 1u, "MU must be p^-1 mod 2^32");
static_assert(kMontyR2 == (uint64_t(-1) % kP + 1) % kP, "R2 must be 2^64 mod p");
static_assert(checks::mul_mod(kHalfPPlus1, 2) == 1, "(p + 1) / 2 must be 1/2");

// Two-adic structure: the NTT domains of size up to 2^kTwoAdicity.
static_assert((kP - 1) % (uint32_t(1) << kTwoAdicity) == 0 && ((kP - 1) >> kTwoAdicity) % 2 == 1,
              "2^kTwoAdicity must be the largest power of two dividing p - 1");
static_assert(checks::two_adic_chain_holds(), "two-adic generators: g_k^2 = g_(k-1), g_1 = -1, g_0 = 1");
static_assert(checks::pow_mod(kGenerator, (kP - 1) >> kTwoAdicity) == kTwoAdicGenerators[kTwoAdicity],
              "the largest two-adic generator must be generator^((p-1) / 2^27)");
static_assert(checks::pow_mod(kGenerator, (kP - 1) / 2) != 1 &&
                  checks::pow_mod(kGenerator, (kP - 1) / 3) != 1 &&
                  checks::pow_mod(kGenerator, (kP - 1) / 5) != 1,
              "the generator must have order p - 1 (p - 1 = 2^27 * 3 * 5)");

// The extension: X^4 - W is irreducible iff W is not a square (4 | p - 1, so -4 is a fourth
// power); the Frobenius (extension.cpp) multiplies coefficient i by (W^((p-1)/4))^i and takes
// W^((p-1)/4) as two_adic_generator(2).
static_assert(kP % 4 == 1 && checks::pow_mod(kExtensionW, (kP - 1) / 2) == kP - 1,
              "W must be a quadratic non-residue (X^4 - W irreducible)");
static_assert(checks::pow_mod(kExtensionW, (kP - 1) / 4) == kTwoAdicGenerators[2],
              "W^((p-1)/4) must equal two_adic_generator(2)");
static_assert(uint64_t(kExtensionWMont) == checks::mul_mod(kExtensionW, kMontyOne));

}  // namespace stark::field_params
