// The duplex challenger of the root configuration (docs/protocol.md §3.3; the design of
// Plonky3's MultiField32Challenger<BabyBear, Bn254, Poseidon2, WIDTH 3, RATE 2>): a duplex sponge
// over BN254 Poseidon2 whose inputs and outputs are BabyBear elements.
//
// State s ∈ F_r^3 (zero at start), input buffer IB (< 16 pending BabyBear values), output buffer
// OB of BabyBear values.
//   duplex():    s[c] := pack(IB[8c .. 8c + 8)) for every chunk c present (overwrite, pack as in
//                stark/hash/bn254_poseidon2.hpp), IB := [], s := Perm(s), then
//                OB := for e in (s[0], s[1]), for j in 0..3: w = bits [31j, 31j + 31) of
//                canonical(e), kept iff w < p
//   observe(v):  OB := [], IB.push(v), duplex() once |IB| = 16
//   observe(d):  a BN254 digest as its 16 little-endian 16-bit halves, each observed ([OURS]:
//                injective, where splitting into 64-bit limbs reduced mod p is not)
//   sample():    duplex() while |IB| > 0 or OB is empty; then pop the last element of OB
//   sample_bits(k) = canonical(sample()) mod 2^k (as the Poseidon2 duplex)
// Outputs are exactly uniform on F given uniform 31-bit words (rejection, not reduction), and
// the low 124 bits of an element uniform on [0, r) are within 2^-129 of uniform, so the sampling
// bias is below what the soundness report rounds away.
//
// Proof of work [OURS]: a BN254 permutation costs ~100x a BabyBear Poseidon2-16 one, so grinding
// 20 bits on the transcript's own sponge would take seconds per witness. The work is done on
// Poseidon2-16 instead, seeded by the transcript:
//   pow_check(k, w): seed := 8 samples; observe(w); accept iff Perm16(seed || w || 0^7)[7] is
//   divisible by 2^k
// Every witness attempt costs one Poseidon2-16 permutation (2^k expected, as for the other
// configurations), the seed binds the attempt to the transcript, and the witness is observed so
// the challenges after it depend on it. The search is the vectorized Poseidon2 grinder.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stark/challenger/challenger.hpp"
#include "stark/field/bn254.hpp"

namespace stark {

class Bn254Challenger final : public TranscriptCore {
 public:
  Bn254Challenger() = default;
  std::unique_ptr<TranscriptCore> clone() const override { return std::make_unique<Bn254Challenger>(*this); }
  bool equals(const TranscriptCore& other) const override;
  std::string name() const override { return "duplex_poseidon2_bn254"; }
  void observe(uint32_t canonical) override;
  void observe_digest(const Digest& digest) override;
  uint32_t sample() override;
  uint32_t sample_bits(uint32_t bits) override;
  bool check_witness(uint32_t bits, uint32_t witness) override;
  std::optional<uint32_t> grind_search(uint32_t bits, const GrindBackend* backend) const override;

  static constexpr size_t kRateWords = 16;

 private:
  void duplex();
  /// The Poseidon2-16 state of a proof-of-work check with word 8 left for the witness.
  std::array<uint32_t, 16> pow_base();

  std::array<bn254::Fr, 3> state_{};
  std::vector<uint32_t> input_;
  std::vector<uint32_t> output_;
};

}  // namespace stark
