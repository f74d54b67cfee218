// The STARK prover coordinator (stark/prover/prover.hpp, docs/protocol.md §9).
#include "stark/prover/prover.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeinfo>

#include "stark/protocol/layout.hpp"
#include "stark/util/error.hpp"
#include "stark/util/timing.hpp"

namespace stark {

namespace {

// Rethrows the exception being handled with `label + ": "` before its message: the core's own
// classes keep their class (matched exactly, so a subclass is never sliced to its base), a plain
// standard exception becomes an InternalError, anything else (std::bad_alloc) propagates
// unchanged.
[[noreturn]] void rethrow_labelled(const std::string& label) {
  try {
    throw;
  } catch (const VerificationError& e) {
    if (typeid(e) == typeid(VerificationError)) throw VerificationError(e.kind, label + ": " + e.what());
    throw;
  } catch (const std::exception& e) {
    const std::string msg = label + ": " + e.what();
    const std::type_info& type = typeid(e);
    if (type == typeid(InputError)) throw InputError(msg);
    if (type == typeid(DeviceError)) throw DeviceError(msg);
    if (type == typeid(ProofFormatError)) throw ProofFormatError(msg);
    if (type == typeid(KeygenError)) throw KeygenError(msg);
    if (type == typeid(ResourceError)) throw ResourceError(msg);
    if (type == typeid(InternalError)) throw InternalError(msg);
    // A plain standard exception from inside the core is a bug, never the caller's input.
    if (type == typeid(std::runtime_error) || type == typeid(std::invalid_argument) ||
        type == typeid(std::logic_error) || type == typeid(std::out_of_range))
      throw InternalError(msg);
    throw;
  }
}

// What the coordinator holds for one present AIR, in layout order.
struct ProverAir {
  const ValidatedAir* input = nullptr;
  const LayoutAir* layout = nullptr;
  Ext4 cumulative_sum;  // S_A, for AIRs with interactions
  // Its traces on the device: main partitions (cached..., common), the key's preprocessed trace.
  std::vector<std::shared_ptr<const DeviceMatrix>> mains;
  std::shared_ptr<const DeviceMatrix> preprocessed;

