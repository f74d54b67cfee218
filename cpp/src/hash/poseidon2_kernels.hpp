// Internal interface between the portable driver (poseidon2.cpp: scalar code, sponge,
// threading) and the vector kernels (poseidon2_avx2.cpp, poseidon2_avx512.cpp), which share
// one algorithm (poseidon2_packed.hpp) over different vector widths.
//
// A vector kernel runs `lanes` permutations at once, one per 32-bit lane: vector i of the
// packed state holds element i of every lane's state. Each kernel call handles one contiguous
// range on the calling thread, tails included; splitting over threads is the driver's job.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/matrix.hpp"
#include "stark/generated_constants.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark::p2_kernels {

using KernelConstants = detail::Poseidon2KernelConstants;

struct Kernels {
  size_t lanes;
  /// n states (row-major n x 16), permuted in place.
  void (*permute)(const KernelConstants& kc, uint32_t* states, size_t n);
  /// Digests of rows [row_begin, row_end) of the concatenation of mats[0..num_mats); digest of
  /// row r goes to out + 8 * (r - row_begin). Total width > 0.
  void (*hash_rows)(const KernelConstants& kc, const ConstMatrixView* mats, size_t num_mats, size_t row_begin,
                    size_t row_end, uint32_t* out);
  /// out + 8 i = C(left + stride i, right + stride i) for i < n. out may equal left or right.
  void (*compress)(const KernelConstants& kc, const uint32_t* left, const uint32_t* right, size_t stride,
                   size_t n, uint32_t* out);
  /// Smallest i < count whose candidate (base with word `slot` = first + i) passes `bits` of
  /// proof of work (low bits of canonical Perm(candidate)[7] zero); count when none.
  size_t (*grind)(const KernelConstants& kc, const uint32_t base[16], size_t slot, uint32_t first,
                  size_t count, uint32_t bits);
};

#if defined(STARK_X86)
const Kernels& avx2_kernels();
const Kernels& avx512_kernels();
#endif

/// The internal diagonal V_i = sign * mult * 2^-shift as the vector kernels implement it
/// (additions for the small multiples, shifts for the powers of two). poseidon2.cpp checks at
/// compile time that this table equals the generated kPoseidon2InternalDiagV.
struct DiagEntry {
  int sign;
  int mult;
  int shift;
};
inline constexpr DiagEntry kInternalDiag[kPoseidon2Width] = {
    {-1, 2, 0}, {1, 1, 0}, {1, 2, 0}, {1, 1, 1}, {1, 3, 0},  {1, 4, 0},  {-1, 1, 1}, {-1, 3, 0},
    {-1, 4, 0}, {1, 1, 8}, {1, 1, 2}, {1, 1, 3}, {1, 1, 27}, {-1, 1, 8}, {-1, 1, 4}, {-1, 1, 27}};

}  // namespace stark::p2_kernels
