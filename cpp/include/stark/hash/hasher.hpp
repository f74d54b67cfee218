// The hash seam of a STARK configuration (docs/protocol.md §1, §2): a leaf hasher, a 2-to-1
// compressor and the digest type, batched the way a Merkle tree uses them. Every digest is 32
// bytes, held as 8 little-endian u32 words; what a valid digest is depends on the hash:
//   poseidon2         8 canonical BabyBear words (the padding-free sponge and truncated
//                     permutation of stark/hash/poseidon2.hpp)
//   keccak256/blake3  any 32 bytes (stark/hash/byte_hash.hpp)
//   poseidon2_bn254   one canonical BN254 scalar, little-endian (stark/hash/bn254_poseidon2.hpp)
// The Merkle layout (stark/merkle/merkle_tree.hpp) and the PCS are written once over this
// interface; a new hash is one new implementation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "stark/field/codec.hpp"
#include "stark/field/matrix.hpp"
#include "stark/hash/byte_hash.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark {

/// Leaf hashing and compression, batched. Implementations may parallelize internally; results
/// never depend on the thread count or SIMD level.
class MerkleHasher {
 public:
  virtual ~MerkleHasher() = default;
  /// "poseidon2", "keccak256", "blake3", "poseidon2_bn254".
  virtual std::string name() const = 0;
  /// out row i = H(row i of mats[0] || row i of mats[1] || ...); all mats share one height.
  virtual void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* digests_out) const = 0;
  /// out[i] = C(in[2i], in[2i+1]) for i < n.
  virtual void compress_layer(const uint32_t* in, size_t n, uint32_t* out) const = 0;
  /// out[i] = C(left[i], right[i]) for i < n; `out` may alias `left`.
  virtual void compress_pairs(const uint32_t* left, const uint32_t* right, size_t n, uint32_t* out) const = 0;
  /// H(values[0, n)) of one leaf (n may be 0).
  virtual Digest hash_leaf(const uint32_t* values, size_t n) const = 0;
  /// C(left, right).
  virtual Digest compress(const Digest& left, const Digest& right) const;
  /// Whether `d` is a value this hasher can output (e.g. canonical field words); decoders and
  /// verifiers reject anything else.
  virtual bool digest_valid(const Digest& d) const = 0;
  /// What a valid digest is, for error messages ("8 canonical BabyBear words").
  virtual std::string digest_description() const = 0;
  /// Bits of collision resistance of the digest (half its entropy), for the security report.
  virtual uint32_t collision_bits() const = 0;
  /// The cost of hashing one leaf of `words` words, in calls of the hash's primitive (Poseidon2
  /// permutations, Keccak-f[1600] permutations, BLAKE3 compressions); one compression costs one.
  /// Metrics and estimates count work in these units (docs/metrics.md).
  virtual uint64_t leaf_permutations(size_t words) const = 0;
};

/// The decoder rule of a hasher's digests (FieldReader::digest).
inline DigestRule digest_rule(const MerkleHasher& hasher) {
  return {[&hasher](const Digest& d) { return hasher.digest_valid(d); }, hasher.digest_description()};
}

/// The Poseidon2-16 BabyBear hasher (the default configuration's).
const MerkleHasher& poseidon2_hasher();

/// The Keccak-256 or BLAKE3 hasher over little-endian words.
const MerkleHasher& byte_hasher(ByteHashKind kind);

}  // namespace stark
