// Inner kernels of the PCS prover (internal to cpp/src/fri).
//
// Both are base-field × scalar products summed into Montgomery accumulators. Matrix entries are
// canonical words m; multipliers are given pre-scaled as a·R² mod p (R = 2^32), so one Montgomery
// product mont(m, a·R²) = m·a·R is already the Montgomery word of m·a and the sums can be used as
// Fp / Ext4 values directly. Vector builds accumulate up to four 64-bit products before one
// Montgomery reduction (products of words < p are < 2^62).
//
//   weighted_column_sums:  acc[j][c] += Σ_r W[r][j] · M[r][c]      (opened values: J = 4·#points)
//   row_combinations:      out[r][e]  = Σ_c A_e[c] · M[r][c]       (Σ_c α^c·P_c(x_r), e = 0..3)
//
// Field arithmetic is exact, so every SIMD level gives identical results.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/babybear.hpp"

namespace stark::fri_detail {

/// Multiplier a (any Fp) → the pre-scaled word a·R² mod p described above.
inline uint32_t prescale(Fp a) { return Fp::from_canonical(a.mont).mont; }

/// Largest J of weighted_column_sums.
inline constexpr size_t kMaxWeights = 8;

/// acc[j·acc_stride + c] (Montgomery words) += Σ_{r < rows} W[r·J + j] · M[r·stride + c] for c < cols,
/// j < J ≤ kMaxWeights. W holds pre-scaled words; M canonical words.
void weighted_column_sums(const uint32_t* m, size_t stride, size_t rows, size_t cols, const uint32_t* weights,
                          size_t num_weights, uint32_t* acc, size_t acc_stride);

/// out[4r + e] (Montgomery words) = Σ_{c < cols} A[e][c] · M[r·stride + c] for r < rows. Each A[e]
/// (pre-scaled) must be readable up to index cols + kAlphaPadding (the vector code loads the odd
/// words with a one-element offset); the padding values are never used.
inline constexpr size_t kAlphaPadding = 16;
void row_combinations(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                      const uint32_t* const alpha[4], uint32_t* out);

// Per-ISA builds (fri_kernels.cpp, fri_kernels_avx2.cpp, fri_kernels_avx512.cpp).
void weighted_column_sums_scalar(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                                 const uint32_t* weights, size_t num_weights, uint32_t* acc,
                                 size_t acc_stride);
void row_combinations_scalar(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                             const uint32_t* const alpha[4], uint32_t* out);
#if defined(STARK_X86)
void weighted_column_sums_avx2(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                               const uint32_t* weights, size_t num_weights, uint32_t* acc, size_t acc_stride);
void row_combinations_avx2(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                           const uint32_t* const alpha[4], uint32_t* out);
void weighted_column_sums_avx512(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                                 const uint32_t* weights, size_t num_weights, uint32_t* acc,
                                 size_t acc_stride);
void row_combinations_avx512(const uint32_t* m, size_t stride, size_t rows, size_t cols,
                             const uint32_t* const alpha[4], uint32_t* out);
#endif

}  // namespace stark::fri_detail
