// The STARK prover coordinator (stark/prover/prover.hpp, PROTOCOL.md §9).
#include "stark/prover/prover.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>

#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "stark/util/timing.hpp"

namespace stark {

namespace {

// Everything the coordinator tracks about one present AIR, in proof order.
struct PresentAir {
  const AirProvingInput* input = nullptr;
  const AirVerifyingKey* vk = nullptr;
  const PreprocessedProvingData* preprocessed = nullptr;
  uint32_t log_height = 0;
  std::vector<ConstMatrixView> mains;        // cached..., common (if its width is non-zero)
  std::vector<size_t> cached_commits;        // index into the cached commitments, per partition
  size_t common_matrix = SIZE_MAX;           // matrix index in the common-main commitment
  size_t after_challenge_matrix = SIZE_MAX;  // matrix index in the after-challenge commitment
  AfterChallengeTrace after_challenge;
};

std::string air_label(const AirVerifyingKey& vk, uint32_t id) {
  return "AIR '" + vk.name + "' (id " + std::to_string(id) + ")";
}

// First value >= p in row-major order (deterministic for any thread count).
void check_canonical(ConstMatrixView m, const std::string& what) {
  const size_t total = m.height * m.width;
  std::atomic<size_t> first_bad{SIZE_MAX};
  parallel_for_chunks(total, size_t(1) << 16, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (m.data[i] >= P) {
        size_t cur = first_bad.load();
        while (i < cur && !first_bad.compare_exchange_weak(cur, i)) {
        }
        return;
      }
    }
  });
  const size_t bad = first_bad.load();
  if (bad != SIZE_MAX) {
    throw InputError(what + ": value " + std::to_string(m.data[bad]) + " at row " +
                     std::to_string(bad / m.width) + ", column " + std::to_string(bad % m.width) +
                     " is not a canonical field element (must be < " + std::to_string(P) + ")");
  }
}

