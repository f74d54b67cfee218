// Two-adic FRI polynomial commitment scheme (docs/protocol.md §4, §10, §11.1 item 9, §11.3; Plonky3
// TwoAdicFriPcs as used by openvm).
//
// Commit. A matrix V (n × w, n = 2^k) of evaluations on the coset s·H_n defines w polynomials
// P_c of degree < n. The committed matrix is their low-degree extension to the fixed coset
// g·H_{n·B} (g = 31, B = 2^log_blowup), rows in bit-reversed order: row r holds P_c at
// g·ω_{k+b}^{rev_{k+b}(r)}. All matrices of one commitment share one mixed-height Merkle tree.
// Its first n rows are g·H_n in bit-reversed order (used to evaluate P_c anywhere).
//
// Open. For every matrix and every point z of it, y_c = P_c(z) by barycentric interpolation on
// g·H_n:  P(z) = (z^n − g^n)/(n·g^n) · Σ_i f_i · x_i/(z − x_i). The values are observed (round →
// matrix → point → column), α is sampled, and every claim is folded into the reduced opening of
// its LDE height h ("bucket"):
//     RO_h(x) = Σ α^e · (y − P_c(x)) / (z − x),   e = running counter of bucket h,
// a polynomial of degree < 2^(h−b) exactly when every claim is true. FRI then proves that the
// largest RO (height 2^lgmh) is close to low degree, rolling each smaller RO_h in (scaled by β²)
// once the folded codeword has reached its length: fold
//     f'(x²) = (f(x) + f(−x))/2 + β·(f(x) − f(−x))/(2x).
// After R = lgmh − b − lfp folds the codeword must be a polynomial of degree < 2^lfp, sent in the
// clear. Queries open every commitment and every fold at random positions and let the verifier
// recompute each step (§11.3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "stark/challenger/challenger.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/extension.hpp"
#include "stark/field/matrix.hpp"
#include "stark/fri/fri_prover.hpp"
#include "stark/fri/params.hpp"
#include "stark/fri/proof.hpp"
#include "stark/merkle/merkle_tree.hpp"

namespace stark {

/// Evaluations of polynomials (columns) on the trace domain shift·H_n, natural row order:
/// owned (`evals`, released as soon as its LDE exists) or borrowed from the caller (`borrowed`,
/// which must stay valid until the commit returns; a trace the caller already holds need not be
/// copied).
struct PcsMatrixInput {
  RowMajorMatrix evals;
  Fp domain_shift = Fp::one();
  std::optional<ConstMatrixView> borrowed = std::nullopt;

  static PcsMatrixInput borrow(ConstMatrixView view, Fp shift = Fp::one()) {
    return PcsMatrixInput{RowMajorMatrix(), shift, view};
  }
  /// The evaluations, wherever they live.
  ConstMatrixView view() const { return borrowed ? *borrowed : evals.view(); }
  /// Drops owned evaluations (a borrowed view is only forgotten).
  void release() {
    evals = RowMajorMatrix();
    borrowed.reset();
  }
};

/// Prover data of one commitment: the LDEs on g·H_{n·2^b} in bit-reversed row order
/// (docs/protocol.md §4) and their Merkle tree. Move-only in practice (the tree is large); share
/// it by pointer.
class PcsCommitted {
 public:
  /// Assembles a commitment from LDEs computed elsewhere (e.g. on a device): matrix m has
  /// log_trace_heights[m] + log_blowup rows of the layout above, interpolating domain
  /// domain_shifts[m]·H_n. Builds the Merkle tree. InputError on inconsistent sizes.
  PcsCommitted(uint32_t log_blowup, std::vector<uint32_t> log_trace_heights, std::vector<Fp> domain_shifts,
               std::vector<std::shared_ptr<const RowMajorMatrix>> ldes,
               const MerkleHasher& hasher = cpu_merkle_hasher());

  const Digest& root() const { return tree_.root(); }
  size_t num_matrices() const { return ldes_.size(); }
  uint32_t log_blowup() const { return log_blowup_; }
  /// k of matrix m (trace height n = 2^k).
  uint32_t log_trace_height(size_t m) const { return log_trace_heights_.at(m); }
  Fp domain_shift(size_t m) const { return domain_shifts_.at(m); }
  size_t width(size_t m) const { return ldes_.at(m)->width; }
  /// (n << b) × width, bit-reversed rows on g·H_{nB}.
  ConstMatrixView lde(size_t m) const { return ldes_.at(m)->view(); }
  std::shared_ptr<const RowMajorMatrix> lde_shared(size_t m) const { return ldes_.at(m); }
  const MerkleTree& tree() const { return tree_; }

