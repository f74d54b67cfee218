// Poseidon2 over BabyBear, width 16, S-box x^7, 8 full + 13 partial rounds (openvm v1.4.0
// default_perm = Plonky3 Poseidon2BabyBear<16> with HorizenLabs RC16; PROTOCOL.md §1,
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
// SIMD level at run time (stark/field/simd.hpp) and use the thread pool.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "stark/field/matrix.hpp"

namespace stark {

inline constexpr size_t kPoseidon2Width = 16;
inline constexpr size_t kSpongeRate = 8;
inline constexpr size_t kDigestElems = 8;

/// Canonical digest of 8 field elements.
using Digest = std::array<uint32_t, kDigestElems>;

/// One permutation, in place.
void poseidon2_permute(uint32_t state[kPoseidon2Width]);

/// n independent states (row-major n x 16), permuted in place; vectorized across states and
/// multi-threaded.
void poseidon2_permute_batch(uint32_t* states, size_t n);

/// Padding-free sponge (PROTOCOL §1.1): overwrite the first k <= 8 state words with each block,
/// permute; return state[0..8). Empty input gives the zero digest.
Digest hash_sponge(const uint32_t* input, size_t len);

/// C(l, r) = Perm(l || r)[0..8).
Digest compress(const Digest& left, const Digest& right);

/// Leaf hashing: digest i (row i of `digests_out`, height x 8) = Hs(row i of mats[0] || row i of
/// mats[1] || ...). All matrices have the same height. Vectorized across rows, multi-threaded.
void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* digests_out);

/// out[i] = C(left[i], right[i]) for i < n (each a row of 8). `out` may alias `left`.
void compress_pairs(const uint32_t* left, const uint32_t* right, size_t n, uint32_t* out);

/// One Merkle layer: out[i] = C(in[2i], in[2i+1]) for i < n (in: 2n x 8, out: n x 8).
void compress_layer(const uint32_t* in, size_t n, uint32_t* out);

}  // namespace stark
