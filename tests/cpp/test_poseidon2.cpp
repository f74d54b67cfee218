// Poseidon2, sponge, compression and the batched hashing entry points.
//
// The known-answer tests are read from third_party/reference/poseidon2_babybear.json (a small
// JSON reader below), so the expected values live in one place. Every batched entry point is
// run at every SIMD level this CPU supports and with several thread counts, and compared
// word by word with the scalar permutation.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "stark/field/babybear.hpp"
#include "stark/field/simd.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

using namespace stark;

namespace {

// ---- minimal JSON reader (objects, arrays, strings, numbers, literals) ---------------------

struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::map<std::string, Json> fields;

  const Json& operator[](const std::string& key) const {
    auto it = fields.find(key);
    if (it == fields.end()) throw std::runtime_error("JSON: missing key " + key);
    return it->second;
  }
  std::vector<uint32_t> u32_list() const {
    std::vector<uint32_t> v;
    for (const Json& j : items) v.push_back(uint32_t(j.number));
    return v;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string s) : s_(std::move(s)) {}
  Json parse() {
    Json j = value();
    skip();
    if (pos_ != s_.size()) fail("trailing characters");
    return j;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string("JSON: ") + what + " at offset " + std::to_string(pos_));
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  char peek() {
    skip();
    if (pos_ >= s_.size()) fail("unexpected end");
    return s_[pos_];
  }
  void expect(char c) {
    if (peek() != c) fail("unexpected character");
    ++pos_;
  }
  std::string string_literal() {
    expect('"');
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\') {
        ++pos_;
        if (pos_ >= s_.size()) fail("bad escape");
        if (s_[pos_] == 'u') {  // keep \uXXXX escapes verbatim: only keys and numbers matter here
          out += "\\u";
          ++pos_;
          continue;
        }
      }
      out += s_[pos_++];
    }
    expect('"');
    return out;
  }
  Json value() {
    Json j;
    const char c = peek();
    if (c == '{') {
      j.kind = Json::Object;
      ++pos_;
      if (peek() == '}') {
        ++pos_;
        return j;
      }
      for (;;) {
        std::string key = string_literal();
        expect(':');
        j.fields[key] = value();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        return j;
      }
    }
    if (c == '[') {
      j.kind = Json::Array;
      ++pos_;
      if (peek() == ']') {
        ++pos_;
        return j;
      }
      for (;;) {
        j.items.push_back(value());
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect(']');
        return j;
      }
    }
    if (c == '"') {
      j.kind = Json::String;
      j.text = string_literal();
      return j;
    }
    if (s_.compare(pos_, 4, "true") == 0 || s_.compare(pos_, 5, "false") == 0 ||
        s_.compare(pos_, 4, "null") == 0) {
      j.kind = s_[pos_] == 'n' ? Json::Null : Json::Bool;
      j.number = s_[pos_] == 't';
      pos_ += s_[pos_] == 'f' ? 5 : 4;
      return j;
    }
    size_t end = pos_;
    while (end < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[end])) || s_[end] == '-' ||
                               s_[end] == '+' || s_[end] == '.' || s_[end] == 'e' || s_[end] == 'E'))
      ++end;
    if (end == pos_) fail("unexpected token");
    j.kind = Json::Number;
    j.number = std::stod(s_.substr(pos_, end - pos_));
    pos_ = end;
    return j;
  }

  std::string s_;
  size_t pos_ = 0;
};

