// The LogUp after-challenge trace (docs/protocol.md §7.3–7.4).
//
// For interaction i at row r, with message fields σ_{i,j}(r) and count m_i(r) evaluated on the
// trace (next row = (r + 1) mod n), the fingerprint is
//   d_i(r) = α + Σ_{j<ℓ} β^j · σ_{i,j}(r) + β^ℓ · (bus_i + 1)        (in E).
// Column c of the after-challenge trace holds perm_c(r) = Σ_{i ∈ chunk c} m_i(r) / d_i(r), and the
// last column the inclusive running sum φ(r) = Σ_{r' ≤ r} Σ_c perm_c(r'); the cumulative sum is
// S = φ(n - 1). The E matrix is returned flattened (base column 4j + e = coefficient e of E
// column j).
//
// Messages, counts and denominators are computed by the block interpreter over blocks of rows,
// the denominators of a block are inverted together (Montgomery's trick), and the running sum
// is a two-pass prefix sum over fixed blocks, so the output is identical for any thread count.
#pragma once

#include <optional>
#include <vector>

#include "stark/air/constraint_system.hpp"
#include "stark/field/extension.hpp"
#include "stark/field/matrix.hpp"

namespace stark {

struct AfterChallengeTrace {
  RowMajorMatrix flattened;  // n x 4·(#chunks + 1), canonical
  Ext4 cumulative_sum;
};

/// Traces in natural row order (n rows each): the preprocessed trace (if the system has one)
/// and the main partitions (cached..., common). Throws InputError when the traces do not
/// match the system or it has no interactions, and InputError("LogUp denominator is zero at row
/// r, interaction i (bus b): ...") for the smallest such (r, i).
AfterChallengeTrace after_challenge_trace(const ConstraintSystem& cs,
                                          std::optional<ConstMatrixView> preprocessed,
                                          const std::vector<ConstMatrixView>& mains,
                                          const std::vector<uint32_t>& public_values, const Ext4& alpha_lu,
                                          const Ext4& beta_lu);

}  // namespace stark
