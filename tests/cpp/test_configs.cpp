// Configuration layer tests: the byte hashes (fixed vectors, every SIMD level against the scalar
// lanes, thread-count independence), BN254 arithmetic and the Poseidon2-BN254 published vector,
// the hashers' digest rules, every configuration's transcript (determinism, grinding, copies)
// and the registry's errors.
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "stark/challenger/bn254_challenger.hpp"
#include "stark/challenger/serializing_challenger.hpp"
#include "stark/config/config.hpp"
#include "stark/field/bn254.hpp"
#include "stark/field/simd.hpp"
#include "stark/generated_constants.hpp"
#include "stark/hash/bn254_poseidon2.hpp"
#include "stark/hash/byte_hash.hpp"
#include "stark/merkle/merkle_tree.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

using namespace stark;

namespace {

struct RuntimeGuard {
  ~RuntimeGuard() {
    simd::set_active(simd::detected());
    set_num_threads(0);
  }
};

std::vector<simd::Level> supported_levels() {
  std::vector<simd::Level> levels;
  for (simd::Level l : {simd::Level::Scalar, simd::Level::Avx2, simd::Level::Avx512})
    if (simd::supported(l)) levels.push_back(l);
  return levels;
}

std::string hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

std::string hash_hex(ByteHashKind k, const std::string& msg) {
  const auto h = byte_hash(k, reinterpret_cast<const uint8_t*>(msg.data()), msg.size());
  return hex(h.data(), h.size());
}

std::vector<uint32_t> random_words(size_t n) {
  std::vector<uint32_t> v(n);
  for (uint32_t& x : v) x = testing::random_canonical();
  return v;
}

}  // namespace

// Published vectors: Keccak-256 (as Ethereum's keccak256) and the BLAKE3 reference test vectors.
TEST(byte_hash_known_answers) {
  CHECK_EQ(hash_hex(ByteHashKind::Keccak256, ""),
           std::string("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"));
  CHECK_EQ(hash_hex(ByteHashKind::Keccak256, "abc"),
           std::string("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"));
  CHECK_EQ(hash_hex(ByteHashKind::Blake3, ""),
           std::string("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"));
  CHECK_EQ(hash_hex(ByteHashKind::Blake3, "abc"),
           std::string("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"));
  // Keccak-f[1600] of the zero state: lane 0 of the published intermediate value.
  uint64_t s[25] = {};
  keccak_f1600(s);
  CHECK_EQ(s[0], uint64_t(0xF1258F7940E1DDE7ull));
  CHECK_EQ(s[1], uint64_t(0x84D5CCF933C0478Aull));
}

// Every SIMD level and thread count gives the scalar digests, for widths around the Keccak rate
// (34 words) and the BLAKE3 block (16) and chunk (256) sizes, and heights with lane tails.
TEST(byte_hash_rows_equal_across_levels_and_threads) {
  RuntimeGuard guard;
  for (ByteHashKind kind : {ByteHashKind::Keccak256, ByteHashKind::Blake3}) {
    for (size_t width : {size_t(1), size_t(15), size_t(16), size_t(33), size_t(34), size_t(35), size_t(255),
                         size_t(256), size_t(257), size_t(600)}) {
      for (size_t height : {size_t(1), size_t(5), size_t(37)}) {
        const std::vector<uint32_t> data = random_words(height * width);
        const std::vector<ConstMatrixView> mats{ConstMatrixView{data.data(), height, width}};
        std::vector<uint32_t> expected(8 * height);
        for (size_t r = 0; r < height; ++r) {
          const Digest d = byte_hash_words(kind, data.data() + r * width, width);
          std::copy(d.begin(), d.end(), expected.begin() + 8 * r);
        }
        for (simd::Level level : supported_levels()) {
          simd::set_active(level);
          for (int threads : {1, 3}) {
            set_num_threads(threads);
            std::vector<uint32_t> got(8 * height);
            byte_hash_rows(kind, mats, got.data());
            CHECK(got == expected);
          }
        }
        // The word hash is the byte hash of the little-endian bytes.
        std::vector<uint8_t> bytes(4 * width);
        std::memcpy(bytes.data(), data.data(), bytes.size());
        const auto h = byte_hash(kind, bytes.data(), bytes.size());
        CHECK(std::memcmp(h.data(), expected.data(), 32) == 0);
      }
    }
  }
}

