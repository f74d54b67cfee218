// Radix-2 NTT over BabyBear on the columns of row-major matrices, and coset low-degree
// extension (PROTOCOL.md §4, DESIGN.md primitives).
//
// Conventions: a height-n column holds either coefficients c_0..c_{n-1} or evaluations at
// ω^0..ω^{n-1} (natural order) with ω = two_adic_generator(log2 n). The forward transform maps
// coefficients to evaluations, the inverse maps back (including the 1/n factor).
// coset_lde: evaluations on H_n -> evaluations of the same degree-<n polynomials on
// shift * H_{n 2^b}; the *_bitrev variant writes row r at position rev_{log N}(r) (the
// commitment layout: LDE row r is the evaluation at shift * ω_N^{rev(r)}).
//
// All data is canonical uint32; work is vectorized across columns (rows are contiguous) and
// multi-threaded; the SIMD level is chosen at run time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/babybear.hpp"
#include "stark/field/matrix.hpp"

namespace stark {

/// In-place forward or inverse NTT of every column; height must be a power of two <= 2^27.
void ntt_batch(MatrixView m, bool inverse);

/// In-place bit-reversal permutation of the rows.
void bit_reverse_rows(MatrixView m);

/// Coset LDE, natural order out. `out` has (in.height << log_blowup) rows and in.width columns.
void coset_lde(ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out);

/// Coset LDE, bit-reversed rows out (the layout committed by the PCS).
void coset_lde_bitrev(ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out);

/// General form used by the PCS (PROTOCOL §4): `in` holds evaluations on in_shift * H_n;
/// out receives evaluations on out_shift * H_{n 2^b} in bit-reversed row order.
void coset_lde_bitrev_from_coset(ConstMatrixView in, Fp in_shift, uint32_t log_blowup, Fp out_shift,
                                 MatrixView out);

}  // namespace stark
