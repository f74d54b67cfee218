// Fiat–Shamir transcript (docs/protocol.md §3). `Challenger` is the one interface the prover and
// verifier use; what it runs on is the configuration's TranscriptCore:
//   DuplexChallenger       a duplex sponge over Poseidon2-16 (below; the default)
//   serializing challenger a byte hash (Keccak-256, BLAKE3) fed the little-endian bytes of every
//                          observation, squeezed bytes turned into field elements by rejection
//                          sampling (stark/challenger/serializing_challenger.hpp)
//   multi-field challenger a duplex sponge over BN254 Poseidon2 (stark/challenger/bn254_challenger.hpp)
// Every core offers proof-of-work grinding with the same contract: pow_check(bits, w) observes w
// and accepts iff sample_bits(bits) = 0, and grind finds the smallest passing w.
//
// The duplex challenger (Plonky3 DuplexChallenger<BabyBear, Poseidon2, WIDTH 16, RATE 8>):
//
// State s ∈ F^16 (zero at start), input buffer IB (< 8 pending observations), output buffer OB.
//   duplex():   s[j] := IB[j] for j < |IB| (overwrite), IB := [], s := Perm(s), OB := s[0..8)
//   observe(v): OB := [], IB.push(v), duplex() once |IB| = 8
//   sample():   duplex() if |IB| > 0 or OB is empty; then pop the last element of OB
// so the samples after a duplex are s[7], s[6], ..., s[0]. An extension element is four
// consecutive samples (c0..c3); it is observed as c0..c3. sample_bits(k) is the non-uniform
// canonical(sample()) mod 2^k.
//
// Proof of work: pow_check(bits, w) observes w and accepts iff sample_bits(bits) = 0 (bits = 0:
// accept, observe nothing). Since observe(w) followed by a sample is one duplex of the state with
// s[0..m) := IB, s[m] := w, a candidate is accepted iff canonical(Perm(that state)[7]) is
// divisible by 2^bits. grind() tests candidates 0, 1, 2, ... with the batched permutation and
// returns the smallest that passes, independent of thread count (docs/protocol.md §15 item 2).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "stark/field/extension.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark {

class GrindBackend;  // below

/// What a Challenger runs on. Values passed in are already validated (canonical, bits in range).
class TranscriptCore {
 public:
  virtual ~TranscriptCore() = default;
  virtual std::unique_ptr<TranscriptCore> clone() const = 0;
  /// Same kind and same state.
  virtual bool equals(const TranscriptCore& other) const = 0;
  /// "duplex_poseidon2", "serializing_keccak256", ...
  virtual std::string name() const = 0;
  virtual void observe(uint32_t canonical) = 0;
  /// A commitment digest of this transcript's configuration (InputError if not valid for it).
  virtual void observe_digest(const Digest& digest) = 0;
  /// A canonical base-field element.
  virtual uint32_t sample() = 0;
  /// bits <= Challenger::kMaxBits.
  virtual uint32_t sample_bits(uint32_t bits) = 0;
  /// pow_check(bits, witness), advancing the transcript as the verifier does (1 <= bits <=
  /// kMaxBits, witness canonical). Default: observe(witness), then sample_bits(bits) == 0.
  virtual bool check_witness(uint32_t bits, uint32_t witness);
  /// The smallest w < p passing pow_check(bits, w) on a copy of this state (1 <= bits <=
  /// kMaxBits), independent of the thread count; nullopt if none. `backend` is a device's search
  /// (the duplex Poseidon2 core only; others search on the CPU and ignore it).
  virtual std::optional<uint32_t> grind_search(uint32_t bits, const GrindBackend* backend) const = 0;
};

/// The Poseidon2-16 duplex sponge (contract at the top of this file).
class DuplexChallenger final : public TranscriptCore {
 public:
  DuplexChallenger() = default;
  std::unique_ptr<TranscriptCore> clone() const override { return std::make_unique<DuplexChallenger>(*this); }
  bool equals(const TranscriptCore& other) const override;
  std::string name() const override { return "duplex_poseidon2"; }
  void observe(uint32_t canonical) override;
  void observe_digest(const Digest& digest) override;
  uint32_t sample() override;
  uint32_t sample_bits(uint32_t bits) override;
  std::optional<uint32_t> grind_search(uint32_t bits, const GrindBackend* backend) const override;

  const std::array<uint32_t, kPoseidon2Width>& sponge_state() const { return state_; }
  std::span<const uint32_t> input_buffer() const { return {input_.data(), input_len_}; }
  std::span<const uint32_t> output_buffer() const { return {output_.data(), output_len_}; }

 private:
  void duplex();

