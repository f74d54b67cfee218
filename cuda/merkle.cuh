// Per-thread bodies of the device Merkle tree and of the gathers that read openings out of device
// memory (host- and device-compilable; see field.cuh).
//
// The tree is stark::MerkleTree's (cpp/include/stark/merkle/merkle_tree.hpp, docs/protocol.md §2):
//   node_0[i] = Hs(row i of every matrix of the tallest height, original order, concatenated)
//   node_l[i] = C(node_{l-1}[2i], node_{l-1}[2i+1]), then C(node_l[i], Hs(rows i of the matrices
//               of height h_max >> l)) when there are such matrices
// Hs is the padding-free sponge in overwrite mode (rate 8), C the truncated permutation
// C(a, b) = Perm(a || b)[0..8). A leaf reads the rows of several matrices in place: the sponge
// walks their concatenation without materializing it. Digests are 8 canonical words.
#pragma once

#include "poseidon2.cuh"

namespace stark::cuda::kernels {

/// One matrix a leaf hash reads: row r is data[r·width .. (r + 1)·width) (canonical words).
struct LeafMatrix {
  const uint32_t* data;
  uint64_t width;
};

/// Feeds canonical words into a padding-free overwrite sponge block by block.
struct SpongeAbsorber {
  Fp s[kWidth];
  uint32_t block[kRate];
  uint32_t filled = 0;

  STARK_HD SpongeAbsorber() {
    STARK_UNROLL
    for (int i = 0; i < kWidth; ++i) s[i] = Fp::zero();
  }
  /// Overwrites state[0..filled) with the block and permutes (a partial last block leaves the
  /// rest of the rate as it was: no padding).
  STARK_HD void flush(const Poseidon2Constants& k) {
    STARK_UNROLL
    for (int j = 0; j < kRate; ++j) {
      const Fp x = uint32_t(j) < filled ? load_canonical(block[j]) : s[j];
      s[j] = x;
    }
    permute(s, k);
    filled = 0;
  }
  STARK_HD void absorb(const uint32_t* words, uint64_t count, const Poseidon2Constants& k) {
    for (uint64_t i = 0; i < count; ++i) {
      block[filled++] = words[i];
      if (filled == uint32_t(kRate)) flush(k);
    }
  }
  /// Digest = state[0..8) after the last (partial) block; the empty input hashes to zero.
  STARK_HD void finish(uint32_t* digest, const Poseidon2Constants& k) {
    if (filled != 0) flush(k);
    STARK_UNROLL
    for (int j = 0; j < kDigest; ++j) digest[j] = s[j].canonical();
  }
};

/// digest = Hs(row `row` of mats[0] || row `row` of mats[1] || ... mats[count - 1]).
STARK_HD void leaf_digest_body(const LeafMatrix* mats, uint32_t count, uint64_t row, uint32_t* digest,
                               const Poseidon2Constants& k) {
  SpongeAbsorber sponge;
  for (uint32_t m = 0; m < count; ++m) sponge.absorb(mats[m].data + row * mats[m].width, mats[m].width, k);
  sponge.finish(digest, k);
}

/// out = C(left, right) = Perm(left || right)[0..8); `out` may alias either input.
STARK_HD void compress_body(const uint32_t* left, const uint32_t* right, uint32_t* out,
                            const Poseidon2Constants& k) {
  Fp s[kWidth];
  STARK_UNROLL
  for (int i = 0; i < kDigest; ++i) {
    s[i] = load_canonical(left[i]);
    s[kDigest + i] = load_canonical(right[i]);
  }
  permute(s, k);
  STARK_UNROLL
  for (int i = 0; i < kDigest; ++i) out[i] = s[i].canonical();
}

/// Node i of a layer: C(prev[2i], prev[2i+1]), then compressed with Hs of row i of the
/// `inject_count` matrices of this layer's height (none when 0).
STARK_HD void merkle_layer_body(const uint32_t* prev, uint32_t* out, const LeafMatrix* inject,
                                uint32_t inject_count, uint64_t i, const Poseidon2Constants& k) {
  uint32_t node[kDigest];
  compress_body(prev + 16 * i, prev + 16 * i + 8, node, k);
  if (inject_count != 0) {
    uint32_t injected[kDigest];
    leaf_digest_body(inject, inject_count, i, injected, k);
    compress_body(node, injected, node, k);
  }
  STARK_UNROLL
  for (int j = 0; j < kDigest; ++j) out[8 * i + j] = node[j];
}

/// A run of words to copy out of device memory: src[0..words) → out[out_at ..).
struct GatherSpan {
  const uint32_t* src;
  uint64_t words;
  uint64_t out_at;
};

/// Copies span s into `out` (openings: the rows and sibling digests of many queries in one
/// buffer, read back with one copy).
STARK_HD void gather_span_body(const GatherSpan* spans, uint64_t s, uint32_t* out) {
  const GatherSpan g = spans[s];
  for (uint64_t w = 0; w < g.words; ++w) out[g.out_at + w] = g.src[w];
}

}  // namespace stark::cuda::kernels
