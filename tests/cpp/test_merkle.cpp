// MMCS tests: the batched tree against a literal model of docs/protocol.md §2.1 built on the scalar
// sponge and compression, openings, and every way an opening can be tampered with.
#include <algorithm>
#include <atomic>
#include <memory>
#include <numeric>
#include <vector>

#include "stark/field/babybear.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/merkle/merkle_tree.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

using stark::ConstMatrixView;
using stark::Digest;
using stark::MerkleOpening;
using stark::MerkleTree;
using stark::RowMajorMatrix;

namespace {

RowMajorMatrix random_matrix(size_t height, size_t width) {
  RowMajorMatrix m(height, width);
  for (auto& v : m.values) v = testing::random_canonical();
  return m;
}

std::vector<RowMajorMatrix> random_matrices(const std::vector<std::pair<size_t, size_t>>& shapes) {
  std::vector<RowMajorMatrix> mats;
  for (auto [h, w] : shapes) mats.push_back(random_matrix(h, w));
  return mats;
}

// docs/protocol.md §2.1 written out node by node with the scalar hash_sponge / compress.
Digest model_root(const std::vector<RowMajorMatrix>& mats) {
  std::vector<size_t> order(mats.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return mats[a].height() > mats[b].height(); });
  const size_t h_max = mats[order[0]].height();
  auto rows_of = [&](size_t height, size_t i) {
    std::vector<uint32_t> cat;
    for (size_t m : order)
      if (mats[m].height() == height) cat.insert(cat.end(), mats[m].row(i), mats[m].row(i) + mats[m].width);
    return cat;
  };
  auto has_height = [&](size_t h) {
    return std::any_of(mats.begin(), mats.end(), [&](const RowMajorMatrix& m) { return m.height() == h; });
  };
  std::vector<Digest> nodes(h_max);
  for (size_t i = 0; i < h_max; ++i) {
    const auto cat = rows_of(h_max, i);
    nodes[i] = stark::hash_sponge(cat.data(), cat.size());
  }
  for (size_t len = h_max / 2; len >= 1; len /= 2) {
    std::vector<Digest> next(len);
    for (size_t i = 0; i < len; ++i) {
      next[i] = stark::compress(nodes[2 * i], nodes[2 * i + 1]);
      if (has_height(len)) {
        const auto cat = rows_of(len, i);
        next[i] = stark::compress(next[i], stark::hash_sponge(cat.data(), cat.size()));
      }
    }
    nodes = std::move(next);
  }
  return nodes[0];
}

std::vector<size_t> heights_of(const MerkleTree& t) {
  std::vector<size_t> h;
  for (size_t m = 0; m < t.num_matrices(); ++m) h.push_back(t.matrix(m).height);
  return h;
}
std::vector<size_t> widths_of(const MerkleTree& t) {
  std::vector<size_t> w;
  for (size_t m = 0; m < t.num_matrices(); ++m) w.push_back(t.matrix(m).width);
  return w;
}

bool verifies(const MerkleTree& t, size_t index, const MerkleOpening& o) {
  const auto h = heights_of(t), w = widths_of(t);
  return stark::verify_merkle_batch(t.root(), h, w, index, o.rows, o.siblings).ok;
}

// Forwards to the CPU hasher and counts calls: proves the tree builds through the seam.
struct CountingHasher final : stark::MerkleHasher {
  mutable std::atomic<int> leaf_calls{0}, layer_calls{0}, pair_calls{0};
  void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* out) const override {
    ++leaf_calls;
    stark::cpu_merkle_hasher().hash_rows(mats, out);
  }
  void compress_layer(const uint32_t* in, size_t n, uint32_t* out) const override {
    ++layer_calls;
    stark::cpu_merkle_hasher().compress_layer(in, n, out);
  }
  void compress_pairs(const uint32_t* l, const uint32_t* r, size_t n, uint32_t* out) const override {
    ++pair_calls;
    stark::cpu_merkle_hasher().compress_pairs(l, r, n, out);
  }
  std::string name() const override { return "counting"; }
  Digest hash_leaf(const uint32_t* v, size_t n) const override {
    return stark::cpu_merkle_hasher().hash_leaf(v, n);
  }
  bool digest_valid(const Digest& d) const override { return stark::cpu_merkle_hasher().digest_valid(d); }
  std::string digest_description() const override { return stark::cpu_merkle_hasher().digest_description(); }
  uint32_t collision_bits() const override { return 124; }
  uint64_t leaf_permutations(size_t words) const override {
    return stark::cpu_merkle_hasher().leaf_permutations(words);
  }
};

}  // namespace