TEST(byte_hash_compression_is_the_hash_of_both_digests) {
  RuntimeGuard guard;
  for (ByteHashKind kind : {ByteHashKind::Keccak256, ByteHashKind::Blake3}) {
    const std::vector<uint32_t> in = random_words(2 * 8 * 21);
    std::vector<uint32_t> expected(8 * 21);
    for (size_t i = 0; i < 21; ++i) {
      const Digest d = byte_hash_words(kind, in.data() + 16 * i, 16);
      std::copy(d.begin(), d.end(), expected.begin() + 8 * i);
    }
    for (simd::Level level : supported_levels()) {
      simd::set_active(level);
      std::vector<uint32_t> out(8 * 21);
      byte_hash_compress_layer(kind, in.data(), 21, out.data());
      CHECK(out == expected);
    }
  }
}

TEST(bn254_arithmetic_and_constants) {
  using namespace bn254;
  // r - 1 is canonical, r is not; (r - 1) + 1 = 0; 2 * 3 = 6; conversion round trips.
  Limbs r = bn254::detail::kModulus;
  CHECK(!is_canonical(r));
  Limbs rm1 = r;
  rm1[0] -= 1;
  CHECK(is_canonical(rm1));
  CHECK(add(from_canonical(rm1), one()) == zero());
  CHECK(to_canonical(mul(from_u64(2), from_u64(3))) == (Limbs{6, 0, 0, 0}));
  CHECK(to_canonical(from_canonical(rm1)) == rm1);
  // (r - 1)^2 = 1.
  CHECK(to_canonical(mul(from_canonical(rm1), from_canonical(rm1))) == (Limbs{1, 0, 0, 0}));
  CHECK(bn254::detail::kModulus[0] * (~bn254::detail::kInv + 1) == 1);
  CHECK_EQ(to_hex(parse_hex("0x1d066a255517b7fd8bddd3a93f7804ef7f8fcde48bb4c37a59a09a1a97052816")),
           std::string("0x1d066a255517b7fd8bddd3a93f7804ef7f8fcde48bb4c37a59a09a1a97052816"));
  CHECK_THROWS(parse_hex("0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"), InputError);
}

// The published vector of the HorizenLabs instance (third_party/reference/poseidon2_bn254_t3.json).
TEST(bn254_poseidon2_known_answer) {
  bn254::Fr s[3];
  for (int i = 0; i < 3; ++i)
    s[i] = bn254::from_canonical(bn254::parse_hex(constants::kBn254Poseidon2KatInput[i]));
  bn254_poseidon2_permute(s);
  for (int i = 0; i < 3; ++i)
    CHECK_EQ(bn254::to_hex(bn254::to_canonical(s[i])),
             bn254::to_hex(bn254::parse_hex(constants::kBn254Poseidon2KatOutput[i])));
}

TEST(hashers_digest_rules) {
  Digest big;
  big.fill(0xFFFFFFFFu);
  CHECK(!poseidon2_hasher().digest_valid(big));
  CHECK(byte_hasher(ByteHashKind::Keccak256).digest_valid(big));
  CHECK(!poseidon2_bn254_hasher().digest_valid(big));
  // Leaves and compressions of every hasher are valid digests; trees over them verify.
  const std::vector<uint32_t> data = random_words(64 * 5);
  for (const StarkConfig* c : stark_configs()) {
    const MerkleHasher& h = c->hasher();
    const Digest leaf = h.hash_leaf(data.data(), 21);
    CHECK(h.digest_valid(leaf));
    CHECK(h.digest_valid(h.compress(leaf, leaf)));
    std::vector<RowMajorMatrix> mats;
    mats.emplace_back(std::vector<uint32_t>(data.begin(), data.end()), 5);
    MerkleTree tree(std::move(mats), h);
    const MerkleOpening o = tree.open(9);
    const std::vector<size_t> heights{64}, widths{5};
    CHECK(verify_merkle_batch(tree.root(), heights, widths, 9, o.rows, o.siblings, h).ok);
    CHECK(!verify_merkle_batch(tree.root(), heights, widths, 10, o.rows, o.siblings, h).ok);
    // The batched leaf hash is the one-leaf hash, row by row.
    std::vector<uint32_t> leaf_digests(8 * 64);
    h.hash_rows({tree.matrix(0)}, leaf_digests.data());
    const Digest row9 = h.hash_leaf(data.data() + 5 * 9, 5);
    CHECK(std::equal(row9.begin(), row9.end(), leaf_digests.begin() + 8 * 9));
  }
}

