// Fiat–Shamir transcript: the duplex sponge challenger of docs/protocol.md §3 (Plonky3
// DuplexChallenger<BabyBear, Poseidon2, WIDTH 16, RATE 8>), with proof-of-work grinding (§3.1).
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
#include <span>

#include "stark/field/extension.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark {

class GrindBackend;  // below

class Challenger {
 public:
  /// Largest k accepted by sample_bits / grind / check_witness: 2^k must be below p.
  static constexpr uint32_t kMaxBits = 30;

  Challenger() = default;

  /// v must be canonical (< p); InputError otherwise.
  void observe(uint32_t v);
  void observe_many(std::span<const uint32_t> values);
  void observe_digest(const Digest& digest);
  void observe_ext(const Ext4& value);

  /// Canonical base-field element.
  uint32_t sample();
  /// (c0, c1, c2, c3) from four consecutive samples.
  Ext4 sample_ext();
  /// canonical(sample()) mod 2^bits; bits <= kMaxBits (InputError otherwise).
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

  /// The sponge state and buffers, for tests and device implementations of grinding.
  const std::array<uint32_t, kPoseidon2Width>& sponge_state() const { return state_; }
  std::span<const uint32_t> input_buffer() const { return {input_.data(), input_len_}; }
  std::span<const uint32_t> output_buffer() const { return {output_.data(), output_len_}; }

  bool operator==(const Challenger& o) const;

 private:
  void duplex();
  void push_input(uint32_t v);

  std::array<uint32_t, kPoseidon2Width> state_{};
  std::array<uint32_t, kSpongeRate> input_{};
  size_t input_len_ = 0;
  std::array<uint32_t, kSpongeRate> output_{};
  size_t output_len_ = 0;
};

/// The grinding search alone: the smallest w < p such that the state `state` with
/// state[0..prefix.size()) := prefix and state[prefix.size()] := w permutes to an element 7
/// divisible by 2^bits. prefix.size() < 8, 1 <= bits <= Challenger::kMaxBits. Deterministic for
/// every thread count and SIMD level. The search runs on `backend` when given (see GrindBackend),
/// else on the CPU kernels.
uint32_t grind_search(const std::array<uint32_t, kPoseidon2Width>& state, std::span<const uint32_t> prefix,
                      uint32_t bits, const GrindBackend* backend = nullptr);

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
