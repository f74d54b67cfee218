// Verifying and proving keys (docs/protocol.md §8).
//
// The verifying key is the statement a proof is checked against: for every AIR (indexed by air
// id) its constraint system (widths, expression DAG, constraints including the LogUp ones,
// interactions and their chunking, quotient degree), its preprocessed commitment and height,
// and globally the trace-height linear constraints (§8.3), the LogUp and DEEP proof-of-work
// bits and the FRI parameters the key was made for.
//
// Trace-height constraints: for every bus b used by some interaction (ascending), coefficient
// a_b[A] = Σ count_weight over A's interactions on b with threshold p; then a[A] = number of
// interactions of A with threshold p (the LogUp bound for BabyBear at 100 bits). A proof is
// only sound if Σ_{A present} a[A]·n_A < threshold for each, so that no multiplicity sum can
// wrap around p.
//
// pre_hash (§8.5) seeds the transcript: the PCS commitment of the one-row matrix holding the
// key's canonical bytes (everything but pre_hash itself), one byte per field element, on H_1 —
// i.e. the Merkle root over 2^log_blowup identical rows, hashed with the key's configuration. The encoding is
// self-delimiting (magic, version, explicit lengths), so the padding-free sponge sees an unambiguous input.
//
// Byte formats (little-endian):
//   VK: "SBVK", u32 version (2), u32 configuration id (stark/config/config.hpp), FriParameters, u32
//   log_up_pow_bits, u32 deep_pow_bits,
//       u32 #airs, per AIR { str name, u8 has_preprocessed, [digest commit, u32 log_height],
//       ConstraintSystem }, u32 #constraints, per constraint { u32 #coefficients (= #airs),
//       u32 coefficients, u64 threshold }, digest pre_hash.
//   PK: "SBPK", u32 version, u32 vk length, VK bytes, then per AIR with a preprocessed trace
//       (air order) its height·width canonical values, row-major (shape known from the VK).
// from_bytes validates everything (constraint systems, widths, heights, recomputed
// trace-height constraints and pre_hash; for a PK also the recomputed preprocessed
// commitments) and throws ProofFormatError naming the field and byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stark/air/constraint_system.hpp"
#include "stark/config/config.hpp"
#include "stark/field/matrix.hpp"
#include "stark/fri/params.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark {

/// openvm's BabyBear 100-bit SecurityParameters: fixed, stored in the key.
inline constexpr uint32_t kLogUpPowBits = 18;
inline constexpr uint32_t kDeepPowBits = 5;
/// Interactions per row may not let a multiplicity sum reach p (§7.6).
inline constexpr uint64_t kMaxInteractionCount = P;

struct PreprocessedVerifyingData {
  Digest commit{};
  uint32_t log_height = 0;
};

struct AirVerifyingKey {
  std::string name;
  ConstraintSystem cs;
  std::optional<PreprocessedVerifyingData> preprocessed;

  uint32_t main_width() const;
  /// preprocessed + main + 4 × after-challenge extension columns.
  uint32_t total_width() const;
  size_t num_interactions() const { return cs.interactions.size(); }
  bool has_interactions() const { return !cs.interactions.empty(); }
  bool has_common_main() const { return cs.common_main_width > 0; }
};

struct LinearConstraint {
  std::vector<uint32_t> coefficients;  // indexed by air id
  uint64_t threshold = 0;

  bool operator==(const LinearConstraint&) const = default;
};

struct VerifyingKey {
  /// The StarkConfig the key was made under (ConfigId); proofs must carry the same.
  uint32_t config_id = uint32_t(ConfigId::BabyBearPoseidon2);
  FriParameters fri;
  uint32_t log_up_pow_bits = kLogUpPowBits;
  uint32_t deep_pow_bits = kDeepPowBits;
  std::vector<AirVerifyingKey> airs;
  std::vector<LinearConstraint> trace_height_constraints;
  Digest pre_hash{};

  size_t num_airs() const { return airs.size(); }
  /// The configuration of config_id (InputError if unknown; decoded keys always know theirs).
  const StarkConfig& config() const;

  /// The canonical encoding without the trailing pre_hash (the pre_hash input).
  std::vector<uint8_t> bytes_without_pre_hash() const;
  std::vector<uint8_t> to_bytes() const;
  static VerifyingKey from_bytes(const uint8_t* data, size_t size);
};

/// A preprocessed trace with its committed LDE, kept for opening.
struct PreprocessedProvingData {
  std::shared_ptr<const RowMajorMatrix> trace;
  std::shared_ptr<const PcsCommitted> committed;
};

struct ProvingKey {
  VerifyingKey vk;
  std::vector<std::optional<PreprocessedProvingData>> preprocessed;  // per air id

  std::vector<uint8_t> to_bytes() const;
  static ProvingKey from_bytes(const uint8_t* data, size_t size);
};

/// Trace-height constraints of a set of constraint systems (§8.3). KeygenError if a per-bus
/// count-weight sum overflows u32.
std::vector<LinearConstraint> trace_height_constraints_for(const std::vector<AirVerifyingKey>& airs);

/// PCS commitment of one preprocessed trace on H_n (kept by the proving key for openings).
std::shared_ptr<const PcsCommitted> commit_preprocessed(const FriParameters& fri,
                                                        const std::shared_ptr<const RowMajorMatrix>& trace,
                                                        const MerkleHasher& hasher);

/// pre_hash of a key whose other fields are set (§8.5).
Digest compute_pre_hash(const VerifyingKey& vk);

}  // namespace stark