 private:
  uint32_t log_blowup_;
  std::vector<uint32_t> log_trace_heights_;
  std::vector<Fp> domain_shifts_;
  std::vector<std::shared_ptr<const RowMajorMatrix>> ldes_;
  MerkleTree tree_;
};

/// Computes the LDEs and the Merkle tree. InputError (naming the matrix) for: no matrix, height not
/// a power of two or k + log_blowup > 27, width 0, a value ≥ p, a zero domain shift, or invalid
/// parameters.
PcsCommitted pcs_commit(const FriParameters& params, std::vector<PcsMatrixInput> matrices,
                        const MerkleHasher& hasher = cpu_merkle_hasher());

/// One round of an opening: a commitment and, per matrix, the points to open at (in order).
struct PcsOpenRound {
  const PcsCommitted* committed = nullptr;
  std::vector<std::vector<Ext4>> points;
};

/// docs/protocol.md §10: computes the opened values, observes them (round → matrix → point → columns,
/// observe_ext), samples α_fri, builds the reduced openings, folds (arity 2) committing each
/// folded codeword and grinding its PoW before sampling β, observes the final polynomial, grinds
/// the query PoW, samples the query indices and assembles the query proofs.
/// InputError for: no round, a null commitment, a points list whose length differs from the
/// matrix count, a matrix without points, a commitment made with another log_blowup, an LDE height
/// below 2^(log_blowup + log_final_poly_len) (such a bucket can never be rolled in), or a point on
/// the LDE coset of its matrix (z − x = 0; probability ~2^-100 for a sampled ζ).
/// The transcript half is fri_prove's (stark/fri/fri_prover.hpp), run here over the CPU's
/// codeword backend; grinding runs on `grinder` (null: the CPU kernels).
std::pair<OpenedValues, FriProof> pcs_open(const FriParameters& params,
                                           const std::vector<PcsOpenRound>& rounds, Challenger& challenger,
                                           const GrindBackend* grinder = nullptr,
                                           const MerkleHasher& hasher = cpu_merkle_hasher());

/// The shapes fri_prove checks, of PCS rounds (InputError for a null commitment or a points list
/// whose length differs from the matrix count).
std::vector<FriOpenRound> pcs_open_shapes(const std::vector<PcsOpenRound>& rounds);

/// The CPU's FriProverBackend over host commitments (what pcs_open runs; the CPU device's).
/// Checks the shapes like fri_prove (InputError).
/// The FRI layers are committed with `hasher` (the configuration's, as the rounds were).
std::unique_ptr<FriProverBackend> cpu_fri_prover(const FriParameters& params,
                                                 std::vector<PcsOpenRound> rounds,
                                                 const MerkleHasher& hasher = cpu_merkle_hasher());

/// Verifier view of one matrix: (log trace height, domain shift, width) from the verifying key and
/// proof heights, its points, and the claimed values[point][column].
struct PcsVerifyMatrix {
  uint32_t log_trace_height = 0;
  Fp domain_shift = Fp::one();
  size_t width = 0;
  std::vector<Ext4> points;
  std::vector<std::vector<Ext4>> values;
};
struct PcsVerifyRound {
  Digest commitment{};
  std::vector<PcsVerifyMatrix> matrices;
};

/// Shape checks of docs/protocol.md §11.1 item 9 (no transcript): parameters valid; ≥ 1 round, each with
/// ≥ 1 matrix; every matrix with lfp ≤ k, k + b ≤ 27, width ≥ 1, ≥ 1 point and values of shape
/// points × width; R = lgmh − b − lfp commits and PoW witnesses; 2^lfp final-poly coefficients;
/// num_queries query proofs, each with one opening per round (one row per matrix of the matrix
/// width, log2(max LDE height in round) siblings) and R fold openings (round rnd with
/// lgmh − 1 − rnd siblings); every field element canonical. Throws
/// VerificationError(InvalidProofShape) naming the field and indices.
void fri_check_shape(const FriParameters& params, const std::vector<PcsVerifyRound>& rounds,
                     const FriProof& proof, const MerkleHasher& hasher = cpu_merkle_hasher());

/// docs/protocol.md §11.3. Runs fri_check_shape first (its errors stay InvalidProofShape) unless
/// `shape_checked` says the caller already ran it on these rounds and this proof, then observes
/// the claimed values, replays the transcript and checks every query. Any failure — a PoW witness,
/// a Merkle path, a zero denominator, a non-zero height-1 bucket, an unconsumed bucket, the final
/// polynomial — throws VerificationError(InvalidOpeningArgument) naming the query, round and check;
/// when several queries fail, the smallest query index and its first failed check are reported
/// (whatever the thread count). The queries are checked in parallel on the thread pool.
/// `side_work`, if given, is run exactly once on the pool while the transcript is replayed (the
/// STARK verifier's out-of-domain checks, which need nothing from the PCS); it must not throw,
/// and it may not have run if pcs_verify throws.
void pcs_verify(const FriParameters& params, const std::vector<PcsVerifyRound>& rounds, const FriProof& proof,
                Challenger& challenger, bool shape_checked = false,
                const std::function<void()>& side_work = {},
                const MerkleHasher& hasher = cpu_merkle_hasher());

}  // namespace stark
