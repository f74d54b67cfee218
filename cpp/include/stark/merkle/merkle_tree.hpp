// Mixed-height Merkle commitment (MMCS) over row-major matrices: Plonky3 MerkleTreeMmcs with
// the padding-free sponge Hs and the truncated-permutation compression C (docs/protocol.md §2).
//
// Matrices M_0..M_{t-1} have power-of-two heights; `order` sorts them by height descending,
// ties by original index. With h_max the tallest height and L = log2 h_max:
//   node_0[i]   = Hs(row i of every matrix of height h_max, concatenated in `order`)
//   node_l[i]   = C(node_{l-1}[2i], node_{l-1}[2i+1])                     (l = 1..L)
//   node_l[i]   = C(node_l[i], Hs(row i of every matrix of height h_max >> l))   if there is one
//   root        = node_L[0]        (h_max = 1: the leaf digest itself, no compression)
// An opening at global index i gives row (i >> (L - log2 h_m)) of every matrix (original order)
// and the siblings node_l[(i >> l) ^ 1] for l = 0..L-1 (leaf level first). Verification replays
// the path; because Hs has no padding, the verifier must also check every row width (pitfall P3).
//
// Hashing goes through the MerkleHasher seam (stark/hash/hasher.hpp): the configuration's leaf
// hash and compression (Hs and C above stand for them), or a device's batched implementation of
// the same functions, while the layout logic stays here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "stark/field/matrix.hpp"
#include "stark/hash/hasher.hpp"

namespace stark {

/// The default configuration's hasher (Poseidon2 batch kernels of stark/hash/poseidon2.hpp,
/// SIMD + thread pool): poseidon2_hasher().
const MerkleHasher& cpu_merkle_hasher();

/// Rows opened at one global index plus the authentication path.
struct MerkleOpening {
  std::vector<std::vector<uint32_t>> rows;  // one row per matrix, original matrix order
  std::vector<Digest> siblings;             // L digests, leaf level first
};

namespace detail {
/// Frees digest storage allocated with the given alignment (large trees are huge-page aligned).
struct AlignedDigestFree {
  size_t bytes = 0;  // the size allocate_large_buffer was given
  void operator()(uint32_t* p) const;
};
}  // namespace detail

/// A committed batch of matrices with every digest layer kept for openings. The matrices are
/// not copied: the tree holds views plus shared ownership of whatever keeps them alive.
class MerkleTree {
 public:
  /// Takes ownership of the matrices (moved in, never copied).
  explicit MerkleTree(std::vector<RowMajorMatrix> matrices, const MerkleHasher& hasher = cpu_merkle_hasher());
  /// Shares the matrices with the caller (e.g. a proving key that commits once, opens often).
  explicit MerkleTree(std::vector<std::shared_ptr<const RowMajorMatrix>> matrices,
                      const MerkleHasher& hasher = cpu_merkle_hasher());
  /// General form: `storage` keeps the memory behind `views` alive for the tree's lifetime (it
  /// may be null when the caller guarantees that itself).
  MerkleTree(std::vector<ConstMatrixView> views, std::shared_ptr<const void> storage,
             const MerkleHasher& hasher = cpu_merkle_hasher());

  const Digest& root() const { return root_; }
  /// h_max, the height of the tallest matrix (number of leaves).
  size_t height() const { return height_; }
  /// L = log2 h_max = length of every authentication path.
  uint32_t log_height() const { return log_height_; }
  size_t num_matrices() const { return views_.size(); }
  /// Matrix m in original order.
  ConstMatrixView matrix(size_t m) const { return views_.at(m); }

  /// Digest layer l (l = 0 leaves .. L root): (h_max >> l) rows of 8 words.
  const uint32_t* layer(uint32_t level) const;

  /// Opening at global leaf index `index` < height(); InputError otherwise.
  MerkleOpening open(size_t index) const;

 private:
  void build(const MerkleHasher& hasher);