TEST(height_one_root_is_the_sponge_of_the_row) {
  auto mats = random_matrices({{1, 13}});
  const Digest expected = stark::hash_sponge(mats[0].row(0), 13);
  MerkleTree tree(std::move(mats));
  CHECK(tree.root() == expected);
  CHECK_EQ(tree.log_height(), 0u);
  const MerkleOpening o = tree.open(0);
  CHECK(o.siblings.empty());
  CHECK(verifies(tree, 0, o));
}

TEST(height_one_several_matrices_concatenate_in_original_order) {
  auto mats = random_matrices({{1, 3}, {1, 9}, {1, 1}});
  std::vector<uint32_t> cat;
  for (const auto& m : mats) cat.insert(cat.end(), m.values.begin(), m.values.end());
  const Digest expected = stark::hash_sponge(cat.data(), cat.size());
  CHECK(MerkleTree(std::move(mats)).root() == expected);
}

TEST(height_two_root_is_one_compression) {
  auto mats = random_matrices({{2, 8}});
  const Digest expected =
      stark::compress(stark::hash_sponge(mats[0].row(0), 8), stark::hash_sponge(mats[0].row(1), 8));
  CHECK(MerkleTree(std::move(mats)).root() == expected);
}

TEST(mixed_heights_match_the_model) {
  const std::vector<std::vector<std::pair<size_t, size_t>>> cases = {
      {{16, 5}, {16, 3}, {4, 7}, {1, 2}},
      {{4, 7}, {16, 5}, {1, 2}, {16, 3}},  // unsorted input: the stable descending sort matters
      {{1, 4}, {2, 9}, {8, 1}, {32, 17}, {2, 2}, {8, 8}},
      {{64, 16}},
      {{2, 1}, {1, 1}},
      {{256, 24}, {128, 3}, {128, 10}, {2, 4}},
  };
  for (const auto& shapes : cases) {
    auto mats = random_matrices(shapes);
    const Digest expected = model_root(mats);
    std::vector<ConstMatrixView> views;
    for (const auto& m : mats) views.push_back(m.view());
    CHECK(stark::merkle_root(views) == expected);
    MerkleTree tree(std::move(mats));
    CHECK(tree.root() == expected);
  }
}

TEST(root_is_independent_of_thread_count) {
  auto mats = random_matrices({{1024, 19}, {256, 4}, {1024, 3}, {1, 5}});
  std::vector<ConstMatrixView> views;
  for (const auto& m : mats) views.push_back(m.view());
  stark::set_num_threads(1);
  const Digest one = stark::merkle_root(views);
  for (int threads : {2, 3, 5}) {
    stark::set_num_threads(threads);
    CHECK(stark::merkle_root(views) == one);
  }
  stark::set_num_threads(0);
  CHECK(model_root(mats) == one);
}

TEST(shared_matrices_are_not_copied) {
  auto a = std::make_shared<const RowMajorMatrix>(random_matrix(8, 4));
  auto b = std::make_shared<const RowMajorMatrix>(random_matrix(2, 3));
  MerkleTree tree(std::vector<std::shared_ptr<const RowMajorMatrix>>{a, b});
  CHECK(tree.matrix(0).data == a->values.data());
  CHECK(tree.matrix(1).data == b->values.data());
  CHECK(tree.root() == model_root({*a, *b}));
}

