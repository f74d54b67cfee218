// The hashers of the configurations over BabyBear words (stark/hash/hasher.hpp): Poseidon2-16
// and the byte hashes. The BN254 one lives with its field (bn254_poseidon2.cpp).
#include "stark/hash/hasher.hpp"

#include <algorithm>

#include "stark/field/babybear.hpp"
#include "stark/util/error.hpp"

namespace stark {

Digest MerkleHasher::compress(const Digest& left, const Digest& right) const {
  Digest out{};
  compress_pairs(left.data(), right.data(), 1, out.data());
  return out;
}

namespace {

class Poseidon2Hasher final : public MerkleHasher {
 public:
  std::string name() const override { return "poseidon2"; }
  void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* digests_out) const override {
    stark::hash_rows(mats, digests_out);
  }
  void compress_layer(const uint32_t* in, size_t n, uint32_t* out) const override {
    stark::compress_layer(in, n, out);
  }
  void compress_pairs(const uint32_t* left, const uint32_t* right, size_t n, uint32_t* out) const override {
    stark::compress_pairs(left, right, n, out);
  }
  Digest hash_leaf(const uint32_t* values, size_t n) const override { return hash_sponge(values, n); }
  Digest compress(const Digest& left, const Digest& right) const override {
    return stark::compress(left, right);
  }
  bool digest_valid(const Digest& d) const override {
    return std::all_of(d.begin(), d.end(), [](uint32_t w) { return w < P; });
  }
  std::string digest_description() const override { return "8 canonical BabyBear words (each < p)"; }
  // 8 words of ~31 bits: ~248 bits of output, birthday bound 124.
  uint32_t collision_bits() const override { return 124; }
  // The padding-free sponge absorbs 8 words per permutation.
  uint64_t leaf_permutations(size_t words) const override { return (uint64_t(words) + 7) / 8; }
};

class ByteHasher final : public MerkleHasher {
 public:
  explicit ByteHasher(ByteHashKind kind) : kind_(kind) {}
  std::string name() const override { return byte_hash_name(kind_); }
  void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* digests_out) const override {
    byte_hash_rows(kind_, mats, digests_out);
  }
  void compress_layer(const uint32_t* in, size_t n, uint32_t* out) const override {
    byte_hash_compress_layer(kind_, in, n, out);
  }
  void compress_pairs(const uint32_t* left, const uint32_t* right, size_t n, uint32_t* out) const override {
    byte_hash_compress_pairs(kind_, left, right, n, out);
  }
  Digest hash_leaf(const uint32_t* values, size_t n) const override {
    return byte_hash_words(kind_, values, n);
  }
  bool digest_valid(const Digest&) const override { return true; }
  std::string digest_description() const override { return "32 bytes"; }
  uint32_t collision_bits() const override { return 128; }
  uint64_t leaf_permutations(size_t words) const override {
    return byte_hash_permutations(kind_, 4 * uint64_t(words));
  }

 private:
  ByteHashKind kind_;
};

}  // namespace

const MerkleHasher& poseidon2_hasher() {
  static const Poseidon2Hasher hasher;
  return hasher;
}

const MerkleHasher& byte_hasher(ByteHashKind kind) {
  static const ByteHasher keccak(ByteHashKind::Keccak256);
  static const ByteHasher blake3(ByteHashKind::Blake3);
  switch (kind) {
    case ByteHashKind::Keccak256:
      return keccak;
    case ByteHashKind::Blake3:
      return blake3;
  }
  throw InputError("unknown byte hash kind " + std::to_string(int(kind)));
}

}  // namespace stark
