// Batch-opening verification (docs/protocol.md §2.3). Every length taken from the proof is compared
// with the verifier's own shape before it is used, so malformed proofs cost at most the
// verifier-sized work and never an allocation chosen by the prover. The batched variants
// (hash_opened_levels, verify_merkle_paths) serve the FRI verifier's many queries at once with
// the SIMD hash kernels; their openings are shape-checked by the caller.
#include <algorithm>
#include <string>
#include <vector>

#include "stark/field/babybear.hpp"
#include "stark/merkle/merkle_tree.hpp"
#include "stark/util/error.hpp"

namespace stark {
namespace {

MerkleVerifyResult fail(std::string reason) { return {false, std::move(reason)}; }

bool all_canonical(const uint32_t* values, size_t n) {
  return std::all_of(values, values + n, [](uint32_t x) { return x < P; });
}

// Hs over row i of every matrix of height `height`, concatenated in original (= stable) order.
Digest hash_opened_group(std::span<const size_t> heights, std::span<const std::vector<uint32_t>> rows,
                         size_t height, std::vector<uint32_t>& buffer, const MerkleHasher& hasher) {
  buffer.clear();
  for (size_t m = 0; m < heights.size(); ++m)
    if (heights[m] == height) buffer.insert(buffer.end(), rows[m].begin(), rows[m].end());
  return hasher.hash_leaf(buffer.data(), buffer.size());
}

}  // namespace

MerkleVerifyResult verify_merkle_batch(const Digest& root, std::span<const size_t> heights,
                                       std::span<const size_t> widths, size_t index,
                                       std::span<const std::vector<uint32_t>> opened_rows,
                                       std::span<const Digest> siblings, const MerkleHasher& hasher) {
  // Verifier-side parameters: a mistake here is a bug of the caller, not a bad proof.
  if (heights.empty()) throw InputError("heights: expected at least one matrix height");
  if (widths.size() != heights.size()) {
    throw InputError("widths: " + std::to_string(widths.size()) + " widths for " +
                     std::to_string(heights.size()) + " heights");
  }
  size_t max_height = 0;
  for (size_t m = 0; m < heights.size(); ++m) {
    if (!is_power_of_two(heights[m])) {
      throw InputError("heights[" + std::to_string(m) + "]: " + std::to_string(heights[m]) +
                       " is not a power of two >= 1");
    }
    if (widths[m] == 0) throw InputError("widths[" + std::to_string(m) + "]: width must be at least 1");
    max_height = std::max(max_height, heights[m]);
  }
  const uint32_t log_max = log2_exact(max_height);

  // Proof-side data.
  if (opened_rows.size() != heights.size()) {
    return fail("expected " + std::to_string(heights.size()) + " opened rows, got " +
                std::to_string(opened_rows.size()));
  }
  for (size_t m = 0; m < heights.size(); ++m) {
    if (opened_rows[m].size() != widths[m]) {
      return fail("opened row of matrix " + std::to_string(m) + " has " +
                  std::to_string(opened_rows[m].size()) + " elements, expected width " +
                  std::to_string(widths[m]));
    }
    if (!all_canonical(opened_rows[m].data(), opened_rows[m].size())) {
      return fail("opened row of matrix " + std::to_string(m) + " holds a non-canonical element (>= p)");
    }
  }
  if (siblings.size() != log_max) {
    return fail("authentication path has " + std::to_string(siblings.size()) + " digests, expected " +
                std::to_string(log_max));
  }
  for (size_t lvl = 0; lvl < siblings.size(); ++lvl) {
    if (!hasher.digest_valid(siblings[lvl])) {
      return fail("sibling digest " + std::to_string(lvl) + " is not " + hasher.digest_description());
    }
  }
  if (index >= max_height) {
    return fail("index " + std::to_string(index) + " is out of range for height " +
                std::to_string(max_height));
  }

  std::vector<uint32_t> buffer;
  Digest cur = hash_opened_group(heights, opened_rows, max_height, buffer, hasher);
  for (uint32_t lvl = 0; lvl < log_max; ++lvl) {
    cur =
        ((index >> lvl) & 1) == 0 ? hasher.compress(cur, siblings[lvl]) : hasher.compress(siblings[lvl], cur);
    const size_t len = max_height >> (lvl + 1);
    if (std::find(heights.begin(), heights.end(), len) != heights.end()) {
      cur = hasher.compress(cur, hash_opened_group(heights, opened_rows, len, buffer, hasher));
    }
  }
  if (cur != root) return fail("recomputed root does not match the commitment");
  return {true, {}};
}

void hash_opened_levels(std::span<const size_t> heights, std::span<const ConstMatrixView> rows,
                        std::span<uint32_t* const> level_digests, const MerkleHasher& hasher) {
  if (heights.empty()) throw InputError("heights: expected at least one matrix height");
  if (rows.size() != heights.size()) {
    throw InputError("rows: " + std::to_string(rows.size()) + " matrices for " +
                     std::to_string(heights.size()) + " heights");
  }
  const size_t n = rows[0].height;
  size_t max_height = 0;
  for (size_t m = 0; m < heights.size(); ++m) {
    if (!is_power_of_two(heights[m])) {
      throw InputError("heights[" + std::to_string(m) + "]: " + std::to_string(heights[m]) +
                       " is not a power of two >= 1");
    }
    if (rows[m].height != n || rows[m].width == 0) {
      throw InputError("rows[" + std::to_string(m) + "]: expected " + std::to_string(n) +
                       " rows of width >= 1");
    }
    max_height = std::max(max_height, heights[m]);
  }
  const uint32_t log_max = log2_exact(max_height);
  if (level_digests.size() != log_max + 1) {
    throw InputError("level_digests: " + std::to_string(level_digests.size()) + " levels, expected " +
                     std::to_string(log_max + 1));
  }
  // Rows of every opening at one height, as hash_rows consumes them (original matrix order).
  std::vector<ConstMatrixView> group;
  for (uint32_t lvl = 0; lvl <= log_max; ++lvl) {
    group.clear();
    for (size_t m = 0; m < heights.size(); ++m)
      if (heights[m] == (max_height >> lvl)) group.push_back(rows[m]);
    if (group.empty()) continue;
    if (level_digests[lvl] == nullptr)
      throw InputError("level_digests[" + std::to_string(lvl) +
                       "]: a matrix has this height, no output given");
    if (n > 0) hasher.hash_rows(group, level_digests[lvl]);
  }
}

void verify_merkle_paths(const Digest& root, std::span<const uint32_t* const> level_digests,
                         std::span<const size_t> indices, std::span<const Digest* const> siblings,
                         uint8_t* ok, const MerkleHasher& hasher) {
  const size_t n = indices.size();
  if (level_digests.empty() || level_digests[0] == nullptr)
    throw InputError("level_digests: the leaf level (0) is required");
  if (siblings.size() != n) {
    throw InputError("siblings: " + std::to_string(siblings.size()) + " paths for " + std::to_string(n) +
                     " openings");
  }
  const uint32_t log_max = uint32_t(level_digests.size() - 1);
  if (log_max >= 64) throw InputError("level_digests: too many levels");
  for (size_t k = 0; k < n; ++k) {
    if ((indices[k] >> log_max) != 0) {
      throw InputError("indices[" + std::to_string(k) + "]: " + std::to_string(indices[k]) +
                       " is out of range for height 2^" + std::to_string(log_max));
    }
  }
  if (n == 0) return;

  // Openings in index order, so that those meeting at a node are adjacent. Near the root many
  // openings share their nodes: a compression whose (left, right) equals that of the previous
  // opening at the same position is not recomputed (C is a function of its two inputs only, so
  // this is exact even for a dishonest proof, whose differing inputs are simply hashed apart).
  std::vector<size_t> order(n);
  for (size_t k = 0; k < n; ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return indices[a] < indices[b]; });

