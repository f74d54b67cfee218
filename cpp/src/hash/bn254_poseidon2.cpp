// Poseidon2 over BN254 and the root configuration's hasher (stark/hash/bn254_poseidon2.hpp).
#include "stark/hash/bn254_poseidon2.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "stark/generated_constants.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"

namespace stark {
namespace {

using bn254::Fr;

constexpr int kRoundsF = constants::kBn254Poseidon2RoundsF;
constexpr int kRoundsP = constants::kBn254Poseidon2RoundsP;
static_assert(constants::kBn254Poseidon2Width == int(kBn254Poseidon2Width));
static_assert(constants::kBn254Poseidon2InternalDiagM1[0] == 1 &&
                  constants::kBn254Poseidon2InternalDiagM1[1] == 1 &&
                  constants::kBn254Poseidon2InternalDiagM1[2] == 2,
              "the internal layer below is written for diag(1, 1, 2)");

struct RoundConstants {
  Fr initial[kRoundsF / 2][3];
  Fr internal[kRoundsP];
  Fr terminal[kRoundsF / 2][3];
};

RoundConstants make_constants() {
  RoundConstants rc;
  for (int r = 0; r < kRoundsF / 2; ++r) {
    for (int i = 0; i < 3; ++i) {
      rc.initial[r][i] =
          bn254::from_canonical(bn254::parse_hex(constants::kBn254Poseidon2ExternalInitial[r][i]));
      rc.terminal[r][i] =
          bn254::from_canonical(bn254::parse_hex(constants::kBn254Poseidon2ExternalTerminal[r][i]));
    }
  }
  for (int r = 0; r < kRoundsP; ++r)
    rc.internal[r] = bn254::from_canonical(bn254::parse_hex(constants::kBn254Poseidon2Internal[r]));
  return rc;
}

const RoundConstants& round_constants() {
  static const RoundConstants rc = make_constants();
  return rc;
}

inline void external_layer(Fr s[3]) {
  const Fr sum = bn254::add(bn254::add(s[0], s[1]), s[2]);
  for (int i = 0; i < 3; ++i) s[i] = bn254::add(s[i], sum);
}

inline void internal_layer(Fr s[3]) {
  const Fr sum = bn254::add(bn254::add(s[0], s[1]), s[2]);
  s[0] = bn254::add(s[0], sum);
  s[1] = bn254::add(s[1], sum);
  s[2] = bn254::add(bn254::dbl(s[2]), sum);
}

void permute_with(const RoundConstants& rc, Fr s[3]) {
  external_layer(s);
  for (int r = 0; r < kRoundsF / 2; ++r) {
    for (int i = 0; i < 3; ++i) s[i] = bn254::pow5(bn254::add(s[i], rc.initial[r][i]));
    external_layer(s);
  }
  for (int r = 0; r < kRoundsP; ++r) {
    s[0] = bn254::pow5(bn254::add(s[0], rc.internal[r]));
    internal_layer(s);
  }
  for (int r = 0; r < kRoundsF / 2; ++r) {
    for (int i = 0; i < 3; ++i) s[i] = bn254::pow5(bn254::add(s[i], rc.terminal[r][i]));
    external_layer(s);
  }
}

Digest sponge(const RoundConstants& rc, const uint32_t* values, size_t n) {
  Fr s[3] = {};
  for (size_t block = 0; block < n; block += 16) {
    const size_t len = std::min<size_t>(16, n - block);
    for (size_t c = 0; 8 * c < len; ++c)
      s[c] = bn254_pack_words(values + block + 8 * c, std::min<size_t>(8, len - 8 * c));
    permute_with(rc, s);
  }
  return bn254_to_digest(s[0]);
}

Digest compress_with(const RoundConstants& rc, const uint32_t* left, const uint32_t* right) {
  Digest l, r;
  std::copy_n(left, 8, l.begin());
  std::copy_n(right, 8, r.begin());
  Fr s[3] = {bn254_from_digest(l), bn254_from_digest(r), Fr{}};
  permute_with(rc, s);
  return bn254_to_digest(s[0]);
}

// body(b, e) over [0, n) on the pool (one BN254 permutation is ~µs: small grains pay off).
template <class Body>
void for_ranges(size_t n, const Body& body) {
  if (n == 0) return;
  if (n < 64 || num_threads() == 1) {
    body(size_t(0), n);
    return;
  }
  parallel_for_chunks(n, 32, [&](size_t b, size_t e) { body(b, e); });
}

class Bn254Hasher final : public MerkleHasher {
 public:
  std::string name() const override { return "poseidon2_bn254"; }
  void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* digests_out) const override {
    if (mats.empty()) throw InputError("hash_rows: no matrices");
    const size_t height = mats.front().height;
    size_t width = 0;
    for (const ConstMatrixView& m : mats) {
      if (m.height != height) throw InputError("hash_rows: matrices of different heights");
      width += m.width;
    }
    const RoundConstants& rc = round_constants();
    for_ranges(height, [&](size_t b, size_t e) {
      std::vector<uint32_t> row(width);
      for (size_t r = b; r < e; ++r) {
        uint32_t* dst = row.data();
        for (const ConstMatrixView& m : mats) {
          std::copy_n(m.data + r * m.width, m.width, dst);
          dst += m.width;
        }
        const Digest d = sponge(rc, row.data(), width);
        std::copy(d.begin(), d.end(), digests_out + 8 * r);
      }
    });
  }
  void compress_layer(const uint32_t* in, size_t n, uint32_t* out) const override {
    const RoundConstants& rc = round_constants();
    for_ranges(n, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) {
        const Digest d = compress_with(rc, in + 16 * i, in + 16 * i + 8);
        std::copy(d.begin(), d.end(), out + 8 * i);
      }
    });
  }
  void compress_pairs(const uint32_t* left, const uint32_t* right, size_t n, uint32_t* out) const override {
    const RoundConstants& rc = round_constants();
    for_ranges(n, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) {
        const Digest d = compress_with(rc, left + 8 * i, right + 8 * i);
        std::copy(d.begin(), d.end(), out + 8 * i);
      }
    });
  }
  Digest hash_leaf(const uint32_t* values, size_t n) const override {
    return sponge(round_constants(), values, n);
  }
  bool digest_valid(const Digest& d) const override {
    bn254::Limbs a;
    for (int k = 0; k < 4; ++k) a[k] = uint64_t(d[2 * k]) | (uint64_t(d[2 * k + 1]) << 32);
    return bn254::is_canonical(a);
  }
  std::string digest_description() const override {
    return "one canonical BN254 scalar (< r, little-endian)";
  }
  // ~253.6 bits of output: birthday bound 126.
  uint32_t collision_bits() const override { return 126; }
  // 16 words (two packed rate elements) per permutation.
  uint64_t leaf_permutations(size_t words) const override { return (uint64_t(words) + 15) / 16; }
};

}  // namespace

