// The layout of a multi-AIR proof (docs/protocol.md §13.7): which commitments there are, in which
// transcript order, which matrices each one holds (AIR, partition, height, width, domain), at
// which points every matrix is opened and where each opened value lives in OpenedProofValues.
//
// It is written once, here, and built from the verifying key and the present AIRs (ascending
// ids with their log heights). The prover commits, opens and fills its Proof by walking it; the
// verifier compares a proof's shape with it and builds its PCS rounds from it. So the prover and
// the verifier cannot disagree on the order of a section.
//
// Rounds, in PCS opening order (= the order of PcsOpenRound / PcsVerifyRound):
//   1. preprocessed    one round per present AIR with a preprocessed trace (AIR order); the
//                      commitment is the key's. Opened pair: opened.preprocessed[r].
//   2. cached main     one round per cached partition (AIR order, then partition order), one
//                      matrix each: proof.main_commits[c], opened.main[c][0].
//   3. common main     one round (iff some present AIR has common columns), one matrix per such
//                      AIR: the last main commitment, opened.main[c][m].
//   4. after-challenge one round (iff some present AIR has interactions), one matrix of
//                      4·after_challenge_width base columns per such AIR:
//                      proof.after_challenge_commits[0], opened.after_challenge[0][m].
//   5. quotient        one round, q_A chunk matrices (4 columns) per present AIR (AIR order), chunk
//                      t on the coset s_t·H_n, s_t = g·ω_{k+log q}^t: proof.quotient_commit,
//                      opened.quotient[a][t].
// Trace matrices (rounds 1–4) are opened at ζ and ζ·ω_A (ω_A generates the AIR's trace domain),
// quotient chunks at ζ only. The transcript absorbs the main commitments in round order, so
// proof.main_commits is rounds 2 then 3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "stark/field/babybear.hpp"
#include "stark/field/extension.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/protocol/keys.hpp"
#include "stark/protocol/proof.hpp"

namespace stark {

/// The section of the proof a committed matrix belongs to.
enum class LayoutSection : uint8_t { Preprocessed, CachedMain, CommonMain, AfterChallenge, Quotient };

/// "preprocessed", "cached main", "common main", "after-challenge", "quotient".
const char* section_name(LayoutSection section);

/// A matrix of the layout: rounds()[round].matrices[matrix].
struct MatrixSlot {
  size_t round = SIZE_MAX;
  size_t matrix = SIZE_MAX;

  bool present() const { return round != SIZE_MAX; }
};

/// One committed matrix.
struct LayoutMatrix {
  size_t air = 0;  // position of its AIR in ProofLayout::airs()
  LayoutSection section = LayoutSection::CommonMain;
  uint32_t part = 0;              // the cached partition j or the quotient chunk t; 0 otherwise
  uint32_t log_trace_height = 0;  // k_A: the matrix has 2^k_A rows before the LDE
  Fp domain_shift = Fp::one();    // its evaluation domain is domain_shift·H_n
  size_t width = 0;               // base-field columns = opened extension values per point
  bool opened_at_next = true;     // opened at ζ·ω_A as well as at ζ (every trace matrix)

  size_t num_points() const { return opened_at_next ? 2 : 1; }
};

/// One commitment and its matrices, in order.
struct LayoutRound {
  LayoutSection section = LayoutSection::CommonMain;
  /// The round's place in its section: preprocessed → opened.preprocessed[index];
  /// cached / common main → proof.main_commits[index] and opened.main[index]; after-challenge →
  /// proof.after_challenge_commits[index] and opened.after_challenge[index]; quotient → 0.
  size_t index = 0;
  std::vector<LayoutMatrix> matrices;
};

/// A present AIR and where its matrices are.
struct LayoutAir {
  uint32_t air_id = 0;
  uint32_t log_height = 0;
  const AirVerifyingKey* vk = nullptr;      // into the key the layout was built from
  std::string label;                        // "AIR 'name' (id 3)", for messages
  MatrixSlot preprocessed;                  // absent without a preprocessed trace
  std::vector<MatrixSlot> cached_mains;     // one per cached partition
  MatrixSlot common_main;                   // absent without common main columns
  MatrixSlot after_challenge;               // absent without interactions
  std::vector<MatrixSlot> quotient_chunks;  // q_A chunks
};

/// An AIR of the proof: its id and log2 of its trace height.
struct PresentAir {
  uint32_t air_id = 0;
  uint32_t log_height = 0;
};

/// "AIR 'name' (id 3)": how every message names an AIR.
std::string air_label(const AirVerifyingKey& vk, uint32_t air_id);

class ProofLayout {
 public:
  /// `present`: distinct ids of `vk` in ascending order with log heights that the caller has
  /// checked (power-of-two heights, k + log_blowup ≤ 27, the preprocessed height). The layout
  /// refers to `vk`, which must outlive it. InputError if `present` is not of that form.
  ProofLayout(const VerifyingKey& vk, const std::vector<PresentAir>& present);

  const std::vector<LayoutAir>& airs() const { return airs_; }
  const std::vector<LayoutRound>& rounds() const { return rounds_; }
  const LayoutMatrix& matrix(MatrixSlot slot) const {
    return rounds_.at(slot.round).matrices.at(slot.matrix);
  }

  size_t num_preprocessed_rounds() const { return num_preprocessed_; }
  /// Cached partitions plus one if some AIR has common columns: |proof.main_commits|.
  size_t num_main_commits() const { return num_main_; }
  /// Some present AIR has interactions: the LogUp phase runs (PoW witness, α_lu, β_lu, one
  /// exposed sum per such AIR, one after-challenge commitment).
  bool has_after_challenge() const { return has_after_challenge_; }

  /// The points matrix `m` is opened at: ζ, and ζ·ω_k for a trace matrix of height 2^k.
  std::vector<Ext4> points(const LayoutMatrix& m, const Ext4& zeta) const;

  /// Prover: the opened values of the proof from a PCS opening of rounds() in order
  /// (values[round][matrix][point][column], as pcs_open returns them).
  OpenedProofValues opened_values(const OpenedValues& values) const;

  /// Verifier: throws VerificationError(InvalidProofShape), naming the section and the AIR,
  /// unless the proof has this layout's shape — its number of main and after-challenge
  /// commitments, a LogUp witness iff has_after_challenge(), one exposed sum per AIR with
  /// interactions, and opened values with one entry per round / matrix / chunk of the width
  /// of each matrix. Everything is derived from the key and the heights and compared with the
  /// proof, never the other way round.
  void check_proof_shape(const Proof& proof) const;

  /// Verifier: the PCS rounds of a proof that passed check_proof_shape — the commitments (the
  /// key's for preprocessed rounds), every matrix's height, shift, width and claimed values —
  /// with num_points() placeholder points per matrix (fri_check_shape runs before ζ is known).
  std::vector<PcsVerifyRound> verify_rounds(const Proof& proof) const;
  /// Sets the points of rounds made by verify_rounds once ζ is sampled.
  void set_points(std::vector<PcsVerifyRound>& rounds, const Ext4& zeta) const;

  /// The claimed values of a trace matrix (opened at ζ and ζ·ω) in a shape-checked proof.
  const OpenedPair& opened_pair(const OpenedProofValues& opened, MatrixSlot slot) const;

 private:
  std::vector<LayoutAir> airs_;
  std::vector<LayoutRound> rounds_;
  size_t num_preprocessed_ = 0;
  size_t num_main_ = 0;
  bool has_after_challenge_ = false;
};

}  // namespace stark
