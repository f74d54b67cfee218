// Per-thread bodies of the NTT / LDE kernels and the order in which they run (host- and
// device-compilable; see field.cuh).
//
// Data is a row-major height x width matrix of canonical values, transformed along its columns.
// One radix-2 kernel is used everywhere: a decimation-in-frequency (Gentleman–Sande) layer,
//     u = a[i0], v = a[i1];  a[i0] = u + v;  a[i1] = (u - v) * ω_len^j
// with i0 = block*len + j, i1 = i0 + len/2, run for len = M, M/2, ..., 2. On natural-order input
// it produces the DFT X[k] = Σ_i a_i ω_M^{ik} in bit-reversed order: position r holds X[rev(r)].
// A gather kernel then writes dst[r] = src[rev(r)] * factor(r) (zero for r past the source), so
//   forward NTT:   DIF(ω_n)      ; gather with factor 1                    -> natural evaluations
//   inverse NTT:   DIF(ω_n^{-1}) ; gather with factor 1/n                  -> natural coefficients
//   coset LDE:     DIF(ω_n^{-1}) ; gather into N = n·2^b rows with factor shift^r / n, zero rows
//                  past n (coefficients of P(shift·y), zero-padded) ; DIF(ω_N)
//                  -> row r = P(shift · ω_N^{rev_{log N}(r)}), the bit-reversed commitment layout.
// Twiddles: tw[j] = root^j (Montgomery form) for j < M/2; layer len uses ω_len^j = tw[j << (log M -
// log len)]. Bulk values stay canonical: canonical x times a Montgomery constant is canonical x·c.
//
// Each body handles one thread index t of a flat launch; `Idx` is uint32_t when the matrix has
// fewer than 2^32 elements (cheap division by width) and uint64_t otherwise.
#pragma once

#include "field.cuh"

namespace stark::cuda::kernels {

/// out[i] = scale * base^i (Montgomery words).
STARK_HD void powers_body(uint32_t* out, uint64_t i, Fp base, Fp scale) {
  out[i] = (scale * base.pow(i)).mont;
}

/// One DIF butterfly of layer `log_len` on column (t mod width), butterfly (t div width);
/// `t < (rows / 2) * width`.
template <typename Idx>
STARK_HD void dif_body(uint32_t* data, Idx width, const uint32_t* tw, uint32_t log_len, uint32_t tw_shift,
                       Idx t) {
  const Idx b = t / width;
  const Idx c = t - b * width;
  const uint32_t log_half = log_len - 1;
  const Idx half = Idx(1) << log_half;
  const Idx j = b & (half - 1);
  const Idx i0 = ((b >> log_half) << log_len) + j;
  uint32_t* p0 = data + (i0 * width + c);
  uint32_t* p1 = p0 + half * width;
  const uint32_t u = *p0;
  const uint32_t v = *p1;
  *p0 = detail::add_mod(u, v);
  *p1 = mul_canonical(detail::sub_mod(u, v), tw[j << tw_shift]);
}

/// dst row r (r < dst_rows) = src row rev_{log_src}(r) times factors[r] (or `scale` when
/// factors is null) for r < src_rows, zero after; `t < dst_rows * width`.
template <typename Idx>
STARK_HD void gather_bitrev_body(uint32_t* dst, const uint32_t* src, Idx src_rows, uint32_t log_src,
                                 Idx width, const uint32_t* factors, Fp scale, Idx t) {
  const Idx r = t / width;
  const Idx c = t - r * width;
  uint32_t v = 0;
  if (r < src_rows) {
    const Idx sr = reverse_low_bits(uint32_t(r), log_src);
    const uint32_t f = factors != nullptr ? factors[r] : scale.mont;
    v = mul_canonical(src[sr * width + c], f);
  }
  dst[t] = v;
}

/// Words of twiddle storage a transform of 2^log_m rows needs.
inline size_t twiddle_words(uint32_t log_m) { return log_m == 0 ? 0 : size_t(1) << (log_m - 1); }

/// The transforms as sequences of kernel steps, written once for two executors: the CUDA
/// launcher (ntt.cu) and the CPU emulation in the tests. An executor provides
///   powers(out, count, base, scale)                       out[i] = scale * base^i, i < count
///   dif_layer(data, rows, width, tw, log_len, tw_shift)   one DIF layer over all columns
///   gather_bitrev(dst, dst_rows, src, src_rows, log_src, width, factors, scale)
/// and runs the steps in order (a CUDA stream does). Buffers are executor memory.
namespace plan {

template <class Exec>
void dif(Exec& ex, uint32_t* data, uint32_t log_rows, size_t width, uint32_t* tw, Fp root) {
  if (log_rows == 0) return;
  ex.powers(tw, twiddle_words(log_rows), root, Fp::one());
  for (uint32_t log_len = log_rows; log_len >= 1; --log_len)
    ex.dif_layer(data, size_t(1) << log_rows, width, tw, log_len, log_rows - log_len);
}

/// `a` (2^log_n x width, natural order) is clobbered; the result lands in `out` (same shape).
/// `tw` holds twiddle_words(log_n) words.
template <class Exec>
void ntt(Exec& ex, uint32_t* a, uint32_t* out, uint32_t* tw, uint32_t log_n, size_t width, bool inverse) {
  const Fp omega = two_adic_generator(log_n);
  dif(ex, a, log_n, width, tw, inverse ? omega.inverse() : omega);
  const size_t n = size_t(1) << log_n;
  const Fp scale = inverse ? Fp::from_u64(n).inverse() : Fp::one();
  ex.gather_bitrev(out, n, a, n, log_n, width, static_cast<const uint32_t*>(nullptr), scale);
}

/// `a` (2^log_n x width evaluations on H_n) is clobbered; `out` receives the 2^(log_n+log_blowup)
/// x width LDE on shift·H_N in bit-reversed row order. `tw` holds twiddle_words(log_n+log_blowup)
/// words, `factors` 2^log_n words.
template <class Exec>
void coset_lde_bitrev(Exec& ex, uint32_t* a, uint32_t* out, uint32_t* tw, uint32_t* factors, uint32_t log_n,
                      uint32_t log_blowup, size_t width, Fp shift) {
  const size_t n = size_t(1) << log_n;
  const uint32_t log_big = log_n + log_blowup;
  dif(ex, a, log_n, width, tw, two_adic_generator(log_n).inverse());  // n * coefficients, bit-reversed
  ex.powers(factors, n, shift, Fp::from_u64(n).inverse());            // shift^j / n
  ex.gather_bitrev(out, size_t(1) << log_big, a, n, log_n, width, static_cast<const uint32_t*>(factors),
                   Fp::one());
  dif(ex, out, log_big, width, tw, two_adic_generator(log_big));
}

}  // namespace plan

}  // namespace stark::cuda::kernels
