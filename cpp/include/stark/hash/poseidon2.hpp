// Poseidon2 over BabyBear, width 16, S-box x^7, 8 full + 13 partial rounds (openvm v1.4.0
// default_perm = Plonky3 Poseidon2BabyBear<16> with HorizenLabs RC16; docs/protocol.md §1,
// constants in third_party/reference/poseidon2_babybear.json, generated into
// stark/generated_constants.hpp):
//   state = M_ext * state
//   4 x { state += rc_ext_init[r]; state = state^7; state = M_ext * state }
//   13 x { state[0] += rc_int[r]; state[0] = state[0]^7; state = M_int * state }
//   4 x { state += rc_ext_term[r]; state = state^7; state = M_ext * state }
// with M_ext the MDSLight matrix built on circ(2,3,1,1) and M_int = J + diag(V).
//
// On top: the padding-free sponge Hs (rate 8, overwrite mode, digest 8) and the 2-to-1
// truncated-permutation compression C(l, r) = Perm(l || r)[0..8).
//
// All values at this interface are canonical uint32 in [0, p). Batched entry points pick the
// SIMD level at run time (stark/field/simd.hpp) and use the thread pool; their results do not
// depend on either.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "stark/field/matrix.hpp"
#include "stark/util/digest.hpp"

namespace stark {

inline constexpr size_t kPoseidon2Width = 16;
inline constexpr size_t kPoseidon2RoundsFHalf = 4;
inline constexpr size_t kPoseidon2RoundsP = 13;
inline constexpr size_t kSpongeRate = 8;

/// Round constants of a width-16 Poseidon2 instance, canonical. The linear layers (M_ext, M_int)
/// are fixed; only the constants vary between instances (the standard one and test instances).
struct Poseidon2RoundConstants {
  uint32_t external_initial[kPoseidon2RoundsFHalf][kPoseidon2Width];
  uint32_t internal[kPoseidon2RoundsP];
  uint32_t external_terminal[kPoseidon2RoundsFHalf][kPoseidon2Width];

  /// The generated constants (HorizenLabs RC16 split as openvm default_perm()).
  static const Poseidon2RoundConstants& standard();
};

namespace detail {
/// Round constants as the vector kernels consume them: Montgomery words minus p, i.e. signed
/// 32-bit values in (-p, 0]. Adding one to a state word in [0, p) lands in (-p, p), which the
/// S-box accepts without a reduction.
struct Poseidon2KernelConstants {
  int32_t external_initial[kPoseidon2RoundsFHalf][kPoseidon2Width];
  int32_t internal[kPoseidon2RoundsP];
  int32_t external_terminal[kPoseidon2RoundsFHalf][kPoseidon2Width];
};
}  // namespace detail

/// One Poseidon2 instance (its round constants prepared for every kernel).
class Poseidon2 {
 public:
  /// Throws InputError if a constant is not canonical.
  explicit Poseidon2(const Poseidon2RoundConstants& round_constants);
  /// The instance of the protocol (openvm default_perm()).
  static const Poseidon2& standard();

  /// One permutation, in place (portable scalar code).
  void permute(uint32_t state[kPoseidon2Width]) const;
  /// n states (row-major n x 16), in place; vectorized across states at the active SIMD level
  /// and multi-threaded for large n.
  void permute_batch(uint32_t* states, size_t n) const;
  /// Proof-of-work search on the calling thread (docs/protocol.md §3.1, fast form): the smallest
  /// i < count such that the low `bits` bits of Perm(s)[7] are zero, s = `base` (canonical)
  /// with s[slot] = first + i; `count` if none passes. Vectorized; first + count <= p.
  size_t grind_range(const std::array<uint32_t, kPoseidon2Width>& base, size_t slot, uint32_t first,
                     size_t count, uint32_t bits) const;

  const Poseidon2RoundConstants& round_constants() const { return rc_; }
  const detail::Poseidon2KernelConstants& kernel_constants() const { return kc_; }

 private:
  Poseidon2RoundConstants rc_;
  detail::Poseidon2KernelConstants kc_;
};

/// One permutation, in place.
void poseidon2_permute(uint32_t state[kPoseidon2Width]);

/// n independent states (row-major n x 16), permuted in place; vectorized across states and
/// multi-threaded.
void poseidon2_permute_batch(uint32_t* states, size_t n);

/// Padding-free sponge (docs/protocol.md §1.1): overwrite the first k <= 8 state words with each block,
/// permute; return state[0..8). Empty input gives the zero digest.
Digest hash_sponge(const uint32_t* input, size_t len);

/// C(l, r) = Perm(l || r)[0..8).
Digest compress(const Digest& left, const Digest& right);

/// Leaf hashing: digest i (row i of `digests_out`, height x 8) = Hs(row i of mats[0] || row i of
/// mats[1] || ...). All matrices have the same height (InputError otherwise, or if `mats` is
/// empty); rows of total width 0 give zero digests. Vectorized across rows, multi-threaded.
void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* digests_out);

/// out[i] = C(left[i], right[i]) for i < n (each a row of 8). `out` may alias `left` or `right`
/// exactly (same rows), but must not overlap them otherwise.
void compress_pairs(const uint32_t* left, const uint32_t* right, size_t n, uint32_t* out);

/// One Merkle layer: out[i] = C(in[2i], in[2i+1]) for i < n (in: 2n x 8, out: n x 8). `out`
/// must not overlap `in`.
void compress_layer(const uint32_t* in, size_t n, uint32_t* out);

/// Permutations per second of poseidon2_permute_batch on `count` states with `threads` threads
/// at the active SIMD level (the pool's thread count is restored afterwards). For benchmarks.
double bench_poseidon2(size_t count, int threads);

}  // namespace stark
