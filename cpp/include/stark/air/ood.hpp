// Verifier-side constraint evaluation at the out-of-domain point ζ (docs/protocol.md §5.6, §5.7, §11.4).
//
// fold(ζ) evaluates the DAG once in E with the opened values at ζ (local) and ζ·ω (next),
// permutation columns unflattened (E column j = Σ_e X^e · v_{4j+e}), the unnormalized selectors
// of the AIR's own trace domain H_n at ζ, its public values, the LogUp challenges and its
// exposed cumulative sum. The quotient is recombined from its q chunks, chunk t living on
// D_t = s_t·H_n with s_t = g·ω_{k+log q}^t and vanishing polynomial Z_t(x) = (x/s_t)^n - 1:
//   Q(ζ) = Σ_t zp_t(ζ) · q_t(ζ),   zp_t = Π_{u≠t} Z_u(ζ) / Z_u(s_t),   Z_u(s_t) = ω_q^{t-u} - 1.
// The AIR passes when fold(ζ) / Z_H(ζ) = Q(ζ). Every zero denominator (ζ in H, ζ = 1, ...) is a
// rejection, never a division by zero (pitfall P15).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "stark/air/constraint_system.hpp"
#include "stark/field/extension.hpp"

namespace stark {

struct OodInputs {
  uint32_t log_height = 0;
  Ext4 zeta;
  std::vector<Ext4> preprocessed_local, preprocessed_next;
  std::vector<std::vector<Ext4>> main_local, main_next;           // per main partition
  std::vector<Ext4> after_challenge_local, after_challenge_next;  // flattened, as opened
  std::vector<uint32_t> public_values;                            // canonical
  std::vector<Ext4> challenges, exposed;
};

/// fold(ζ) = Σ_k α^{K-1-k} C_k(ζ). Throws VerificationError(InvalidProofShape) when the opened
/// values do not match the system's widths, and VerificationError(OodEvaluationMismatch) when a
/// selector the DAG uses has a zero denominator at ζ.
Ext4 folded_constraints_at(const ConstraintSystem& cs, const OodInputs& in, const Ext4& alpha);

/// Q(ζ) from the opened chunk values (chunk_values[t][e] = base column e of chunk t at ζ).
/// Throws VerificationError(InvalidProofShape) on a wrong chunk count and
/// VerificationError(OodEvaluationMismatch) on a zero denominator.
Ext4 recombine_quotient_chunks(uint32_t log_height, uint32_t quotient_degree, const Ext4& zeta,
                               const std::vector<std::array<Ext4, 4>>& chunk_values);

/// The complete out-of-domain check for one AIR: fold(ζ) · Z_H(ζ)^{-1} == Q(ζ). Throws
/// VerificationError(OodEvaluationMismatch) naming the AIR otherwise, or when ζ lies in H.
void check_ood(const ConstraintSystem& cs, const OodInputs& in, const Ext4& alpha,
               const std::vector<std::array<Ext4, 4>>& chunk_values, const std::string& air_name);

}  // namespace stark
