// Internal interface between the portable driver (byte_hash.cpp: scalar lanes, threading) and
// the vector kernels (byte_hash_avx2.cpp, byte_hash_avx512.cpp), which instantiate one algorithm
// (byte_hash_lanes.hpp) over different vector widths. Each call handles one contiguous range on
// the calling thread, tails included.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/matrix.hpp"

namespace stark::byte_hash_kernels {

struct Kernels {
  size_t keccak_lanes;
  size_t blake3_lanes;
  /// Digests of rows [row_begin, row_end) of the concatenation of mats; row r to out + 8 (r - row_begin).
  void (*hash_rows)(bool keccak, const ConstMatrixView* mats, size_t num_mats, size_t row_begin,
                    size_t row_end, uint32_t* out);
  /// out + 8 i = C(left + stride i, right + stride i) for i < n.
  void (*compress)(bool keccak, const uint32_t* left, const uint32_t* right, size_t stride, size_t n,
                   uint32_t* out);
  /// n Keccak-f[1600] states (n × 25 lanes) in place.
  void (*keccak_permute)(uint64_t* states, size_t n);
};

/// Throws ResourceError for a scratch allocation of `bytes` that failed (defined in
/// byte_hash.cpp, out of line, so that no SIMD unit instantiates an exception type).
[[noreturn]] void out_of_memory(size_t bytes);

#if defined(STARK_X86)
const Kernels& avx2_kernels();
const Kernels& avx512_kernels();
#endif

}  // namespace stark::byte_hash_kernels