// Validates the inputs against the key (InputError) and returns the present AIRs in ascending id.
std::vector<PresentAir> validate(const ProvingKey& pk, const std::vector<AirProvingInput>& inputs) {
  const VerifyingKey& vk = pk.vk;
  const FriParameters& fri = vk.fri;
  if (inputs.empty())
    throw InputError("prove: no AIR proving contexts given (at least one AIR must be present)");
  std::vector<const AirProvingInput*> sorted;
  for (const AirProvingInput& in : inputs) {
    if (in.air_id >= vk.num_airs()) {
      throw InputError("prove: unknown air id " + std::to_string(in.air_id) + " (the key has " +
                       std::to_string(vk.num_airs()) + " AIRs)");
    }
    sorted.push_back(&in);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const AirProvingInput* a, const AirProvingInput* b) { return a->air_id < b->air_id; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->air_id == sorted[i - 1]->air_id) {
      throw InputError("prove: " + air_label(vk.airs[sorted[i]->air_id], sorted[i]->air_id) +
                       " is given more than once");
    }
  }

  std::vector<PresentAir> airs;
  for (const AirProvingInput* in : sorted) {
    PresentAir air;
    air.input = in;
    air.vk = &vk.airs[in->air_id];
    const ConstraintSystem& cs = air.vk->cs;
    const std::string label = air_label(*air.vk, in->air_id);
    if (pk.preprocessed.size() == vk.num_airs() && pk.preprocessed[in->air_id]) {
      air.preprocessed = &*pk.preprocessed[in->air_id];
    }
    if (in->cached_mains.size() != cs.cached_main_widths.size()) {
      throw InputError(label + ": " + std::to_string(in->cached_mains.size()) +
                       " cached main traces given, expected " + std::to_string(cs.cached_main_widths.size()));
    }
    if (cs.common_main_width > 0 && !in->common_main) {
      throw InputError(label + ": the common main trace (width " + std::to_string(cs.common_main_width) +
                       ") is missing");
    }
    if (cs.common_main_width == 0 && in->common_main && in->common_main->width != 0) {
      throw InputError(label + ": a common main trace was given but the AIR has no common main columns");
    }
    std::vector<std::pair<ConstMatrixView, std::string>> parts;
    for (size_t j = 0; j < in->cached_mains.size(); ++j) {
      parts.emplace_back(in->cached_mains[j], label + ": cached main trace " + std::to_string(j));
      if (in->cached_mains[j].width != cs.cached_main_widths[j]) {
        throw InputError(parts.back().second + " has width " + std::to_string(in->cached_mains[j].width) +
                         ", expected " + std::to_string(cs.cached_main_widths[j]));
      }
    }
    if (cs.common_main_width > 0) {
      parts.emplace_back(*in->common_main, label + ": common main trace");
      if (in->common_main->width != cs.common_main_width) {
        throw InputError(parts.back().second + " has width " + std::to_string(in->common_main->width) +
                         ", expected " + std::to_string(cs.common_main_width));
      }
    }
    const size_t height = parts.front().first.height;
    for (const auto& [view, what] : parts) {
      if (view.height != height) {
        throw InputError(what + " has height " + std::to_string(view.height) + ", but " +
                         parts.front().second + " has height " + std::to_string(height) +
                         " (all partitions share one height)");
      }
    }
    if (!is_power_of_two(height)) {
      throw InputError(label + ": trace height " + std::to_string(height) +
                       " is not a power of two (traces are never padded)");
    }
    air.log_height = log2_exact(height);
    if (air.log_height + fri.log_blowup > TWO_ADICITY) {
      throw InputError(label + ": trace height 2^" + std::to_string(air.log_height) + " with log_blowup " +
                       std::to_string(fri.log_blowup) + " exceeds the two-adicity 2^" +
                       std::to_string(TWO_ADICITY));
    }
    if (fri.log_final_poly_len > 0 && air.log_height <= fri.log_final_poly_len) {
      throw InputError(
          label + ": trace height " + std::to_string(height) +
          " must exceed 2^log_final_poly_len = " + std::to_string(size_t(1) << fri.log_final_poly_len));
    }
    if (air.vk->preprocessed && air.vk->preprocessed->log_height != air.log_height) {
      throw InputError(label + ": trace height " + std::to_string(height) +
                       " differs from the preprocessed height " +
                       std::to_string(size_t(1) << air.vk->preprocessed->log_height));
    }
    if (air.vk->preprocessed && air.preprocessed == nullptr) {
      throw InputError(label + ": the proving key lacks the preprocessed trace");
    }
    if (in->public_values.size() != cs.num_public_values) {
      throw InputError(label + ": " + std::to_string(in->public_values.size()) +
                       " public values given, expected " + std::to_string(cs.num_public_values));
    }
    for (size_t i = 0; i < in->public_values.size(); ++i) {
      if (in->public_values[i] >= P) {
        throw InputError(label + ": public value " + std::to_string(i) + " = " +
                         std::to_string(in->public_values[i]) + " is not a canonical field element");
      }
    }
    for (const auto& [view, what] : parts) {
      check_canonical(view, what);
      air.mains.push_back(view);
    }
    airs.push_back(std::move(air));
  }
  return airs;
}

std::optional<ConstMatrixView> preprocessed_trace_view(const PresentAir& air) {
  if (air.preprocessed == nullptr) return std::nullopt;
  return air.preprocessed->trace->view();
}

}  // namespace