const Json& reference() {
  static const Json j = [] {
    std::ifstream in(std::string(STARK_REFERENCE_DIR) + "/poseidon2_babybear.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return JsonParser(ss.str()).parse();
  }();
  return j;
}

const Json& kat(const std::string& name) {
  for (const Json& k : reference()["known_answer_tests_width_16"].items)
    if (k["name"].text == name) return k;
  throw std::runtime_error("no KAT named " + name);
}

// ---- helpers -----------------------------------------------------------------------------

std::vector<simd::Level> supported_levels() {
  std::vector<simd::Level> levels;
  for (simd::Level l : {simd::Level::Scalar, simd::Level::Avx2, simd::Level::Avx512})
    if (simd::supported(l)) levels.push_back(l);
  return levels;
}

// Restores the default SIMD level and thread count when a test ends (even by exception).
struct RuntimeGuard {
  ~RuntimeGuard() {
    simd::set_active(simd::detected());
    set_num_threads(0);
  }
};

std::vector<uint32_t> random_words(size_t n) {
  std::vector<uint32_t> v(n);
  for (uint32_t& x : v) x = testing::random_canonical();
  return v;
}

// Random states with edge values mixed in: all-zero, all p-1, and words drawn from {0, 1, p-1}.
std::vector<uint32_t> test_states(size_t n) {
  std::vector<uint32_t> v = random_words(n * kPoseidon2Width);
  for (size_t i = 0; i < n; ++i) {
    uint32_t* s = v.data() + i * kPoseidon2Width;
    if (i % 5 == 1) std::fill_n(s, kPoseidon2Width, 0u);
    if (i % 5 == 2) std::fill_n(s, kPoseidon2Width, P - 1);
    if (i % 5 == 3)
      for (size_t j = 0; j < kPoseidon2Width; ++j)
        s[j] = (testing::rng()() % 3 == 0) ? 0 : (testing::rng()() & 1 ? 1 : P - 1);
  }
  return v;
}

std::vector<uint32_t> scalar_permuted(const Poseidon2& perm, std::vector<uint32_t> states) {
  for (size_t i = 0; i < states.size() / kPoseidon2Width; ++i)
    perm.permute(states.data() + i * kPoseidon2Width);
  return states;
}

size_t first_mismatch(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  if (a.size() != b.size()) return 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return i;
  return size_t(-1);
}

Poseidon2RoundConstants constants_from_json(const Json& rc) {
  Poseidon2RoundConstants c{};
  for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) {
    const auto init = rc["external_initial"].items[r].u32_list();
    const auto term = rc["external_terminal"].items[r].u32_list();
    std::copy(init.begin(), init.end(), c.external_initial[r]);
    std::copy(term.begin(), term.end(), c.external_terminal[r]);
  }
  const auto internal = rc["internal"].u32_list();
  std::copy(internal.begin(), internal.end(), c.internal);
  return c;
}

// Reference leaf hash: the sponge of the concatenated row.
std::vector<uint32_t> reference_hash_rows(const std::vector<ConstMatrixView>& mats) {
  const size_t h = mats[0].height;
  std::vector<uint32_t> out(h * kDigestElems);
  for (size_t r = 0; r < h; ++r) {
    std::vector<uint32_t> row;
    for (const auto& m : mats) row.insert(row.end(), m.row(r), m.row(r) + m.width);
    const Digest d = hash_sponge(row.data(), row.size());
    std::copy(d.begin(), d.end(), out.begin() + r * kDigestElems);
  }
  return out;
}

}  // namespace

// ---- known answers --------------------------------------------------------------------------

TEST(standard_constants_are_the_generated_ones) {
  const Json& rc = reference()["round_constants"];
  const Poseidon2RoundConstants c = constants_from_json(rc);
  const Poseidon2RoundConstants& s = Poseidon2::standard().round_constants();
  CHECK(std::equal(&c.external_initial[0][0], &c.external_initial[0][0] + 64, &s.external_initial[0][0]));
  CHECK(std::equal(&c.external_terminal[0][0], &c.external_terminal[0][0] + 64, &s.external_terminal[0][0]));
  CHECK(std::equal(c.internal, c.internal + kPoseidon2RoundsP, s.internal));
}

TEST(kat_default_constants_every_level) {
  RuntimeGuard guard;
  const Json& k = kat("plonky3_default_babybear_poseidon2_16_regression");
  const std::vector<uint32_t> input = k["input"].u32_list(), expected = k["expected_output"].u32_list();
  CHECK_EQ(input.size(), kPoseidon2Width);
  std::vector<uint32_t> s = input;
  poseidon2_permute(s.data());
  CHECK(s == expected);
  for (simd::Level level : supported_levels()) {
    simd::set_active(level);
    for (size_t n : {size_t(1), size_t(8), size_t(21)}) {  // the KAT in every lane, plus a tail
      std::vector<uint32_t> batch;
      for (size_t i = 0; i < n; ++i) batch.insert(batch.end(), input.begin(), input.end());
      poseidon2_permute_batch(batch.data(), n);
      for (size_t i = 0; i < n; ++i)
        CHECK(std::equal(expected.begin(), expected.end(), batch.begin() + i * kPoseidon2Width));
    }
  }
}