// Every configuration's transcript: copies are independent and equal, the same observations
// give the same challenges, samples are canonical, grinding finds a witness the check accepts
// and leaves the prover where the verifier ends.
TEST(every_transcript_samples_grinds_and_copies) {
  for (const StarkConfig* c : stark_configs()) {
    Challenger a = c->new_challenger();
    Challenger b = c->new_challenger();
    CHECK(a == b);
    for (uint32_t v = 0; v < 19; ++v) {
      a.observe(v * 7919u);
      b.observe(v * 7919u);
    }
    a.observe_digest(c->hasher().hash_leaf(nullptr, 0));
    b.observe_digest(c->hasher().hash_leaf(nullptr, 0));
    Challenger copy = a;
    CHECK(copy == a);
    const uint32_t s = a.sample();
    CHECK(s < P);
    CHECK(!(copy == a));
    CHECK_EQ(copy.sample(), s);
    CHECK_EQ(b.sample(), s);
    for (int i = 0; i < 40; ++i) CHECK(a.sample() < P);
    Challenger verifier = a;
    const uint32_t w = a.grind(8);
    CHECK(verifier.check_witness(8, w));
    CHECK(verifier == a);
    CHECK_EQ(a.sample(), verifier.sample());
    // Witnesses below w fail (w is the smallest).
    for (uint32_t x = 0; x < w; ++x) {
      Challenger probe = b;
      for (int i = 0; i < 40; ++i) probe.sample();  // b has sampled once, a 41 times
      CHECK(!probe.check_witness(8, x));
    }
  }
}

TEST(grinding_is_independent_of_thread_count) {
  RuntimeGuard guard;
  for (const StarkConfig* c : stark_configs()) {
    Challenger base = c->new_challenger();
    base.observe(12345);
    std::vector<uint32_t> found;
    for (int threads : {1, 2, 5}) {
      set_num_threads(threads);
      Challenger ch = base;
      found.push_back(ch.grind(10));
    }
    CHECK(found[0] == found[1] && found[1] == found[2]);
  }
}

TEST(the_serializing_transcript_follows_its_definition) {
  // observe(7) then sample_bits(31-bit word): the last four bytes of H(7 as LE bytes), from the end.
  for (ByteHashKind kind : {ByteHashKind::Keccak256, ByteHashKind::Blake3}) {
    Challenger ch(std::make_unique<SerializingChallenger>(kind));
    ch.observe(7);
    const uint8_t msg[4] = {7, 0, 0, 0};
    const auto h = byte_hash(kind, msg, 4);
    const uint32_t word =
        uint32_t(h[31]) | uint32_t(h[30]) << 8 | uint32_t(h[29]) << 16 | uint32_t(h[28]) << 24;
    CHECK_EQ(ch.sample_bits(30), word & ((1u << 30) - 1));
  }
}

TEST(registry_and_digest_errors) {
  CHECK_EQ(config_by_name("baby_bear_keccak").name(), std::string("baby_bear_keccak"));
  CHECK_EQ(uint32_t(config_by_id(3).id()), 3u);
  std::string message;
  try {
    config_by_name("baby_bear_sha256");
  } catch (const InputError& e) {
    message = e.what();
  }
  CHECK(message.find("baby_bear_sha256") != std::string::npos);
  CHECK(message.find("baby_bear_blake3") != std::string::npos);
  CHECK_THROWS(config_by_id(77), InputError);
  Digest big;
  big.fill(0xFFFFFFFFu);
  Challenger duplex;
  CHECK_THROWS(duplex.observe_digest(big), InputError);
  Challenger root = baby_bear_poseidon2_root_config().new_challenger();
  CHECK_THROWS(root.observe_digest(big), InputError);
  CHECK_THROWS(root.sponge_state(), InputError);
}
