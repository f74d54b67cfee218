// The FRI prover as a host transcript driver over a device backend (docs/protocol.md §10,
// docs/architecture.md §4.1).
//
// The opening of a PCS splits into what binds the transcript — observing the opened values,
// sampling α, observing each layer root, grinding and sampling β, the final polynomial, the
// query PoW and indices — and the heavy work on codewords, which lives wherever the committed
// data lives. fri_prove is the only implementation of the first half; a FriProverBackend (the
// CPU's in pcs_open, a GPU's in cuda/prover/) implements the second on its own data. Both halves
// are deterministic, so every backend gives the same proof bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "stark/challenger/challenger.hpp"
#include "stark/field/extension.hpp"
#include "stark/fri/params.hpp"
#include "stark/fri/proof.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark {

/// values[round][matrix][point][column]
using OpenedValues = std::vector<std::vector<std::vector<std::vector<Ext4>>>>;

/// The shape of one committed matrix being opened: trace height 2^log_trace_height (its LDE has
/// 2^(log_trace_height + log_blowup) rows), its width and the points it is opened at.
struct FriOpenMatrix {
  uint32_t log_trace_height = 0;
  size_t width = 0;
  std::vector<Ext4> points;
};
/// One commitment being opened: the blowup it was committed with and its matrices, in order.
struct FriOpenRound {
  uint32_t log_blowup = 0;
  std::vector<FriOpenMatrix> matrices;
};

/// The codeword work of a FRI opening, on whatever holds the committed data. fri_prove calls,
/// in this order: open_values once, reduce once, then per folding round commit_layer and fold,
/// then codeword_prefix once and query_proofs once. Shapes are those given to fri_prove (checked
/// there); a backend may throw InputError (a point on an LDE coset), DeviceError or
/// ResourceError.
class FriProverBackend {
 public:
  virtual ~FriProverBackend() = default;
  /// Every matrix at each of its points: y_c = P_c(z) (barycentric on g·H_n).
  virtual OpenedValues open_values() = 0;
  /// Builds the reduced opening RO_h of every LDE height h with α; the codeword becomes RO_lgmh.
  virtual void reduce(const Ext4& alpha) = 0;
  /// Commits the current codeword f (2m values, bit-reversed) as the m × 8 matrix of pairs
  /// (f[2i], f[2i+1]) in canonical words; keeps the tree for the queries; returns its root.
  virtual Digest commit_layer() = 0;
  /// f ← (f[2i] + f[2i+1])/2 + β·(f[2i] − f[2i+1])/(2x_i), then f += β²·RO_{log m} when some
  /// matrix has LDE height m.
  virtual void fold(const Ext4& beta) = 0;
  /// The first `len` entries of the current codeword (bit-reversed storage order).
  virtual std::vector<Ext4> codeword_prefix(size_t len) = 0;
  /// The query proofs at these lgmh-bit indices: per query, the opening of every round's tree
  /// at index >> (lgmh − log2 of its height), then per fold round rnd the sibling value at
  /// (index >> rnd) ^ 1 and the path of leaf index >> (rnd + 1).
  virtual std::vector<FriQueryProof> query_proofs(const std::vector<uint32_t>& indices) = 0;
};

/// The shape checks of an opening (InputError): parameters valid, at least one round, every
/// round committed with the parameters' log_blowup, at least one point per matrix, and no LDE
/// height below 2^(log_blowup + log_final_poly_len). Returns lgmh, the log of the largest LDE
/// height.
uint32_t fri_check_open_shapes(const FriParameters& params, const std::vector<FriOpenRound>& rounds);

/// docs/protocol.md §10: checks the shapes, observes the opened values (round → matrix → point
/// → column), samples α, folds (arity 2) committing each layer and grinding its PoW before
/// sampling β, observes the final polynomial, grinds the query PoW, samples the query indices
/// and collects the query proofs. Grinding runs on `grinder` (null: the CPU kernels). Phases
/// "open.evaluate", "open.fri_fold" and "open.queries" are timed.
std::pair<OpenedValues, FriProof> fri_prove(const FriParameters& params,
                                            const std::vector<FriOpenRound>& rounds,
                                            FriProverBackend& backend, Challenger& challenger,
                                            const GrindBackend* grinder = nullptr);

}  // namespace stark