  const AirVerifyingKey& vk() const { return *layout->vk; }
  const std::string& label() const { return input->label; }
};

// The commitment of main partition `p` of `air` made ahead (commit_cached_trace), or nullptr.
const CommittedTrace* committed_partition(const ValidatedAir& air, size_t p) {
  const auto& slots = air.input->committed_cached;
  return p < slots.size() ? slots[p].get() : nullptr;
}

}  // namespace

Proof prove(const ProvingKey& pk, std::vector<AirProvingInput> inputs, const ProverDevice& device) {
  const VerifyingKey& vk = pk.vk;
  const FriParameters& fri = vk.fri;
  const std::vector<ValidatedAir> validated = validate_inputs(pk, inputs);
  std::vector<PresentAir> present;
  for (const ValidatedAir& v : validated) present.push_back(PresentAir{v.air_id, v.log_height});
  const ProofLayout layout(vk, present);
  const std::vector<LayoutRound>& rounds = layout.rounds();
  std::vector<ProverAir> airs(validated.size());
  for (size_t a = 0; a < airs.size(); ++a) {
    airs[a].input = &validated[a];
    airs[a].layout = &layout.airs()[a];
  }
  const StarkConfig& config = vk.config();
  const std::unique_ptr<ProverSession> session = device.begin_proof(config);
  ProverSession& dev = *session;
  const GrindBackend* grinder = dev.grinder();

  // The commitment of every round (preprocessed ones belong to the key and stay resident).
  std::vector<std::shared_ptr<const DeviceCommitment>> committed(rounds.size());
  auto lde_of = [&](MatrixSlot slot) { return DeviceLde{committed[slot.round].get(), slot.matrix}; };

  Proof proof;
  proof.config_id = vk.config_id;
  for (const ProverAir& air : airs) {
    AirProofData d;
    d.air_id = air.layout->air_id;
    d.height = uint32_t(1) << air.layout->log_height;
    d.public_values = air.input->input->public_values;
    proof.per_air.push_back(std::move(d));
  }

  // P1–P4: transcript seed, number of AIRs, their ids.
  Challenger challenger = config.new_challenger();
  challenger.observe_digest(vk.pre_hash);
  challenger.observe(uint32_t(airs.size()));
  for (const ProverAir& air : airs) challenger.observe(air.layout->air_id);

  // P5: main trace commitments (each cached partition alone, then all common mains together).
  // Every main trace goes to the device once; prove()'s inputs outlive the proof, so a device
  // may read them in place.
  std::optional<PhaseScope> phase(std::in_place, "main_commit");
  for (ProverAir& air : airs) {
    try {
      const ValidatedAir& v = *air.input;
      for (size_t p = 0; p < v.mains.size(); ++p) {
        if (const CommittedTrace* ct = committed_partition(v, p)) {
          air.mains.push_back(dev.resident_matrix(ct->trace));  // committed ahead: resident
          continue;
        }
        air.mains.push_back(v.input->memory == TraceMemory::Cuda
                                ? dev.upload_from_gpu(v.mains[p], v.main_names[p])
                                : dev.upload(v.mains[p]));
      }
    } catch (...) {
      rethrow_labelled(air.label());
    }
  }
  for (size_t r = 0; r < rounds.size(); ++r) {
    const LayoutRound& round = rounds[r];
    if (round.section == LayoutSection::Preprocessed) {
      committed[r] = dev.resident_commitment(airs[round.matrices.front().air].input->preprocessed->committed);
      continue;
    }
    if (round.section != LayoutSection::CachedMain && round.section != LayoutSection::CommonMain) continue;
    if (round.section == LayoutSection::CachedMain) {
      // Each cached partition is a round of its own: one committed ahead is opened as it is.
      const LayoutMatrix& m = round.matrices.front();
      if (const CommittedTrace* ct = committed_partition(*airs[m.air].input, m.part)) {
        committed[r] = dev.resident_commitment(ct->committed);
        continue;
      }
    }
    std::vector<DeviceCommitInput> matrices;
    for (const LayoutMatrix& m : round.matrices) {
      const ProverAir& air = airs[m.air];
      // mains: cached partitions in order, then the common main.
      const size_t part =
          m.section == LayoutSection::CachedMain ? m.part : air.input->input->cached_mains.size();
      matrices.push_back(DeviceCommitInput{air.mains[part], Fp::one()});
    }
    committed[r] = dev.commit(fri, matrices);
  }
  phase.reset();

  // P6–P9: public values, preprocessed commitments, main commitments, log heights.
  for (const ProverAir& air : airs) {
    for (uint32_t v : air.input->input->public_values) challenger.observe(v);
  }
  for (const ProverAir& air : airs) {
    if (air.vk().preprocessed) challenger.observe_digest(air.vk().preprocessed->commit);
  }
  for (size_t r = 0; r < rounds.size(); ++r) {
    if (rounds[r].section != LayoutSection::CachedMain && rounds[r].section != LayoutSection::CommonMain)
      continue;
    challenger.observe_digest(committed[r]->root());
    proof.main_commits.push_back(committed[r]->root());
  }
  for (const ProverAir& air : airs) challenger.observe(air.layout->log_height);

  // P10: LogUp phase.
  std::vector<Ext4> logup_challenges;
  if (layout.has_after_challenge()) {
    phase.emplace("logup");
    proof.logup_pow_witness = challenger.grind(vk.log_up_pow_bits, grinder);
    const Ext4 alpha_lu = challenger.sample_ext();
    const Ext4 beta_lu = challenger.sample_ext();
    logup_challenges = {alpha_lu, beta_lu};
    size_t r = 0;
    while (rounds[r].section != LayoutSection::AfterChallenge) ++r;
    std::vector<DeviceCommitInput> traces;
    for (const LayoutMatrix& m : rounds[r].matrices) {
      ProverAir& air = airs[m.air];
      DeviceLogupTrace ac;
      try {
        if (air.input->preprocessed && !air.preprocessed)
          air.preprocessed = dev.resident_matrix(air.input->preprocessed->trace);
        std::vector<const DeviceMatrix*> mains;
        for (const auto& main : air.mains) mains.push_back(main.get());
        // A zero LogUp denominator has probability ~ rows·interactions / |E| for honest traces.
        ac = dev.logup_trace(air.vk().cs, air.preprocessed.get(), mains, air.input->input->public_values,
                             alpha_lu, beta_lu);
      } catch (...) {
        rethrow_labelled(air.label());
      }
      air.cumulative_sum = ac.cumulative_sum;
      traces.push_back(DeviceCommitInput{std::move(ac.flattened), m.domain_shift});
    }
    committed[r] = dev.commit(fri, traces);
    traces.clear();
    for (size_t a = 0; a < airs.size(); ++a) {
      if (!airs[a].layout->after_challenge.present()) continue;
      challenger.observe_ext(airs[a].cumulative_sum);
      proof.per_air[a].exposed_values = {airs[a].cumulative_sum};
    }
    challenger.observe_digest(committed[r]->root());
    proof.after_challenge_commits.push_back(committed[r]->root());
    phase.reset();
  }
  // The traces themselves are no longer read: their LDEs are.
  for (ProverAir& air : airs) {
    air.mains.clear();
    air.preprocessed.reset();
  }

  // P11–P13: constraint folding challenge, quotient chunks of every AIR in one commitment.
  const Ext4 alpha_c = challenger.sample_ext();
  phase.emplace("quotient");
  const size_t quotient_round = rounds.size() - 1;
  std::vector<DeviceCommitInput> chunk_inputs;
  for (const ProverAir& air : airs) {
    const LayoutAir& la = *air.layout;
    DeviceQuotientInputs qin;
    qin.log_height = la.log_height;
    qin.log_blowup = fri.log_blowup;
    if (la.preprocessed.present()) qin.preprocessed = lde_of(la.preprocessed);
    for (MatrixSlot slot : la.cached_mains) qin.mains.push_back(lde_of(slot));
    if (la.common_main.present()) qin.mains.push_back(lde_of(la.common_main));
    if (la.after_challenge.present()) {
      qin.after_challenge = lde_of(la.after_challenge);
      qin.challenges = logup_challenges;
      qin.exposed = {air.cumulative_sum};
    }
    qin.public_values = air.input->input->public_values;
    std::vector<std::shared_ptr<const DeviceMatrix>> chunks;
    try {
      const PhaseScope values_phase("quotient.values");
      chunks = dev.quotient_chunks(air.vk().cs, qin, alpha_c);
    } catch (...) {
      rethrow_labelled(air.label());
    }
    if (chunks.size() != la.quotient_chunks.size()) {
      throw DeviceError(air.label() + ": the device returned " + std::to_string(chunks.size()) +
                        " quotient chunks, expected " + std::to_string(la.quotient_chunks.size()));
    }
    for (size_t t = 0; t < chunks.size(); ++t) {
      if (!chunks[t] || chunks[t]->height() != (size_t(1) << la.log_height) || chunks[t]->width() != 4)
        throw DeviceError(air.label() + ": the device returned a quotient chunk of the wrong shape");
      chunk_inputs.push_back(
          DeviceCommitInput{std::move(chunks[t]), layout.matrix(la.quotient_chunks[t]).domain_shift});
    }
  }
  committed[quotient_round] = dev.commit(fri, chunk_inputs);
  chunk_inputs.clear();
  challenger.observe_digest(committed[quotient_round]->root());
  proof.quotient_commit = committed[quotient_round]->root();
  phase.reset();

  // P14–P15: DEEP proof of work, out-of-domain point.
  proof.deep_pow_witness = challenger.grind(vk.deep_pow_bits, grinder);
  const Ext4 zeta = challenger.sample_ext();

  // P16: open every round of the layout at its matrices' points: the codeword work on the
  // device, the transcript here (fri_prove).
  std::vector<DeviceOpenRound> open_rounds;
  for (size_t r = 0; r < rounds.size(); ++r) {
    DeviceOpenRound round{committed[r].get(), {}};
    for (const LayoutMatrix& m : rounds[r].matrices) round.points.push_back(layout.points(m, zeta));
    open_rounds.push_back(std::move(round));
  }
  phase.emplace("open");
  const std::vector<FriOpenRound> shapes = device_open_shapes(open_rounds);
  const std::unique_ptr<FriProverBackend> opening = dev.fri_prover(fri, open_rounds);
  auto [values, fri_proof] = fri_prove(fri, shapes, *opening, challenger, grinder);
  phase.reset();
  dev.finish();
  proof.fri = std::move(fri_proof);
  proof.opened = layout.opened_values(values);
  return proof;
}

}  // namespace stark
