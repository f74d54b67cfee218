// The multi-AIR STARK verifier (docs/protocol.md §11).
//
// 1. Shape pass (§11.1), no transcript, first failure wins, so its errors are deterministic:
//    AIR ids known → distinct (DuplicateAirs) → ascending → heights (power of two, k + b ≤ 27,
//    equal to the preprocessed height) → trace-height linear constraints, Σ a_A·n_A < threshold
//    in 128-bit arithmetic (TraceHeightConstraintViolation) → public-value counts; then the
//    ProofLayout of those AIRs (stark/protocol/layout.hpp) is compared with the proof —
//    commitment counts and the LogUp witness → exposed values → opened-value shapes, round by
//    round — and gives the PCS rounds whose FRI proof shape is checked last. Every count is
//    derived from the key and the heights and compared with the proof, never the other way
//    round (pitfalls P2, P12).
// 2. Transcript replay (§11.2) in exactly the prover's order; the LogUp PoW (18 bits) fails
//    with ChallengePhaseError, the DEEP PoW (5 bits) with InvalidPowWitness.
// 3. PCS verification (§11.3) of every round at the points ζ, ζ·ω_A (trace matrices) and ζ
//    (quotient chunks on D_t): InvalidOpeningArgument. [OURS] A FRI PoW witness for 0 PoW bits
//    must be 0 (what grinding returns), so that no byte of a proof goes unchecked.
// 4. Per AIR, the out-of-domain identity fold(ζ)/Z_H(ζ) = Σ_t zp_t(ζ)·q_t(ζ)
//    (OodEvaluationMismatch), then Σ_A S_A = 0 in E (ChallengePhaseError).
#pragma once

#include "stark/fri/params.hpp"
#include "stark/protocol/keys.hpp"
#include "stark/protocol/proof.hpp"

namespace stark {

/// Returns normally iff the proof is valid for the key; throws VerificationError otherwise.
void verify(const VerifyingKey& vk, const Proof& proof);

/// As above, for an engine configured with `engine_params`: a key made for other FRI
/// parameters is rejected with InvalidProofShape before anything else.
void verify(const VerifyingKey& vk, const FriParameters& engine_params, const Proof& proof);

}  // namespace stark
