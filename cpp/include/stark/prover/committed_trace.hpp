// A cached main partition committed once, ahead of any proof (docs/architecture.md §4.3): the
// trace, its LDE on g·H_{n·2^b} and its Merkle tree, bound to one proving key, AIR and partition.
// Any number of later proofs use it in place of the trace (AirProvingInput::committed_cached):
// the coordinator opens this commitment instead of building it again, and devices keep it
// resident (ProverSession::resident_commitment) like a key's preprocessed data. The commitment is
// the one the prover would build inline (pcs_commit of the same matrix under the key's FRI
// parameters and hasher), so proofs are byte-identical either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "stark/field/matrix.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/protocol/keys.hpp"
#include "stark/util/digest.hpp"

namespace stark {

struct CommittedTrace {
  uint32_t air_id = 0;
  uint32_t partition = 0;  // index among the AIR's cached partitions
  Digest key_pre_hash{};   // the key it was committed for (its pre_hash names the whole key)
  std::string air_name;    // for messages
  std::shared_ptr<const RowMajorMatrix> trace;
  std::shared_ptr<const PcsCommitted> committed;

  size_t height() const { return trace->height(); }
  size_t width() const { return trace->width; }
  const Digest& root() const { return committed->root(); }
};

/// Commits `trace` as cached partition `partition` of AIR `air_id` of `pk` (a copy of the trace
/// is kept). InputError naming the AIR and partition for: an unknown air id, an AIR without that
/// cached partition, a wrong width, a height that is not a power of two or outside the FRI
/// parameters' range (as prove()), or a value ≥ p (row and column).
std::shared_ptr<const CommittedTrace> commit_cached_trace(const ProvingKey& pk, int64_t air_id,
                                                          int64_t partition, ConstMatrixView trace);

/// InputError unless `committed` was made for `pk`, AIR `air_id` and cached partition `partition`;
/// `what` names the input ("AIR 'x' (id 1) in contexts[0]: cached main trace 0").
void check_committed_trace(const CommittedTrace& committed, const ProvingKey& pk, uint32_t air_id,
                           size_t partition, const std::string& what);

}  // namespace stark
