// Keccak and BLAKE3 on several messages at once (AVX-512: 8 Keccak lanes of 64 bits, 16 BLAKE3 lanes of
// 32 bits), the algorithm of byte_hash_lanes.hpp over GCC vectors. Compiled with the
// matching target flags and called only when the CPU reports AVX-512.
#include "byte_hash_kernels.hpp"
#include "byte_hash_lanes.hpp"

namespace stark::byte_hash_kernels {
namespace {

using V64 = uint64_t __attribute__((vector_size(64)));
using V32 = uint32_t __attribute__((vector_size(64)));

void hash_rows(bool keccak, const ConstMatrixView* mats, size_t num_mats, size_t row_begin, size_t row_end,
               uint32_t* out) {
  if (keccak) {
    byte_hash_lanes::hash_rows_range<V64, uint64_t>(true, mats, num_mats, row_begin, row_end, out);
  } else {
    byte_hash_lanes::hash_rows_range<V32, uint32_t>(false, mats, num_mats, row_begin, row_end, out);
  }
}

void compress(bool keccak, const uint32_t* left, const uint32_t* right, size_t stride, size_t n,
              uint32_t* out) {
  if (keccak) {
    byte_hash_lanes::compress_range<V64, uint64_t>(true, left, right, stride, n, out);
  } else {
    byte_hash_lanes::compress_range<V32, uint32_t>(false, left, right, stride, n, out);
  }
}

void keccak_permute(uint64_t* states, size_t n) { byte_hash_lanes::keccak_permute_range<V64>(states, n); }

}  // namespace

const Kernels& avx512_kernels() {
  static const Kernels k{byte_hash_lanes::lanes_of<V64>(), byte_hash_lanes::lanes_of<V32>(), hash_rows,
                         compress, keccak_permute};
  return k;
}

}  // namespace stark::byte_hash_kernels
