// NTT and coset-LDE kernels on the columns of row-major matrices. The steps (which layers, which
// twiddles, which gathers) are the shared plan in ntt.cuh; this file provides the executor that
// launches one kernel per step on the default stream, plus the host entry points.
#include <cuda_runtime.h>

#include <limits>
#include <string>

#include "ntt_exec.cuh"
#include "runtime.cuh"
#include "stark/cuda/device.hpp"

namespace stark::cuda {

namespace {

/// log2(height) for a power-of-two height <= 2^27, else InputError.
uint32_t checked_log_height(size_t height, const char* what) {
  if (height == 0 || (height & (height - 1)) != 0)
    throw InputError(std::string(what) + ": height " + std::to_string(height) + " is not a power of two");
  uint32_t k = 0;
  while ((size_t(1) << k) < height) ++k;
  if (k > TWO_ADICITY)
    throw InputError(std::string(what) + ": height 2^" + std::to_string(k) + " exceeds the two-adicity 2^" +
                     std::to_string(TWO_ADICITY));
  return k;
}

bool fits_u32(size_t elements) { return elements <= size_t(std::numeric_limits<uint32_t>::max()); }

}  // namespace

void ntt(uint32_t* data, size_t height, size_t width, bool inverse) {
  detail::require_available("ntt");
  const uint32_t log_n = checked_log_height(height, "stark::cuda::ntt");
  if (width == 0) return;
  if (data == nullptr) throw InputError("stark::cuda::ntt: null matrix");
  const size_t words = detail::checked_mul(height, width, "stark::cuda::ntt");
  detail::Workspace ws;
  const size_t ha = ws.reserve(words, "stark::cuda::ntt");
  const size_t hb = ws.reserve(words, "stark::cuda::ntt");
  const size_t ht = ws.reserve(kernels::twiddle_words(log_n), "stark::cuda::ntt");
  ws.allocate();
  detail::copy_to_device(ws.at(ha), data, words);
  NttDeviceExec ex{fits_u32(words)};
  kernels::plan::ntt(ex, ws.at(ha), ws.at(hb), ws.at(ht), log_n, width, inverse);
  detail::copy_to_host(data, ws.at(hb), words);
  ws.release();
}

void coset_lde_bitrev(const uint32_t* in, size_t height, size_t width, uint32_t log_blowup, uint32_t shift,
                      uint32_t* out) {
  detail::require_available("coset_lde_bitrev");
  const uint32_t log_n = checked_log_height(height, "stark::cuda::coset_lde_bitrev");
  if (log_blowup > TWO_ADICITY || log_n + log_blowup > TWO_ADICITY)
    throw InputError("stark::cuda::coset_lde_bitrev: log2(height) + log_blowup = " +
                     std::to_string(uint64_t(log_n) + log_blowup) + " exceeds the two-adicity " +
                     std::to_string(TWO_ADICITY));
  if (shift >= P)
    throw InputError("stark::cuda::coset_lde_bitrev: shift " + std::to_string(shift) + " is not canonical");
  if (width == 0) return;
  if (in == nullptr || out == nullptr) throw InputError("stark::cuda::coset_lde_bitrev: null matrix");
  const uint32_t log_big = log_n + log_blowup;
  const size_t big = size_t(1) << log_big;
  const size_t in_words = detail::checked_mul(height, width, "stark::cuda::coset_lde_bitrev");
  const size_t out_words = detail::checked_mul(big, width, "stark::cuda::coset_lde_bitrev");
  detail::Workspace ws;
  const size_t ha = ws.reserve(in_words, "stark::cuda::coset_lde_bitrev");
  const size_t hc = ws.reserve(out_words, "stark::cuda::coset_lde_bitrev");
  const size_t ht = ws.reserve(kernels::twiddle_words(log_big), "stark::cuda::coset_lde_bitrev");
  const size_t hf = ws.reserve(height, "stark::cuda::coset_lde_bitrev");
  ws.allocate();
  detail::copy_to_device(ws.at(ha), in, in_words);
  NttDeviceExec ex{fits_u32(out_words)};
  kernels::plan::coset_lde_bitrev(ex, ws.at(ha), ws.at(hc), ws.at(ht), ws.at(hf), log_n, log_blowup, width,
                                  Fp::from_canonical(shift));
  detail::copy_to_host(out, ws.at(hc), out_words);
  ws.release();
}

}  // namespace stark::cuda
