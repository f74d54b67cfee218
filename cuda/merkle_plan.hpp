// The device-resident Merkle tree, written once over an executor (host compiler only; the
// kernels' bodies are merkle.cuh's).
//
// PlanMerkleTree<Exec> commits matrices that live in the executor's memory and keeps every digest
// layer there for the query phase: only the root and the gathered openings come back. It is
// stark::MerkleTree's tree (same layout, same checks and messages, same root and openings), so
// a device commitment opens exactly like the CPU's. The CUDA device runs it on CudaExec
// (resident_exec.hpp); the C++ tests run it on a host executor that loops over the same bodies
// (tests/cpp/test_cuda_resident_host.cpp) and compare it with MerkleTree.
//
// An executor provides (pointers are executor memory unless named host):
//   template <class T> using Buffer = ...;          owns `count` T, .data(), .size()
//   template <class T> Buffer<T> alloc(size_t count, const char* what);
//   void upload(void* dst, const void* host_src, size_t bytes);    host_src reusable on return
//   void download(void* host_dst, const void* src, size_t bytes);  data there on return
//   void leaf_digests(const LeafMatrix* mats, uint32_t count, uint64_t rows, uint32_t* out);
//   void merkle_layer(const uint32_t* prev, uint32_t* out, uint64_t n);
//   void compress_pairs(const uint32_t* left, const uint32_t* right, uint64_t n, uint32_t* out);
//   void gather(const GatherSpan* spans, uint64_t count, uint32_t* out);
// Work is ordered as issued (a CUDA stream); buffers are freed in that order too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "matrix_ref.hpp"
#include "merkle.cuh"
#include "stark/field/babybear.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/merkle/merkle_tree.hpp"
#include "stark/util/error.hpp"

namespace stark::cuda {

/// Copies a host vector into a new executor buffer.
template <class Exec, class T>
typename Exec::template Buffer<T> upload_vector(Exec& ex, const std::vector<T>& host, const char* what) {
  auto buf = ex.template alloc<T>(host.size(), what);
  if (!host.empty()) ex.upload(buf.data(), host.data(), host.size() * sizeof(T));
  return buf;
}

/// Gathers the spans into one executor buffer and reads it back: `total` words.
template <class Exec>
std::vector<uint32_t> gather_to_host(Exec& ex, const std::vector<kernels::GatherSpan>& spans, uint64_t total,
                                     const char* what) {
  std::vector<uint32_t> host(total);
  if (spans.empty() || total == 0) return host;
  auto table = upload_vector(ex, spans, what);
  auto out = ex.template alloc<uint32_t>(total, what);
  ex.gather(table.data(), spans.size(), out.data());
  ex.download(host.data(), out.data(), total * sizeof(uint32_t));
  return host;
}

template <class Exec>
class PlanMerkleTree {
 public:
  /// Commits `matrices` (original order; row-major canonical words in executor memory, which must
  /// stay valid and unchanged while the tree lives). InputError as MerkleTree's: no matrix, a
  /// width 0, a height that is not a power of two, no data.
  PlanMerkleTree(Exec& ex, std::vector<MatrixRef> matrices) : matrices_(std::move(matrices)) {
    if (matrices_.empty()) throw InputError("matrices: expected at least one matrix");
    for (size_t m = 0; m < matrices_.size(); ++m) {
      const MatrixRef& v = matrices_[m];
      const std::string name = "matrices[" + std::to_string(m) + "]";
      if (v.width == 0) throw InputError(name + ": width must be at least 1");
      if (!is_power_of_two(v.height))
        throw InputError(name + ": height " + std::to_string(v.height) + " is not a power of two >= 1");
      if (v.data == nullptr) throw InputError(name + ": no data");
      height_ = std::max(height_, v.height);
    }
    log_height_ = log2_exact(height_);
    build(ex);
  }

  const Digest& root() const { return root_; }
  size_t height() const { return height_; }
  uint32_t log_height() const { return log_height_; }
  size_t num_matrices() const { return matrices_.size(); }
  const MatrixRef& matrix(size_t m) const { return matrices_.at(m); }
  /// Digest layer l (h_max >> l digests of 8 words) in executor memory.
  const uint32_t* layer(uint32_t level) const { return digests_.data() + layer_offset_.at(level); }

  /// Appends the spans of the opening at global leaf `index` (< height(), checked by the caller):
  /// the row of every matrix (original order), then the L siblings (leaf level first). `at` is
  /// the running output offset in words.
  void opening_spans(size_t index, std::vector<kernels::GatherSpan>& spans, uint64_t& at) const {
    for (const MatrixRef& m : matrices_) {
      const size_t row = index >> (log_height_ - log2_exact(m.height));
      spans.push_back({m.data + row * m.width, m.width, at});
      at += m.width;
    }
    sibling_spans(index, spans, at);
  }

