// FRI parameters of the two-adic polynomial commitment scheme (docs/protocol.md §12).
//
// Every committed column is a Reed–Solomon codeword of rate 2^-log_blowup: a polynomial of
// degree < n evaluated on the coset g·H_{n·2^log_blowup}. FRI folds the batched codeword with
// arity 2 until 2^(log_blowup + log_final_poly_len) evaluations remain, sends the final polynomial
// (2^log_final_poly_len coefficients) in the clear, and answers num_queries random queries.
// Grinding adds commit_proof_of_work_bits after every fold commitment (before its folding
// challenge) and query_proof_of_work_bits once before the query indices are drawn.
//
// This is the one definition of the parameters, their ranges, openvm's standard sets and the
// security figures; the Python FriParameters class reads all of them from here (docs/protocol.md §12).
//
// Security is reported two ways, both capped at the 124 bits of the challenge field BabyBear^4:
//   security_bits()             unique-decoding bound: each query at rate ρ = 2^-log_blowup leaves
//                               a cheating prover a chance of at most (1 + ρ)/2, so
//                               ⌊num_queries · log2(2 / (1 + ρ)) + query_proof_of_work_bits⌋;
//                               openvm's "100 bits" sets are chosen by it (each reports 100).
//   conjectured_security_bits() the "ethSTARK" toy-problem conjecture that Plonky3 and openvm
//                               print: log_blowup · num_queries + query_proof_of_work_bits. It
//                               assumes list decoding up to capacity; the commit-phase PoW only
//                               guards the folding challenges and is not counted.
// The whole proof system is further capped by the LogUp term (102 bits).
#pragma once

#include <cstdint>

#include "stark/field/codec.hpp"

namespace stark {

struct FriParameters {
  uint32_t log_blowup = 1;
  uint32_t log_final_poly_len = 0;
  uint32_t num_queries = 1;
  uint32_t commit_proof_of_work_bits = 0;
  uint32_t query_proof_of_work_bits = 0;

  /// Bounds enforced by validate(). log_blowup ≤ 7: a quotient degree q ≤ 2^log_blowup must fit the
  /// key's one-byte field and a height-1 trace already needs 2^log_blowup LDE rows. The query cap
  /// keeps proofs and verification finite for hostile parameter bytes (it is far above any useful
  /// value). PoW bits ≤ Challenger::kMaxBits (2^bits < p for sample_bits).
  static constexpr uint32_t kMaxLogBlowup = 7;
  static constexpr uint32_t kMaxNumQueries = 1u << 16;
  static constexpr uint32_t kMaxPowBits = 30;
  /// log_blowup + log_final_poly_len ≤ 27, the two-adicity of BabyBear.
  static constexpr uint32_t kMaxLogDomain = 27;

  /// Bits of the challenge field (4 · 31): no soundness figure exceeds it.
  static constexpr uint32_t kChallengeFieldBits = 124;

  /// Checked construction from integers of any sign (what a binding receives): InputError
  /// naming the field and its range (see validate()).
  static FriParameters from_integers(int64_t log_blowup, int64_t log_final_poly_len, int64_t num_queries,
                                     int64_t commit_proof_of_work_bits, int64_t query_proof_of_work_bits);

  /// openvm standard_fri_params_with_100_bits_security(1): 193 queries, 20 + 20 PoW bits.
  static FriParameters standard_fast();
  /// openvm's 100-bit sets for log_blowup 1..4 (log_final_poly_len = 0); InputError for any
  /// other log_blowup.
  static FriParameters standard_with_100_bits_security(int64_t log_blowup);

  /// 2^log_blowup + 1: the largest constraint degree (quotient degree q ≤ 2^log_blowup).
  uint32_t max_constraint_degree() const { return (1u << log_blowup) + 1; }
  /// The unique-decoding bound in bits (see the file comment), at most kChallengeFieldBits.
  uint32_t security_bits() const;
  /// min(kChallengeFieldBits, log_blowup · num_queries + query_proof_of_work_bits).
  uint32_t conjectured_security_bits() const;

  /// InputError naming the offending field: log_blowup in [1, 7], log_final_poly_len in [0, 27]
  /// with log_blowup + log_final_poly_len ≤ 27, num_queries in [1, 2^16], both PoW bit counts
  /// in [0, 30].
  void validate() const;

  /// Five little-endian u32 in declaration order.
  void write(FieldWriter& w) const;
  /// Reads the five fields and validates them (ProofFormatError naming the field and offset).
  static FriParameters read(FieldReader& r);

  bool operator==(const FriParameters&) const = default;
};

}  // namespace stark
