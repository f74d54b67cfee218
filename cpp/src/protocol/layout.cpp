// The proof layout (stark/protocol/layout.hpp, docs/protocol.md §13.7).
#include "stark/protocol/layout.hpp"

#include <string>

#include "stark/util/error.hpp"

namespace stark {

namespace {

[[noreturn]] void bad_shape(const std::string& msg) {
  throw VerificationError(VerifyErrorKind::InvalidProofShape, msg);
}

std::string count_of(size_t n, const char* what) { return std::to_string(n) + " " + what; }

}  // namespace

const char* section_name(LayoutSection section) {
  switch (section) {
    case LayoutSection::Preprocessed:
      return "preprocessed";
    case LayoutSection::CachedMain:
      return "cached main";
    case LayoutSection::CommonMain:
      return "common main";
    case LayoutSection::AfterChallenge:
      return "after-challenge";
    case LayoutSection::Quotient:
      return "quotient";
  }
  return "unknown";
}

std::string air_label(const AirVerifyingKey& vk, uint32_t air_id) {
  return "AIR '" + vk.name + "' (id " + std::to_string(air_id) + ")";
}

ProofLayout::ProofLayout(const VerifyingKey& vk, const std::vector<PresentAir>& present) {
  if (present.empty()) throw InputError("proof layout: no present AIR");
  for (size_t a = 0; a < present.size(); ++a) {
    const uint32_t id = present[a].air_id;
    if (id >= vk.num_airs() || (a > 0 && id <= present[a - 1].air_id)) {
      throw InputError("proof layout: present AIR " + std::to_string(a) + " has id " + std::to_string(id) +
                       " (ids must be ascending, distinct and below " + std::to_string(vk.num_airs()) + ")");
    }
    LayoutAir air;
    air.air_id = id;
    air.log_height = present[a].log_height;
    air.vk = &vk.airs[id];
    air.label = air_label(*air.vk, id);
    airs_.push_back(std::move(air));
  }

  auto trace_matrix = [](size_t a, const LayoutAir& air, LayoutSection section, uint32_t part, size_t width) {
    LayoutMatrix m;
    m.air = a;
    m.section = section;
    m.part = part;
    m.log_trace_height = air.log_height;
    m.domain_shift = Fp::one();
    m.width = width;
    m.opened_at_next = true;
    return m;
  };
  auto add_to = [this](LayoutRound& round, const LayoutMatrix& m) {
    round.matrices.push_back(m);
    return MatrixSlot{rounds_.size(), round.matrices.size() - 1};
  };

  // 1. Preprocessed: one round per AIR with a preprocessed trace.
  for (size_t a = 0; a < airs_.size(); ++a) {
    LayoutAir& air = airs_[a];
    if (!air.vk->preprocessed) continue;
    LayoutRound round{LayoutSection::Preprocessed, num_preprocessed_++, {}};
    air.preprocessed =
        add_to(round, trace_matrix(a, air, LayoutSection::Preprocessed, 0, air.vk->cs.preprocessed_width));
    rounds_.push_back(std::move(round));
  }
  // 2. Cached main: one round per partition.
  for (size_t a = 0; a < airs_.size(); ++a) {
    LayoutAir& air = airs_[a];
    const std::vector<uint32_t>& widths = air.vk->cs.cached_main_widths;
    for (uint32_t j = 0; j < widths.size(); ++j) {
      LayoutRound round{LayoutSection::CachedMain, num_main_++, {}};
      air.cached_mains.push_back(
          add_to(round, trace_matrix(a, air, LayoutSection::CachedMain, j, widths[j])));
      rounds_.push_back(std::move(round));
    }
  }
  // 3. Common main: one round for every AIR with common columns.
  {
    LayoutRound round{LayoutSection::CommonMain, num_main_, {}};
    for (size_t a = 0; a < airs_.size(); ++a) {
      LayoutAir& air = airs_[a];
      if (!air.vk->has_common_main()) continue;
      air.common_main =
          add_to(round, trace_matrix(a, air, LayoutSection::CommonMain, 0, air.vk->cs.common_main_width));
    }
    if (!round.matrices.empty()) {
      ++num_main_;
      rounds_.push_back(std::move(round));
    }
  }
  // 4. After-challenge: one round for every AIR with interactions (4 base columns per E column).
  {
    LayoutRound round{LayoutSection::AfterChallenge, 0, {}};
    for (size_t a = 0; a < airs_.size(); ++a) {
      LayoutAir& air = airs_[a];
      if (!air.vk->has_interactions()) continue;
      air.after_challenge = add_to(round, trace_matrix(a, air, LayoutSection::AfterChallenge, 0,
                                                       4 * size_t(air.vk->cs.after_challenge_width())));
    }
    if (!round.matrices.empty()) {
      has_after_challenge_ = true;
      rounds_.push_back(std::move(round));
    }
  }
  // 5. Quotient: q_A chunks per AIR, chunk t on s_t·H_n with s_t = g·ω_{k+log q}^t.
  {
    LayoutRound round{LayoutSection::Quotient, 0, {}};
    for (size_t a = 0; a < airs_.size(); ++a) {
      LayoutAir& air = airs_[a];
      const uint32_t q = air.vk->cs.quotient_degree;
      const Fp omega_nq = two_adic_generator(air.log_height + log2_exact(q));
      Fp shift = generator();
      for (uint32_t t = 0; t < q; ++t) {
        LayoutMatrix m;
        m.air = a;
        m.section = LayoutSection::Quotient;
        m.part = t;
        m.log_trace_height = air.log_height;
        m.domain_shift = shift;
        m.width = 4;
        m.opened_at_next = false;
        air.quotient_chunks.push_back(add_to(round, m));
        shift *= omega_nq;
      }
    }
    rounds_.push_back(std::move(round));
  }
}

std::vector<Ext4> ProofLayout::points(const LayoutMatrix& m, const Ext4& zeta) const {
  if (!m.opened_at_next) return {zeta};
  return {zeta, zeta * two_adic_generator(m.log_trace_height)};
}

OpenedProofValues ProofLayout::opened_values(const OpenedValues& values) const {
  if (values.size() != rounds_.size()) {
    throw InputError("proof layout: " + count_of(values.size(), "opened rounds") + ", expected " +
                     std::to_string(rounds_.size()));
  }
  OpenedProofValues o;
  o.main.resize(num_main_);
  o.after_challenge.resize(has_after_challenge_ ? 1 : 0);
  o.quotient.resize(airs_.size());
  for (size_t r = 0; r < rounds_.size(); ++r) {
    const LayoutRound& round = rounds_[r];
    if (values[r].size() != round.matrices.size()) {
      throw InputError("proof layout: " + std::string(section_name(round.section)) +
                       " round: " + count_of(values[r].size(), "opened matrices") + ", expected " +
                       std::to_string(round.matrices.size()));
    }
    for (size_t m = 0; m < round.matrices.size(); ++m) {
      const LayoutMatrix& lm = round.matrices[m];
      const std::vector<std::vector<Ext4>>& per_point = values[r][m];
      if (per_point.size() != lm.num_points()) {
        throw InputError("proof layout: " + airs_[lm.air].label + ": " + section_name(lm.section) +
                         " matrix " + std::to_string(lm.part) + ": " +
                         count_of(per_point.size(), "opened points") + ", expected " +
                         std::to_string(lm.num_points()));
      }
      switch (round.section) {
        case LayoutSection::Preprocessed:
          o.preprocessed.push_back(OpenedPair{per_point[0], per_point[1]});
          break;
        case LayoutSection::CachedMain:
        case LayoutSection::CommonMain:
          o.main[round.index].push_back(OpenedPair{per_point[0], per_point[1]});
          break;
        case LayoutSection::AfterChallenge:
          o.after_challenge[round.index].push_back(OpenedPair{per_point[0], per_point[1]});
          break;
        case LayoutSection::Quotient:
          o.quotient[lm.air].push_back(per_point[0]);
          break;
      }
    }
  }
  return o;
}

void ProofLayout::check_proof_shape(const Proof& proof) const {
  // Commitments and the LogUp phase.
  if (proof.main_commits.size() != num_main_) {
    bad_shape(count_of(proof.main_commits.size(), "main trace commitments") + ", expected " +
              std::to_string(num_main_));
  }
  const size_t num_ac = has_after_challenge_ ? 1 : 0;
  if (proof.after_challenge_commits.size() != num_ac) {
    bad_shape(count_of(proof.after_challenge_commits.size(), "after-challenge commitments") + ", expected " +
              std::to_string(num_ac));
  }
  if (proof.logup_pow_witness.has_value() != has_after_challenge_) {
    bad_shape(has_after_challenge_ ? "the LogUp proof-of-work witness is missing"
                                   : "a LogUp proof-of-work witness is present but no AIR has interactions");
  }
  if (proof.per_air.size() != airs_.size()) {
    bad_shape(count_of(proof.per_air.size(), "AIRs in the proof") + ", expected " +
              std::to_string(airs_.size()));
  }
  for (size_t a = 0; a < airs_.size(); ++a) {
    const size_t expected = airs_[a].after_challenge.present() ? 1 : 0;
    if (proof.per_air[a].exposed_values.size() != expected) {
      bad_shape(airs_[a].label + ": " + count_of(proof.per_air[a].exposed_values.size(), "exposed values") +
                ", expected " + std::to_string(expected));
    }
  }

  // Opened values: the number of entries of each section, then every round in opening order.
  const OpenedProofValues& o = proof.opened;
  if (o.preprocessed.size() != num_preprocessed_) {
    bad_shape(count_of(o.preprocessed.size(), "preprocessed openings") + ", expected " +
              std::to_string(num_preprocessed_));
  }
  if (o.main.size() != num_main_) {
    bad_shape(count_of(o.main.size(), "main opening rounds") + ", expected " + std::to_string(num_main_));
  }
  if (o.after_challenge.size() != num_ac) {
    bad_shape(count_of(o.after_challenge.size(), "after-challenge opening rounds") + ", expected " +
              std::to_string(num_ac));
  }
  if (o.quotient.size() != airs_.size()) {
    bad_shape(count_of(o.quotient.size(), "quotient openings") + ", expected one per present AIR (" +
              std::to_string(airs_.size()) + ")");
  }
  auto check_pair = [](const OpenedPair& pair, size_t width, const std::string& what) {
    if (pair.local.size() != width || pair.next.size() != width) {
      bad_shape(what + ": " + std::to_string(pair.local.size()) + " values at zeta and " +
                std::to_string(pair.next.size()) + " at zeta*omega, expected " + std::to_string(width) +
                " each");
    }
  };
  for (const LayoutRound& round : rounds_) {
    const std::vector<OpenedPair>* matrices = nullptr;  // the round's entry in opened.main / .after_challenge
    switch (round.section) {
      case LayoutSection::Preprocessed:
      case LayoutSection::Quotient:
        break;
      case LayoutSection::CachedMain:
      case LayoutSection::CommonMain:
        matrices = &o.main[round.index];
        break;
      case LayoutSection::AfterChallenge:
        matrices = &o.after_challenge[round.index];
        break;
    }
    if (matrices != nullptr && matrices->size() != round.matrices.size()) {
      const LayoutMatrix& first = round.matrices.front();
      const std::string what =
          round.section == LayoutSection::CachedMain
              ? airs_[first.air].label + ": cached main " + std::to_string(first.part) + " opening"
              : std::string(section_name(round.section)) + " opening";
      bad_shape(what + ": " + count_of(matrices->size(), "matrices") + ", expected " +
                std::to_string(round.matrices.size()));
    }
    for (size_t m = 0; m < round.matrices.size(); ++m) {
      const LayoutMatrix& lm = round.matrices[m];
      const LayoutAir& air = airs_[lm.air];
      switch (round.section) {
        case LayoutSection::Preprocessed:
          check_pair(o.preprocessed[round.index], lm.width, air.label + ": preprocessed opening");
          break;
        case LayoutSection::CachedMain:
          check_pair((*matrices)[m], lm.width,
                     air.label + ": cached main " + std::to_string(lm.part) + " opening");
          break;
        case LayoutSection::CommonMain:
        case LayoutSection::AfterChallenge:
          check_pair((*matrices)[m], lm.width, air.label + ": " + section_name(lm.section) + " opening");
          break;
        case LayoutSection::Quotient: {
          const std::vector<std::vector<Ext4>>& chunks = o.quotient[lm.air];
          if (lm.part == 0 && chunks.size() != air.quotient_chunks.size()) {
            bad_shape(air.label + ": " + count_of(chunks.size(), "quotient chunks opened") + ", expected " +
                      std::to_string(air.quotient_chunks.size()));
          }
          if (chunks[lm.part].size() != lm.width) {
            bad_shape(air.label + ": quotient chunk " + std::to_string(lm.part) + " has " +
                      count_of(chunks[lm.part].size(), "opened values") + ", expected " +
                      std::to_string(lm.width));
          }
          break;
        }
      }
    }
  }
}

const OpenedPair& ProofLayout::opened_pair(const OpenedProofValues& opened, MatrixSlot slot) const {
  const LayoutRound& round = rounds_.at(slot.round);
  switch (round.section) {
    case LayoutSection::Preprocessed:
      return opened.preprocessed.at(round.index);
    case LayoutSection::CachedMain:
    case LayoutSection::CommonMain:
      return opened.main.at(round.index).at(slot.matrix);
    case LayoutSection::AfterChallenge:
      return opened.after_challenge.at(round.index).at(slot.matrix);
    case LayoutSection::Quotient:
      break;
  }
  throw InputError("proof layout: a quotient chunk is not opened at a pair of points");
}

std::vector<PcsVerifyRound> ProofLayout::verify_rounds(const Proof& proof) const {
  std::vector<PcsVerifyRound> out;
  out.reserve(rounds_.size());
  for (size_t r = 0; r < rounds_.size(); ++r) {
    const LayoutRound& round = rounds_[r];
    PcsVerifyRound v;
    switch (round.section) {
      case LayoutSection::Preprocessed:
        v.commitment = airs_[round.matrices.front().air].vk->preprocessed->commit;
        break;
      case LayoutSection::CachedMain:
      case LayoutSection::CommonMain:
        v.commitment = proof.main_commits.at(round.index);
        break;
      case LayoutSection::AfterChallenge:
        v.commitment = proof.after_challenge_commits.at(round.index);
        break;
      case LayoutSection::Quotient:
        v.commitment = proof.quotient_commit;
        break;
    }
    for (size_t m = 0; m < round.matrices.size(); ++m) {
      const LayoutMatrix& lm = round.matrices[m];
      PcsVerifyMatrix pm;
      pm.log_trace_height = lm.log_trace_height;
      pm.domain_shift = lm.domain_shift;
      pm.width = lm.width;
      pm.points.assign(lm.num_points(), Ext4());
      if (lm.opened_at_next) {
        const OpenedPair& pair = opened_pair(proof.opened, MatrixSlot{r, m});
        pm.values = {pair.local, pair.next};
      } else {
        pm.values = {proof.opened.quotient.at(lm.air).at(lm.part)};
      }
      v.matrices.push_back(std::move(pm));
    }
    out.push_back(std::move(v));
  }
  return out;
}

void ProofLayout::set_points(std::vector<PcsVerifyRound>& rounds, const Ext4& zeta) const {
  for (size_t r = 0; r < rounds_.size(); ++r) {
    for (size_t m = 0; m < rounds_[r].matrices.size(); ++m) {
      rounds.at(r).matrices.at(m).points = points(rounds_[r].matrices[m], zeta);
    }
  }
}

}  // namespace stark