void bn254_poseidon2_permute(bn254::Fr state[kBn254Poseidon2Width]) {
  permute_with(round_constants(), state);
}

bn254::Fr bn254_pack_words(const uint32_t* words, size_t n) {
  bn254::Limbs a{};
  for (size_t i = 0; i < n; ++i) a[i / 2] |= uint64_t(words[i]) << (32 * (i % 2));
  return bn254::from_limbs_reduce(a);
}

Digest bn254_to_digest(const bn254::Fr& x) {
  const bn254::Limbs c = bn254::to_canonical(x);
  Digest d;
  for (int k = 0; k < 4; ++k) {
    d[2 * k] = uint32_t(c[k]);
    d[2 * k + 1] = uint32_t(c[k] >> 32);
  }
  return d;
}

bn254::Fr bn254_from_digest(const Digest& d) {
  bn254::Limbs a;
  for (int k = 0; k < 4; ++k) a[k] = uint64_t(d[2 * k]) | (uint64_t(d[2 * k + 1]) << 32);
  if (!bn254::is_canonical(a)) throw InputError("BN254 digest " + bn254::to_hex(a) + " is not below r");
  return bn254::from_canonical(a);
}

const MerkleHasher& poseidon2_bn254_hasher() {
  static const Bn254Hasher hasher;
  return hasher;
}

double bench_bn254_poseidon2(size_t count, int threads) {
  if (count == 0) throw InputError("bench_bn254_poseidon2: count must be positive");
  if (threads < 1) throw InputError("bench_bn254_poseidon2: threads must be >= 1");
  std::vector<Fr> states(3 * count);
  for (size_t i = 0; i < states.size(); ++i) states[i] = bn254::from_u64(0x9E3779B97F4A7C15ull * (i + 1));
  const int saved = num_threads();
  struct Restore {
    int n;
    ~Restore() { set_num_threads(n); }
  } restore{saved};
  set_num_threads(threads);
  const RoundConstants& rc = round_constants();
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    for_ranges(count, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) permute_with(rc, states.data() + 3 * i);
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, double(count) / std::max(s, 1e-9));
  }
  return best;
}

}  // namespace stark
