// Internal interface between the portable driver (batch.cpp) and the per-ISA kernels of the
// element-wise field operations (batch_kernels_packed.hpp, instantiated by batch_avx2.cpp and
// batch_avx512.cpp). Each kernel handles one
// contiguous range on one thread; splitting over threads and tails shorter than a vector are
// the driver's business (the vector kernels call the scalar ones declared here for tails).
//
// Canonical words x are read as Montgomery words of the field element x * 2^-32 when that saves
// conversions: Montgomery's trick run directly on canonical words yields inverses scaled by
// 2^64, which one pre-scaled constant applied to the single field inversion removes (see
// invert_lane_products).
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/babybear_params.hpp"

namespace stark::field_kernels {

using BinaryFn = void (*)(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
using UnaryFn = void (*)(const uint32_t* a, uint32_t* out, size_t n);
/// Runs `iterations` rounds of the throughput loop; returns a value that depends on every
/// result (so the work cannot be optimized away) and stores the multiplications per round.
using BenchFn = uint32_t (*)(uint64_t iterations, uint64_t* muls_per_iteration);

struct BatchKernels {
  BinaryFn add;
  BinaryFn sub;
  BinaryFn mul;
  BinaryFn ext_mul;  // n extension elements
  UnaryFn inverse;   // at most kInverseBlock elements per call
  BenchFn bench_base;
  BenchFn bench_ext;
};

/// Largest n handed to BatchKernels::inverse (its prefix products live on the stack).
inline constexpr size_t kInverseBlock = 4096;

const BatchKernels& scalar_kernels();
#if defined(STARK_X86)
const BatchKernels& avx2_kernels();
const BatchKernels& avx512_kernels();
#endif

// Scalar kernels, also used by the vector kernels for their tails.
void scalar_add(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
void scalar_sub(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
void scalar_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
void scalar_ext_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
void scalar_inverse(const uint32_t* a, uint32_t* out, size_t n);

/// Lane totals of Montgomery's trick run on canonical words (all non-zero): replaces each word
/// w by the word whose Montgomery value is (w 2^-32)^-1 * 2^-64, the starting value of the
/// backward sweep that makes every output a canonical inverse. Uses one field inversion.
void invert_lane_products(uint32_t* words, size_t count);

/// Word of 1 in Montgomery form (2^32 mod p): the neutral start of the prefix products.
inline constexpr uint32_t kMontOne = field_params::kMontyOne;

}  // namespace stark::field_kernels