  // cur: n x 8 running digests; left/right/out: the distinct pairs of a level and their images;
  // slot[k]: the distinct pair of opening k.
  std::vector<uint32_t> cur(level_digests[0], level_digests[0] + n * kDigestElems);
  std::vector<uint32_t> left(n * kDigestElems), right(n * kDigestElems), out(n * kDigestElems);
  std::vector<size_t> slot(n);
  // Compresses pair(k) = (l, r) for every opening, shared among adjacent equal pairs at the same
  // parent `pos`, and writes the results to cur.
  auto compress_level = [&](auto&& pair_of, auto&& pos_of) {
    size_t unique = 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t k = order[i];
      const auto [l, r] = pair_of(k);
      if (i > 0) {
        const size_t prev = order[i - 1];
        const size_t u = slot[prev];
        if (pos_of(prev) == pos_of(k) && std::equal(l, l + kDigestElems, left.data() + u * kDigestElems) &&
            std::equal(r, r + kDigestElems, right.data() + u * kDigestElems)) {
          slot[k] = u;
          continue;
        }
      }
      std::copy_n(l, kDigestElems, left.data() + unique * kDigestElems);
      std::copy_n(r, kDigestElems, right.data() + unique * kDigestElems);
      slot[k] = unique++;
    }
    hasher.compress_pairs(left.data(), right.data(), unique, out.data());
    for (size_t k = 0; k < n; ++k)
      std::copy_n(out.data() + slot[k] * kDigestElems, kDigestElems, cur.data() + k * kDigestElems);
  };
  using Pair = std::pair<const uint32_t*, const uint32_t*>;
  for (uint32_t lvl = 0; lvl < log_max; ++lvl) {
    auto parent = [&](size_t k) { return indices[k] >> (lvl + 1); };
    compress_level(
        [&](size_t k) -> Pair {
          const uint32_t* sib = siblings[k][lvl].data();
          const uint32_t* mine = cur.data() + k * kDigestElems;
          return ((indices[k] >> lvl) & 1) != 0 ? Pair{sib, mine} : Pair{mine, sib};
        },
        parent);
    // Injection of the rows of the matrices of this level's height.
    if (const uint32_t* inject = level_digests[lvl + 1]) {
      compress_level(
          [&](size_t k) -> Pair { return {cur.data() + k * kDigestElems, inject + k * kDigestElems}; },
          parent);
    }
  }
  for (size_t k = 0; k < n; ++k)
    ok[k] = std::equal(root.begin(), root.end(), cur.data() + k * kDigestElems) ? 1 : 0;
}

