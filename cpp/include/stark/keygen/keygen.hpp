// Keygen (docs/protocol.md §8.2, steps 5–8): from the constraint systems the Python AIR layer
// produced (symbolic pass, LogUp chunking and constraints already done, §8.2 steps 1–4) and
// the preprocessed traces, build the proving key — validate each system against the FRI
// parameters (degree ≤ 2^log_blowup + 1, so the quotient q ≤ 2^log_blowup fits in the LDE),
// commit every preprocessed trace on its subgroup H_n, derive the trace-height constraints and
// the transcript seed pre_hash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stark/air/constraint_system.hpp"
#include "stark/field/matrix.hpp"
#include "stark/fri/params.hpp"
#include "stark/protocol/keys.hpp"

namespace stark {

struct AirKeygenInput {
  std::string name;
  ConstraintSystem cs;
  std::optional<RowMajorMatrix> preprocessed_trace;
};

/// Decodes the constraint-system bytes of the AIR `name` (python/stark_backend/air/ir.py);
/// malformed bytes are a KeygenError naming the AIR.
ConstraintSystem decode_constraint_system(const std::string& name, const std::vector<uint8_t>& bytes);

/// KeygenError (naming the AIR) on: no AIRs, an empty main trace, a preprocessed trace that is
/// missing, unexpected, of the wrong width, not a power-of-two height, too tall for the blowup
/// or holding a value ≥ p, a constraint degree above max_constraint_degree, and — for the
/// standard 100-bit parameter sets — the openvm security budget (§8.2 step 6).
/// The key is made under `config` (its id goes into the VK; preprocessed traces are committed
/// with its hasher).
ProvingKey keygen(const FriParameters& fri, std::vector<AirKeygenInput> airs,
                  const StarkConfig& config = default_config());

}  // namespace stark
