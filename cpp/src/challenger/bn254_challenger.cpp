// The BN254 duplex transcript of the root configuration (stark/challenger/bn254_challenger.hpp).
#include "stark/challenger/bn254_challenger.hpp"

#include <algorithm>

#include "stark/field/babybear.hpp"
#include "stark/hash/bn254_poseidon2.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/util/error.hpp"
#include "stark/util/timing.hpp"

namespace stark {

bool Bn254Challenger::equals(const TranscriptCore& other) const {
  const auto* o = dynamic_cast<const Bn254Challenger*>(&other);
  return o != nullptr && state_ == o->state_ && input_ == o->input_ && output_ == o->output_;
}

void Bn254Challenger::duplex() {
  for (size_t c = 0; 8 * c < input_.size(); ++c)
    state_[c] = bn254_pack_words(input_.data() + 8 * c, std::min<size_t>(8, input_.size() - 8 * c));
  input_.clear();
  bn254_poseidon2_permute(state_.data());
  record_count("hash_permutations", 1);
  output_.clear();
  for (int e = 0; e < 2; ++e) {
    const bn254::Limbs v = bn254::to_canonical(state_[e]);
    for (int j = 0; j < 4; ++j) {
      const int bit = 31 * j;
      uint64_t w = v[bit / 64] >> (bit % 64);
      if (bit % 64 > 33) w |= v[bit / 64 + 1] << (64 - bit % 64);
      const uint32_t x = uint32_t(w & 0x7FFFFFFFu);
      if (x < P) output_.push_back(x);
    }
  }
}

void Bn254Challenger::observe(uint32_t canonical) {
  output_.clear();
  input_.push_back(canonical);
  if (input_.size() == kRateWords) duplex();
}

void Bn254Challenger::observe_digest(const Digest& digest) {
  if (!poseidon2_bn254_hasher().digest_valid(digest))
    throw InputError("observe_digest: the digest is not a canonical BN254 scalar (>= r)");
  for (uint32_t w : digest) {
    observe(w & 0xFFFFu);
    observe(w >> 16);
  }
}

uint32_t Bn254Challenger::sample() {
  while (!input_.empty() || output_.empty()) duplex();
  const uint32_t v = output_.back();
  output_.pop_back();
  return v;
}

uint32_t Bn254Challenger::sample_bits(uint32_t bits) { return sample() & ((uint32_t(1) << bits) - 1); }

std::array<uint32_t, 16> Bn254Challenger::pow_base() {
  std::array<uint32_t, 16> base{};
  for (size_t i = 0; i < 8; ++i) base[i] = sample();
  return base;
}

bool Bn254Challenger::check_witness(uint32_t bits, uint32_t witness) {
  std::array<uint32_t, 16> s = pow_base();
  observe(witness);
  s[8] = witness;
  poseidon2_permute(s.data());
  return (s[7] & ((uint32_t(1) << bits) - 1)) == 0;
}

std::optional<uint32_t> Bn254Challenger::grind_search(uint32_t bits, const GrindBackend* backend) const {
  Bn254Challenger copy = *this;
  return poseidon2_grind(copy.pow_base(), 8, bits, backend);
}

}  // namespace stark