  std::array<uint32_t, kPoseidon2Width> state_{};
  std::array<uint32_t, kSpongeRate> input_{};
  size_t input_len_ = 0;
  std::array<uint32_t, kSpongeRate> output_{};
  size_t output_len_ = 0;
};

class Challenger {
 public:
  /// Largest k accepted by sample_bits / grind / check_witness: 2^k must be below p.
  static constexpr uint32_t kMaxBits = 30;

  /// The Poseidon2 duplex challenger (the default configuration's).
  Challenger();
  /// A challenger over the given core (a configuration's, see StarkConfig::new_challenger).
  explicit Challenger(std::unique_ptr<TranscriptCore> core);
  Challenger(const Challenger& other);
  Challenger& operator=(const Challenger& other);
  Challenger(Challenger&&) noexcept = default;
  Challenger& operator=(Challenger&&) noexcept = default;
  ~Challenger();

  /// v must be canonical (< p); InputError otherwise.
  void observe(uint32_t v);
  void observe_many(std::span<const uint32_t> values);
  /// A digest of the configuration (InputError if it is not a valid one).
  void observe_digest(const Digest& digest);
  void observe_ext(const Ext4& value);

  /// Canonical base-field element.
  uint32_t sample();
  /// (c0, c1, c2, c3) from four consecutive samples.
  Ext4 sample_ext();
  /// sample_bits of the core (the duplex: canonical(sample()) mod 2^bits); bits <= kMaxBits
  /// (InputError otherwise).
  uint32_t sample_bits(uint32_t bits);

  /// Smallest witness w in 0, 1, 2, ... passing pow_check(bits, w) on a copy; then applies
  /// pow_check on this challenger so it ends in the verifier's post-check state. bits = 0
  /// returns 0 and leaves the transcript untouched. bits <= kMaxBits. The search runs on
  /// `backend` (a device's, e.g. the GPU's) or, when null, on the CPU kernels; every backend
  /// finds the same witness. A backend's witness that fails the check is a DeviceError.
  uint32_t grind(uint32_t bits, const GrindBackend* backend = nullptr);
  /// pow_check (docs/protocol.md §3.1): advances the transcript like the verifier. A non-canonical
  /// witness is rejected without observing it.
  bool check_witness(uint32_t bits, uint32_t witness);

  const TranscriptCore& core() const { return *core_; }
  /// The duplex core, or null for another kind (devices that grind the duplex themselves).
  const DuplexChallenger* duplex() const { return dynamic_cast<const DuplexChallenger*>(core_.get()); }

  /// The duplex sponge state and buffers, for tests and device implementations of grinding
  /// (InputError for another kind of core).
  const std::array<uint32_t, kPoseidon2Width>& sponge_state() const {
    return require_duplex().sponge_state();
  }
  std::span<const uint32_t> input_buffer() const { return require_duplex().input_buffer(); }
  std::span<const uint32_t> output_buffer() const { return require_duplex().output_buffer(); }

  bool operator==(const Challenger& o) const { return core_->equals(*o.core_); }

 private:
  const DuplexChallenger& require_duplex() const;

  std::unique_ptr<TranscriptCore> core_;
};

/// The grinding search of the duplex alone: the smallest w < p such that the state `state` with
/// state[0..prefix.size()) := prefix and state[prefix.size()] := w permutes to an element 7
/// divisible by 2^bits. prefix.size() < 8, 1 <= bits <= Challenger::kMaxBits. Deterministic for
/// every thread count and SIMD level. The search runs on `backend` when given (see GrindBackend),
/// else on the CPU kernels.
uint32_t grind_search(const std::array<uint32_t, kPoseidon2Width>& state, std::span<const uint32_t> prefix,
                      uint32_t bits, const GrindBackend* backend = nullptr);

/// The smallest w < p such that Perm(base with base[slot] := w)[7] is divisible by 2^bits
/// (Poseidon2-16 over BabyBear, canonical base), on `backend` or the CPU kernels; nullopt if none.
/// The search behind grind_search, shared with transcripts that prove work with Poseidon2.
std::optional<uint32_t> poseidon2_grind(const std::array<uint32_t, kPoseidon2Width>& base, size_t slot,
                                        uint32_t bits, const GrindBackend* backend);

/// Where grind_search looks for witnesses, when not on the CPU kernels (e.g. a GPU): the
/// contract of Poseidon2::grind_range (smallest passing index of first .. first + count - 1,
/// count if none), so every backend finds the same witness.
class GrindBackend {
 public:
  virtual ~GrindBackend() = default;
  virtual uint64_t grind_range(const std::array<uint32_t, kPoseidon2Width>& base, size_t slot, uint32_t first,
                               uint64_t count, uint32_t bits) const = 0;
};

}  // namespace stark
