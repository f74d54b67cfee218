// Validation of the prover's inputs (stark/prover/validate.hpp).
#include "stark/prover/validate.hpp"

#include <algorithm>
#include <atomic>
#include <string>

#include "stark/protocol/layout.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"

namespace stark {

namespace {

std::string context_name(size_t i) { return "contexts[" + std::to_string(i) + "]"; }

}  // namespace

// First value >= p in row-major order (deterministic for any thread count).
void check_canonical(ConstMatrixView m, const std::string& what) {
  const size_t total = m.height * m.width;
  std::atomic<size_t> first_bad{SIZE_MAX};
  parallel_for_chunks(total, size_t(1) << 16, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      if (m.data[i] >= P) {
        size_t cur = first_bad.load();
        while (i < cur && !first_bad.compare_exchange_weak(cur, i)) {
        }
        return;
      }
    }
  });
  const size_t bad = first_bad.load();
  if (bad != SIZE_MAX) {
    throw InputError(non_canonical_message(what, m.data[bad], bad / m.width, bad % m.width));
  }
}

std::string non_canonical_message(const std::string& what, uint32_t value, size_t row, size_t column) {
  return what + ": value " + std::to_string(value) + " at row " + std::to_string(row) + ", column " +
         std::to_string(column) + " is not a canonical field element (must be < " + std::to_string(P) + ")";
}

uint32_t check_trace_height(const FriParameters& fri, const AirVerifyingKey& vk, size_t height,
                            const std::string& label) {
  if (!is_power_of_two(height)) {
    throw InputError(label + ": trace height " + std::to_string(height) +
                     " is not a power of two (traces are never padded)");
  }
  const uint32_t log_height = log2_exact(height);
  if (log_height + fri.log_blowup > TWO_ADICITY) {
    throw InputError(label + ": trace height 2^" + std::to_string(log_height) + " with log_blowup " +
                     std::to_string(fri.log_blowup) +
                     " exceeds the field's two-adicity (needs log2(height) + log_blowup <= " +
                     std::to_string(TWO_ADICITY) + ")");
  }
  if (fri.log_final_poly_len > 0 && log_height <= fri.log_final_poly_len) {
    throw InputError(
        label + ": trace height " + std::to_string(height) +
        " must exceed 2^log_final_poly_len = " + std::to_string(size_t(1) << fri.log_final_poly_len));
  }
  if (vk.preprocessed && vk.preprocessed->log_height != log_height) {
    throw InputError(label + ": trace height " + std::to_string(height) +
                     " differs from the preprocessed trace height " +
                     std::to_string(size_t(1) << vk.preprocessed->log_height));
  }
  return log_height;
}

