// The multi-AIR STARK prover: the coordinator of docs/protocol.md §9 over a ProverDevice.
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
// and ζ·ω_A and every chunk at ζ (§10). Which matrix is in which commitment, at which points it
// is opened and where its values go in the Proof is the ProofLayout's (stark/protocol/layout.hpp),
// shared with the verifier. The result depends only on the inputs: the thread count and the
// device change speed, never bytes.
#pragma once

#include <vector>

#include "stark/protocol/keys.hpp"
#include "stark/protocol/proof.hpp"
#include "stark/prover/device.hpp"
#include "stark/prover/validate.hpp"

namespace stark {

/// The prover (docs/protocol.md). Validates the inputs first (validate_inputs: InputError naming the context,
/// the AIR, and row/column for values), then commits, opens and fills the proof by walking the ProofLayout of
/// the present AIRs (stark/protocol/layout.hpp). An error of a device operation keeps its class and gains the
/// AIR's label where it concerns one AIR.
Proof prove(const ProvingKey& pk, std::vector<AirProvingInput> inputs,
            const ProverDevice& device = cpu_prover_device());

}  // namespace stark