TEST(tree_builds_through_the_hasher_seam) {
  CountingHasher hasher;
  auto mats = random_matrices({{16, 5}, {16, 3}, {4, 7}, {1, 2}});
  const Digest expected = model_root(mats);
  MerkleTree tree(std::move(mats), hasher);
  CHECK(tree.root() == expected);
  CHECK_EQ(hasher.leaf_calls.load(), 3);   // heights 16, 4, 1
  CHECK_EQ(hasher.layer_calls.load(), 4);  // L = 4 layers
  CHECK_EQ(hasher.pair_calls.load(), 2);   // injections at heights 4 and 1
}

TEST(openings_give_original_order_rows_and_verify) {
  auto mats = random_matrices({{4, 7}, {16, 5}, {1, 2}, {16, 3}});
  const auto copy = mats;
  MerkleTree tree(std::move(mats));
  CHECK_EQ(tree.height(), size_t(16));
  for (size_t i = 0; i < 16; ++i) {
    const MerkleOpening o = tree.open(i);
    CHECK_EQ(o.rows.size(), size_t(4));
    CHECK_EQ(o.siblings.size(), size_t(4));
    CHECK(o.rows[0] == std::vector<uint32_t>(copy[0].row(i >> 2), copy[0].row(i >> 2) + 7));
    CHECK(o.rows[1] == std::vector<uint32_t>(copy[1].row(i), copy[1].row(i) + 5));
    CHECK(o.rows[2] == std::vector<uint32_t>(copy[2].row(0), copy[2].row(0) + 2));
    CHECK(o.rows[3] == std::vector<uint32_t>(copy[3].row(i), copy[3].row(i) + 3));
    for (uint32_t lvl = 0; lvl < 4; ++lvl) {
      CHECK(
          std::equal(o.siblings[lvl].begin(), o.siblings[lvl].end(), tree.layer(lvl) + ((i >> lvl) ^ 1) * 8));
    }
    CHECK(verifies(tree, i, o));
  }
}

TEST(tampering_makes_verification_fail) {
  auto mats = random_matrices({{16, 5}, {16, 3}, {4, 7}, {1, 2}});
  MerkleTree tree(std::move(mats));
  const auto heights = heights_of(tree), widths = widths_of(tree);
  const size_t index = 11;
  const MerkleOpening good = tree.open(index);
  auto check_rejected = [&](const Digest& root, const std::vector<size_t>& h, const std::vector<size_t>& w,
                            size_t idx, const MerkleOpening& o) {
    const auto r = stark::verify_merkle_batch(root, h, w, idx, o.rows, o.siblings);
    CHECK(!r.ok);
    CHECK(!r.reason.empty());
  };
  CHECK(stark::verify_merkle_batch(tree.root(), heights, widths, index, good.rows, good.siblings).ok);

  for (size_t m = 0; m < good.rows.size(); ++m) {
    for (size_t j = 0; j < good.rows[m].size(); ++j) {
      MerkleOpening bad = good;
      bad.rows[m][j] = (bad.rows[m][j] + 1) % stark::P;
      check_rejected(tree.root(), heights, widths, index, bad);
    }
  }
  for (size_t lvl = 0; lvl < good.siblings.size(); ++lvl) {
    for (size_t j = 0; j < 8; ++j) {
      MerkleOpening bad = good;
      bad.siblings[lvl][j] = (bad.siblings[lvl][j] + 1) % stark::P;
      check_rejected(tree.root(), heights, widths, index, bad);
    }
  }
  for (size_t other = 0; other < 16; ++other)
    if (other != index) check_rejected(tree.root(), heights, widths, other, good);
  check_rejected(tree.root(), heights, widths, 16, good);  // index out of range
  for (size_t j = 0; j < 8; ++j) {
    Digest root = tree.root();
    root[j] = (root[j] + 1) % stark::P;
    check_rejected(root, heights, widths, index, good);
  }
  {  // a row one element longer, with the claimed width following it
    MerkleOpening bad = good;
    bad.rows[2].push_back(1);
    check_rejected(tree.root(), heights, widths, index, bad);
    auto w = widths;
    w[2] += 1;
    check_rejected(tree.root(), heights, w, index, bad);
  }
  {  // a row one element shorter
    MerkleOpening bad = good;
    bad.rows[0].pop_back();
    check_rejected(tree.root(), heights, widths, index, bad);
  }
  {  // padding ambiguity of Hs (pitfall P3): a row and its zero-extension hash alike, so only
     // the verifier's own width check rejects the longer row
    MerkleOpening bad = good;
    bad.rows[3].push_back(0);
    check_rejected(tree.root(), heights, widths, index, bad);
    auto w = widths;
    w[3] = 3;
    CHECK(stark::verify_merkle_batch(tree.root(), heights, w, index, bad.rows, bad.siblings).ok);
  }
  {  // a missing and an extra row
    MerkleOpening bad = good;
    bad.rows.pop_back();
    check_rejected(tree.root(), heights, widths, index, bad);
    bad = good;
    bad.rows.push_back({1, 2});
    check_rejected(tree.root(), heights, widths, index, bad);
  }
  {  // proof one digest too short / too long
    MerkleOpening bad = good;
    bad.siblings.pop_back();
    check_rejected(tree.root(), heights, widths, index, bad);
    bad = good;
    bad.siblings.push_back(bad.siblings.back());
    check_rejected(tree.root(), heights, widths, index, bad);
  }
  {  // a non-canonical element (value + p) is refused even though it is congruent
    MerkleOpening bad = good;
    bad.rows[1][0] += stark::P;
    check_rejected(tree.root(), heights, widths, index, bad);
  }
  {  // the verifier's heights differ from the committed ones
    auto h = heights;
    h[2] = 8;
    check_rejected(tree.root(), h, widths, index, good);
  }
}

