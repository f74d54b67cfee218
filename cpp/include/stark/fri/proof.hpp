// The FRI opening proof of the two-adic PCS (docs/protocol.md §10.6) and its byte encoding.
//
// A proof holds, for R = lgmh − log_blowup − log_final_poly_len fold rounds, the Merkle root of
// every folded codeword and the proof-of-work witness ground after it; the final polynomial
// (2^log_final_poly_len coefficients in E, constant term first); the query PoW witness; and one
// query proof per query index. A query proof opens every committed round of the PCS at the
// query's index (one base-field row per matrix plus the Merkle path) and, for every fold round,
// gives the sibling of the current codeword entry (the verifier recomputes the entry itself) with
// the path of the pair.
//
// Encoding (all little-endian, field elements canonical u32, lengths u32):
//   u32 R, R × digest (8 felts)          commit_phase_commits
//   u32 R', R' × felt                    commit_pow_witnesses
//   u32 F, F × ext (4 felts)             final_poly
//   felt                                 query_pow_witness
//   u32 Q, Q × query:
//     u32 rounds, per round: u32 matrices, per matrix (u32 len, len × felt); u32 S, S × digest
//     u32 R'', per fold round: ext sibling_value; u32 S, S × digest
// Lengths are not checked against any parameters here (fri_check_shape does that); the decoder
// only bounds each length by the bytes that remain, so hostile input cannot allocate absurdly.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "stark/field/codec.hpp"
#include "stark/field/extension.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark {

/// One PCS round opened at a query index: a row per matrix (commit order) and the Merkle path.
struct FriInputOpening {
  std::vector<std::vector<uint32_t>> opened_rows;  // canonical base-field rows
  std::vector<Digest> siblings;                    // leaf level first
};

/// One fold round at a query: the other entry of the folded pair and the pair's Merkle path.
struct FriCommitPhaseOpening {
  Ext4 sibling_value;
  std::vector<Digest> siblings;
};

struct FriQueryProof {
  std::vector<FriInputOpening> input_proof;                  // per PCS round
  std::vector<FriCommitPhaseOpening> commit_phase_openings;  // per fold round
  bool operator==(const FriQueryProof& o) const;
};

struct FriProof {
  std::vector<Digest> commit_phase_commits;
  std::vector<uint32_t> commit_pow_witnesses;  // canonical
  std::vector<Ext4> final_poly;                // coefficient 0 = constant term
  uint32_t query_pow_witness = 0;              // canonical
  std::vector<FriQueryProof> query_proofs;
  bool operator==(const FriProof& o) const;
};

void write_fri_proof(FieldWriter& w, const FriProof& proof);
/// Bytes of each section of write_fri_proof's encoding: "fri.commit_phase" (layer roots, the
/// per-layer and query proof-of-work witnesses, the final polynomial), "fri.input_openings"
/// (opened trace rows and their Merkle paths), "fri.layer_openings" (folded siblings and
/// their paths).
std::vector<std::pair<const char*, size_t>> fri_proof_section_sizes(const FriProof& proof);
/// Strict decoder: truncation, non-canonical elements and lengths that exceed the remaining bytes
/// raise ProofFormatError naming the field and byte offset. Does not require the reader to end.
FriProof read_fri_proof(FieldReader& r);

/// Stand-alone encoding (same bytes as write_fri_proof); the decoder also rejects trailing bytes.
std::vector<uint8_t> fri_proof_to_bytes(const FriProof& proof);
FriProof fri_proof_from_bytes(const uint8_t* data, size_t size);

}  // namespace stark