TEST(kat_random_constants_every_level) {
  RuntimeGuard guard;
  const Json& k = kat("plonky3_poseidon2_width_16_random_constants");
  const Poseidon2 perm(constants_from_json(k["round_constants_derived"]));
  const std::vector<uint32_t> input = k["input"].u32_list(), expected = k["expected_output"].u32_list();
  std::vector<uint32_t> s = input;
  perm.permute(s.data());
  CHECK(s == expected);
  for (simd::Level level : supported_levels()) {
    simd::set_active(level);
    std::vector<uint32_t> batch;
    for (size_t i = 0; i < 19; ++i) batch.insert(batch.end(), input.begin(), input.end());
    perm.permute_batch(batch.data(), 19);
    for (size_t i = 0; i < 19; ++i)
      CHECK(std::equal(expected.begin(), expected.end(), batch.begin() + i * 16));
  }
}

TEST(non_canonical_round_constant_is_refused) {
  Poseidon2RoundConstants c = Poseidon2RoundConstants::standard();
  c.internal[5] = P;
  CHECK_THROWS(Poseidon2{c}, InputError);
  c = Poseidon2RoundConstants::standard();
  c.external_terminal[3][15] = 0xFFFFFFFFu;
  CHECK_THROWS(Poseidon2{c}, InputError);
}

// ---- batched permutation vs scalar ------------------------------------------------------------

TEST(batch_matches_scalar_every_level_and_size) {
  RuntimeGuard guard;
  const Poseidon2& perm = Poseidon2::standard();
  for (simd::Level level : supported_levels()) {
    simd::set_active(level);
    for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1000, 4099}) {
      const std::vector<uint32_t> in = test_states(n);
      std::vector<uint32_t> got = in;
      poseidon2_permute_batch(got.data(), n);
      const size_t bad = first_mismatch(got, scalar_permuted(perm, in));
      if (bad != size_t(-1))
        testing::report(__FILE__, __LINE__,
                        std::string("level ") + simd::name(level) + ", n = " + std::to_string(n) +
                            ": first mismatch at word " + std::to_string(bad));
    }
  }
}

TEST(batch_with_other_constants_matches_scalar) {
  RuntimeGuard guard;
  Poseidon2RoundConstants c{};
  for (auto& row : c.external_initial)
    for (uint32_t& x : row) x = testing::random_canonical();
  for (auto& row : c.external_terminal)
    for (uint32_t& x : row) x = (testing::rng()() & 1) ? 0 : P - 1;  // extreme constants
  for (uint32_t& x : c.internal) x = testing::random_canonical();
  const Poseidon2 perm(c);
  for (simd::Level level : supported_levels()) {
    simd::set_active(level);
    const std::vector<uint32_t> in = test_states(777);
    std::vector<uint32_t> got = in;
    perm.permute_batch(got.data(), 777);
    CHECK(got == scalar_permuted(perm, in));
  }
}

TEST(batch_is_identical_for_every_thread_count) {
  RuntimeGuard guard;
  const std::vector<uint32_t> in = test_states(5003);
  for (simd::Level level : supported_levels()) {
    simd::set_active(level);
    std::vector<uint32_t> reference;
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      std::vector<uint32_t> got = in;
      poseidon2_permute_batch(got.data(), 5003);
      if (reference.empty())
        reference = got;
      else
        CHECK(got == reference);
    }
  }
}

// ---- sponge and compression -----------------------------------------------------------------

