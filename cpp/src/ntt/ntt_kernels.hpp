// Internal interface between the portable NTT driver (ntt.cpp) and the per-ISA butterfly
// kernels (ntt_scalar.cpp, ntt_avx2.cpp, ntt_avx512.cpp).
//
// The driver cuts a transform into cache-sized groups of rows and hands each group to these
// kernels as a *strip*: `width` columns of consecutive rows, row r at data + r * ld (ld >= width;
// a strip may be a slice of a wider matrix). A group is a sequence of `spans` spans of
// `span_rows` consecutive rows each; span m stands for one row index of a radix-2 transform of
// size `spans`, and the span_rows rows inside a span are independent transforms that run side by
// side (different twiddles, same data flow).
//
// Local layer r pairs span m with span m + 2^r (bit r of m clear). Row g of that pair uses the
// twiddle tw[r][(m mod 2^r) * span_rows + g], a Montgomery word; tw[r] == nullptr means every
// twiddle of the layer is 1. Data words are canonical and stay canonical: a Montgomery product
// of a canonical word and a Montgomery-form constant is the canonical product.
//   dit: layers r_begin .. r_end-1 in increasing order, (x, y) -> (x + t y, x - t y)
//   dif: layers r_end-1 .. r_begin in decreasing order, (x, y) -> (x + y, (x - y) t)
// Kernels pair consecutive layers into radix-4 sweeps (two layers per pass over the group), so
// a group of 2^c spans is read and written about c/2 times.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/simd.hpp"

namespace stark::ntt_kernels {

struct Strip {
  uint32_t* data;
  size_t ld;
  size_t width;
};

using LayersFn = void (*)(Strip strip, size_t spans, size_t span_rows, unsigned r_begin, unsigned r_end,
                          const uint32_t* const* tw);
/// dst row r = src row r * factors[r] (factors in Montgomery form; dst may equal src).
using ScaleRowsFn = void (*)(Strip dst, const uint32_t* src, size_t src_ld, size_t rows,
                             const uint32_t* factors);
/// Every element of `rows` rows times one Montgomery-form factor.
using ScaleFn = void (*)(Strip strip, size_t rows, uint32_t factor);

struct Kernels {
  LayersFn dit;
  LayersFn dif;
  ScaleRowsFn scale_rows;
  ScaleFn scale;
};

const Kernels& scalar_kernels();
#if defined(STARK_X86)
const Kernels& avx2_kernels();
const Kernels& avx512_kernels();
#endif

inline const Kernels& kernels_for(simd::Level level) {
  switch (level) {
#if defined(STARK_X86)
    case simd::Level::Avx512:
      return avx512_kernels();
    case simd::Level::Avx2:
      return avx2_kernels();
#endif
    default:
      return scalar_kernels();
  }
}

}  // namespace stark::ntt_kernels
