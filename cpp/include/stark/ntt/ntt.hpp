// Radix-2 NTT over BabyBear on the columns of row-major matrices, and coset low-degree
// extension (docs/protocol.md §4; stark_backend.primitives).
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
//
// Algorithms. Twiddles ω_{2h}^j are precomputed once per layer (shared, thread-safe cache) as
// canonical values with Shoup quotients floor(w 2^32 / p), so a product with canonical data is
// two 32x32 multiplications of each kind and one conditional subtraction; data stay canonical
// throughout. Forward transforms inside the LDE are decimation in frequency (natural in,
// bit-reversed out); inverse transforms and out-of-place NTTs are decimation in time on
// bit-reversed input, the permutation folded into the first gather. Layers are grouped into
// cache-sized passes: the large-stride layers run on strided groups of rows gathered into a
// buffer that fits in L2, the small-stride layers on contiguous blocks, two layers per sweep;
// large matrices are scattered back with streaming stores. The LDE never forms the zero-padded
// vector: in bit-reversed row order, block β (rows β n .. β n + n - 1) of the output is the
// size-n DFT of the coefficients c_j s_β^j with s_β = shift · ω_N^{rev_b(β)}, output
// bit-reversed; the coset powers and 1/n are one scaling per row, fused with the last inverse
// pass and the first forward pass. Results are identical for every thread count, SIMD level
// and blocking (field arithmetic is exact).
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/babybear.hpp"
#include "stark/field/matrix.hpp"

namespace stark {

/// In-place forward or inverse NTT of every column; height must be a power of two <= 2^27.
void ntt_batch(MatrixView m, bool inverse);

/// Out-of-place form: out = NTT(in) (or its inverse). Same shapes; in and out must not overlap.
void ntt_batch(ConstMatrixView in, MatrixView out, bool inverse);

/// In-place bit-reversal permutation of the rows.
void bit_reverse_rows(MatrixView m);

/// Coset LDE, natural order out. `out` has (in.height << log_blowup) rows and in.width columns.
void coset_lde(ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out);

/// Coset LDE, bit-reversed rows out (the layout committed by the PCS).
void coset_lde_bitrev(ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out);

/// General form used by the PCS (docs/protocol.md §4): `in` holds evaluations on in_shift * H_n;
/// out receives evaluations on out_shift * H_{n 2^b} in bit-reversed row order.
void coset_lde_bitrev_from_coset(ConstMatrixView in, Fp in_shift, uint32_t log_blowup, Fp out_shift,
                                 MatrixView out);

// Errors: a height that is not a power of two, log2(height) + log_blowup > 27, an output of the
// wrong shape, a zero shift, or overlapping input and output raise InputError naming the
// argument. Width 0 is valid (nothing to do).

/// Cache blocking knob: the number of 32-bit words one group of rows may occupy (default 2^16,
/// 256 KiB, half of a 512 KiB L2: the fused LDE pass keeps two such groups). Results never
/// depend on it; tests set tiny values to run the multi-pass code paths on small inputs. Not to
/// be changed while transforms are running.
void set_ntt_block_words(size_t words);
size_t ntt_block_words();

}  // namespace stark
