// The byte-hash transcript (stark/challenger/serializing_challenger.hpp).
#include "stark/challenger/serializing_challenger.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "stark/field/babybear.hpp"
#include "stark/util/parallel.hpp"
#include "stark/util/timing.hpp"

namespace stark {

std::string SerializingChallenger::name() const {
  return std::string("serializing_") + byte_hash_name(kind_);
}

bool SerializingChallenger::equals(const TranscriptCore& other) const {
  const auto* o = dynamic_cast<const SerializingChallenger*>(&other);
  return o != nullptr && kind_ == o->kind_ && input_ == o->input_ && output_len_ == o->output_len_ &&
         std::equal(output_.begin(), output_.begin() + output_len_, o->output_.begin());
}

void SerializingChallenger::observe(uint32_t canonical) {
  output_len_ = 0;
  input_.push_back(canonical);
}

void SerializingChallenger::observe_digest(const Digest& digest) {
  output_len_ = 0;
  input_.insert(input_.end(), digest.begin(), digest.end());
}

void SerializingChallenger::flush() {
  const Digest h = byte_hash_words(kind_, input_.data(), input_.size());
  record_count("hash_permutations", byte_hash_permutations(kind_, 4 * uint64_t(input_.size())));
  std::memcpy(output_.data(), h.data(), 32);  // little-endian words = the hash's bytes
  output_len_ = 32;
  input_.assign(h.begin(), h.end());
}

uint8_t SerializingChallenger::next_byte() {
  if (output_len_ == 0) flush();
  return output_[--output_len_];
}

uint32_t SerializingChallenger::word() {
  uint32_t w = 0;
  for (int i = 0; i < 4; ++i) w |= uint32_t(next_byte()) << (8 * i);
  return w;
}

uint32_t SerializingChallenger::sample() {
  for (;;) {
    const uint32_t w = word() & 0x7FFFFFFFu;
    if (w < P) return w;
  }
}

uint32_t SerializingChallenger::sample_bits(uint32_t bits) { return word() & ((uint32_t(1) << bits) - 1); }

std::optional<uint32_t> SerializingChallenger::grind_search(uint32_t bits, const GrindBackend*) const {
  // Candidate w's message is IB || w: rows of a (block × (|IB| + 1)) matrix, hashed in SIMD
  // batches on the pool. The popped word is bytes 31, 30, 29, 28 of the digest, i.e. digest word 7
  // byte-swapped.
  const size_t len = input_.size() + 1;
  const size_t block = std::clamp<size_t>(size_t(1) << bits, 256, size_t(1) << 14);
  const uint32_t mask = (uint32_t(1) << bits) - 1;
  std::vector<uint32_t> rows(block * len);
  std::vector<uint32_t> digests(block * 8);
  for (size_t r = 0; r < block; ++r) std::copy(input_.begin(), input_.end(), rows.begin() + r * len);
  for (uint64_t start = 0; start < P; start += block) {
    const size_t n = size_t(std::min<uint64_t>(block, P - start));
    for (size_t r = 0; r < n; ++r) rows[r * len + len - 1] = uint32_t(start + r);
    byte_hash_rows(kind_, {ConstMatrixView{rows.data(), n, len}}, digests.data());
    for (size_t r = 0; r < n; ++r) {
      if ((__builtin_bswap32(digests[8 * r + 7]) & mask) == 0) return uint32_t(start + r);
    }
  }
  return std::nullopt;
}

}  // namespace stark