  std::vector<ConstMatrixView> views_;
  std::shared_ptr<const void> storage_;
  size_t height_ = 0;
  uint32_t log_height_ = 0;
  // All layers back to back: layer l starts at layer_offset_[l] (in words).
  std::unique_ptr<uint32_t[], detail::AlignedDigestFree> digests_;
  std::vector<size_t> layer_offset_;
  Digest root_{};
};

/// Commits and returns only the root (same result as MerkleTree(...).root()).
Digest merkle_root(const std::vector<ConstMatrixView>& views,
                   const MerkleHasher& hasher = cpu_merkle_hasher());

/// Outcome of a batch-opening verification; `reason` says what failed (empty when ok).
struct MerkleVerifyResult {
  bool ok = false;
  std::string reason;
  explicit operator bool() const { return ok; }
};

/// docs/protocol.md §2.3. `heights` and `widths` come from the verifier (each height a power of two >= 1,
/// each width >= 1, equal lengths >= 1; otherwise InputError). Everything else comes from the
/// proof and is never trusted: a wrong number of rows, a row of the wrong width, a non-canonical
/// element, a path of the wrong length, an index outside [0, max height) or a root mismatch gives
/// ok = false with the reason. Allocations are sized from the verifier's data only.
MerkleVerifyResult verify_merkle_batch(const Digest& root, std::span<const size_t> heights,
                                       std::span<const size_t> widths, size_t index,
                                       std::span<const std::vector<uint32_t>> opened_rows,
                                       std::span<const Digest> siblings,
                                       const MerkleHasher& hasher = cpu_merkle_hasher());

/// docs/protocol.md §2.3 for n openings of one batch commitment at once, hashed across openings with
/// the batched (SIMD) leaf hashing and compression, level by level. Opening k has index
/// indices[k], its row of matrix m is row k of rows[m] (an n x width view; heights[m] is the
/// matrix height in the tree) and its log2(max height) siblings start at siblings[k].
/// ok[k] = 1 iff opening k recomputes `root`, else 0. Unlike verify_merkle_batch, the openings
/// must already be well-formed (canonical elements, right widths and path lengths: the caller's
/// shape pass); a view of the wrong height or an index >= max height is an InputError. Runs on
/// the calling thread's share of the pool like the batched hash functions (results do not depend
/// on the thread count). Equivalent to hash_opened_levels followed by verify_merkle_paths.
void verify_merkle_openings(const Digest& root, std::span<const size_t> heights,
                            std::span<const ConstMatrixView> rows, std::span<const size_t> indices,
                            std::span<const Digest* const> siblings, uint8_t* ok,
                            const MerkleHasher& hasher = cpu_merkle_hasher());

/// The index-independent half of verify_merkle_openings, split off so that it can run before
/// the query indices are known: for every level l = 0..log2(max height) at which some matrix has
/// height max >> l, level_digests[l] (n x 8) receives Hs of the rows of those matrices (original
/// order) for each of the n openings (row k of every view). Other levels are left untouched
/// (and may be null). InputError on bad heights, views of different heights or widths 0, or
/// log2(max height) + 1 != level_digests.size().
void hash_opened_levels(std::span<const size_t> heights, std::span<const ConstMatrixView> rows,
                        std::span<uint32_t* const> level_digests,
                        const MerkleHasher& hasher = cpu_merkle_hasher());

/// The path half: level_digests[0] (n x 8) the leaf digests, level_digests[l] for l >= 1 the
/// injected digests of level l or null where no matrix has that height (so the tree has height
/// 2^(level_digests.size() - 1)). ok[k] = 1 iff opening k (index indices[k], siblings from
/// siblings[k], canonical) recomputes `root`. InputError on an index out of range.
void verify_merkle_paths(const Digest& root, std::span<const uint32_t* const> level_digests,
                         std::span<const size_t> indices, std::span<const Digest* const> siblings,
                         uint8_t* ok, const MerkleHasher& hasher = cpu_merkle_hasher());

}  // namespace stark
