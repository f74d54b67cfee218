// The serializing challenger of the Keccak and BLAKE3 configurations (docs/protocol.md §3.2;
// the design of Plonky3's SerializingChallenger32 over HashChallenger<u8, H, 32>).
//
// State: an input buffer IB of bytes and an output buffer OB of bytes.
//   observe(v ∈ F):  OB := [], IB += the 4 little-endian bytes of canonical(v)
//   observe(digest): OB := [], IB += its 32 bytes
//   flush():         h := H(IB) (32 bytes), OB := h, IB := h   (the chaining value)
//   next byte:       flush() if OB is empty, then pop the last byte of OB
//   word():          four next bytes b0, b1, b2, b3 → b0 | b1 << 8 | b2 << 16 | b3 << 24
//   sample():        repeat w := word() & (2^31 − 1) until w < p; return w  (rejection sampling:
//                    exactly uniform on F, no bias to charge)
//   sample_bits(k):  word() mod 2^k (uniform)
// Every observation is a whole number of 4-byte words, so IB is held as little-endian words.
// Proof of work is pow_check as everywhere: observe(w), then sample_bits(k) = 0; after observe
// the next byte always flushes, so a candidate passes iff the last four bytes of H(IB || w),
// read from the end, have k low zero bits. The search hashes candidates in SIMD batches.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stark/challenger/challenger.hpp"
#include "stark/hash/byte_hash.hpp"

namespace stark {

class SerializingChallenger final : public TranscriptCore {
 public:
  explicit SerializingChallenger(ByteHashKind kind) : kind_(kind) {}
  std::unique_ptr<TranscriptCore> clone() const override {
    return std::make_unique<SerializingChallenger>(*this);
  }
  bool equals(const TranscriptCore& other) const override;
  std::string name() const override;
  void observe(uint32_t canonical) override;
  void observe_digest(const Digest& digest) override;
  uint32_t sample() override;
  uint32_t sample_bits(uint32_t bits) override;
  std::optional<uint32_t> grind_search(uint32_t bits, const GrindBackend* backend) const override;

  /// The pending input words and the unread output bytes (OB[0 .. len)), for tests.
  const std::vector<uint32_t>& input_words() const { return input_; }
  std::vector<uint8_t> output_bytes() const { return {output_.begin(), output_.begin() + output_len_}; }

 private:
  void flush();
  uint8_t next_byte();
  uint32_t word();

  ByteHashKind kind_;
  std::vector<uint32_t> input_;
  std::array<uint8_t, 32> output_{};
  size_t output_len_ = 0;
};

}  // namespace stark
