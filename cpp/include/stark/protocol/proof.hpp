// The multi-AIR STARK proof (docs/protocol.md §13) and its strict byte encoding.
//
// A proof attests that, for the AIRs it lists (ascending air ids, each with a trace of height
// n_A = 2^k_A), there exist main traces satisfying every constraint and whose LogUp
// interactions balance. It carries the commitments in transcript order, the proof-of-work
// witnesses, the claimed evaluations of every committed polynomial at ζ (and ζ·ω_A for trace
// columns) and the FRI proof that those claims are consistent with the commitments.
//
// Byte format (all integers little-endian; every field element canonical, < p; every digest 32
// bytes valid for the configuration's hasher, stark/hash/hasher.hpp):
//   magic "SBPF", u32 version = 2, u32 configuration id (stark/config/config.hpp),
//   per_air:      u32 count, each { u32 air_id, u32 height, u32 #pv, pv[F], u32 #exposed, exposed[E] }
//   commitments:  u32 #main, digests; u32 #after_challenge, digests; quotient digest
//   logup pow:    u8 present (0/1), [F]
//   opening:      F deep_pow_witness,
//                 preprocessed: u32 count, pairs;  main: u32 count, each u32 count, pairs;
//                 after_challenge: u32 count, each u32 count, pairs;
//                 quotient: u32 count, each u32 #chunks, each u32 count, values[E];
//                 a pair is { u32 width, local[E], next[E] }
//   fri:          write_fri_proof (stark/fri/proof.hpp)
// Decoding rejects (ProofFormatError, naming the field and byte offset) a wrong magic or
// version, an unknown configuration, a digest its hasher cannot output, truncation, trailing bytes,
// non-canonical elements, flags other than 0/1, and any length that the remaining bytes cannot hold — so no
// length read from the proof can cause an allocation larger than the input. Consistency with a verifying key
// is the verifier's job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stark/field/extension.hpp"
#include "stark/fri/proof.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark {

/// What the proof says about one present AIR.
struct AirProofData {
  uint32_t air_id = 0;
  uint32_t height = 0;                  // n_A; the verifier checks it is a power of two
  std::vector<uint32_t> public_values;  // canonical
  std::vector<Ext4> exposed_values;     // [] or [S_A] (the AIR's LogUp cumulative sum)
};

/// Claimed evaluations of one committed trace matrix at ζ ("local") and ζ·ω_A ("next"), one
/// extension value per base column (an E-valued matrix contributes 4 per E column).
struct OpenedPair {
  std::vector<Ext4> local;
  std::vector<Ext4> next;
};

/// The sections in the order of the byte format; which round and matrix each entry belongs to
/// is given by the ProofLayout (stark/protocol/layout.hpp).
struct OpenedProofValues {
  std::vector<OpenedPair> preprocessed;                  // per present AIR with preprocessed
  std::vector<std::vector<OpenedPair>> main;             // per main commitment, per matrix
  std::vector<std::vector<OpenedPair>> after_challenge;  // [] or [per AIR with interactions]
  std::vector<std::vector<std::vector<Ext4>>> quotient;  // per present AIR, per chunk, 4 values
};

struct Proof {
  /// The StarkConfig the proof was made under (ConfigId); the verifier requires the key's.
  uint32_t config_id = 0;
  std::vector<AirProofData> per_air;
  std::vector<Digest> main_commits;             // cached partitions (AIR order), then common
  std::vector<Digest> after_challenge_commits;  // [] or [one]
  Digest quotient_commit{};
  std::optional<uint32_t> logup_pow_witness;  // present iff some AIR has interactions
  uint32_t deep_pow_witness = 0;
  OpenedProofValues opened;
  FriProof fri;
};

// Version 2: the configuration id after the version.
inline constexpr uint32_t kProofFormatVersion = 2;

std::vector<uint8_t> proof_to_bytes(const Proof& proof);
/// Bytes per section of the encoding, in format order, summing to proof_to_bytes(proof).size():
/// header, per_air, commitments, pow_witnesses (LogUp and DEEP; FRI's are in fri.commit_phase),
/// opened_values, then fri_proof_section_sizes (stark/fri/proof.hpp).
std::vector<std::pair<std::string, size_t>> proof_section_sizes(const Proof& proof);
/// ProofFormatError on any malformed input (see the file comment).
Proof proof_from_bytes(const uint8_t* data, size_t size);

}  // namespace stark
