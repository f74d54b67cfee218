// Poseidon2 over the BN254 scalar field (HorizenLabs POSEIDON2_BN256_PARAMS: width 3, S-box x^5,
// 8 full + 56 partial rounds; constants in third_party/reference/poseidon2_bn254_t3.json):
//   state = M_E · state,  M_E = circ(2, 1, 1)
//   4 × { state += rc_ext_init[r]; state = state^5; state = M_E · state }
//   56 × { state[0] += rc_int[r]; state[0] = state[0]^5; state = M_I · state },  M_I = J + diag(1, 1, 2)
//   4 × { state += rc_ext_term[r]; state = state^5; state = M_E · state }
//
// The root configuration's hash (docs/protocol.md §1.4) on BabyBear words:
//   pack(w_0..w_k) = Σ w_i · 2^(32 i) mod r   (k < 8: up to 8 BabyBear words per BN254 element)
//   leaf hash  H(values) = padding-free sponge, rate 2 elements = 16 words, overwrite mode:
//              per block of 16 words, state[c] := pack(words 8c .. 8c + 7 of the block) for
//              the chunks present, then permute; the digest is state[0] (zero input: 0)
//   compress   C(l, r) = Perm(l, r, 0)[0]
// A digest is the canonical value of that element, as 8 little-endian u32 words (< r).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "stark/field/bn254.hpp"
#include "stark/hash/hasher.hpp"

namespace stark {

inline constexpr size_t kBn254Poseidon2Width = 3;

/// One permutation, in place (Montgomery-form elements).
void bn254_poseidon2_permute(bn254::Fr state[kBn254Poseidon2Width]);

/// Σ words[i] · 2^(32 i) mod r for n <= 8 canonical words.
bn254::Fr bn254_pack_words(const uint32_t* words, size_t n);

/// The digest words of an element (its canonical value, little-endian) and back (InputError if
/// the words are not below r).
Digest bn254_to_digest(const bn254::Fr& x);
bn254::Fr bn254_from_digest(const Digest& d);

/// The root configuration's hasher (leaf sponge and compression above, multi-threaded).
const MerkleHasher& poseidon2_bn254_hasher();

/// Permutations per second on `count` states with `threads` threads. For benchmarks.
double bench_bn254_poseidon2(size_t count, int threads);

}  // namespace stark