TEST(invalid_inputs_raise_input_error) {
  CHECK_THROWS(MerkleTree(std::vector<RowMajorMatrix>{}), stark::InputError);
  CHECK_THROWS(MerkleTree(random_matrices({{16, 2}, {3, 2}})), stark::InputError);
  CHECK_THROWS(MerkleTree(random_matrices({{16, 2}, {0, 2}})), stark::InputError);
  CHECK_THROWS(MerkleTree(std::vector<RowMajorMatrix>{RowMajorMatrix(std::vector<uint32_t>(4), 0)}),
               stark::InputError);
  CHECK_THROWS(MerkleTree(std::vector<RowMajorMatrix>{RowMajorMatrix(std::vector<uint32_t>(7), 2)}),
               stark::InputError);
  CHECK_THROWS(MerkleTree(std::vector<std::shared_ptr<const RowMajorMatrix>>{nullptr}), stark::InputError);
  try {
    (void)MerkleTree(random_matrices({{16, 2}, {8, 2}, {6, 1}}));
    CHECK(false);
  } catch (const stark::InputError& e) {
    CHECK(std::string(e.what()).find("matrices[2]") != std::string::npos);
  }
  MerkleTree tree(random_matrices({{8, 2}}));
  CHECK_THROWS(tree.open(8), stark::InputError);
  CHECK_THROWS(tree.layer(4), stark::InputError);

  const Digest root = tree.root();
  const MerkleOpening o = tree.open(0);
  const std::vector<size_t> h{8}, w{2}, bad_h{6}, bad_w{0}, two{8, 8};
  CHECK_THROWS(stark::verify_merkle_batch(root, {}, {}, 0, o.rows, o.siblings), stark::InputError);
  CHECK_THROWS(stark::verify_merkle_batch(root, bad_h, w, 0, o.rows, o.siblings), stark::InputError);
  CHECK_THROWS(stark::verify_merkle_batch(root, h, bad_w, 0, o.rows, o.siblings), stark::InputError);
  CHECK_THROWS(stark::verify_merkle_batch(root, h, two, 0, o.rows, o.siblings), stark::InputError);
}

