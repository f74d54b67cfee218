#include "stark/merkle/merkle_tree.hpp"

#include <algorithm>
#include <new>
#include <string>
#include <utility>

#include "stark/field/babybear.hpp"
#include "stark/util/error.hpp"
#include "stark/util/memory.hpp"
#include "stark/util/timing.hpp"

namespace stark {
namespace {

void validate_views(const std::vector<ConstMatrixView>& views) {
  if (views.empty()) throw InputError("matrices: expected at least one matrix");
  for (size_t m = 0; m < views.size(); ++m) {
    const ConstMatrixView& v = views[m];
    const std::string name = "matrices[" + std::to_string(m) + "]";
    if (v.width == 0) throw InputError(name + ": width must be at least 1");
    if (!is_power_of_two(v.height)) {
      throw InputError(name + ": height " + std::to_string(v.height) + " is not a power of two >= 1");
    }
    if (v.data == nullptr) throw InputError(name + ": no data");
  }
}

// Matrices of equal height, in original order; groups sorted by height descending. Grouping
// by height and keeping the original order inside a group is exactly the stable descending
// sort of docs/protocol.md §2 restricted to each height.
struct HeightGroup {
  size_t height;
  std::vector<ConstMatrixView> mats;
};

std::vector<HeightGroup> group_by_height(const std::vector<ConstMatrixView>& views) {
  std::vector<size_t> heights;
  for (const auto& v : views) heights.push_back(v.height);
  std::sort(heights.begin(), heights.end(), std::greater<>());
  heights.erase(std::unique(heights.begin(), heights.end()), heights.end());
  std::vector<HeightGroup> groups;
  for (size_t h : heights) {
    HeightGroup g{h, {}};
    for (const auto& v : views)
      if (v.height == h) g.mats.push_back(v);
    groups.push_back(std::move(g));
  }
  return groups;
}

// Digest layers of a big tree are written once and touched page by page while hashing: they
// live in large buffers (huge pages from 4 MiB up, see stark/util/memory.hpp).
using DigestBuffer = std::unique_ptr<uint32_t[], detail::AlignedDigestFree>;

DigestBuffer allocate_digests(size_t words) {
  const size_t bytes = words * sizeof(uint32_t);
  return DigestBuffer(static_cast<uint32_t*>(allocate_large_buffer(bytes)), detail::AlignedDigestFree{bytes});
}

// Computes digest layers 0..L into layer_out[0..L] (layer l has h_max >> l digests). Layer
// buffers may be reused once consumed: layer l is only read while writing layer l + 1.
void compute_layers(const std::vector<HeightGroup>& groups, uint32_t log_height, const MerkleHasher& hasher,
                    const std::vector<uint32_t*>& layer_out) {
  const size_t h_max = groups[0].height;
  auto leaf_cost = [&](const HeightGroup& g) {
    size_t words = 0;
    for (const ConstMatrixView& m : g.mats) words += m.width;
    return uint64_t(g.height) * hasher.leaf_permutations(words);
  };
  hasher.hash_rows(groups[0].mats, layer_out[0]);
  record_count("hash_permutations", leaf_cost(groups[0]) + (h_max - 1));  // leaves, then every compression
  // Scratch for the leaf hashes of injected groups; the tallest of them is the largest.
  DigestBuffer injected;
  if (groups.size() > 1) injected = allocate_digests(groups[1].height * kDigestElems);
  size_t next_group = 1;
  for (uint32_t lvl = 1; lvl <= log_height; ++lvl) {
    const size_t len = h_max >> lvl;
    hasher.compress_layer(layer_out[lvl - 1], len, layer_out[lvl]);
    if (next_group < groups.size() && groups[next_group].height == len) {
      hasher.hash_rows(groups[next_group].mats, injected.get());
      hasher.compress_pairs(layer_out[lvl], injected.get(), len, layer_out[lvl]);
      record_count("hash_permutations", leaf_cost(groups[next_group]) + len);
      ++next_group;
    }
  }
}

std::vector<ConstMatrixView> views_of(const std::vector<RowMajorMatrix>& mats) {
  std::vector<ConstMatrixView> views;
  for (size_t m = 0; m < mats.size(); ++m) {
    if (mats[m].width != 0 && mats[m].values.size() % mats[m].width != 0) {
      throw InputError("matrices[" + std::to_string(m) + "]: " + std::to_string(mats[m].values.size()) +
                       " values do not fill rows of width " + std::to_string(mats[m].width));
    }
    views.push_back(mats[m].view());
  }
  return views;
}

std::vector<ConstMatrixView> views_of(const std::vector<std::shared_ptr<const RowMajorMatrix>>& mats) {
  std::vector<ConstMatrixView> views;
  for (size_t m = 0; m < mats.size(); ++m) {
    if (!mats[m]) throw InputError("matrices[" + std::to_string(m) + "]: null matrix");
    const RowMajorMatrix& mat = *mats[m];
    if (mat.width != 0 && mat.values.size() % mat.width != 0) {
      throw InputError("matrices[" + std::to_string(m) + "]: " + std::to_string(mat.values.size()) +
                       " values do not fill rows of width " + std::to_string(mat.width));
    }
    views.push_back(mat.view());
  }
  return views;
}

}  // namespace

void detail::AlignedDigestFree::operator()(uint32_t* p) const { free_large_buffer(p, bytes); }

const MerkleHasher& cpu_merkle_hasher() { return poseidon2_hasher(); }

MerkleTree::MerkleTree(std::vector<RowMajorMatrix> matrices, const MerkleHasher& hasher) {
  views_ = views_of(matrices);
  // Moving the vectors keeps their heap buffers, so the views stay valid.
  storage_ = std::make_shared<const std::vector<RowMajorMatrix>>(std::move(matrices));
  build(hasher);
}

MerkleTree::MerkleTree(std::vector<std::shared_ptr<const RowMajorMatrix>> matrices,
                       const MerkleHasher& hasher) {
  views_ = views_of(matrices);
  storage_ = std::make_shared<const std::vector<std::shared_ptr<const RowMajorMatrix>>>(std::move(matrices));
  build(hasher);
}

MerkleTree::MerkleTree(std::vector<ConstMatrixView> views, std::shared_ptr<const void> storage,
                       const MerkleHasher& hasher)
    : views_(std::move(views)), storage_(std::move(storage)) {
  build(hasher);
}

void MerkleTree::build(const MerkleHasher& hasher) {
  const PhaseScope phase("merkle_tree");
  validate_views(views_);
  const std::vector<HeightGroup> groups = group_by_height(views_);
  height_ = groups[0].height;
  log_height_ = log2_exact(height_);
  layer_offset_.resize(log_height_ + 1);
  size_t total = 0;
  for (uint32_t lvl = 0; lvl <= log_height_; ++lvl) {
    layer_offset_[lvl] = total;
    total += (height_ >> lvl) * kDigestElems;
  }
  digests_ = allocate_digests(total);
  std::vector<uint32_t*> layers(log_height_ + 1);
  for (uint32_t lvl = 0; lvl <= log_height_; ++lvl) layers[lvl] = digests_.get() + layer_offset_[lvl];
  compute_layers(groups, log_height_, hasher, layers);
  std::copy_n(layers[log_height_], kDigestElems, root_.begin());
}

const uint32_t* MerkleTree::layer(uint32_t level) const {
  if (level > log_height_) {
    throw InputError("level: " + std::to_string(level) + " exceeds the tree depth " +
                     std::to_string(log_height_));
  }
  return digests_.get() + layer_offset_[level];
}

MerkleOpening MerkleTree::open(size_t index) const {
  if (index >= height_) {
    throw InputError("index: " + std::to_string(index) + " is out of range for a tree of height " +
                     std::to_string(height_));
  }
  MerkleOpening opening;
  opening.rows.reserve(views_.size());
  for (const ConstMatrixView& v : views_) {
    const size_t row = index >> (log_height_ - log2_exact(v.height));
    opening.rows.emplace_back(v.row(row), v.row(row) + v.width);
  }
  opening.siblings.resize(log_height_);
  for (uint32_t lvl = 0; lvl < log_height_; ++lvl) {
    const uint32_t* node = layer(lvl) + ((index >> lvl) ^ 1) * kDigestElems;
    std::copy_n(node, kDigestElems, opening.siblings[lvl].begin());
  }
  return opening;
}

Digest merkle_root(const std::vector<ConstMatrixView>& views, const MerkleHasher& hasher) {
  validate_views(views);
  const std::vector<HeightGroup> groups = group_by_height(views);
  const size_t h_max = groups[0].height;
  const uint32_t log_height = log2_exact(h_max);
  // Only two layers are alive at a time: even layers in one buffer, odd layers in the other.
  DigestBuffer even = allocate_digests(h_max * kDigestElems);
  DigestBuffer odd = allocate_digests(std::max<size_t>(h_max / 2, 1) * kDigestElems);
  std::vector<uint32_t*> layers(log_height + 1);
  for (uint32_t lvl = 0; lvl <= log_height; ++lvl) layers[lvl] = (lvl % 2 == 0) ? even.get() : odd.get();
  compute_layers(groups, log_height, hasher, layers);
  Digest root;
  std::copy_n(layers[log_height], kDigestElems, root.begin());
  return root;
}

}  // namespace stark
