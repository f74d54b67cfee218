// Per-thread bodies of the device Merkle tree and of the gathers that read openings out of device
// memory (host- and device-compilable; see field.cuh).
//
// The tree is stark::MerkleTree's (cpp/include/stark/merkle/merkle_tree.hpp, docs/protocol.md §2):
//   node_0[i] = Hs(row i of every matrix of the tallest height, original order, concatenated)
//   node_l[i] = C(node_{l-1}[2i], node_{l-1}[2i+1]), then C(node_l[i], Hs(rows i of the matrices
//               of height h_max >> l)) when there are such matrices (the injection)
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

/// digest = Hs(row `row` of mats[0] || row `row` of mats[1] || ... mats[count - 1]): the padding-
/// free overwrite sponge over the concatenation, read in place through a cursor (matrix, offset);
/// the empty input hashes to zero. Written like sponge_row (constant indices into the state, the
/// partial block as a select): a staging array of the block crashes cicc 13.0.
STARK_HD void leaf_digest_body(const LeafMatrix* mats, uint32_t count, uint64_t row, uint32_t* digest,
                               const Poseidon2Constants& k) {
  Fp s[kWidth];
  STARK_UNROLL
  for (int i = 0; i < kWidth; ++i) s[i] = Fp::zero();
  uint64_t total = 0;
  for (uint32_t m = 0; m < count; ++m) total += mats[m].width;
  uint32_t m = 0;
  uint64_t offset = 0;
  for (uint64_t start = 0; start < total; start += kRate) {
    const uint64_t len = total - start < uint64_t(kRate) ? total - start : uint64_t(kRate);
    STARK_UNROLL
    for (int j = 0; j < kRate; ++j) {
      uint32_t word = 0;
      if (uint64_t(j) < len) {
        while (offset == mats[m].width) {  // skips to the next matrix with words left
          ++m;
          offset = 0;
        }
        word = mats[m].data[row * mats[m].width + offset];
        ++offset;
      }
      const Fp x = uint64_t(j) < len ? load_canonical(word) : s[j];
      s[j] = x;
    }
    permute(s, k);
  }
  STARK_UNROLL
  for (int j = 0; j < kDigest; ++j) digest[j] = s[j].canonical();
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

/// Node i of a layer: out[i] = C(prev[2i], prev[2i+1]). (An injection is a separate leaf-digest
/// launch and compress_pairs: one kernel that inlines the sponge loop and a compression crashes
/// cicc 13.0.)
STARK_HD void merkle_layer_body(const uint32_t* prev, uint32_t* out, uint64_t i,
                                const Poseidon2Constants& k) {
  compress_body(prev + 16 * i, prev + 16 * i + 8, out + 8 * i, k);
}

/// out[i] = C(left[i], right[i]); `out` may alias `left`.
STARK_HD void compress_pairs_body(const uint32_t* left, const uint32_t* right, uint32_t* out, uint64_t i,
                                  const Poseidon2Constants& k) {
  compress_body(left + 8 * i, right + 8 * i, out + 8 * i, k);
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
