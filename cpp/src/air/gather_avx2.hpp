// AVX2 transposition of trace rows into Montgomery-form column vectors (private; included only
// by the AVX2 and AVX-512 builds of the block kernels, both compiled with AVX2 enabled).
//
// Eight rows x eight columns are loaded as eight registers and transposed with the classic
// unpack (32-bit, then 64-bit) and 128-bit lane permutation sequence: after it, register j
// holds column j of the eight rows. Each register is converted to Montgomery form (a Montgomery
// product with R^2) and stored into its column vector. Ragged edges fall back to scalar code.
#pragma once

#include "block_kernels_impl.hpp"
#include "stark/field/packed_avx2.hpp"

namespace stark::air_detail {
namespace {

inline void transpose8x8(__m256i r[8]) {
  __m256i t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
    u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
    u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
    u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm256_permute2x128_si256(u[j], u[j + 4], 0x20);
    r[j + 4] = _mm256_permute2x128_si256(u[j], u[j + 4], 0x31);
  }
}

inline void gather_columns_avx2(uint32_t* dst, size_t stride, const uint32_t* const* rows, size_t num_points,
                                size_t first_col, size_t num_cols) {
  constexpr size_t kTile = 128;  // columns per tile: 64 destination vectors stay in L1
  const avx2::PackedFp r2 = avx2::broadcast(detail::R2);
  const size_t full_points = num_points / 8 * 8;
  for (size_t c0 = 0; c0 < num_cols; c0 += kTile) {
    const size_t c1 = c0 + kTile < num_cols ? c0 + kTile : num_cols;
    const size_t c1_full = c0 + (c1 - c0) / 8 * 8;
    for (size_t p = 0; p < full_points; p += 8) {
      // The rows are far apart (bit-reversed order), so the hardware prefetcher cannot guess the
      // next segment: request the next eight rows' segment while this one is transposed.
      if (p + 16 <= num_points)
        for (size_t i = 8; i < 16; ++i)
          for (size_t c = c0; c < c1; c += 16)
            _mm_prefetch(reinterpret_cast<const char*>(rows[p + i] + first_col + c), _MM_HINT_T0);
      for (size_t c = c0; c < c1_full; c += 8) {
        __m256i r[8];
        for (int i = 0; i < 8; ++i)
          r[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[p + i] + first_col + c));
        transpose8x8(r);
        for (int j = 0; j < 8; ++j) avx2::store(dst + (c + j) * stride + p, avx2::mul_const({r[j]}, r2));
      }
      for (size_t c = c1_full; c < c1; ++c)
        for (size_t i = 0; i < 8; ++i)
          dst[c * stride + p + i] = detail::monty_reduce(uint64_t(rows[p + i][first_col + c]) * detail::R2);
    }
    for (size_t p = full_points; p < num_points; ++p)
      for (size_t c = c0; c < c1; ++c)
        dst[c * stride + p] = detail::monty_reduce(uint64_t(rows[p][first_col + c]) * detail::R2);
  }
}

}  // namespace
}  // namespace stark::air_detail
