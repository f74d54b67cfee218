// Keccak and BLAKE3 on several messages at once (AVX-512: 8 Keccak lanes of 64 bits, 16 BLAKE3 lanes of
// 32 bits), the algorithm of byte_hash_lanes.hpp over GCC vectors. Compiled with the
// matching target flags and called only when the CPU reports AVX-512.
#include "byte_hash_kernels.hpp"
#include "byte_hash_lanes.hpp"

namespace stark::byte_hash_kernels {
namespace {

using V64 = uint64_t __attribute__((vector_size(64)));
using V32 = uint32_t __attribute__((vector_size(64)));
using Impl = byte_hash_lanes::KernelsOf<V64, V32>;

}  // namespace

const Kernels& avx512_kernels() {
  static const Kernels k{byte_hash_lanes::lanes_of<V64>(), byte_hash_lanes::lanes_of<V32>(), Impl::hash_rows,
                         Impl::compress, Impl::keccak_permute};
  return k;
}

}  // namespace stark::byte_hash_kernels
