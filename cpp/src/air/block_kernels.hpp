// Vector kernels of the block interpreter (private to the AIR layer).
//
// Every kernel works on arrays of Montgomery words of one block: `n` elements, n a multiple of
// kBlockAlign (so every SIMD level processes whole registers; callers pad blocks). Extension
// values are stored as structure-of-arrays: coefficient e of an E vector lives `stride` words
// after coefficient e-1. Destinations may alias sources exactly (each lane group is loaded
// before it is stored), never partially.
//
// There are three builds of the same kernels — portable scalar, AVX2 and AVX-512 — selected by
// simd::active() through kernels_for().
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/simd.hpp"

namespace stark::air_detail {

/// Every kernel length is a multiple of this (the widest register holds 16 words).
inline constexpr size_t kBlockAlign = 16;

struct BlockKernels {
  using Binary = void (*)(uint32_t* dst, const uint32_t* a, const uint32_t* b, size_t n);
  using Unary = void (*)(uint32_t* dst, const uint32_t* a, size_t n);
  using WithConstant = void (*)(uint32_t* dst, const uint32_t* a, uint32_t c, size_t n);
  using Extension = void (*)(uint32_t* dst, const uint32_t* a, const uint32_t* b, size_t stride, size_t n);
  using Accumulate = void (*)(uint32_t* acc, const uint32_t* src, const uint32_t coeff[4], size_t stride,
                              size_t n);

  Binary add, sub, mul;
  Unary neg;
  WithConstant add_const, sub_const /* a - c */, const_sub /* c - a */, mul_const;
  Unary to_montgomery;  // in canonical words, out Montgomery words (dst may equal a)
  Extension ext_mul;       // E x E
  Extension ext_mul_base;  // E (a) x F (b)
  Accumulate accumulate_base;  // acc (E) += coeff (E constant) · src (F)
  Accumulate accumulate_ext;   // acc (E) += coeff (E constant) · src (E)
};

const BlockKernels& kernels_for(simd::Level level);

// Provided by block_kernels_avx2.cpp / block_kernels_avx512.cpp on x86 builds.
const BlockKernels& block_kernels_avx2();
const BlockKernels& block_kernels_avx512();

}  // namespace stark::air_detail