namespace {

// The checks of one input whose air id is known; fills `air` (mains, log height).
void validate_one(const ProvingKey& pk, const AirProvingInput& in, ValidatedAir& air) {
  const ConstraintSystem& cs = air.vk->cs;
  const std::string& label = air.label;
  if (pk.preprocessed.size() == pk.vk.num_airs() && pk.preprocessed[air.air_id]) {
    air.preprocessed = &*pk.preprocessed[air.air_id];
  }
  if (in.cached_mains.size() != cs.cached_main_widths.size()) {
    throw InputError(label + ": " + std::to_string(in.cached_mains.size()) +
                     " cached main traces given, expected " + std::to_string(cs.cached_main_widths.size()));
  }
  if (cs.common_main_width > 0 && !in.common_main) {
    throw InputError(label + ": the common main trace (width " + std::to_string(cs.common_main_width) +
                     ") is missing");
  }
  if (cs.common_main_width == 0 && in.common_main) {
    throw InputError(label +
                     ": a common main trace was given, but the AIR has no common main columns (all of its "
                     "main columns are in cached partitions)");
  }
  std::vector<std::string> names;
  if (!in.committed_cached.empty() && in.committed_cached.size() != in.cached_mains.size()) {
    throw InputError(label + ": " + std::to_string(in.committed_cached.size()) +
                     " committed-trace slots for " + std::to_string(in.cached_mains.size()) +
                     " cached main traces");
  }
  // A committed partition was checked (values included) when it was committed.
  std::vector<bool> checked(in.cached_mains.size() + 1, false);
  for (size_t j = 0; j < in.cached_mains.size(); ++j) {
    names.push_back(label + ": cached main trace " + std::to_string(j));
    if (!in.committed_cached.empty() && in.committed_cached[j]) {
      check_committed_trace(*in.committed_cached[j], pk, air.air_id, j, names.back());
      checked[j] = true;
    }
    air.main_names.push_back("cached main trace " + std::to_string(j));
    air.mains.push_back(in.cached_mains[j]);
    if (in.cached_mains[j].width != cs.cached_main_widths[j]) {
      throw InputError(names.back() + " has width " + std::to_string(in.cached_mains[j].width) +
                       ", expected " + std::to_string(cs.cached_main_widths[j]));
    }
  }
  if (cs.common_main_width > 0) {
    names.push_back(label + ": common main trace");
    air.main_names.push_back("common main trace");
    air.mains.push_back(*in.common_main);
    if (in.common_main->width != cs.common_main_width) {
      throw InputError(names.back() + " has width " + std::to_string(in.common_main->width) + ", expected " +
                       std::to_string(cs.common_main_width));
    }
  }
  if (air.mains.empty()) throw InputError(label + ": the AIR has no main trace columns");
  const size_t height = air.mains.front().height;
  for (size_t p = 1; p < air.mains.size(); ++p) {
    if (air.mains[p].height != height) {
      throw InputError(names[p] + " has height " + std::to_string(air.mains[p].height) + ", but " + names[0] +
                       " has height " + std::to_string(height) +
                       " (all partitions of an AIR share one height)");
    }
  }
  air.log_height = check_trace_height(pk.vk.fri, *air.vk, height, label);
  if (air.vk->preprocessed && air.preprocessed == nullptr) {
    throw InputError(label + ": the proving key lacks the preprocessed trace");
  }
  if (in.public_values.size() != cs.num_public_values) {
    throw InputError(label + ": " + std::to_string(in.public_values.size()) +
                     " public values given, expected " + std::to_string(cs.num_public_values));
  }
  for (size_t i = 0; i < in.public_values.size(); ++i) {
    if (in.public_values[i] >= P) {
      throw InputError(label + ": public value " + std::to_string(i) + " = " +
                       std::to_string(in.public_values[i]) + " is not a canonical field element (must be < " +
                       std::to_string(P) + ")");
    }
  }
  // Traces in GPU memory are checked by the device that reads them (on upload).
  if (in.memory == TraceMemory::Host)
    for (size_t p = 0; p < air.mains.size(); ++p)
      if (!checked[p]) check_canonical(air.mains[p], names[p]);
}

}  // namespace

std::vector<ValidatedAir> validate_inputs(const ProvingKey& pk, const std::vector<AirProvingInput>& inputs) {
  const VerifyingKey& vk = pk.vk;
  if (inputs.empty())
    throw InputError("prove: no AirProvingContext given (at least one AIR must be present)");
  // Every input in the order given (its id, then its traces), so that the first bad context is
  // the one named.
  std::vector<size_t> context_of(vk.num_airs(), SIZE_MAX);
  std::vector<ValidatedAir> airs(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int64_t id = inputs[i].air_id;
    if (id < 0 || uint64_t(id) >= vk.num_airs()) {
      throw InputError("prove: " + context_name(i) + ": unknown air id " + std::to_string(id) +
                       " (the key has " + std::to_string(vk.num_airs()) + " AIRs)");
    }
    if (context_of[size_t(id)] != SIZE_MAX) {
      throw InputError("prove: " + air_label(vk.airs[size_t(id)], uint32_t(id)) + " appears in " +
                       context_name(context_of[size_t(id)]) + " and " + context_name(i));
    }
    context_of[size_t(id)] = i;
    ValidatedAir& air = airs[i];
    air.input = &inputs[i];
    air.context = i;
    air.air_id = uint32_t(id);
    air.vk = &vk.airs[air.air_id];
    air.label = air_label(*air.vk, air.air_id) + " in " + context_name(i);
    validate_one(pk, inputs[i], air);
  }
  std::sort(airs.begin(), airs.end(),
            [](const ValidatedAir& a, const ValidatedAir& b) { return a.air_id < b.air_id; });
  return airs;
}

}  // namespace stark
