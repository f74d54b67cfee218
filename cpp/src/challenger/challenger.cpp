// The Challenger front (validation, extension elements, proof of work) over a TranscriptCore,
// and the Poseidon2 duplex core (stark/challenger/challenger.hpp).
#include "stark/challenger/challenger.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "stark/field/babybear.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "stark/util/timing.hpp"

namespace stark {
namespace {

void check_bits(uint32_t bits, const char* what) {
  if (bits > Challenger::kMaxBits) {
    throw InputError(std::string(what) + ": " + std::to_string(bits) + " bits requested, at most " +
                     std::to_string(Challenger::kMaxBits) + " (2^bits must be below p)");
  }
}

uint32_t low_bits(uint32_t x, uint32_t bits) { return x & ((uint32_t(1) << bits) - 1); }

void check_canonical(uint32_t v, const std::string& what) {
  if (v >= P) throw InputError(what + " = " + std::to_string(v) + " is not a canonical field element (>= p)");
}

}  // namespace

// ---- the front --------------------------------------------------------------------------------

Challenger::Challenger() : core_(std::make_unique<DuplexChallenger>()) {}
Challenger::Challenger(std::unique_ptr<TranscriptCore> core) : core_(std::move(core)) {
  if (!core_) throw InputError("Challenger: null transcript core");
}
Challenger::Challenger(const Challenger& other) : core_(other.core_->clone()) {}
Challenger& Challenger::operator=(const Challenger& other) {
  if (this != &other) core_ = other.core_->clone();
  return *this;
}
Challenger::~Challenger() = default;

const DuplexChallenger& Challenger::require_duplex() const {
  const DuplexChallenger* d = duplex();
  if (d == nullptr) {
    throw InputError("this challenger runs on the " + core_->name() +
                     " transcript, which has no Poseidon2 duplex state");
  }
  return *d;
}

void Challenger::observe(uint32_t v) {
  check_canonical(v, "observe: value");
  core_->observe(v);
}

void Challenger::observe_many(std::span<const uint32_t> values) {
  // Validate first so a bad element leaves the transcript untouched.
  for (size_t i = 0; i < values.size(); ++i)
    check_canonical(values[i], "observe_many: values[" + std::to_string(i) + "]");
  for (uint32_t v : values) core_->observe(v);
}

void Challenger::observe_digest(const Digest& digest) { core_->observe_digest(digest); }

void Challenger::observe_ext(const Ext4& value) {
  for (const Fp& c : value.c) core_->observe(c.canonical());
}

uint32_t Challenger::sample() { return core_->sample(); }

Ext4 Challenger::sample_ext() {
  Ext4 r;
  for (Fp& c : r.c) c = Fp::from_canonical(core_->sample());
  return r;
}

uint32_t Challenger::sample_bits(uint32_t bits) {
  check_bits(bits, "sample_bits");
  return core_->sample_bits(bits);
}

bool Challenger::check_witness(uint32_t bits, uint32_t witness) {
  check_bits(bits, "check_witness");
  if (bits == 0) return true;
  if (witness >= P) return false;
  return core_->check_witness(bits, witness);
}

bool TranscriptCore::check_witness(uint32_t bits, uint32_t witness) {
  observe(witness);
  return sample_bits(bits) == 0;
}

uint32_t Challenger::grind(uint32_t bits, const GrindBackend* backend) {
  const PhaseScope phase("pow_grinding");
  check_bits(bits, "grind");
  if (bits == 0) return 0;
  const std::optional<uint32_t> found = core_->grind_search(bits, backend);
  if (!found) {
    throw InputError("grind: no witness below p passes " + std::to_string(bits) + " bits of proof of work");
  }
  const uint32_t witness = *found;
  // The search's nominal work: the witness is the smallest passing candidate, so a sequential
  // search tries witness + 1 of them (a batched search may try more; the count is the same on
  // every device). Each try is one permutation or hash.
  record_count("grinding_permutations", uint64_t(witness) + 1);
  if (!check_witness(bits, witness)) {
    // The search and check_witness describe the same transcript: a disagreement is a device that
    // computed wrongly, or a bug of the CPU search.
    const std::string what = "grind: the witness " + std::to_string(witness) + " found for " +
                             std::to_string(bits) + " bits does not pass the proof-of-work check";
    if (backend != nullptr) throw DeviceError(what + " (computed by the device)");
    throw InternalError(what);
  }
  return witness;
}

// ---- the Poseidon2 duplex -------------------------------------------------------------------

void DuplexChallenger::duplex() {
  std::copy_n(input_.begin(), input_len_, state_.begin());
  input_len_ = 0;
  poseidon2_permute(state_.data());
  record_count("hash_permutations", 1);
  std::copy_n(state_.begin(), kSpongeRate, output_.begin());
  output_len_ = kSpongeRate;
}

void DuplexChallenger::observe(uint32_t v) {
  output_len_ = 0;
  input_[input_len_++] = v;
  if (input_len_ == kSpongeRate) duplex();
}

void DuplexChallenger::observe_digest(const Digest& digest) {
  for (size_t i = 0; i < digest.size(); ++i)
    check_canonical(digest[i], "observe_digest: digest word " + std::to_string(i));
  for (uint32_t w : digest) observe(w);
}

uint32_t DuplexChallenger::sample() {
  if (input_len_ > 0 || output_len_ == 0) duplex();
  return output_[--output_len_];
}

uint32_t DuplexChallenger::sample_bits(uint32_t bits) { return low_bits(sample(), bits); }

std::optional<uint32_t> DuplexChallenger::grind_search(uint32_t bits, const GrindBackend* backend) const {
  try {
    return stark::grind_search(state_, input_buffer(), bits, backend);
  } catch (const InputError&) {
    return std::nullopt;  // no witness below p
  }
}

bool DuplexChallenger::equals(const TranscriptCore& other) const {
  const auto* o = dynamic_cast<const DuplexChallenger*>(&other);
  return o != nullptr && state_ == o->state_ && input_len_ == o->input_len_ &&
         output_len_ == o->output_len_ &&
         std::equal(input_.begin(), input_.begin() + input_len_, o->input_.begin()) &&
         std::equal(output_.begin(), output_.begin() + output_len_, o->output_.begin());
}

namespace {

// The CPU search of poseidon2_grind: the smallest passing witness, or nothing below p.
std::optional<uint32_t> grind_on_cpu(const std::array<uint32_t, kPoseidon2Width>& base, size_t slot,
                                     uint32_t bits) {
  // Candidates are tried in batches, in increasing order, and the first passing one of the
  // first batch that has any is the smallest overall. The batch size trades wasted work past
  // the answer (about 2^bits tries are expected) against per-batch scheduling overhead. Each
  // chunk of a batch runs the vectorized search kernel, which stops at its first success.
  const Poseidon2& perm = Poseidon2::standard();
  const size_t batch = std::clamp<size_t>(size_t(1) << bits, 256, size_t(1) << 17);
  for (uint64_t start = 0; start < P; start += batch) {
    const size_t n = size_t(std::min<uint64_t>(batch, P - start));
    std::atomic<size_t> first_pass{n};
    parallel_for_chunks(n, 2048, [&](size_t begin, size_t end) {
      if (begin >= first_pass.load(std::memory_order_relaxed)) return;  // a smaller one is known
      const size_t hit = begin + perm.grind_range(base, slot, uint32_t(start + begin), end - begin, bits);
      if (hit == end) return;
      size_t seen = first_pass.load();
      while (hit < seen && !first_pass.compare_exchange_weak(seen, hit)) {
      }
    });
    if (first_pass.load() < n) return uint32_t(start + first_pass.load());
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint32_t> poseidon2_grind(const std::array<uint32_t, kPoseidon2Width>& base, size_t slot,
                                        uint32_t bits, const GrindBackend* backend) {
  if (backend != nullptr) {
    const uint64_t found = backend->grind_range(base, slot, 0, P, bits);
    if (found < P) return uint32_t(found);
    return std::nullopt;
  }
  return grind_on_cpu(base, slot, bits);
}

uint32_t grind_search(const std::array<uint32_t, kPoseidon2Width>& state, std::span<const uint32_t> prefix,
                      uint32_t bits, const GrindBackend* backend) {
  if (bits == 0 || bits > Challenger::kMaxBits) {
    throw InputError("bits: " + std::to_string(bits) + " is outside [1, " +
                     std::to_string(Challenger::kMaxBits) + "]");
  }
  if (prefix.size() >= kSpongeRate) {
    throw InputError("prefix: " + std::to_string(prefix.size()) + " pending observations, at most 7");
  }
  // The template state of every candidate: the pending observations overwrite the rate part.
  std::array<uint32_t, kPoseidon2Width> base = state;
  std::copy(prefix.begin(), prefix.end(), base.begin());
  if (const std::optional<uint32_t> found = poseidon2_grind(base, prefix.size(), bits, backend))
    return *found;
  throw InputError("grind: no witness below p passes " + std::to_string(bits) + " bits of proof of work");
}

}  // namespace stark