// The batched verifier agrees with the single-opening one for every index of mixed-height
// trees, flags exactly the tampered openings, and does not depend on the thread count.
TEST(batched_openings_verify_like_single_ones) {
  const std::vector<std::vector<std::pair<size_t, size_t>>> cases = {
      {{16, 5}, {16, 3}, {4, 7}, {1, 2}},
      {{4, 7}, {16, 5}, {1, 2}, {16, 3}},
      {{1, 4}, {2, 9}, {8, 1}, {32, 17}, {2, 2}, {8, 8}},
      {{1, 3}},
      {{256, 40}, {128, 3}},
  };
  for (const auto& shapes : cases) {
    MerkleTree tree(random_matrices(shapes));
    const auto heights = heights_of(tree), widths = widths_of(tree);
    const size_t h_max = tree.height();
    // Every index twice (up to 64 openings), the second copy of each odd one tampered.
    std::vector<size_t> idx;
    for (size_t r = 0; r < 2; ++r)
      for (size_t i = 0; i < std::min<size_t>(h_max, 32); ++i) idx.push_back(i % h_max);
    const size_t n = idx.size();
    std::vector<MerkleOpening> openings;
    for (size_t k = 0; k < n; ++k) openings.push_back(tree.open(idx[k]));
    std::vector<bool> tampered(n, false);
    for (size_t k = n / 2; k < n; k += 2) {
      tampered[k] = true;
      if (k % 4 == 0 || openings[k].siblings.empty()) {
        auto& row = openings[k].rows[k % heights.size()];
        row[0] = (row[0] + 1) % stark::P;
      } else {
        auto& sib = openings[k].siblings[k % openings[k].siblings.size()];
        sib[3] = (sib[3] + 1) % stark::P;
      }
    }
    std::vector<std::vector<uint32_t>> gathered(heights.size());
    std::vector<ConstMatrixView> views;
    for (size_t m = 0; m < heights.size(); ++m) {
      for (size_t k = 0; k < n; ++k)
        gathered[m].insert(gathered[m].end(), openings[k].rows[m].begin(), openings[k].rows[m].end());
    }
    for (size_t m = 0; m < heights.size(); ++m)
      views.push_back(ConstMatrixView{gathered[m].data(), n, widths[m]});
    std::vector<const Digest*> sibs;
    for (const auto& o : openings) sibs.push_back(o.siblings.data());
    for (int threads : {1, 2, 3}) {
      stark::set_num_threads(threads);
      std::vector<uint8_t> ok(n, 2);
      stark::verify_merkle_openings(tree.root(), heights, views, idx, sibs, ok.data());
      for (size_t k = 0; k < n; ++k) {
        CHECK_EQ(ok[k] == 1, verifies(tree, idx[k], openings[k]));
        CHECK_EQ(ok[k] == 1, !tampered[k]);
      }
    }
    stark::set_num_threads(0);
  }
  {  // caller errors
    MerkleTree tree(random_matrices({{8, 2}}));
    const MerkleOpening o = tree.open(3);
    const std::vector<size_t> h{8}, bad_h{6};
    const ConstMatrixView v{o.rows[0].data(), 1, 2};
    const Digest* s = o.siblings.data();
    uint8_t ok = 0;
    const std::vector<size_t> i3{3}, i8{8};
    stark::verify_merkle_openings(tree.root(), h, {&v, 1}, i3, {&s, 1}, &ok);
    CHECK_EQ(ok, uint8_t(1));
    CHECK_THROWS(stark::verify_merkle_openings(tree.root(), h, {&v, 1}, i8, {&s, 1}, &ok), stark::InputError);
    CHECK_THROWS(stark::verify_merkle_openings(tree.root(), bad_h, {&v, 1}, i3, {&s, 1}, &ok),
                 stark::InputError);
    CHECK_THROWS(stark::verify_merkle_openings(tree.root(), {}, {}, i3, {&s, 1}, &ok), stark::InputError);
  }
}
