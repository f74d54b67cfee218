// Cached partitions committed ahead of proofs (stark/prover/committed_trace.hpp).
#include "stark/prover/committed_trace.hpp"

#include <utility>
#include <vector>

#include "stark/protocol/layout.hpp"
#include "stark/prover/validate.hpp"
#include "stark/util/error.hpp"
#include "stark/util/timing.hpp"

namespace stark {

std::shared_ptr<const CommittedTrace> commit_cached_trace(const ProvingKey& pk, int64_t air_id,
                                                          int64_t partition, ConstMatrixView trace) {
  const VerifyingKey& vk = pk.vk;
  if (air_id < 0 || uint64_t(air_id) >= vk.num_airs()) {
    throw InputError("commit_cached: unknown air id " + std::to_string(air_id) + " (the key has " +
                     std::to_string(vk.num_airs()) + " AIRs)");
  }
  const AirVerifyingKey& air = vk.airs[size_t(air_id)];
  const auto& widths = air.cs.cached_main_widths;
  const std::string air_name = air_label(air, uint32_t(air_id));
  if (widths.empty()) {
    throw InputError("commit_cached: " + air_name + " has no cached main partitions");
  }
  if (partition < 0 || uint64_t(partition) >= widths.size()) {
    throw InputError("commit_cached: " + air_name + " has " + std::to_string(widths.size()) +
                     " cached partitions, not partition " + std::to_string(partition));
  }
  const std::string label = "commit_cached: " + air_name + ": cached main trace " + std::to_string(partition);
  if (trace.width != widths[size_t(partition)]) {
    throw InputError(label + " has width " + std::to_string(trace.width) + ", expected " +
                     std::to_string(widths[size_t(partition)]));
  }
  check_trace_height(vk.fri, air, trace.height, "commit_cached: " + air_name);
  check_canonical(trace, label);

  const PhaseScope phase("commit_cached");
  auto copy = std::make_shared<RowMajorMatrix>();
  copy->width = trace.width;
  copy->values.assign(trace.data, trace.data + trace.height * trace.width);
  std::shared_ptr<const RowMajorMatrix> shared = std::move(copy);
  std::vector<PcsMatrixInput> inputs;
  inputs.push_back(PcsMatrixInput::borrow(shared->view(), Fp::one()));
  auto committed =
      std::make_shared<const PcsCommitted>(pcs_commit(vk.fri, std::move(inputs), vk.config().hasher()));

  auto out = std::make_shared<CommittedTrace>();
  out->air_id = uint32_t(air_id);
  out->partition = uint32_t(partition);
  out->key_pre_hash = vk.pre_hash;
  out->air_name = air.name;
  out->trace = std::move(shared);
  out->committed = std::move(committed);
  return out;
}

void check_committed_trace(const CommittedTrace& committed, const ProvingKey& pk, uint32_t air_id,
                           size_t partition, const std::string& what) {
  if (committed.key_pre_hash != pk.vk.pre_hash) {
    throw InputError(what + ": the committed trace was committed under another proving key (for AIR '" +
                     committed.air_name + "')");
  }
  if (committed.air_id != air_id || committed.partition != partition) {
    throw InputError(what + ": the committed trace is cached partition " +
                     std::to_string(committed.partition) + " of AIR '" + committed.air_name + "' (id " +
                     std::to_string(committed.air_id) + "), not partition " + std::to_string(partition) +
                     " of this AIR (id " + std::to_string(air_id) + ")");
  }
}

}  // namespace stark
