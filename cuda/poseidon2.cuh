// Per-thread bodies of the Poseidon2 kernels (host- and device-compilable; see field.cuh).
//
// Poseidon2 over BabyBear, width 16, S-box x^7 (docs/protocol.md §1, third_party/reference/
// poseidon2_babybear.json "permutation_algorithm"):
//   state = M_ext * state
//   4 x { state += rc_ext_init[r];  state = state^7;        state = M_ext * state }
//   13 x { state[0] += rc_int[r];   state[0] = state[0]^7;  state = M_int * state }
//   4 x { state += rc_ext_term[r];  state = state^7;        state = M_ext * state }
// M_ext: MDSLight over circ(2,3,1,1) — each 4-chunk x goes to y = mat4 * x, then
//   out[i] = y[i] + sum_{j = i mod 4} y[j];
// M_int = J + diag(V): out[i] = sum(x) + V_i * x_i.
// Padding-free sponge (§1.1): rate 8, overwrite mode, digest = state[0..8); empty input -> 0.
#pragma once

#include "field.cuh"
#include "stark/generated_constants.hpp"

namespace stark::cuda::kernels {

inline constexpr int kWidth = 16;
inline constexpr int kRate = 8;
inline constexpr int kDigest = 8;
inline constexpr int kHalfFull = constants::kPoseidon2RoundsF / 2;
inline constexpr int kPartial = constants::kPoseidon2RoundsP;
static_assert(constants::kPoseidon2Width == kWidth, "the kernels are written for width 16");

/// Round constants and the internal diagonal, all in Montgomery form. Lives in __constant__
/// memory on the device (every thread of a warp reads the same word: a broadcast).
struct Poseidon2Constants {
  uint32_t initial[kHalfFull][kWidth];
  uint32_t internal[kPartial];
  uint32_t terminal[kHalfFull][kWidth];
  uint32_t diag[kWidth];
};

/// Built at compile time from the generated constants (never retyped).
constexpr Poseidon2Constants make_poseidon2_constants() {
  Poseidon2Constants k{};
  for (int r = 0; r < kHalfFull; ++r)
    for (int i = 0; i < kWidth; ++i) {
      k.initial[r][i] = Fp::from_canonical(constants::kPoseidon2ExternalInitial[r][i]).mont;
      k.terminal[r][i] = Fp::from_canonical(constants::kPoseidon2ExternalTerminal[r][i]).mont;
    }
  for (int r = 0; r < kPartial; ++r)
    k.internal[r] = Fp::from_canonical(constants::kPoseidon2Internal[r]).mont;
  for (int i = 0; i < kWidth; ++i) k.diag[i] = Fp::from_canonical(constants::kPoseidon2InternalDiagV[i]).mont;
  return k;
}

STARK_HD Fp sbox(Fp x) {
  const Fp x2 = x * x;
  const Fp x3 = x2 * x;
  const Fp x6 = x3 * x3;
  return x6 * x;
}

/// circ(2,3,1,1) on one chunk: with s = a+b+c+d,
/// (2a+3b+c+d, a+2b+3c+d, a+b+2c+3d, 3a+b+c+2d) = (s+a+2b, s+b+2c, s+c+2d, s+d+2a).
STARK_HD void mat4(Fp& a, Fp& b, Fp& c, Fp& d) {
  const Fp s = (a + b) + (c + d);
  const Fp ya = s + a + (b + b);
  const Fp yb = s + b + (c + c);
  const Fp yc = s + c + (d + d);
  const Fp yd = s + d + (a + a);
  a = ya;
  b = yb;
  c = yc;
  d = yd;
}

STARK_HD void external_layer(Fp s[kWidth]) {
  STARK_UNROLL
  for (int c = 0; c < kWidth; c += 4) mat4(s[c], s[c + 1], s[c + 2], s[c + 3]);
  Fp t[4];
  STARK_UNROLL
  for (int k = 0; k < 4; ++k) t[k] = (s[k] + s[4 + k]) + (s[8 + k] + s[12 + k]);
  STARK_UNROLL
  for (int i = 0; i < kWidth; ++i) s[i] += t[i & 3];
}

STARK_HD void internal_layer(Fp s[kWidth], const Poseidon2Constants& k) {
  Fp sum = s[0];
  STARK_UNROLL
  for (int i = 1; i < kWidth; ++i) sum += s[i];
  STARK_UNROLL
  for (int i = 0; i < kWidth; ++i) s[i] = sum + s[i] * Fp::from_mont(k.diag[i]);
}

STARK_HD void full_round(Fp s[kWidth], const uint32_t rc[kWidth]) {
  STARK_UNROLL
  for (int i = 0; i < kWidth; ++i) s[i] = sbox(s[i] + Fp::from_mont(rc[i]));
  external_layer(s);
}

/// The permutation on a Montgomery-form state.
STARK_HD void permute(Fp s[kWidth], const Poseidon2Constants& k) {
  external_layer(s);
  STARK_UNROLL
  for (int r = 0; r < kHalfFull; ++r) full_round(s, k.initial[r]);
  STARK_UNROLL
  for (int r = 0; r < kPartial; ++r) {
    s[0] = sbox(s[0] + Fp::from_mont(k.internal[r]));
    internal_layer(s, k);
  }
  STARK_UNROLL
  for (int r = 0; r < kHalfFull; ++r) full_round(s, k.terminal[r]);
}

/// The permutation on a canonical state, in place.
STARK_HD void permute_canonical(uint32_t state[kWidth], const Poseidon2Constants& k) {
  Fp s[kWidth];
  STARK_UNROLL
  for (int i = 0; i < kWidth; ++i) s[i] = load_canonical(state[i]);
  permute(s, k);
  STARK_UNROLL
  for (int i = 0; i < kWidth; ++i) state[i] = s[i].canonical();
}

/// Padding-free sponge of one row of `width` canonical values; writes 8 canonical words.
STARK_HD void sponge_row(const uint32_t* row, size_t width, uint32_t* digest, const Poseidon2Constants& k) {
  Fp s[kWidth];
  STARK_UNROLL
  for (int i = 0; i < kWidth; ++i) s[i] = Fp::zero();
  for (size_t start = 0; start < width; start += kRate) {
    const size_t len = width - start < size_t(kRate) ? width - start : size_t(kRate);
    // Overwrite mode: only state[0..len) take the block; constant indices keep s in registers.
    // (Written as a select: the equivalent `if (j < len) s[j] = ...` crashes cicc 13.0.)
    STARK_UNROLL
    for (int j = 0; j < kRate; ++j) {
      const Fp x = size_t(j) < len ? load_canonical(row[start + j]) : s[j];
      s[j] = x;
    }
    permute(s, k);
  }
  STARK_UNROLL
  for (int j = 0; j < kDigest; ++j) digest[j] = s[j].canonical();
}

}  // namespace stark::cuda::kernels