TEST(sponge_semantics) {
  const Digest zero{};
  CHECK(hash_sponge(nullptr, 0) == zero);
  // Overwrite mode, no padding: a first block shorter than 8 equals the block padded with zeros.
  for (size_t len = 1; len < kSpongeRate; ++len) {
    std::vector<uint32_t> x = random_words(len);
    const Digest d = hash_sponge(x.data(), x.size());
    x.resize(kSpongeRate, 0);
    CHECK(d == hash_sponge(x.data(), x.size()));
  }
  // Written out: lengths 1..40 against the definition of docs/protocol.md §1.1.
  for (size_t len = 1; len <= 40; ++len) {
    const std::vector<uint32_t> x = random_words(len);
    uint32_t s[kPoseidon2Width] = {};
    for (size_t pos = 0; pos < len; pos += 8) {
      for (size_t j = 0; j < std::min<size_t>(8, len - pos); ++j) s[j] = x[pos + j];
      poseidon2_permute(s);
    }
    const Digest d = hash_sponge(x.data(), x.size());
    CHECK(std::equal(d.begin(), d.end(), s));
  }
  // A one-element input is one permutation of (x, 0, ..., 0).
  uint32_t s[kPoseidon2Width] = {12345};
  poseidon2_permute(s);
  const uint32_t one = 12345;
  const Digest d = hash_sponge(&one, 1);
  CHECK(std::equal(d.begin(), d.end(), s));
}

TEST(compress_is_truncated_permutation) {
  Digest l, r;
  for (auto& x : l) x = testing::random_canonical();
  for (auto& x : r) x = testing::random_canonical();
  uint32_t s[kPoseidon2Width];
  std::copy(l.begin(), l.end(), s);
  std::copy(r.begin(), r.end(), s + 8);
  poseidon2_permute(s);
  const Digest c = compress(l, r);
  CHECK(std::equal(c.begin(), c.end(), s));
  CHECK(compress(l, r) != compress(r, l));
}

TEST(compress_pairs_and_layer_every_level_and_thread_count) {
  RuntimeGuard guard;
  for (size_t n : {0, 1, 5, 8, 9, 16, 17, 100, 3001}) {
    const std::vector<uint32_t> left = random_words(n * 8), right = random_words(n * 8);
    std::vector<uint32_t> expected(n * 8), expected_layer(n * 8);
    std::vector<uint32_t> interleaved(2 * n * 8);
    for (size_t i = 0; i < n; ++i) {
      Digest l, r;
      std::copy_n(left.begin() + 8 * i, 8, l.begin());
      std::copy_n(right.begin() + 8 * i, 8, r.begin());
      const Digest c = compress(l, r);
      std::copy(c.begin(), c.end(), expected.begin() + 8 * i);
      std::copy(l.begin(), l.end(), interleaved.begin() + 16 * i);
      std::copy(r.begin(), r.end(), interleaved.begin() + 16 * i + 8);
    }
    for (simd::Level level : supported_levels()) {
      simd::set_active(level);
      for (int threads : {1, 2, 3}) {
        set_num_threads(threads);
        std::vector<uint32_t> out(n * 8, 7);
        compress_pairs(left.data(), right.data(), n, out.data());
        CHECK(out == expected);
        std::vector<uint32_t> aliased = left;  // out aliases left
        compress_pairs(aliased.data(), right.data(), n, aliased.data());
        CHECK(aliased == expected);
        std::vector<uint32_t> layer(n * 8, 7);
        compress_layer(interleaved.data(), n, layer.data());
        CHECK(layer == expected);
      }
    }
  }
}

// ---- leaf hashing ---------------------------------------------------------------------------

TEST(hash_rows_matches_sponge_of_concatenated_rows) {
  RuntimeGuard guard;
  const std::vector<std::vector<size_t>> width_sets = {
      {1}, {8}, {16}, {7}, {3, 5}, {13, 0, 8, 1}, {64}, {9, 9, 9}, {8, 8, 17}, {2, 70, 11}, {40}};
  for (size_t height : {1, 7, 8, 9, 33, 100}) {
    for (const auto& widths : width_sets) {
      std::vector<std::vector<uint32_t>> storage;
      std::vector<ConstMatrixView> mats;
      for (size_t w : widths) storage.push_back(random_words(height * w));
      for (size_t m = 0; m < widths.size(); ++m) mats.push_back({storage[m].data(), height, widths[m]});
      const std::vector<uint32_t> expected = reference_hash_rows(mats);
      for (simd::Level level : supported_levels()) {
        simd::set_active(level);
        for (int threads : {1, 2, 3}) {
          set_num_threads(threads);
          std::vector<uint32_t> out(height * kDigestElems, 7);
          hash_rows(mats, out.data());
          if (out != expected)
            testing::report(__FILE__, __LINE__,
                            std::string("hash_rows mismatch: level ") + simd::name(level) + ", height " +
                                std::to_string(height) + ", threads " + std::to_string(threads));
        }
      }
    }
  }
}

