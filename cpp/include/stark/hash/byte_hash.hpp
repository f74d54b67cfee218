// Byte-oriented hashes for the Keccak and BLAKE3 configurations (docs/protocol.md §1.3):
// Keccak-256 (the original Keccak padding 0x01 … 0x80, rate 136 bytes, as Ethereum's keccak256)
// and BLAKE3 (hash mode, 32-byte output).
//
// Field data is hashed as the little-endian bytes of its canonical u32 words, so a message of w
// words is 4w bytes; digests are 32 bytes, held as 8 little-endian u32 words (any value: unlike
// a Poseidon2 digest, a byte digest's words need not be below p). On top of each hash:
//   leaf hash  Hb(row)   = H(bytes of the row's words)
//   compress   Cb(l, r)  = H(bytes(l) || bytes(r))          (64-byte message)
// Batched entry points hash several independent messages per vector (Keccak: 4 lanes of 64
// bits with AVX2, 8 with AVX-512; BLAKE3: 8 or 16 lanes of 32 bits), pick the SIMD level at run
// time (stark/field/simd.hpp) and use the thread pool; results depend on neither.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "stark/field/matrix.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark {

enum class ByteHashKind : uint8_t { Keccak256 = 0, Blake3 = 1 };

const char* byte_hash_name(ByteHashKind kind);  // "keccak256" | "blake3"

/// H(data[0, len)), any length.
std::array<uint8_t, 32> byte_hash(ByteHashKind kind, const uint8_t* data, size_t len);

/// H(little-endian bytes of words[0, n)) as 8 little-endian words.
Digest byte_hash_words(ByteHashKind kind, const uint32_t* words, size_t n);

/// Permutations (Keccak-f) or compressions (BLAKE3) that hashing `bytes` bytes takes: what the
/// prover's metrics count as hash_permutations for the byte-hash configurations.
uint64_t byte_hash_permutations(ByteHashKind kind, uint64_t bytes);

/// Leaf hashing: digest i (row i of `digests_out`, height × 8) = Hb(row i of mats[0] || row i
/// of mats[1] || ...). All matrices share one height (InputError otherwise, or if `mats` is
/// empty). Vectorized across rows, multi-threaded.
void byte_hash_rows(ByteHashKind kind, const std::vector<ConstMatrixView>& mats, uint32_t* digests_out);

/// out[i] = Cb(left[i], right[i]) for i < n (rows of 8 words). `out` may alias `left` or `right`
/// exactly.
void byte_hash_compress_pairs(ByteHashKind kind, const uint32_t* left, const uint32_t* right, size_t n,
                              uint32_t* out);

/// One Merkle layer: out[i] = Cb(in[2i], in[2i+1]) for i < n; `out` must not overlap `in`.
void byte_hash_compress_layer(ByteHashKind kind, const uint32_t* in, size_t n, uint32_t* out);

/// Keccak-f[1600] on one state (25 lanes, lane x + 5y), in place.
void keccak_f1600(uint64_t state[25]);

/// n states (n × 25 lanes), permuted in place; vectorized and multi-threaded. For benchmarks.
void keccak_f1600_batch(uint64_t* states, size_t n);

/// Bytes per second of byte_hash_rows on `rows` rows of `width` words with `threads` threads at
/// the active SIMD level (the pool's thread count is restored afterwards). For benchmarks.
double bench_byte_hash(ByteHashKind kind, size_t rows, size_t width, int threads);

}  // namespace stark
