// Per-thread bodies of the PCS opening and FRI folding kernels (host- and device-compilable; see
// field.cuh). The math is cpp/src/fri/pcs_open.cpp's (docs/protocol.md §10), one element per
// thread; field arithmetic is exact, so any summation order gives the CPU's values.
//
// For the bucket of LDE height 2^h (every matrix whose LDE has 2^h rows):
//   x_r      = g·ω_h^{rev_h(r)}                 the LDE points in bit-reversed row order
//   inv_z[r] = 1/(z − x_r)                      per distinct opening point z of the bucket
// Opened value of column c of a matrix with trace height n at z:
//   y_c = scale_z · Σ_{r<n} x_r·inv_z[r]·L[r][c],   scale_z = (z^n − g^n)/(n·g^n)
// computed as weights w_z[r] = scale_z·x_r·inv_z[r], per-chunk column sums, then a sum of the
// chunks. Reduced opening, per row, for the matrix's points p (coefficient α^{e+p·w}, combined
// claim Σ_c α^c·y_{p,c}):
//   RO_h[r] += Σ_p coef_p · (claim_p − Σ_c α^c·L[r][c]) · inv_p[r]
// Fold of the codeword f (2m values, bit-reversed), x_i = ω_{2m}^{rev_m(i)}:
//   f'[i] = (f[2i] + f[2i+1])/2 + β·(f[2i] − f[2i+1])·(1/(2x_i))   (+ β²·RO_{log m}[i])
// with 1/(2x_i) read from the table (1/2)·ω_{2m}^{-j} at j = rev_m(i).
// Extension values in executor memory are Ext4 objects (4 Montgomery words).
#pragma once

#include "air_program.cuh"
#include "field.cuh"
#include "stark/field/extension.hpp"

namespace stark::cuda::kernels {

/// out[r] = g·ω^{rev_h(r)} (Montgomery word), ω of order 2^h.
STARK_HD void coset_point_bitrev_body(uint32_t* out, uint32_t log_h, Fp g, Fp omega, uint64_t r) {
  out[r] = (g * omega.pow(reverse_low_bits(uint32_t(r), log_h))).mont;
}

/// inv[r] = 1/(z − x_r); a zero denominator writes 0 and sets *zero_flag to 1.
STARK_HD void inverse_denominator_body(const uint32_t* points, const Ext4& z, uint64_t r, Ext4* inv,
                                       uint32_t* zero_flag) {
  const Ext4 d = z - Fp::from_mont(points[r]);
  if (d.is_zero()) *zero_flag = 1u;
  inv[r] = ext_inverse(d);
}

/// w[r] = scale · x_r · inv[r].
STARK_HD void opening_weight_body(const uint32_t* points, const Ext4* inv, const Ext4& scale, uint64_t r,
                                  Ext4* w) {
  w[r] = scale * (inv[r] * Fp::from_mont(points[r]));
}

/// Thread t = k·width + c: partial[t] = Σ w[r]·L[r][c] over the rows r of chunk k
/// ([k·chunk_rows, min((k + 1)·chunk_rows, rows))); L is row-major canonical.
STARK_HD void weighted_column_sum_body(const uint32_t* lde, uint64_t width, uint64_t rows,
                                       uint64_t chunk_rows, const Ext4* w, uint64_t t, Ext4* partial) {
  const uint64_t k = t / width, c = t - k * width;
  const uint64_t begin = k * chunk_rows;
  const uint64_t end = begin + chunk_rows < rows ? begin + chunk_rows : rows;
  Ext4 acc;
  for (uint64_t r = begin; r < end; ++r) acc += w[r] * load_canonical(lde[r * width + c]);
  partial[t] = acc;
}

/// out[t] = Σ_{k < chunks} partial[k·count + t].
STARK_HD void sum_chunks_body(const Ext4* partial, uint64_t chunks, uint64_t count, uint64_t t, Ext4* out) {
  Ext4 acc;
  for (uint64_t k = 0; k < chunks; ++k) acc += partial[k * count + t];
  out[t] = acc;
}

/// One opening point of a matrix in the reduced opening: its α-power coefficient, its combined
/// claim Σ_c α^c·y_c and the bucket's 1/(z − x) for its point (executor memory).
struct ReduceTerm {
  Ext4 coef;
  Ext4 claim;
  const Ext4* inv;
};

/// ro[r] += Σ_p terms[p].coef · (terms[p].claim − Σ_c α^c·L[r][c]) · terms[p].inv[r].
STARK_HD void reduce_row_body(const uint32_t* lde, uint64_t width, const Ext4* alpha_powers,
                              const ReduceTerm* terms, uint32_t num_terms, uint64_t r, Ext4* ro) {
  Ext4 combo;
  const uint32_t* row = lde + r * width;
  for (uint64_t c = 0; c < width; ++c) combo += alpha_powers[c] * load_canonical(row[c]);
  Ext4 acc;
  for (uint32_t p = 0; p < num_terms; ++p)
    acc += terms[p].coef * ((terms[p].claim - combo) * terms[p].inv[r]);
  ro[r] += acc;
}

/// out[i] = fold of (f[2i], f[2i+1]) with β, plus β²·roll_in[i] when roll_in is not null.
STARK_HD void fold_body(const Ext4* f, Ext4* out, const Ext4& beta, Fp half, const uint32_t* half_inv_powers,
                        uint32_t log_m, const Ext4* roll_in, const Ext4& beta_sq, uint64_t i) {
  const Ext4 lo = f[2 * i], hi = f[2 * i + 1];
  const Fp inv_2x = Fp::from_mont(half_inv_powers[reverse_low_bits(uint32_t(i), log_m)]);
  Ext4 v = (lo + hi) * half + beta * ((lo - hi) * inv_2x);
  if (roll_in != nullptr) v += beta_sq * roll_in[i];
  out[i] = v;
}

/// out[4i .. 4i + 4) = the canonical words of f[i] (a layer's leaves: pair i is row i of 8 words).
STARK_HD void canonical_words_body(const Ext4* f, uint64_t i, uint32_t* out) {
  f[i].to_canonical(out + 4 * i);
}

}  // namespace stark::cuda::kernels
