// The STARK verifier (stark/verifier/verifier.hpp, docs/protocol.md §11).
#include "stark/verifier/verifier.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <string>

#include "stark/air/ood.hpp"
#include "stark/challenger/challenger.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/protocol/layout.hpp"
#include "stark/util/error.hpp"

namespace stark {

namespace {

[[noreturn]] void reject(VerifyErrorKind kind, const std::string& msg) { throw VerificationError(kind, msg); }
[[noreturn]] void bad_shape(const std::string& msg) { reject(VerifyErrorKind::InvalidProofShape, msg); }

// Shape pass, steps 1–5 (§11.1): ids, duplicates, order, heights, trace-height constraints and
// public-value counts, which the layout is built from; returns the present AIRs in proof order.
std::vector<PresentAir> check_airs(const VerifyingKey& vk, const Proof& proof) {
  const FriParameters& fri = vk.fri;
  const size_t num_airs = vk.num_airs();

  // 1. non-empty, known ids.
  if (proof.per_air.empty()) bad_shape("the proof names no AIR");
  for (size_t i = 0; i < proof.per_air.size(); ++i) {
    if (proof.per_air[i].air_id >= num_airs) {
      bad_shape("per_air[" + std::to_string(i) + "]: air id " + std::to_string(proof.per_air[i].air_id) +
                " is not in the verifying key (" + std::to_string(num_airs) + " AIRs)");
    }
  }
  // 2. distinct, then ascending.
  {
    std::vector<bool> seen(num_airs, false);
    for (const AirProofData& a : proof.per_air) {
      if (seen[a.air_id]) {
        reject(VerifyErrorKind::DuplicateAirs, "air id " + std::to_string(a.air_id) + " ('" +
                                                   vk.airs[a.air_id].name +
                                                   "') appears more than once in the proof");
      }
      seen[a.air_id] = true;
    }
    for (size_t i = 1; i < proof.per_air.size(); ++i) {
      if (proof.per_air[i].air_id < proof.per_air[i - 1].air_id) {
        bad_shape("air ids are not in ascending order at per_air[" + std::to_string(i) + "]");
      }
    }
  }
  // 3. heights.
  std::vector<PresentAir> present;
  for (const AirProofData& a : proof.per_air) {
    const AirVerifyingKey& air = vk.airs[a.air_id];
    const std::string label = air_label(air, a.air_id);
    const uint32_t n = a.height;
    if (!is_power_of_two(n))
      bad_shape(label + ": trace height " + std::to_string(n) + " is not a power of two");
    const uint32_t log_height = log2_exact(n);
    if (log_height + fri.log_blowup > TWO_ADICITY) {
      bad_shape(label + ": trace height 2^" + std::to_string(log_height) + " with log_blowup " +
                std::to_string(fri.log_blowup) + " exceeds 2^" + std::to_string(TWO_ADICITY));
    }
    if (air.preprocessed && air.preprocessed->log_height != log_height) {
      bad_shape(label + ": trace height " + std::to_string(n) + " differs from the preprocessed height " +
                std::to_string(size_t(1) << air.preprocessed->log_height));
    }
    present.push_back(PresentAir{a.air_id, log_height});
  }
  // 4. trace-height linear constraints (coefficients < 2^32, heights ≤ 2^27, ids < 2^32: the
  //    sum fits comfortably in 128 bits).
  for (size_t c = 0; c < vk.trace_height_constraints.size(); ++c) {
    const LinearConstraint& lc = vk.trace_height_constraints[c];
    unsigned __int128 sum = 0;
    for (const AirProofData& a : proof.per_air) {
      const uint64_t coeff = a.air_id < lc.coefficients.size() ? lc.coefficients[a.air_id] : 0;
      sum += (unsigned __int128)coeff * a.height;
    }
    if (sum >= lc.threshold) {
      const bool fits = sum <= UINT64_MAX;
      reject(VerifyErrorKind::TraceHeightConstraintViolation,
             "trace-height constraint " + std::to_string(c) + ": sum of coefficient x height = " +
                 (fits ? std::to_string(uint64_t(sum)) : std::string("more than 2^64")) + " is not below " +
                 std::to_string(lc.threshold));
    }
  }
  // 5. public values.
  for (const AirProofData& a : proof.per_air) {
    const AirVerifyingKey& air = vk.airs[a.air_id];
    if (a.public_values.size() != air.cs.num_public_values) {
      bad_shape(air_label(air, a.air_id) + ": " + std::to_string(a.public_values.size()) +
                " public values, expected " + std::to_string(air.cs.num_public_values));
    }
  }
  return present;
}

}  // namespace

void verify(const VerifyingKey& vk, const FriParameters& engine_params, const Proof& proof) {
  if (!(vk.fri == engine_params)) {
    bad_shape(
        "the verifying key was made for FRI parameters (log_blowup " + std::to_string(vk.fri.log_blowup) +
        ", log_final_poly_len " + std::to_string(vk.fri.log_final_poly_len) + ", num_queries " +
        std::to_string(vk.fri.num_queries) + ", PoW " + std::to_string(vk.fri.commit_proof_of_work_bits) +
        "/" + std::to_string(vk.fri.query_proof_of_work_bits) + ") other than the engine's");
  }
  verify(vk, proof);
}

void verify(const VerifyingKey& vk, const Proof& proof) {
  // The configuration first: everything else is read in its terms.
  if (proof.config_id != vk.config_id) {
    bad_shape("the proof was made under the " + describe_config_id(proof.config_id) +
              " configuration, but the verifying key is for " + describe_config_id(vk.config_id));
  }
  const StarkConfig& config = vk.config();
  const MerkleHasher& hasher = config.hasher();
  // Shape pass (§11.1): steps 1–5 here, 6–8 (commitments, LogUp witness, exposed and opened
  // values) against the layout, 9 the FRI proof's shape for the layout's rounds.
  const ProofLayout layout(vk, check_airs(vk, proof));
  layout.check_proof_shape(proof);
  std::vector<PcsVerifyRound> rounds = layout.verify_rounds(proof);
  fri_check_shape(vk.fri, rounds, proof.fri, hasher);
  const std::vector<LayoutAir>& airs = layout.airs();

  // V1–V3.
  Challenger challenger = config.new_challenger();
  challenger.observe_digest(vk.pre_hash);
  challenger.observe(uint32_t(airs.size()));
  for (const LayoutAir& air : airs) challenger.observe(air.air_id);
  for (const AirProofData& a : proof.per_air) {
    for (uint32_t v : a.public_values) challenger.observe(v);
  }
  for (const LayoutAir& air : airs) {
    if (air.vk->preprocessed) challenger.observe_digest(air.vk->preprocessed->commit);
  }
  for (const Digest& d : proof.main_commits) challenger.observe_digest(d);
  for (const LayoutAir& air : airs) challenger.observe(air.log_height);

  // V4: LogUp phase.
  std::vector<Ext4> logup_challenges;
  if (layout.has_after_challenge()) {
    if (!challenger.check_witness(vk.log_up_pow_bits, *proof.logup_pow_witness)) {
      reject(VerifyErrorKind::ChallengePhaseError, "the LogUp proof-of-work witness does not satisfy " +
                                                       std::to_string(vk.log_up_pow_bits) + " bits");
    }
    logup_challenges.push_back(challenger.sample_ext());
    logup_challenges.push_back(challenger.sample_ext());
    for (size_t a = 0; a < airs.size(); ++a) {
      if (airs[a].after_challenge.present()) challenger.observe_ext(proof.per_air[a].exposed_values[0]);
    }
    challenger.observe_digest(proof.after_challenge_commits[0]);
  }

  // V5–V7.
  const Ext4 alpha_c = challenger.sample_ext();
  challenger.observe_digest(proof.quotient_commit);
  if (!challenger.check_witness(vk.deep_pow_bits, proof.deep_pow_witness)) {
    reject(VerifyErrorKind::InvalidPowWitness,
           "the DEEP proof-of-work witness does not satisfy " + std::to_string(vk.deep_pow_bits) + " bits");
  }
  const Ext4 zeta = challenger.sample_ext();

  // V8: the opening points, then PCS / FRI.
  layout.set_points(rounds, zeta);
  // [OURS] With 0 PoW bits the grinding step is skipped and the prover's witness is always 0;
  // requiring exactly 0 keeps proofs non-malleable (no byte of a proof goes unchecked).
  if (vk.fri.commit_proof_of_work_bits == 0) {
    for (size_t i = 0; i < proof.fri.commit_pow_witnesses.size(); ++i) {
      if (proof.fri.commit_pow_witnesses[i] != 0) {
        reject(VerifyErrorKind::InvalidOpeningArgument, "FRI commit-phase proof-of-work witness " +
                                                            std::to_string(i) +
                                                            " must be 0 when commit_proof_of_work_bits is 0");
      }
    }
  }
  if (vk.fri.query_proof_of_work_bits == 0 && proof.fri.query_pow_witness != 0) {
    reject(VerifyErrorKind::InvalidOpeningArgument,
           "the FRI query proof-of-work witness must be 0 when query_proof_of_work_bits is 0");
  }
  // V9 needs nothing from the PCS, so the out-of-domain checks run on the pool alongside the
  // FRI transcript replay; their failure is reported only once V8 has passed (V8 errors first).
  std::exception_ptr ood_error;
  auto check_ood_all = [&] {
    try {
      const OpenedProofValues& o = proof.opened;
      for (size_t a = 0; a < airs.size(); ++a) {
        const LayoutAir& air = airs[a];
        const AirProofData& data = proof.per_air[a];
        OodInputs in;
        in.log_height = air.log_height;
        in.zeta = zeta;
        if (air.preprocessed.present()) {
          const OpenedPair& pair = layout.opened_pair(o, air.preprocessed);
          in.preprocessed_local = pair.local;
          in.preprocessed_next = pair.next;
        }
        std::vector<MatrixSlot> mains = air.cached_mains;
        if (air.common_main.present()) mains.push_back(air.common_main);
        for (MatrixSlot slot : mains) {
          const OpenedPair& pair = layout.opened_pair(o, slot);
          in.main_local.push_back(pair.local);
          in.main_next.push_back(pair.next);
        }
        if (air.after_challenge.present()) {
          const OpenedPair& pair = layout.opened_pair(o, air.after_challenge);
          in.after_challenge_local = pair.local;
          in.after_challenge_next = pair.next;
          in.challenges = logup_challenges;
          in.exposed = data.exposed_values;
        }
        in.public_values = data.public_values;
        std::vector<std::array<Ext4, 4>> chunk_values;
        for (const auto& chunk : o.quotient[a])
          chunk_values.push_back({chunk[0], chunk[1], chunk[2], chunk[3]});
        check_ood(air.vk->cs, in, alpha_c, chunk_values, air.vk->name);
      }
    } catch (...) {
      ood_error = std::current_exception();
    }
  };
  pcs_verify(vk.fri, rounds, proof.fri, challenger, /*shape_checked=*/true, check_ood_all, hasher);  // V8
  if (ood_error) std::rethrow_exception(ood_error);                                                  // V9

  // V10: the LogUp sums of the present AIRs cancel.
  Ext4 total = Ext4::zero();
  for (size_t a = 0; a < airs.size(); ++a) {
    if (airs[a].after_challenge.present()) total += proof.per_air[a].exposed_values[0];
  }
  if (!total.is_zero()) {
    reject(VerifyErrorKind::ChallengePhaseError,
           "the LogUp cumulative sums of the present AIRs do not add up to zero (unbalanced interactions)");
  }
}

}  // namespace stark