TEST(hash_rows_large_matrix_all_levels_agree) {
  RuntimeGuard guard;
  const size_t height = 3000, width = 24;  // parallel path, several chunks
  const std::vector<uint32_t> a = random_words(height * width), b = random_words(height * 5);
  const std::vector<ConstMatrixView> mats = {{a.data(), height, width}, {b.data(), height, 5}};
  const std::vector<uint32_t> expected = reference_hash_rows(mats);
  for (simd::Level level : supported_levels()) {
    simd::set_active(level);
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      std::vector<uint32_t> out(height * kDigestElems);
      hash_rows(mats, out.data());
      CHECK(out == expected);
    }
  }
}

TEST(hash_rows_width_zero_gives_zero_digests) {
  RuntimeGuard guard;
  for (simd::Level level : supported_levels()) {
    simd::set_active(level);
    std::vector<uint32_t> out(5 * kDigestElems, 7);
    hash_rows({{nullptr, 5, 0}, {nullptr, 5, 0}}, out.data());
    CHECK(std::all_of(out.begin(), out.end(), [](uint32_t x) { return x == 0; }));
  }
}

TEST(hash_rows_refuses_bad_input) {
  std::vector<uint32_t> a(16), b(24), out(64);
  CHECK_THROWS(hash_rows({}, out.data()), InputError);
  CHECK_THROWS(hash_rows({{a.data(), 4, 4}, {b.data(), 3, 8}}, out.data()), InputError);
  CHECK_THROWS(hash_rows({{nullptr, 4, 4}}, out.data()), InputError);
}

TEST(bench_runs_and_restores_thread_count) {
  RuntimeGuard guard;
  set_num_threads(3);
  const double rate = bench_poseidon2(256, 2);
  CHECK(rate > 0);
  CHECK_EQ(num_threads(), 3);
  CHECK_THROWS(bench_poseidon2(0, 1), InputError);
  CHECK_THROWS(bench_poseidon2(16, 0), InputError);
}

// The vectorized proof-of-work search against a plain loop of scalar permutations, at every
// SIMD level: every slot, several bit counts, ranges that end inside a vector group, and a
// range with no passing candidate.
TEST(grind_range_matches_scalar_search_every_level) {
  RuntimeGuard guard;
  const Poseidon2& perm = Poseidon2::standard();
  auto naive = [&](const std::array<uint32_t, 16>& base, size_t slot, uint32_t first, size_t count,
                   uint32_t bits) {
    for (size_t i = 0; i < count; ++i) {
      std::array<uint32_t, 16> s = base;
      s[slot] = uint32_t(first + i);
      perm.permute(s.data());
      if ((s[7] & ((uint32_t(1) << bits) - 1)) == 0) return i;
    }
    return count;
  };
  std::array<uint32_t, 16> base{};
  for (size_t i = 0; i < 16; ++i) base[i] = uint32_t(0x1234567u * (i + 1)) % P;
  for (simd::Level level : supported_levels()) {
    simd::set_active(level);
    for (size_t slot : {size_t(0), size_t(3), size_t(7)}) {
      for (uint32_t bits : {1u, 3u, 6u, 9u}) {
        for (uint32_t first : {0u, 1000u, P - 700}) {
          for (size_t count : {size_t(1), size_t(5), size_t(17), size_t(40), size_t(600)}) {
            CHECK_EQ(perm.grind_range(base, slot, first, count, bits), naive(base, slot, first, count, bits));
          }
        }
      }
    }
  }
  CHECK_THROWS(perm.grind_range(base, 16, 0, 1, 1), InputError);
  CHECK_THROWS(perm.grind_range(base, 0, 0, 1, 0), InputError);
  CHECK_THROWS(perm.grind_range(base, 0, P - 1, 2, 1), InputError);
  std::array<uint32_t, 16> bad = base;
  bad[2] = P;
  CHECK_THROWS(perm.grind_range(bad, 0, 0, 1, 1), InputError);
}