void verify_merkle_openings(const Digest& root, std::span<const size_t> heights,
                            std::span<const ConstMatrixView> rows, std::span<const size_t> indices,
                            std::span<const Digest* const> siblings, uint8_t* ok,
                            const MerkleHasher& hasher) {
  const size_t n = indices.size();
  if (heights.empty()) throw InputError("heights: expected at least one matrix height");
  for (size_t m = 0; m < rows.size(); ++m) {
    if (rows[m].height != n) {
      throw InputError("rows[" + std::to_string(m) + "]: " + std::to_string(rows[m].height) + " rows for " +
                       std::to_string(n) + " openings");
    }
  }
  size_t max_height = 0;
  for (size_t h : heights) max_height = std::max(max_height, h);
  const uint32_t log_max = is_power_of_two(max_height) ? log2_exact(max_height) : 0;
  std::vector<uint32_t> digests((log_max + 1) * n * kDigestElems);
  std::vector<uint32_t*> out(log_max + 1);
  for (uint32_t lvl = 0; lvl <= log_max; ++lvl) out[lvl] = digests.data() + lvl * n * kDigestElems;
  hash_opened_levels(heights, rows, out, hasher);  // validates heights and rows
  std::vector<const uint32_t*> levels(log_max + 1, nullptr);
  levels[0] = out[0];
  for (uint32_t lvl = 1; lvl <= log_max; ++lvl)
    if (std::find(heights.begin(), heights.end(), max_height >> lvl) != heights.end()) levels[lvl] = out[lvl];
  verify_merkle_paths(root, levels, indices, siblings, ok, hasher);
}

}  // namespace stark
