// Prover-side constraint evaluation on the quotient domain (docs/protocol.md §5.2–5.5).
//
// For an AIR of height n = 2^k and quotient degree q, the quotient domain is Q = g·H_{n·q} with
// natural points x_i = g·ω_{k+log q}^i. Every committed trace is given as its LDE on g·H_{n·2^b}
// in bit-reversed row order, whose first n·q rows are Q in bit-reversed order, so natural point
// i sits at LDE row rev_{k+log q}(i); the next-row value of point i is at natural point
// (i + q) mod n·q because x_i·ω = x_{i+q}.
//
// Q(x_i) = fold(x_i) / Z(x_i), with fold = Σ_k α^{K-1-k} C_k and the unnormalized selectors
//   Z(x) = x^n - 1,  is_first_row = Z/(x - 1),  is_last_row = Z/(x - ω^{-1}),
//   is_transition = x - ω^{-1}.
// On Q, Z(x_i) = g^n·ω_q^{i mod q} - 1 takes only q distinct values.
//
// The evaluation is a block interpreter: points are processed in blocks; each DAG node is
// evaluated over a whole block (base-field nodes in F with packed SIMD arithmetic, only nodes
// that depend on challenges, permutation columns or exposed values in E), constant subtrees are
// folded once, scratch buffers are reused once a node's last consumer has run, and blocks run in
// parallel. Every point is computed independently, so the result does not depend on the thread
// count or the SIMD level.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "stark/air/constraint_system.hpp"
#include "stark/field/extension.hpp"
#include "stark/field/matrix.hpp"

namespace stark {

/// Inputs on the quotient domain: every trace is its committed LDE (n·2^log_blowup rows,
/// bit-reversed), canonical words.
struct QuotientInputs {
  uint32_t log_height = 0;
  uint32_t log_blowup = 0;
  std::optional<ConstMatrixView> preprocessed;     // present iff the system has a preprocessed trace
  std::vector<ConstMatrixView> mains;              // per main partition (cached..., common)
  std::optional<ConstMatrixView> after_challenge;  // flattened E matrix, 4 base columns per E column
  std::vector<uint32_t> public_values;             // canonical
  std::vector<Ext4> challenges;                    // [alpha_lu, beta_lu] or empty
  std::vector<Ext4> exposed;                       // [S_A] or empty
};

/// Q(x_i) for i = 0..n·q-1 in natural order of Q. Throws InputError when the inputs do not match
/// the system (widths, heights, counts, q > 2^log_blowup).
std::vector<Ext4> quotient_values(const ConstraintSystem& cs, const QuotientInputs& in, const Ext4& alpha);

/// The q chunk matrices (n x 4, canonical): chunk t row j = flatten(Q(x_{t + j·q})) (docs/protocol.md §5.5).
std::vector<RowMajorMatrix> quotient_chunks(const std::vector<Ext4>& values, uint32_t quotient_degree);

}  // namespace stark