Proof prove(const ProvingKey& pk, std::vector<AirProvingInput> inputs, const ProverDevice& device) {
  const VerifyingKey& vk = pk.vk;
  const FriParameters& fri = vk.fri;
  std::vector<PresentAir> airs = validate(pk, inputs);
  const ScopedGrindBackend grinding(device.grind_backend());

  Proof proof;
  for (const PresentAir& air : airs) {
    AirProofData d;
    d.air_id = air.input->air_id;
    d.height = uint32_t(1) << air.log_height;
    d.public_values = air.input->public_values;
    proof.per_air.push_back(std::move(d));
  }

  // P1–P4: transcript seed, number of AIRs, their ids.
  Challenger challenger;
  challenger.observe_digest(vk.pre_hash);
  challenger.observe(uint32_t(airs.size()));
  for (const PresentAir& air : airs) challenger.observe(air.input->air_id);

  // P5: main trace commitments (each cached partition alone, then all common mains together).
  std::vector<std::shared_ptr<const PcsCommitted>> cached_commits;
  std::optional<PhaseScope> phase(std::in_place, "main_commit");
  for (PresentAir& air : airs) {
    for (const ConstMatrixView& part : air.input->cached_mains) {
      std::vector<PcsMatrixInput> one;
      one.push_back(PcsMatrixInput::borrow(part));  // prove()'s inputs outlive the commit
      air.cached_commits.push_back(cached_commits.size());
      cached_commits.push_back(device.commit(fri, std::move(one)));
    }
  }
  std::shared_ptr<const PcsCommitted> common_commit;
  {
    std::vector<PcsMatrixInput> common;
    for (PresentAir& air : airs) {
      if (!air.vk->has_common_main()) continue;
      air.common_matrix = common.size();
      common.push_back(PcsMatrixInput::borrow(*air.input->common_main));
    }
    if (!common.empty()) common_commit = device.commit(fri, std::move(common));
  }
  phase.reset();

  // P6–P9: public values, preprocessed commitments, main commitments, log heights.
  for (const PresentAir& air : airs) {
    for (uint32_t v : air.input->public_values) challenger.observe(v);
  }
  for (const PresentAir& air : airs) {
    if (air.vk->preprocessed) challenger.observe_digest(air.vk->preprocessed->commit);
  }
  for (const auto& c : cached_commits) {
    challenger.observe_digest(c->root());
    proof.main_commits.push_back(c->root());
  }
  if (common_commit) {
    challenger.observe_digest(common_commit->root());
    proof.main_commits.push_back(common_commit->root());
  }
  for (const PresentAir& air : airs) challenger.observe(air.log_height);

  // P10: LogUp phase.
  std::vector<Ext4> logup_challenges;
  std::shared_ptr<const PcsCommitted> after_challenge_commit;
  const bool any_interactions =
      std::any_of(airs.begin(), airs.end(), [](const PresentAir& a) { return a.vk->has_interactions(); });
  if (any_interactions) {
    phase.emplace("logup");
    proof.logup_pow_witness = challenger.grind(vk.log_up_pow_bits);
    const Ext4 alpha_lu = challenger.sample_ext();
    const Ext4 beta_lu = challenger.sample_ext();
    logup_challenges = {alpha_lu, beta_lu};
    std::vector<PcsMatrixInput> traces;
    for (PresentAir& air : airs) {
      if (!air.vk->has_interactions()) continue;
      AfterChallengeTrace ac;
      try {
        ac = device.logup_trace(air.vk->cs, preprocessed_trace_view(air), air.mains, air.input->public_values,
                                alpha_lu, beta_lu);
      } catch (const DeviceError&) {
        throw;
      } catch (const std::runtime_error& e) {
        // A zero LogUp denominator: probability ~ rows·interactions / |E| for honest traces.
        throw std::runtime_error(air_label(*air.vk, air.input->air_id) + ": " + e.what());
      }
      air.after_challenge_matrix = traces.size();
      air.after_challenge.cumulative_sum = ac.cumulative_sum;
      traces.push_back(PcsMatrixInput{std::move(ac.flattened), Fp::one()});
    }
    after_challenge_commit = device.commit(fri, std::move(traces));
    for (size_t i = 0; i < airs.size(); ++i) {
      if (!airs[i].vk->has_interactions()) continue;
      challenger.observe_ext(airs[i].after_challenge.cumulative_sum);
      proof.per_air[i].exposed_values = {airs[i].after_challenge.cumulative_sum};
    }
    challenger.observe_digest(after_challenge_commit->root());
    proof.after_challenge_commits.push_back(after_challenge_commit->root());
    phase.reset();
  }

  // P11–P13: constraint folding challenge, quotient chunks of every AIR in one commitment.
  const Ext4 alpha_c = challenger.sample_ext();
  phase.emplace("quotient");
  std::vector<PcsMatrixInput> chunk_inputs;
  for (const PresentAir& air : airs) {
    const ConstraintSystem& cs = air.vk->cs;
    QuotientInputs qin;
    qin.log_height = air.log_height;
    qin.log_blowup = fri.log_blowup;
    if (air.preprocessed) qin.preprocessed = air.preprocessed->committed->lde(0);
    for (size_t j = 0; j < air.cached_commits.size(); ++j)
      qin.mains.push_back(cached_commits[air.cached_commits[j]]->lde(0));
    if (air.common_matrix != SIZE_MAX) qin.mains.push_back(common_commit->lde(air.common_matrix));
    if (air.after_challenge_matrix != SIZE_MAX) {
      qin.after_challenge = after_challenge_commit->lde(air.after_challenge_matrix);
      qin.challenges = logup_challenges;
      qin.exposed = {air.after_challenge.cumulative_sum};
    }
    qin.public_values = air.input->public_values;
    std::vector<RowMajorMatrix> chunks;
    {
      const PhaseScope values_phase("quotient.values");
      chunks = device.quotient_chunks(cs, qin, alpha_c);
    }
    const uint32_t log_q = log2_exact(cs.quotient_degree);
    const Fp omega_nq = two_adic_generator(air.log_height + log_q);
    Fp shift = generator();
    for (RowMajorMatrix& chunk : chunks) {
      chunk_inputs.push_back(PcsMatrixInput{std::move(chunk), shift});
      shift *= omega_nq;  // s_t = g·ω_{k+log q}^t
    }
  }
  std::shared_ptr<const PcsCommitted> quotient_commit = device.commit(fri, std::move(chunk_inputs));
  challenger.observe_digest(quotient_commit->root());
  proof.quotient_commit = quotient_commit->root();
  phase.reset();

  // P14–P15: DEEP proof of work, out-of-domain point.
  proof.deep_pow_witness = challenger.grind(vk.deep_pow_bits);
  const Ext4 zeta = challenger.sample_ext();

  // P16: open. Trace matrices at ζ and ζ·ω_A, quotient chunks at ζ.
  auto trace_points = [&](const PresentAir& air) {
    return std::vector<Ext4>{zeta, zeta * two_adic_generator(air.log_height)};
  };
  std::vector<PcsOpenRound> rounds;
  for (const PresentAir& air : airs) {
    if (air.preprocessed)
      rounds.push_back(PcsOpenRound{air.preprocessed->committed.get(), {trace_points(air)}});
  }
  const size_t num_prep_rounds = rounds.size();
  for (const PresentAir& air : airs) {
    for (size_t idx : air.cached_commits)
      rounds.push_back(PcsOpenRound{cached_commits[idx].get(), {trace_points(air)}});
  }
  if (common_commit) {
    PcsOpenRound round{common_commit.get(), {}};
    for (const PresentAir& air : airs) {
      if (air.common_matrix != SIZE_MAX) round.points.push_back(trace_points(air));
    }
    rounds.push_back(std::move(round));
  }
  if (after_challenge_commit) {
    PcsOpenRound round{after_challenge_commit.get(), {}};
    for (const PresentAir& air : airs) {
      if (air.after_challenge_matrix != SIZE_MAX) round.points.push_back(trace_points(air));
    }
    rounds.push_back(std::move(round));
  }
  {
    PcsOpenRound round{quotient_commit.get(), {}};
    for (const PresentAir& air : airs) {
      for (uint32_t t = 0; t < air.vk->cs.quotient_degree; ++t) round.points.push_back({zeta});
    }
    rounds.push_back(std::move(round));
  }

  phase.emplace("open");
  auto [values, fri_proof] = device.open(fri, rounds, challenger);
  phase.reset();
  proof.fri = std::move(fri_proof);

  auto pair_of = [](const std::vector<std::vector<Ext4>>& per_point) {
    return OpenedPair{per_point.at(0), per_point.at(1)};
  };
  size_t r = 0;
  for (; r < num_prep_rounds; ++r) proof.opened.preprocessed.push_back(pair_of(values[r][0]));
  const size_t num_main_rounds = proof.main_commits.size();
  for (size_t i = 0; i < num_main_rounds; ++i, ++r) {
    std::vector<OpenedPair> round;
    for (const auto& matrix : values[r]) round.push_back(pair_of(matrix));
    proof.opened.main.push_back(std::move(round));
  }
  if (after_challenge_commit) {
    std::vector<OpenedPair> round;
    for (const auto& matrix : values[r]) round.push_back(pair_of(matrix));
    proof.opened.after_challenge.push_back(std::move(round));
    ++r;
  }
  {
    const auto& qvals = values[r];
    size_t m = 0;
    for (const PresentAir& air : airs) {
      std::vector<std::vector<Ext4>> chunks;
      for (uint32_t t = 0; t < air.vk->cs.quotient_degree; ++t, ++m) chunks.push_back(qvals[m].at(0));
      proof.opened.quotient.push_back(std::move(chunks));
    }
  }
  return proof;
}

}  // namespace stark