  /// The L sibling digests of leaf `index` only (8·L words).
  void sibling_spans(size_t index, std::vector<kernels::GatherSpan>& spans, uint64_t& at) const {
    for (uint32_t l = 0; l < log_height_; ++l) {
      spans.push_back({layer(l) + 8 * ((index >> l) ^ 1), 8, at});
      at += 8;
    }
  }

  /// Words one opening takes in the gathered buffer.
  uint64_t opening_words() const {
    uint64_t words = 8 * uint64_t(log_height_);
    for (const MatrixRef& m : matrices_) words += m.width;
    return words;
  }

  /// Splits one opening's gathered words (as laid out by opening_spans) into a MerkleOpening.
  MerkleOpening unpack_opening(const uint32_t* words) const {
    MerkleOpening o;
    for (const MatrixRef& m : matrices_) {
      o.rows.emplace_back(words, words + m.width);
      words += m.width;
    }
    o.siblings = unpack_siblings(words);
    return o;
  }

  /// The L digests of sibling_spans' words.
  std::vector<Digest> unpack_siblings(const uint32_t* words) const {
    std::vector<Digest> siblings(log_height_);
    for (uint32_t l = 0; l < log_height_; ++l, words += 8) std::copy_n(words, 8, siblings[l].begin());
    return siblings;
  }

  /// The openings at these global leaf indices, gathered on the executor with one read-back.
  /// InputError for an index >= height(), as MerkleTree::open.
  std::vector<MerkleOpening> open_batch(Exec& ex, const std::vector<size_t>& indices) const {
    std::vector<kernels::GatherSpan> spans;
    uint64_t at = 0;
    for (size_t index : indices) {
      check_index(index);
      opening_spans(index, spans, at);
    }
    const std::vector<uint32_t> words = gather_to_host(ex, spans, at, "merkle openings");
    std::vector<MerkleOpening> out;
    out.reserve(indices.size());
    for (size_t q = 0; q < indices.size(); ++q)
      out.push_back(unpack_opening(words.data() + q * opening_words()));
    return out;
  }

  void check_index(size_t index) const {
    if (index >= height_)
      throw InputError("index: " + std::to_string(index) + " is out of range for a tree of height " +
                       std::to_string(height_));
  }

 private:
  using LeafTable = typename Exec::template Buffer<kernels::LeafMatrix>;

  /// The matrices of height h, original order, as an executor table.
  LeafTable leaf_table(Exec& ex, size_t h, uint32_t& count) const {
    std::vector<kernels::LeafMatrix> mats;
    for (const MatrixRef& m : matrices_)
      if (m.height == h) mats.push_back({m.data, uint64_t(m.width)});
    count = uint32_t(mats.size());
    return upload_vector(ex, mats, "merkle leaf table");
  }

  void build(Exec& ex) {
    layer_offset_.resize(log_height_ + 1);
    size_t words = 0;
    for (uint32_t l = 0; l <= log_height_; ++l) {
      layer_offset_[l] = words;
      words += 8 * (height_ >> l);
    }
    digests_ = ex.template alloc<uint32_t>(words, "merkle digest layers");
    uint32_t count = 0;
    const LeafTable leaves = leaf_table(ex, height_, count);
    ex.leaf_digests(leaves.data(), count, height_, digests_.data());
    // Scratch for the injected leaf digests; the tallest injected height needs the most.
    typename Exec::template Buffer<uint32_t> injected;
    for (uint32_t l = 1; l <= log_height_; ++l) {
      const uint64_t n = height_ >> l;
      uint32_t* out = digests_.data() + layer_offset_[l];
      ex.merkle_layer(digests_.data() + layer_offset_[l - 1], out, n);
      const LeafTable inject = leaf_table(ex, n, count);
      if (count == 0) continue;
      if (injected.size() == 0) injected = ex.template alloc<uint32_t>(8 * n, "merkle injected digests");
      ex.leaf_digests(inject.data(), count, n, injected.data());
      ex.compress_pairs(out, injected.data(), n, out);
    }
    ex.download(root_.data(), layer(log_height_), sizeof(uint32_t) * 8);
  }

  std::vector<MatrixRef> matrices_;
  size_t height_ = 0;
  uint32_t log_height_ = 0;
  typename Exec::template Buffer<uint32_t> digests_;
  std::vector<size_t> layer_offset_;
  Digest root_{};
};

}  // namespace stark::cuda
