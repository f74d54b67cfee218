// Byte encoding of Proof (layout in stark/protocol/proof.hpp).
#include "stark/protocol/proof.hpp"

#include <cstring>
#include <string>

#include "stark/config/config.hpp"
#include "stark/field/codec.hpp"

namespace stark {

namespace {

constexpr uint8_t kProofMagic[4] = {'S', 'B', 'P', 'F'};
constexpr size_t kExtBytes = 16;
constexpr size_t kDigestBytes = 32;

void write_pair(FieldWriter& w, const OpenedPair& pair) {
  // Both points carry one value per column; a single width keeps them equal by construction.
  w.u32(uint32_t(pair.local.size()));
  for (const Ext4& v : pair.local) w.ext(v);
  for (const Ext4& v : pair.next) w.ext(v);
}

OpenedPair read_pair(FieldReader& r) {
  // Each column costs two extension elements.
  const size_t width = r.length("opened pair width", 2 * kExtBytes);
  OpenedPair pair;
  pair.local.reserve(width);
  pair.next.reserve(width);
  for (size_t c = 0; c < width; ++c) pair.local.push_back(r.ext("opened value at zeta"));
  for (size_t c = 0; c < width; ++c) pair.next.push_back(r.ext("opened value at zeta*omega"));
  return pair;
}

// Smallest encoding of one pair (width 0): its u32 width.
constexpr size_t kMinPairBytes = 4;

}  // namespace

namespace {

// Writes the proof (the byte format of proof.hpp); `mark(section)` is called after each section.
template <class Mark>
void write_proof_sections(FieldWriter& w, const Proof& proof, Mark&& mark) {
  w.bytes(kProofMagic, 4);
  w.u32(kProofFormatVersion);
  w.u32(proof.config_id);
  mark("header");

  w.u32(uint32_t(proof.per_air.size()));
  for (const AirProofData& a : proof.per_air) {
    w.u32(a.air_id);
    w.u32(a.height);
    w.u32(uint32_t(a.public_values.size()));
    for (uint32_t v : a.public_values) w.felt(v);
    w.u32(uint32_t(a.exposed_values.size()));
    for (const Ext4& v : a.exposed_values) w.ext(v);
  }
  mark("per_air");

  w.u32(uint32_t(proof.main_commits.size()));
  for (const Digest& d : proof.main_commits) w.digest(d);
  w.u32(uint32_t(proof.after_challenge_commits.size()));
  for (const Digest& d : proof.after_challenge_commits) w.digest(d);
  w.digest(proof.quotient_commit);
  mark("commitments");

  w.u8(proof.logup_pow_witness.has_value() ? 1 : 0);
  if (proof.logup_pow_witness) w.felt(*proof.logup_pow_witness);

  const OpenedProofValues& o = proof.opened;
  w.felt(proof.deep_pow_witness);
  mark("pow_witnesses");
  w.u32(uint32_t(o.preprocessed.size()));
  for (const OpenedPair& p : o.preprocessed) write_pair(w, p);
  w.u32(uint32_t(o.main.size()));
  for (const auto& round : o.main) {
    w.u32(uint32_t(round.size()));
    for (const OpenedPair& p : round) write_pair(w, p);
  }
  w.u32(uint32_t(o.after_challenge.size()));
  for (const auto& round : o.after_challenge) {
    w.u32(uint32_t(round.size()));
    for (const OpenedPair& p : round) write_pair(w, p);
  }
  w.u32(uint32_t(o.quotient.size()));
  for (const auto& air : o.quotient) {
    w.u32(uint32_t(air.size()));
    for (const auto& chunk : air) {
      w.u32(uint32_t(chunk.size()));
      for (const Ext4& v : chunk) w.ext(v);
    }
  }

  mark("opened_values");
  write_fri_proof(w, proof.fri);
}

}  // namespace

std::vector<uint8_t> proof_to_bytes(const Proof& proof) {
  FieldWriter w;
  write_proof_sections(w, proof, [](const char*) {});
  return w.take();
}

std::vector<std::pair<std::string, size_t>> proof_section_sizes(const Proof& proof) {
  std::vector<std::pair<std::string, size_t>> sizes;
  FieldWriter w;
  size_t last = 0;
  write_proof_sections(w, proof, [&](const char* section) {
    sizes.emplace_back(section, w.size() - last);
    last = w.size();
  });
  for (const auto& [name, bytes] : fri_proof_section_sizes(proof.fri)) sizes.emplace_back(name, bytes);
  return sizes;
}

Proof proof_from_bytes(const uint8_t* data, size_t size) {
  FieldReader r(data, size, "proof");
  for (size_t i = 0; i < 4; ++i) {
    if (r.u8("magic") != kProofMagic[i]) r.fail("magic", "not a stark_backend proof (expected \"SBPF\")");
  }
  const uint32_t version = r.u32("version");
  if (version != kProofFormatVersion) {
    r.fail("version", "unsupported proof format version " + std::to_string(version) + " (expected " +
                          std::to_string(kProofFormatVersion) + ")");
  }

  Proof proof;
  const size_t config_at = r.offset();
  proof.config_id = r.u32("configuration");
  const StarkConfig* config = find_config(proof.config_id);
  if (config == nullptr) {
    r.fail_at(config_at, "configuration", "unknown configuration id " + std::to_string(proof.config_id));
  }
  // Digests from here on are checked against the configuration's rule.
  r.set_digest_rule(digest_rule(config->hasher()));
  // An AIR entry is at least air_id, height and two counts.
  const size_t num_airs = r.length("per_air count", 16);
  proof.per_air.resize(num_airs);
  for (AirProofData& a : proof.per_air) {
    a.air_id = r.u32("air_id");
    a.height = r.u32("height");
    const size_t npv = r.length("public value count", 4);
    a.public_values.reserve(npv);
    for (size_t i = 0; i < npv; ++i) a.public_values.push_back(r.felt("public value"));
    const size_t nexp = r.length("exposed value count", kExtBytes);
    a.exposed_values.reserve(nexp);
    for (size_t i = 0; i < nexp; ++i) a.exposed_values.push_back(r.ext("exposed value"));
  }

  const size_t nmain = r.length("main commitment count", kDigestBytes);
  proof.main_commits.reserve(nmain);
  for (size_t i = 0; i < nmain; ++i) proof.main_commits.push_back(r.digest("main commitment"));
  const size_t nac = r.length("after-challenge commitment count", kDigestBytes);
  proof.after_challenge_commits.reserve(nac);
  for (size_t i = 0; i < nac; ++i)
    proof.after_challenge_commits.push_back(r.digest("after-challenge commitment"));
  proof.quotient_commit = r.digest("quotient commitment");

  const size_t flag_at = r.offset();
  const uint8_t has_logup = r.u8("logup pow witness flag");
  if (has_logup > 1) {
    throw ProofFormatError("proof: logup pow witness flag at byte offset " + std::to_string(flag_at) +
                           ": value " + std::to_string(has_logup) + " is not 0 or 1");
  }
  if (has_logup) proof.logup_pow_witness = r.felt("logup pow witness");

  OpenedProofValues& o = proof.opened;
  proof.deep_pow_witness = r.felt("deep pow witness");
  const size_t nprep = r.length("preprocessed opening count", kMinPairBytes);
  o.preprocessed.reserve(nprep);
  for (size_t i = 0; i < nprep; ++i) o.preprocessed.push_back(read_pair(r));
  const size_t nmain_rounds = r.length("main opening round count", 4);
  o.main.resize(nmain_rounds);
  for (auto& round : o.main) {
    const size_t n = r.length("main opening matrix count", kMinPairBytes);
    round.reserve(n);
    for (size_t i = 0; i < n; ++i) round.push_back(read_pair(r));
  }
  const size_t nac_rounds = r.length("after-challenge opening round count", 4);
  o.after_challenge.resize(nac_rounds);
  for (auto& round : o.after_challenge) {
    const size_t n = r.length("after-challenge opening matrix count", kMinPairBytes);
    round.reserve(n);
    for (size_t i = 0; i < n; ++i) round.push_back(read_pair(r));
  }
  const size_t nq = r.length("quotient opening AIR count", 4);
  o.quotient.resize(nq);
  for (auto& air : o.quotient) {
    const size_t nchunks = r.length("quotient chunk count", 4);
    air.resize(nchunks);
    for (auto& chunk : air) {
      const size_t nv = r.length("quotient chunk value count", kExtBytes);
      chunk.reserve(nv);
      for (size_t i = 0; i < nv; ++i) chunk.push_back(r.ext("quotient chunk value"));
    }
  }

  proof.fri = read_fri_proof(r);
  r.expect_end();
  return proof;
}

}  // namespace stark
