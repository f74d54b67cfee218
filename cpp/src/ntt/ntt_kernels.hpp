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
// twiddle tw[r][(m mod 2^r) * span_rows + g]; tw[r] empty means every twiddle of the layer is 1.
//   dit: layers r_begin .. r_end-1 in increasing order, (x, y) -> (x + t y, x - t y)
//   dif: layers r_end-1 .. r_begin in decreasing order, (x, y) -> (x + y, (x - y) t)
// Kernels pair consecutive layers into radix-4 sweeps (two layers per pass over the group), so
// a group of 2^c spans is read and written about c/2 times.
//
// Constant products use Shoup's method: data stay canonical, each constant w comes with
// q = floor(w 2^32 / p), and for any 32-bit a, a w - floor(a q / 2^32) p lies in [0, 2p), so it is
// computed exactly with wrapping 32-bit products and one conditional subtraction. Per 8 lanes
// that is 4 multiplications and 6 other operations, against 6 and 7 for a Montgomery product.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/babybear_params.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/force_inline.hpp"

namespace stark::ntt_kernels {

struct Strip {
  uint32_t* data;
  size_t ld;
  size_t width;
};

/// An array of multiplication constants: canonical values w[i] and Shoup quotients q[i].
struct Consts {
  const uint32_t* w = nullptr;
  const uint32_t* q = nullptr;
  STARK_FORCE_INLINE Consts operator+(size_t i) const { return {w + i, q + i}; }
  STARK_FORCE_INLINE bool empty() const { return w == nullptr; }
};

/// Shoup quotient floor(w 2^32 / p) of a canonical constant w.
inline uint32_t shoup_quotient(uint32_t w) { return uint32_t((uint64_t(w) << 32) / field_params::kP); }

using LayersFn = void (*)(Strip strip, size_t spans, size_t span_rows, unsigned r_begin, unsigned r_end,
                          const Consts* tw);
/// dst row r = src row r * factors[r], factors in Montgomery form (x 2^32 mod p: a Montgomery
/// product of a canonical word and a Montgomery-form factor is the canonical product). Per-row
/// factors come out of a chain of field multiplications, which produces Montgomery words
/// directly, where Shoup quotients would cost a division each. dst may equal src.
using ScaleRowsFn = void (*)(Strip dst, const uint32_t* src, size_t src_ld, size_t rows,
                             const uint32_t* factors);
/// Every element of `rows` rows times one constant w (with its quotient q).
using ScaleFn = void (*)(Strip strip, size_t rows, uint32_t w, uint32_t q);

/// Single-word gather dst[t] = src[(index[t] << shift) + add] (the bit-reversed reads of a
/// one-column transform; all source offsets are below 2^31).
using GatherFn = void (*)(uint32_t* dst, const uint32_t* src, const uint32_t* index, size_t n, unsigned shift,
                          size_t add);

/// dst[rev_k(t)] = src[t] for t < 2^k (dst and src distinct): the bit-reversal permutation of
/// one column, for the single-pass transforms.
using BitReverseFn = void (*)(uint32_t* dst, const uint32_t* src, unsigned k);

struct Kernels {
  LayersFn dit;
  LayersFn dif;
  ScaleRowsFn scale_rows;
  ScaleFn scale;
  GatherFn gather_words;
  BitReverseFn bit_reverse_words;
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
