// The multi-AIR STARK prover: the coordinator of PROTOCOL.md §9 over a ProverDevice.
//
// For the present AIRs (ascending air id) it commits the main traces (each cached partition
// alone, all common mains together), binds everything the verifier will use into the
// Fiat–Shamir transcript in the fixed order
//   pre_hash, m, air ids | public values, preprocessed commits, main commits, log heights |
//   LogUp PoW, α_lu, β_lu, S_A…, after-challenge commit | α_c | quotient commit |
//   DEEP PoW, ζ | PCS opening (rounds preprocessed → cached → common → after-challenge →
//   quotient),
// builds the LogUp after-challenge traces (§7.4), the quotient Q = fold/Z_H on g·H_{n·q} split
// into q chunks committed on the chunk cosets D_t (§5.4–5.5), and opens every trace matrix at ζ
// and ζ·ω_A and every chunk at ζ (§10). The result depends only on the inputs: the thread count
// and the device change speed, never bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "stark/field/matrix.hpp"
#include "stark/protocol/keys.hpp"
#include "stark/protocol/proof.hpp"
#include "stark/prover/device.hpp"

namespace stark {

/// The inputs of one present AIR. Views must stay valid during prove().
struct AirProvingInput {
  uint32_t air_id = 0;
  std::vector<ConstMatrixView> cached_mains;   // one per cached partition, in order
  std::optional<ConstMatrixView> common_main;  // present iff the AIR has a common main
  std::vector<uint32_t> public_values;         // canonical
};

/// PROTOCOL §9. InputError (naming the AIR, and row/column for values) for: no inputs, an
/// unknown or repeated air id, a wrong number of partitions, a partition of the wrong width,
/// partitions of different heights, a height that is not a power of two, exceeds 2^(27 −
/// log_blowup), differs from the preprocessed height or (log_final_poly_len > 0) is at most
/// 2^log_final_poly_len, a value ≥ p, or a wrong number of public values.
Proof prove(const ProvingKey& pk, std::vector<AirProvingInput> inputs,
            const ProverDevice& device = cpu_prover_device());

}  // namespace stark
