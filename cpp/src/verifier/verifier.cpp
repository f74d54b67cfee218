// The STARK verifier (stark/verifier/verifier.hpp, PROTOCOL.md §11).
#include "stark/verifier/verifier.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <string>

#include "stark/air/ood.hpp"
#include "stark/challenger/challenger.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/util/error.hpp"

namespace stark {

namespace {

[[noreturn]] void reject(VerifyErrorKind kind, const std::string& msg) { throw VerificationError(kind, msg); }
[[noreturn]] void bad_shape(const std::string& msg) { reject(VerifyErrorKind::InvalidProofShape, msg); }

// One present AIR as the verifier sees it, with its positions in every opening round.
struct AirView {
  const AirProofData* data = nullptr;
  const AirVerifyingKey* vk = nullptr;
  uint32_t log_height = 0;
  std::string label;
  size_t preprocessed_round = SIZE_MAX;      // index into opened.preprocessed
  std::vector<size_t> cached_rounds;         // index into opened.main, per cached partition
  size_t common_matrix = SIZE_MAX;           // matrix index in the common-main round
  size_t after_challenge_matrix = SIZE_MAX;  // matrix index in the after-challenge round
};

void check_pair(const OpenedPair& pair, size_t width, const std::string& what) {
  if (pair.local.size() != width || pair.next.size() != width) {
    bad_shape(what + ": " + std::to_string(pair.local.size()) + " values at zeta and " +
              std::to_string(pair.next.size()) + " at zeta*omega, expected " + std::to_string(width) +
              " each");
  }
}

PcsVerifyMatrix trace_matrix(const AirView& air, size_t width, const OpenedPair& pair) {
  PcsVerifyMatrix m;
  m.log_trace_height = air.log_height;
  m.domain_shift = Fp::one();
  m.width = width;
  m.points.assign(2, Ext4());  // ζ, ζ·ω_A: set once ζ is sampled
  m.values = {pair.local, pair.next};
  return m;
}

// Shape pass (§11.1); returns the present AIRs in proof order with their round positions, and
// the PCS rounds (points still unset) in opening order.
std::vector<AirView> check_shape(const VerifyingKey& vk, const Proof& proof,
                                 std::vector<PcsVerifyRound>& rounds) {
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
  std::vector<AirView> airs;
  for (const AirProofData& a : proof.per_air) {
    AirView v;
    v.data = &a;
    v.vk = &vk.airs[a.air_id];
    v.label = "AIR '" + v.vk->name + "' (id " + std::to_string(a.air_id) + ")";
    airs.push_back(std::move(v));
  }
  // 3. heights.
  for (AirView& air : airs) {
    const uint32_t n = air.data->height;
    if (!is_power_of_two(n))
      bad_shape(air.label + ": trace height " + std::to_string(n) + " is not a power of two");
    air.log_height = log2_exact(n);
    if (air.log_height + fri.log_blowup > TWO_ADICITY) {
      bad_shape(air.label + ": trace height 2^" + std::to_string(air.log_height) + " with log_blowup " +
                std::to_string(fri.log_blowup) + " exceeds 2^" + std::to_string(TWO_ADICITY));
    }
    if (air.vk->preprocessed && air.vk->preprocessed->log_height != air.log_height) {
      bad_shape(air.label + ": trace height " + std::to_string(n) + " differs from the preprocessed height " +
                std::to_string(size_t(1) << air.vk->preprocessed->log_height));
    }
  }
  // 4. trace-height linear constraints (coefficients < 2^32, heights ≤ 2^27, ids < 2^32: the
  //    sum fits comfortably in 128 bits).
  for (size_t c = 0; c < vk.trace_height_constraints.size(); ++c) {
    const LinearConstraint& lc = vk.trace_height_constraints[c];
    unsigned __int128 sum = 0;
    for (const AirView& air : airs) {
      const uint32_t id = air.data->air_id;
      const uint64_t coeff = id < lc.coefficients.size() ? lc.coefficients[id] : 0;
      sum += (unsigned __int128)coeff * air.data->height;
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
  for (const AirView& air : airs) {
    if (air.data->public_values.size() != air.vk->cs.num_public_values) {
      bad_shape(air.label + ": " + std::to_string(air.data->public_values.size()) +
                " public values, expected " + std::to_string(air.vk->cs.num_public_values));
    }
  }
  // 6. commitments and the LogUp witness.
  size_t num_cached = 0;
  bool any_common = false, any_interactions = false;
  for (const AirView& air : airs) {
    num_cached += air.vk->cs.cached_main_widths.size();
    any_common |= air.vk->has_common_main();
    any_interactions |= air.vk->has_interactions();
  }
  const size_t expected_main = num_cached + (any_common ? 1 : 0);
  if (proof.main_commits.size() != expected_main) {
    bad_shape(std::to_string(proof.main_commits.size()) + " main trace commitments, expected " +
              std::to_string(expected_main));
  }
  if (proof.after_challenge_commits.size() != (any_interactions ? 1u : 0u)) {
    bad_shape(std::to_string(proof.after_challenge_commits.size()) +
              " after-challenge commitments, expected " + (any_interactions ? "1" : "0"));
  }
  if (proof.logup_pow_witness.has_value() != any_interactions) {
    bad_shape(any_interactions ? "the LogUp proof-of-work witness is missing"
                               : "a LogUp proof-of-work witness is present but no AIR has interactions");
  }
  // 7. exposed values.
  for (const AirView& air : airs) {
    const size_t expected = air.vk->has_interactions() ? 1 : 0;
    if (air.data->exposed_values.size() != expected) {
      bad_shape(air.label + ": " + std::to_string(air.data->exposed_values.size()) +
                " exposed values, expected " + std::to_string(expected));
    }
  }
  // 8. opened values, assigning every AIR its places in the rounds.
  const OpenedProofValues& o = proof.opened;
  size_t num_prep = 0, num_common = 0, num_ac = 0;
  {
    size_t cached_round = 0;
    for (AirView& air : airs) {
      if (air.vk->preprocessed) air.preprocessed_round = num_prep++;
      for (size_t j = 0; j < air.vk->cs.cached_main_widths.size(); ++j)
        air.cached_rounds.push_back(cached_round++);
      if (air.vk->has_common_main()) air.common_matrix = num_common++;
      if (air.vk->has_interactions()) air.after_challenge_matrix = num_ac++;
    }
  }
  if (o.preprocessed.size() != num_prep) {
    bad_shape(std::to_string(o.preprocessed.size()) + " preprocessed openings, expected " +
              std::to_string(num_prep));
  }
  if (o.main.size() != expected_main) {
    bad_shape(std::to_string(o.main.size()) + " main opening rounds, expected " +
              std::to_string(expected_main));
  }
  if (o.after_challenge.size() != (any_interactions ? 1u : 0u)) {
    bad_shape(std::to_string(o.after_challenge.size()) + " after-challenge opening rounds, expected " +
              (any_interactions ? "1" : "0"));
  }
  if (o.quotient.size() != airs.size()) {
    bad_shape(std::to_string(o.quotient.size()) + " quotient openings, expected one per present AIR (" +
              std::to_string(airs.size()) + ")");
  }
  for (const AirView& air : airs) {
    const ConstraintSystem& cs = air.vk->cs;
    if (air.preprocessed_round != SIZE_MAX) {
      check_pair(o.preprocessed[air.preprocessed_round], cs.preprocessed_width,
                 air.label + ": preprocessed opening");
    }
    for (size_t j = 0; j < air.cached_rounds.size(); ++j) {
      const auto& round = o.main[air.cached_rounds[j]];
      const std::string what = air.label + ": cached main " + std::to_string(j) + " opening";
      if (round.size() != 1) bad_shape(what + ": " + std::to_string(round.size()) + " matrices, expected 1");
      check_pair(round[0], cs.cached_main_widths[j], what);
    }
  }
  if (any_common) {
    const auto& round = o.main.back();
    if (round.size() != num_common) {
      bad_shape("common main opening: " + std::to_string(round.size()) + " matrices, expected " +
                std::to_string(num_common));
    }
    for (const AirView& air : airs) {
      if (air.common_matrix != SIZE_MAX) {
        check_pair(round[air.common_matrix], air.vk->cs.common_main_width,
                   air.label + ": common main opening");
      }
    }
  }
  if (any_interactions) {
    const auto& round = o.after_challenge[0];
    if (round.size() != num_ac) {
      bad_shape("after-challenge opening: " + std::to_string(round.size()) + " matrices, expected " +
                std::to_string(num_ac));
    }
    for (const AirView& air : airs) {
      if (air.after_challenge_matrix != SIZE_MAX) {
        check_pair(round[air.after_challenge_matrix], 4 * size_t(air.vk->cs.after_challenge_width()),
                   air.label + ": after-challenge opening");
      }
    }
  }
  for (size_t i = 0; i < airs.size(); ++i) {
    const AirView& air = airs[i];
    const auto& chunks = o.quotient[i];
    if (chunks.size() != air.vk->cs.quotient_degree) {
      bad_shape(air.label + ": " + std::to_string(chunks.size()) + " quotient chunks opened, expected " +
                std::to_string(air.vk->cs.quotient_degree));
    }
    for (size_t t = 0; t < chunks.size(); ++t) {
      if (chunks[t].size() != 4) {
        bad_shape(air.label + ": quotient chunk " + std::to_string(t) + " has " +
                  std::to_string(chunks[t].size()) + " opened values, expected 4");
      }
    }
  }

  // 9. PCS rounds (opening order) and the FRI proof shape.
  rounds.clear();
  for (const AirView& air : airs) {
    if (air.preprocessed_round == SIZE_MAX) continue;
    rounds.push_back(PcsVerifyRound{
        air.vk->preprocessed->commit,
        {trace_matrix(air, air.vk->cs.preprocessed_width, o.preprocessed[air.preprocessed_round])}});
  }
  for (const AirView& air : airs) {
    for (size_t j = 0; j < air.cached_rounds.size(); ++j) {
      const size_t r = air.cached_rounds[j];
      rounds.push_back(PcsVerifyRound{proof.main_commits[r],
                                      {trace_matrix(air, air.vk->cs.cached_main_widths[j], o.main[r][0])}});
    }
  }
  if (any_common) {
    PcsVerifyRound round{proof.main_commits.back(), {}};
    for (const AirView& air : airs) {
      if (air.common_matrix != SIZE_MAX) {
        round.matrices.push_back(
            trace_matrix(air, air.vk->cs.common_main_width, o.main.back()[air.common_matrix]));
      }
    }
    rounds.push_back(std::move(round));
  }
  if (any_interactions) {
    PcsVerifyRound round{proof.after_challenge_commits[0], {}};
    for (const AirView& air : airs) {
      if (air.after_challenge_matrix != SIZE_MAX) {
        round.matrices.push_back(trace_matrix(air, 4 * size_t(air.vk->cs.after_challenge_width()),
                                              o.after_challenge[0][air.after_challenge_matrix]));
      }
    }
    rounds.push_back(std::move(round));
  }
  {
    PcsVerifyRound round{proof.quotient_commit, {}};
    for (size_t i = 0; i < airs.size(); ++i) {
      const AirView& air = airs[i];
      const uint32_t q = air.vk->cs.quotient_degree;
      const Fp omega_nq = two_adic_generator(air.log_height + log2_exact(q));
      Fp shift = generator();
      for (uint32_t t = 0; t < q; ++t) {
        PcsVerifyMatrix m;
        m.log_trace_height = air.log_height;
        m.domain_shift = shift;  // s_t = g·ω_{k+log q}^t
        m.width = 4;
        m.points.assign(1, Ext4());
        m.values = {o.quotient[i][t]};
        round.matrices.push_back(std::move(m));
        shift *= omega_nq;
      }
    }
    rounds.push_back(std::move(round));
  }
  fri_check_shape(fri, rounds, proof.fri);
  return airs;
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
  std::vector<PcsVerifyRound> rounds;
  const std::vector<AirView> airs = check_shape(vk, proof, rounds);

  // V1–V3.
  Challenger challenger;
  challenger.observe_digest(vk.pre_hash);
  challenger.observe(uint32_t(airs.size()));
  for (const AirView& air : airs) challenger.observe(air.data->air_id);
  for (const AirView& air : airs) {
    for (uint32_t v : air.data->public_values) challenger.observe(v);
  }
  for (const AirView& air : airs) {
    if (air.vk->preprocessed) challenger.observe_digest(air.vk->preprocessed->commit);
  }
  for (const Digest& d : proof.main_commits) challenger.observe_digest(d);
  for (const AirView& air : airs) challenger.observe(air.log_height);

  // V4: LogUp phase.
  std::vector<Ext4> logup_challenges;
  if (proof.logup_pow_witness) {
    if (!challenger.check_witness(vk.log_up_pow_bits, *proof.logup_pow_witness)) {
      reject(VerifyErrorKind::ChallengePhaseError, "the LogUp proof-of-work witness does not satisfy " +
                                                       std::to_string(vk.log_up_pow_bits) + " bits");
    }
    logup_challenges.push_back(challenger.sample_ext());
    logup_challenges.push_back(challenger.sample_ext());
    for (const AirView& air : airs) {
      if (air.vk->has_interactions()) challenger.observe_ext(air.data->exposed_values[0]);
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
  for (PcsVerifyRound& round : rounds) {
    for (PcsVerifyMatrix& m : round.matrices) {
      if (m.points.size() == 2) {
        m.points = {zeta, zeta * two_adic_generator(m.log_trace_height)};
      } else {
        m.points = {zeta};
      }
    }
  }
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
      for (size_t i = 0; i < airs.size(); ++i) {
        const AirView& air = airs[i];
        OodInputs in;
        in.log_height = air.log_height;
        in.zeta = zeta;
        if (air.preprocessed_round != SIZE_MAX) {
          in.preprocessed_local = o.preprocessed[air.preprocessed_round].local;
          in.preprocessed_next = o.preprocessed[air.preprocessed_round].next;
        }
        for (size_t r : air.cached_rounds) {
          in.main_local.push_back(o.main[r][0].local);
          in.main_next.push_back(o.main[r][0].next);
        }
        if (air.common_matrix != SIZE_MAX) {
          in.main_local.push_back(o.main.back()[air.common_matrix].local);
          in.main_next.push_back(o.main.back()[air.common_matrix].next);
        }
        if (air.after_challenge_matrix != SIZE_MAX) {
          in.after_challenge_local = o.after_challenge[0][air.after_challenge_matrix].local;
          in.after_challenge_next = o.after_challenge[0][air.after_challenge_matrix].next;
          in.challenges = logup_challenges;
          in.exposed = air.data->exposed_values;
        }
        in.public_values = air.data->public_values;
        std::vector<std::array<Ext4, 4>> chunk_values;
        for (const auto& chunk : o.quotient[i])
          chunk_values.push_back({chunk[0], chunk[1], chunk[2], chunk[3]});
        check_ood(air.vk->cs, in, alpha_c, chunk_values, air.vk->name);
      }
    } catch (...) {
      ood_error = std::current_exception();
    }
  };
  pcs_verify(vk.fri, rounds, proof.fri, challenger, /*shape_checked=*/true, check_ood_all);  // V8
  if (ood_error) std::rethrow_exception(ood_error);                                          // V9

  // V10: the LogUp sums of the present AIRs cancel.
  Ext4 total = Ext4::zero();
  for (const AirView& air : airs) {
    if (air.vk->has_interactions()) total += air.data->exposed_values[0];
  }
  if (!total.is_zero()) {
    reject(VerifyErrorKind::ChallengePhaseError,
           "the LogUp cumulative sums of the present AIRs do not add up to zero (unbalanced interactions)");
  }
}

}  // namespace stark
