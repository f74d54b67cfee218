// Validation of the prover's inputs against the proving key: the one place where traces and
// public values are checked before a proof (docs/protocol.md §9). The Python package only converts
// its arguments to uint32 arrays and passes them here (through prove, or validate_inputs alone
// before its debug checks), so every message below is the one a user sees.
//
// Messages name the input as contexts[i] (inputs[i], the i-th AirProvingContext of
// Engine.prove), the AIR by name and id, the partition, and for values the row and column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stark/field/matrix.hpp"
#include "stark/protocol/keys.hpp"
#include "stark/prover/committed_trace.hpp"

namespace stark {

/// InputError "`what`: value v at row r, column c is not a canonical field element (must be < p)"
/// for the first non-canonical entry of a host matrix (in row-major order).
void check_canonical(ConstMatrixView m, const std::string& what);
/// check_canonical's message for `value` at (row, column) (devices that check on their own memory).
std::string non_canonical_message(const std::string& what, uint32_t value, size_t row, size_t column);

/// Where the data pointers of an input's traces point.
enum class TraceMemory {
  Host,  ///< host memory (the validator checks every value)
  Cuda,  ///< CUDA device memory of the current device: shapes are checked here, values by the
         ///< prover device on upload (ProverDevice::upload_from_gpu)
};

/// The inputs of one present AIR. Views must stay valid during prove().
struct AirProvingInput {
  /// Signed so that a binding can pass any id it was given and get the validator's message for
  /// an unknown one (negative ids included).
  int64_t air_id = 0;
  std::vector<ConstMatrixView> cached_mains;   // one per cached partition, in order
  std::optional<ConstMatrixView> common_main;  // present iff the AIR has a common main
  std::vector<uint32_t> public_values;         // canonical
  TraceMemory memory = TraceMemory::Host;      // where cached_mains and common_main live
  /// Empty, or one slot per cached partition: a partition committed ahead
  /// (commit_cached_trace; cached_mains[j] is then a view of its trace) is opened from that
  /// commitment instead of being committed again.
  std::vector<std::shared_ptr<const CommittedTrace>> committed_cached;
};

/// One input after validation.
struct ValidatedAir {
  const AirProvingInput* input = nullptr;
  size_t context = 0;  // its index in the inputs
  uint32_t air_id = 0;
  const AirVerifyingKey* vk = nullptr;
  const PreprocessedProvingData* preprocessed = nullptr;  // iff the AIR has a preprocessed trace
  uint32_t log_height = 0;
  std::vector<ConstMatrixView> mains;   // cached partitions in order, then the common main if any
  std::vector<std::string> main_names;  // "cached main trace 0", ..., "common main trace" (parallel to mains)
  std::string label;                    // "AIR 'name' (id 3) in contexts[1]"
};

/// log2(height) of a trace of AIR `vk` under `fri`. InputError (prefixed with `label`) for a height that is
/// not a power of two, with k + log_blowup > 27, at most 2^log_final_poly_len (when
/// log_final_poly_len > 0) or different from the preprocessed height.
uint32_t check_trace_height(const FriParameters& fri, const AirVerifyingKey& vk, size_t height,
                            const std::string& label);

/// Returns the present AIRs in ascending id. InputError for: no inputs; an unknown air id; an
/// id given twice (naming both contexts); a wrong number of cached partitions; a missing common
/// main, or one given to an AIR without common columns; a partition of the wrong width;
/// partitions of different heights; a height that is not a power of two, with
/// k + log_blowup > 27, at most 2^log_final_poly_len (when log_final_poly_len > 0) or different
/// from the preprocessed height; a proving key without the preprocessed trace; a wrong number of
/// public values; a value ≥ p (row and column; the first in row-major order, for any thread
/// count) or a public value ≥ p.
std::vector<ValidatedAir> validate_inputs(const ProvingKey& pk, const std::vector<AirProvingInput>& inputs);

}  // namespace stark
