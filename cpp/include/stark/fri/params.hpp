// FRI parameters of the two-adic polynomial commitment scheme (PROTOCOL.md §12).
//
// Every committed column is a Reed–Solomon codeword of rate 2^-log_blowup: a polynomial of
// degree < n evaluated on the coset g·H_{n·2^log_blowup}. FRI folds the batched codeword with
// arity 2 until 2^(log_blowup + log_final_poly_len) evaluations remain, sends the final polynomial
// (2^log_final_poly_len coefficients) in the clear, and answers num_queries random queries.
// Grinding adds commit_proof_of_work_bits after every fold commitment (before its folding
// challenge) and query_proof_of_work_bits once before the query indices are drawn.
//
// Conjectured security (the "ethSTARK" toy-problem conjecture that Plonky3 and openvm use): each
// query of a rate-ρ code catches a far-from-code word except with probability about ρ, so
//     bits ≈ log_blowup · num_queries + query_proof_of_work_bits.
// It assumes the list-decoding conjecture up to capacity and a challenge field large enough
// (|E| ≈ 2^124) that the batching/folding challenges contribute no loss; the commit-phase PoW only
// guards those challenges and is not counted. The whole proof system is further capped by the
// LogUp term (102 bits, PROTOCOL §7.6); the standard sets below target 100 bits.
#pragma once

#include <cstdint>

#include "stark/util/bytes.hpp"

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

  /// openvm standard_fri_params_with_100_bits_security(1): 193 queries, 20 + 20 PoW bits.
  static FriParameters standard_fast();
  /// openvm's 100-bit sets for log_blowup 1..4 (PROTOCOL §12 table, log_final_poly_len = 0);
  /// InputError for any other log_blowup.
  static FriParameters standard_with_100_bits_security(uint32_t log_blowup);

  /// 2^log_blowup + 1: the largest constraint degree (quotient degree q ≤ 2^log_blowup).
  uint32_t max_constraint_degree() const { return (1u << log_blowup) + 1; }
  /// log_blowup · num_queries + query_proof_of_work_bits (see the file comment for assumptions).
  double conjectured_security_bits() const;

  /// InputError naming the offending field: log_blowup in [1, 7], log_final_poly_len with
  /// log_blowup + log_final_poly_len ≤ 27, num_queries in [1, 2^16], both PoW bit counts ≤ 30.
  void validate() const;

  /// Five little-endian u32 in declaration order.
  void write(ByteWriter& w) const;
  /// Reads the five fields and validates them (ProofFormatError naming the field and offset).
  static FriParameters read(ByteReader& r);

  bool operator==(const FriParameters&) const = default;
};

}  // namespace stark
