// Vector kernels of the block interpreter (private to the AIR layer).
//
// Every kernel works on arrays of Montgomery words of one block: `n` elements, n a multiple of
// kBlockAlign (so every SIMD level processes whole registers; callers pad blocks). Extension
// values are stored as structure-of-arrays: coefficient e of an E vector lives `stride` words
// after coefficient e-1. Destinations may alias sources exactly (each lane group is loaded
// before it is stored), never partially.
//
// There are three builds of the same kernels — portable scalar, AVX2 and AVX-512 — selected by
// simd::active() through kernels_for().
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/babybear.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/force_inline.hpp"

namespace stark::air_detail {

/// Every kernel length is a multiple of this (the widest register holds 16 words).
inline constexpr size_t kBlockAlign = 16;

/// 2p^2, the bias that makes a signed delayed-reduction sum non-negative.
inline constexpr uint64_t kTwoPSquared = 2 * uint64_t(P) * uint64_t(P);

/// Representative of a word in (-p/2, p/2), as the bits of an int32.
STARK_FORCE_INLINE inline constexpr uint32_t centered(uint32_t word) {
  return word > (P - 1) / 2 ? word - P : word;
}

/// One term of a batched fold: the F vector at arena offset `offset`, weighted by the E
/// constant `coeff` (Montgomery words, each stored centered: as the bits of the int32
/// representative in (-p/2, p/2)).
struct BatchTerm {
  uint32_t offset;
  uint32_t coeff[4];
};

/// One term of a linear combination: the F vector at arena offset `offset` (for scaled terms
/// multiplied by the Montgomery word `coeff`). A product term x·y takes two entries (x with the
/// coefficient, then y).
struct LinTerm {
  uint32_t offset;
  uint32_t coeff;
};

/// dst = c0 + Σ x - Σ x + Σ x·y - Σ x·y + Σ c·x + Σ c·x·y ± 2^s·Σ_j 2^j·z_j: the terms, starting
/// at `first`, come grouped in that order with count[0..5] terms per group, then the
/// chain_length terms z_0, z_1, ... of a binary chain (bit compositions), which is evaluated by
/// Horner's rule with doublings instead of multiplications.
struct LinHeader {
  uint32_t c0;
  uint32_t first;
  uint16_t count[6];
  uint16_t chain_length;
  uint8_t chain_shift;     // s
  uint8_t chain_negative;  // subtract the chain
};

/// Linear combinations of at most three terms (at most 2 plus, 2 minus and 1 of each other
/// group) have unrolled kernels, without loops over their terms.
namespace lin_shape {
inline constexpr int kCaps[6] = {2, 2, 1, 1, 1, 1};
/// Mixed-radix code of a count vector within the caps (0 .. 143).
constexpr int code(const int c[6]) {
  int v = 0;
  for (int k = 0; k < 6; ++k) v = v * (kCaps[k] + 1) + c[k];
  return v;
}
constexpr void decode(int v, int c[6]) {
  for (int k = 6; k-- > 0;) {
    c[k] = v % (kCaps[k] + 1);
    v /= kCaps[k] + 1;
  }
}
inline constexpr int kNumCodes = 3 * 3 * 2 * 2 * 2 * 2;
constexpr bool has_kernel(int v) {
  int c[6] = {};
  decode(v, c);
  const int total = c[0] + c[1] + c[2] + c[3] + c[4] + c[5];
  return total >= 1 && total <= 3;
}
constexpr int count_kernels() {
  int n = 0;
  for (int v = 0; v < kNumCodes; ++v) n += has_kernel(v);
  return n;
}
inline constexpr int kNumKernels = count_kernels();
/// The code of unrolled kernel j.
constexpr int code_of_kernel(int j) {
  for (int v = 0; v < kNumCodes; ++v)
    if (has_kernel(v) && j-- == 0) return v;
  return -1;
}
}  // namespace lin_shape

/// Index of the unrolled kernel for this shape in BlockKernels::lincomb_fixed, or -1.
inline int fixed_lin_shape(const LinHeader& h) {
  if (h.chain_length != 0) return -1;
  int c[6];
  for (int k = 0; k < 6; ++k) {
    if (h.count[k] > lin_shape::kCaps[k]) return -1;
    c[k] = h.count[k];
  }
  const int v = lin_shape::code(c);
  if (!lin_shape::has_kernel(v)) return -1;
  int j = 0;
  for (int u = 0; u < v; ++u) j += lin_shape::has_kernel(u);
  return j;
}

struct BlockKernels {
  using Binary = void (*)(uint32_t* dst, const uint32_t* a, const uint32_t* b, size_t n);
  using Unary = void (*)(uint32_t* dst, const uint32_t* a, size_t n);
  using Extension = void (*)(uint32_t* dst, const uint32_t* a, const uint32_t* b, size_t stride, size_t n);
  using Accumulate = void (*)(uint32_t* acc, const uint32_t* src, const uint32_t coeff[4], size_t stride,
                              size_t n);

  Binary add, sub, mul;
  Unary neg;
  /// The linear combination described by `h` (its terms at `terms`), scaled terms summed with
  /// delayed reduction.
  using LinComb = void (*)(uint32_t* dst, const uint32_t* arena, const LinHeader& h, const LinTerm* terms,
                           size_t n);
  LinComb lincomb;
  const LinComb* lincomb_fixed;  // lin_shape::kNumKernels unrolled kernels, see fixed_lin_shape
  Extension ext_mul;             // E x E
  Extension ext_mul_base;        // E (a) x F (b)
  Accumulate accumulate_ext;     // acc (E) += coeff (E constant) · src (E)
  /// acc (E) += Σ_t terms[t].coeff · arena[terms[t].offset ..], with one Montgomery reduction
  /// per batch instead of one per product.
  void (*accumulate_base_batch)(uint32_t* acc, size_t stride, const uint32_t* arena, const BatchTerm* terms,
                                size_t count, size_t n);
  /// Transposition of trace rows into column vectors, converted to Montgomery form:
  /// dst[j * stride + p] = mont(rows[p][first_col + j]) for p < num_points, j < num_cols.
  void (*gather_columns)(uint32_t* dst, size_t stride, const uint32_t* const* rows, size_t num_points,
                         size_t first_col, size_t num_cols);
};

const BlockKernels& kernels_for(simd::Level level);

// Provided by block_kernels_avx2.cpp / block_kernels_avx512.cpp on x86 builds.
const BlockKernels& block_kernels_avx2();
const BlockKernels& block_kernels_avx512();

}  // namespace stark::air_detail
