// Keygen (stark/keygen/keygen.hpp).
#include "stark/keygen/keygen.hpp"

#include <algorithm>
#include <memory>
#include <string>

#include "stark/util/error.hpp"

namespace stark {

namespace {

// openvm stark-sdk engine policy for its standard parameter sets (docs/protocol.md §8.2 step 6): the
// batch budget 2·(Σ total_width + 4·max q) and the constraint count bound its FRI security
// analysis assumes.
constexpr uint64_t kBatchBudgetLogBlowup1 = 80000;
constexpr uint64_t kBatchBudgetOtherwise = 4000;
constexpr uint64_t kMaxTotalConstraints = 30000;

bool is_standard_100_bit(const FriParameters& fri) {
  for (uint32_t b = 1; b <= 4; ++b) {
    if (fri == FriParameters::standard_with_100_bits_security(b)) return true;
  }
  return false;
}

std::string air_label(const std::string& name, size_t id) {
  return "AIR '" + name + "' (id " + std::to_string(id) + ")";
}

}  // namespace

ConstraintSystem decode_constraint_system(const std::string& name, const std::vector<uint8_t>& bytes) {
  try {
    return ConstraintSystem::from_bytes(bytes.data(), bytes.size());
  } catch (const ProofFormatError& e) {
    throw KeygenError("AIR '" + name + "': malformed constraint system: " + e.what());
  }
}

ProvingKey keygen(const FriParameters& fri, std::vector<AirKeygenInput> airs, const StarkConfig& config) {
  if (airs.empty()) throw KeygenError("keygen: no AIRs were added");
  const uint32_t max_degree = uint32_t(fri.max_constraint_degree());
  const uint32_t blowup = uint32_t(1) << fri.log_blowup;

  ProvingKey pk;
  pk.vk.config_id = uint32_t(config.id());
  pk.vk.fri = fri;
  pk.vk.airs.resize(airs.size());
  pk.preprocessed.resize(airs.size());
  for (size_t a = 0; a < airs.size(); ++a) {
    AirKeygenInput& in = airs[a];
    const std::string label = air_label(in.name, a);
    AirVerifyingKey& air = pk.vk.airs[a];
    air.name = in.name;
    air.cs = std::move(in.cs);
    const ConstraintSystem& cs = air.cs;

    if (air.main_width() == 0)
      throw KeygenError(label + ": the main trace has width 0 (an AIR needs main columns)");
    if (cs.max_degree > max_degree) {
      throw KeygenError(label + ": constraint degree " + std::to_string(cs.max_degree) +
                        " exceeds the engine's max_constraint_degree " + std::to_string(max_degree) +
                        " (log_blowup " + std::to_string(fri.log_blowup) + ")");
    }
    if (cs.quotient_degree > blowup) {
      throw KeygenError(label + ": quotient degree " + std::to_string(cs.quotient_degree) +
                        " exceeds the blowup " + std::to_string(blowup));
    }

    const bool wants_prep = cs.preprocessed_width > 0;
    if (wants_prep != in.preprocessed_trace.has_value()) {
      throw KeygenError(label + (wants_prep
                                     ? ": its constraints use a preprocessed trace but none was given"
                                     : ": a preprocessed trace was given but its constraints declare none"));
    }
    if (!in.preprocessed_trace) continue;
    RowMajorMatrix& trace = *in.preprocessed_trace;
    const std::string what = label + ": preprocessed trace";
    if (trace.width != cs.preprocessed_width) {
      throw KeygenError(what + " has width " + std::to_string(trace.width) + ", expected " +
                        std::to_string(cs.preprocessed_width));
    }
    if (trace.values.size() % trace.width != 0) throw KeygenError(what + " is not rectangular");
    const size_t height = trace.height();
    if (!is_power_of_two(height)) {
      throw KeygenError(what + " has height " + std::to_string(height) + ", not a power of two");
    }
    if (height != cs.preprocessed_height) {
      throw KeygenError(what + " has height " + std::to_string(height) +
                        ", but its constraint system declares " + std::to_string(cs.preprocessed_height));
    }
    const uint32_t log_height = log2_exact(height);
    if (log_height + fri.log_blowup > TWO_ADICITY) {
      throw KeygenError(what + " has height 2^" + std::to_string(log_height) + "; with log_blowup " +
                        std::to_string(fri.log_blowup) + " it exceeds the two-adicity 2^" +
                        std::to_string(TWO_ADICITY));
    }
    const auto bad =
        std::find_if(trace.values.begin(), trace.values.end(), [](uint32_t v) { return v >= P; });
    if (bad != trace.values.end()) {
      const size_t i = size_t(bad - trace.values.begin());
      throw KeygenError(what + ": value " + std::to_string(*bad) + " at row " +
                        std::to_string(i / trace.width) + ", column " + std::to_string(i % trace.width) +
                        " is not a canonical field element");
    }
    auto shared = std::make_shared<const RowMajorMatrix>(std::move(trace));
    auto committed = commit_preprocessed(fri, shared, config.hasher());
    air.preprocessed = PreprocessedVerifyingData{committed->root(), log_height};
    pk.preprocessed[a] = PreprocessedProvingData{std::move(shared), std::move(committed)};
  }

  if (is_standard_100_bit(fri)) {
    uint64_t total_width = 0, max_q = 0, total_constraints = 0;
    for (const AirVerifyingKey& air : pk.vk.airs) {
      total_width += air.total_width();
      max_q = std::max<uint64_t>(max_q, air.cs.quotient_degree);
      total_constraints += air.cs.constraints.size();
    }
    const uint64_t budget = fri.log_blowup == 1 ? kBatchBudgetLogBlowup1 : kBatchBudgetOtherwise;
    const uint64_t used = 2 * (total_width + 4 * max_q);
    if (used > budget) {
      throw KeygenError("keygen: 2·(total width " + std::to_string(total_width) +
                        " + 4·max quotient degree " + std::to_string(max_q) + ") = " + std::to_string(used) +
                        " exceeds the batch budget " + std::to_string(budget) +
                        " of the standard parameters at log_blowup " + std::to_string(fri.log_blowup));
    }
    if (total_constraints > kMaxTotalConstraints) {
      throw KeygenError("keygen: " + std::to_string(total_constraints) + " constraints in total exceed the " +
                        std::to_string(kMaxTotalConstraints) + " assumed by the standard parameters");
    }
  }

  pk.vk.trace_height_constraints = trace_height_constraints_for(pk.vk.airs);
  pk.vk.pre_hash = compute_pre_hash(pk.vk);
  return pk;
}

}  // namespace stark
