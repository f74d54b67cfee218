// Verifying/proving key encoding, trace-height constraints and pre_hash (stark/protocol/keys.hpp;
// docs/protocol.md §8, §13.4, §13.5).
#include "stark/protocol/keys.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "stark/field/codec.hpp"
#include "stark/util/error.hpp"

namespace stark {

namespace {

constexpr uint8_t kVkMagic[4] = {'S', 'B', 'V', 'K'};
constexpr uint8_t kPkMagic[4] = {'S', 'B', 'P', 'K'};
// Version 2: the configuration id after the version.
constexpr uint32_t kVkFormatVersion = 2;
constexpr uint32_t kPkFormatVersion = 2;

void read_magic(FieldReader& r, const uint8_t (&magic)[4], const char* what) {
  for (size_t i = 0; i < 4; ++i) {
    if (r.u8("magic") != magic[i]) {
      r.fail("magic", std::string("not a stark_backend ") + what + " (expected \"" +
                          std::string(reinterpret_cast<const char*>(magic), 4) + "\")");
    }
  }
}

void read_version(FieldReader& r, uint32_t expected) {
  const uint32_t v = r.u32("version");
  if (v != expected) {
    r.fail("version", "unsupported format version " + std::to_string(v) + " (expected " +
                          std::to_string(expected) + ")");
  }
}

// The configuration id; from here on digests are checked against its hasher's rule.
uint32_t read_config_id(FieldReader& r) {
  const size_t at = r.offset();
  const uint32_t id = r.u32("configuration");
  const StarkConfig* config = find_config(id);
  if (config == nullptr) {
    std::string known;
    for (const StarkConfig* c : stark_configs())
      known += (known.empty() ? "" : ", ") + describe_config_id(uint32_t(c->id()));
    r.fail_at(at, "configuration",
              "unknown configuration id " + std::to_string(id) + " (known: " + known + ")");
  }
  r.set_digest_rule(digest_rule(config->hasher()));
  return id;
}

void write_vk_body(FieldWriter& w, const VerifyingKey& vk) {
  w.bytes(kVkMagic, 4);
  w.u32(kVkFormatVersion);
  w.u32(vk.config_id);
  vk.fri.write(w);
  w.u32(vk.log_up_pow_bits);
  w.u32(vk.deep_pow_bits);
  w.u32(uint32_t(vk.airs.size()));
  for (const AirVerifyingKey& air : vk.airs) {
    w.str(air.name);
    w.u8(air.preprocessed ? 1 : 0);
    if (air.preprocessed) {
      w.digest(air.preprocessed->commit);
      w.u32(air.preprocessed->log_height);
    }
    air.cs.encode(w);
  }
  w.u32(uint32_t(vk.trace_height_constraints.size()));
  for (const LinearConstraint& c : vk.trace_height_constraints) {
    w.u32(uint32_t(c.coefficients.size()));
    for (uint32_t a : c.coefficients) w.u32(a);
    w.u64(c.threshold);
  }
}

// Decodes a VK and checks that it is internally consistent; `r` must be positioned at its magic.
VerifyingKey read_vk(FieldReader& r) {
  read_magic(r, kVkMagic, "verifying key");
  read_version(r, kVkFormatVersion);
  VerifyingKey vk;
  vk.config_id = read_config_id(r);
  vk.fri = FriParameters::read(r);
  {
    const size_t at = r.position();
    vk.log_up_pow_bits = r.u32("log_up_pow_bits");
    vk.deep_pow_bits = r.u32("deep_pow_bits");
    // Fixed by the security parameters (§12); a key asking for anything else was not made here.
    if (vk.log_up_pow_bits != kLogUpPowBits || vk.deep_pow_bits != kDeepPowBits) {
      throw ProofFormatError("verifying key: proof-of-work bits at byte offset " + std::to_string(at) +
                             ": expected LogUp " + std::to_string(kLogUpPowBits) + " and DEEP " +
                             std::to_string(kDeepPowBits) + ", got " + std::to_string(vk.log_up_pow_bits) +
                             " and " + std::to_string(vk.deep_pow_bits));
    }
  }
  // An AIR entry needs at least a name length, a flag and a few bytes of constraint system.
  const size_t num_airs = r.length("AIR count", 6);
  if (num_airs == 0) r.fail("AIR count", "a verifying key has at least one AIR");
  vk.airs.resize(num_airs);
  for (size_t a = 0; a < num_airs; ++a) {
    AirVerifyingKey& air = vk.airs[a];
    // Names reach Python as str: invalid UTF-8 is refused here, with its byte offset.
    air.name = r.str(("name of AIR " + std::to_string(a)).c_str());
    const size_t flag_at = r.position();
    const uint8_t has_prep = r.u8("has_preprocessed");
    if (has_prep > 1) {
      throw ProofFormatError("verifying key: has_preprocessed of AIR " + std::to_string(a) +
                             " at byte offset " + std::to_string(flag_at) + ": value " +
                             std::to_string(has_prep) + " is not 0 or 1");
    }
    if (has_prep) {
      PreprocessedVerifyingData prep;
      prep.commit = r.digest("preprocessed commitment");
      const size_t at = r.position();
      prep.log_height = r.u32("preprocessed log_height");
      if (prep.log_height + vk.fri.log_blowup > TWO_ADICITY) {
        throw ProofFormatError("verifying key: preprocessed log_height of AIR '" + air.name +
                               "' at byte offset " + std::to_string(at) + ": " +
                               std::to_string(prep.log_height) + " + log_blowup exceeds " +
                               std::to_string(TWO_ADICITY));
      }
      air.preprocessed = prep;
    }
    const size_t cs_at = r.position();
    air.cs = ConstraintSystem::decode(r);
    auto bad = [&](const std::string& why) {
      throw ProofFormatError("verifying key: constraint system of AIR '" + air.name + "' (id " +
                             std::to_string(a) + ") at byte offset " + std::to_string(cs_at) + ": " + why);
    };
    if ((air.cs.preprocessed_width > 0) != has_prep)
      bad("preprocessed width and preprocessed commitment disagree");
    if (has_prep && (uint64_t(1) << air.preprocessed->log_height) != air.cs.preprocessed_height) {
      bad("preprocessed height " + std::to_string(air.cs.preprocessed_height) +
          " differs from the committed height 2^" + std::to_string(air.preprocessed->log_height));
    }
    if (air.main_width() == 0) bad("main trace width is 0");
    if (air.cs.max_degree > uint32_t(vk.fri.max_constraint_degree())) {
      bad("constraint degree " + std::to_string(air.cs.max_degree) + " exceeds the maximum " +
          std::to_string(vk.fri.max_constraint_degree()));
    }
    if (air.cs.quotient_degree > (uint32_t(1) << vk.fri.log_blowup)) {
      bad("quotient degree " + std::to_string(air.cs.quotient_degree) + " exceeds the blowup");
    }
  }
  const size_t ncons = r.length("trace-height constraint count", 12);
  vk.trace_height_constraints.resize(ncons);
  for (LinearConstraint& c : vk.trace_height_constraints) {
    const size_t n = r.length("trace-height coefficient count", 4, num_airs);
    if (n != num_airs)
      r.fail("trace-height coefficient count",
             "expected one coefficient per AIR (" + std::to_string(num_airs) + ")");
    c.coefficients.reserve(n);
    for (size_t i = 0; i < n; ++i) c.coefficients.push_back(r.u32("trace-height coefficient"));
    c.threshold = r.u64("trace-height threshold");
  }
  const size_t derived_at = r.position();
  std::vector<LinearConstraint> expected;
  try {
    expected = trace_height_constraints_for(vk.airs);
  } catch (const KeygenError& e) {
    throw ProofFormatError(std::string("verifying key: ") + e.what());
  }
  if (expected != vk.trace_height_constraints) {
    throw ProofFormatError("verifying key: trace-height constraints ending at byte offset " +
                           std::to_string(derived_at) + " do not match the interactions of the AIRs");
  }
  vk.pre_hash = r.digest("pre_hash");
  if (compute_pre_hash(vk) != vk.pre_hash) {
    throw ProofFormatError("verifying key: pre_hash at byte offset " + std::to_string(derived_at) +
                           " does not match the key's contents");
  }
  return vk;
}

}  // namespace

uint32_t AirVerifyingKey::main_width() const {
  uint64_t w = cs.common_main_width;
  for (uint32_t c : cs.cached_main_widths) w += c;
  return uint32_t(std::min<uint64_t>(w, UINT32_MAX));
}

uint32_t AirVerifyingKey::total_width() const {
  const uint64_t w =
      uint64_t(cs.preprocessed_width) + main_width() + 4 * uint64_t(cs.after_challenge_width());
  return uint32_t(std::min<uint64_t>(w, UINT32_MAX));
}

std::vector<LinearConstraint> trace_height_constraints_for(const std::vector<AirVerifyingKey>& airs) {
  std::map<uint32_t, std::vector<uint64_t>> per_bus;  // ordered by bus index
  for (size_t a = 0; a < airs.size(); ++a) {
    for (const Interaction& it : airs[a].cs.interactions) {
      auto& coeffs = per_bus[it.bus];
      coeffs.resize(airs.size(), 0);
      coeffs[a] += it.count_weight;
      if (coeffs[a] > UINT32_MAX) {
        throw KeygenError("AIR '" + airs[a].name + "': the count weights of its interactions on bus " +
                          std::to_string(it.bus) + " sum past 2^32 - 1");
      }
    }
  }
  std::vector<LinearConstraint> out;
  for (const auto& [bus, coeffs] : per_bus) {
    LinearConstraint c;
    c.coefficients.assign(coeffs.begin(), coeffs.end());
    c.threshold = P;
    out.push_back(std::move(c));
  }
  LinearConstraint total;
  total.threshold = kMaxInteractionCount;
  for (const AirVerifyingKey& air : airs) total.coefficients.push_back(uint32_t(air.num_interactions()));
  out.push_back(std::move(total));
  return out;
}

std::vector<uint8_t> VerifyingKey::bytes_without_pre_hash() const {
  FieldWriter w;
  write_vk_body(w, *this);
  return w.take();
}

std::vector<uint8_t> VerifyingKey::to_bytes() const {
  FieldWriter w;
  write_vk_body(w, *this);
  w.digest(pre_hash);
  return w.take();
}

VerifyingKey VerifyingKey::from_bytes(const uint8_t* data, size_t size) {
  FieldReader r(data, size, "verifying key");
  VerifyingKey vk = read_vk(r);
  r.expect_end();
  return vk;
}

std::vector<uint8_t> ProvingKey::to_bytes() const {
  FieldWriter w;
  w.bytes(kPkMagic, 4);
  w.u32(kPkFormatVersion);
  w.blob(vk.to_bytes());
  for (size_t a = 0; a < vk.airs.size(); ++a) {
    if (!preprocessed[a]) continue;
    for (uint32_t v : preprocessed[a]->trace->values) w.felt(v);
  }
  return w.take();
}

ProvingKey ProvingKey::from_bytes(const uint8_t* data, size_t size) {
  FieldReader r(data, size, "proving key");
  read_magic(r, kPkMagic, "proving key");
  read_version(r, kPkFormatVersion);
  const size_t vk_len = r.length("verifying key length", 1);
  const size_t vk_at = r.offset();
  ProvingKey pk;
  {
    FieldReader vr(data + vk_at, vk_len, "proving key: verifying key", vk_at);
    pk.vk = read_vk(vr);
    vr.expect_end();
  }
  // Skip over the VK bytes just decoded.
  for (size_t i = 0; i < vk_len; ++i) r.u8("verifying key");
  pk.preprocessed.resize(pk.vk.airs.size());
  for (size_t a = 0; a < pk.vk.airs.size(); ++a) {
    const AirVerifyingKey& air = pk.vk.airs[a];
    if (!air.preprocessed) continue;
    const size_t height = size_t(1) << air.preprocessed->log_height;
    const size_t width = air.cs.preprocessed_width;
    const size_t at = r.offset();
    if (uint64_t(height) * width * 4 > r.remaining()) {
      r.fail("preprocessed trace", "AIR '" + air.name + "' needs " + std::to_string(height) + " x " +
                                       std::to_string(width) + " values, more than remain");
    }
    auto trace = std::make_shared<RowMajorMatrix>(height, width);
    for (uint32_t& v : trace->values) v = r.felt("preprocessed trace value");
    auto committed = commit_preprocessed(pk.vk.fri, trace, pk.vk.config().hasher());
    if (committed->root() != air.preprocessed->commit) {
      throw ProofFormatError("proving key: preprocessed trace of AIR '" + air.name + "' at byte offset " +
                             std::to_string(at) + " does not match its commitment in the verifying key");
    }
    pk.preprocessed[a] = PreprocessedProvingData{std::move(trace), std::move(committed)};
  }
  r.expect_end();
  return pk;
}

std::shared_ptr<const PcsCommitted> commit_preprocessed(const FriParameters& fri,
                                                        const std::shared_ptr<const RowMajorMatrix>& trace,
                                                        const MerkleHasher& hasher) {
  std::vector<PcsMatrixInput> inputs;
  inputs.push_back(PcsMatrixInput{*trace, Fp::one()});
  return std::make_shared<const PcsCommitted>(pcs_commit(fri, std::move(inputs), hasher));
}

const StarkConfig& VerifyingKey::config() const { return config_by_id(config_id); }

Digest compute_pre_hash(const VerifyingKey& vk) {
  const std::vector<uint8_t> bytes = vk.bytes_without_pre_hash();
  // The one-row matrix of bytes has a constant LDE: 2^log_blowup identical rows (§8.5). Their
  // Merkle tree has identical leaves Hs(row), and every level compresses two equal digests, so
  // the root is log_blowup self-compressions of the leaf — no need to materialize the copies.
  const MerkleHasher& hasher = vk.config().hasher();
  const std::vector<uint32_t> row(bytes.begin(), bytes.end());
  Digest node = hasher.hash_leaf(row.data(), row.size());
  for (uint32_t level = 0; level < vk.fri.log_blowup; ++level) node = hasher.compress(node, node);
  return node;
}

}  // namespace stark
