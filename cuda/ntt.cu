// NTT and coset-LDE kernels on the columns of row-major matrices. The steps (which layers, which
// twiddles, which gathers) are the shared plan in ntt.cuh; this file provides the executor that
// launches one kernel per step on the default stream, plus the host entry points.
#include <cuda_runtime.h>

#include <limits>
#include <string>

#include "ntt.cuh"
#include "runtime.cuh"
#include "stark/cuda/device.hpp"

namespace stark::cuda {

namespace {

constexpr unsigned kBlock = 256;

__global__ void __launch_bounds__(kBlock) powers_kernel(uint32_t* out, uint64_t count, Fp base, Fp scale) {
  STARK_FOR_EACH_THREAD(i, count) { kernels::powers_body(out, i, base, scale); }
}

template <typename Idx>
__global__ void __launch_bounds__(kBlock) dif_kernel(uint32_t* data, Idx width, const uint32_t* tw,
                                                     uint32_t log_len, uint32_t tw_shift, uint64_t total) {
  STARK_FOR_EACH_THREAD(t, total) { kernels::dif_body<Idx>(data, width, tw, log_len, tw_shift, Idx(t)); }
}

template <typename Idx>
__global__ void __launch_bounds__(kBlock)
    gather_kernel(uint32_t* dst, const uint32_t* src, Idx src_rows, uint32_t log_src, Idx width,
                  const uint32_t* factors, Fp scale, uint64_t total) {
  STARK_FOR_EACH_THREAD(t, total) {
    kernels::gather_bitrev_body<Idx>(dst, src, src_rows, log_src, width, factors, scale, Idx(t));
  }
}

/// Launches each plan step as one kernel; 32-bit index math when the matrix is small enough.
struct DeviceExec {
  bool narrow;  // every element index of the largest matrix fits in uint32_t

  void powers(uint32_t* out, size_t count, Fp base, Fp scale) {
    if (count == 0) return;
    powers_kernel<<<detail::grid_for(count, kBlock), kBlock>>>(out, count, base, scale);
    STARK_CUDA_CHECK_LAUNCH();
  }

  void dif_layer(uint32_t* data, size_t rows, size_t width, const uint32_t* tw, uint32_t log_len,
                 uint32_t tw_shift) {
    const uint64_t total = uint64_t(rows / 2) * width;
    if (total == 0) return;
    const unsigned grid = detail::grid_for(total, kBlock);
    if (narrow)
      dif_kernel<uint32_t><<<grid, kBlock>>>(data, uint32_t(width), tw, log_len, tw_shift, total);
    else
      dif_kernel<uint64_t><<<grid, kBlock>>>(data, uint64_t(width), tw, log_len, tw_shift, total);
    STARK_CUDA_CHECK_LAUNCH();
  }

  void gather_bitrev(uint32_t* dst, size_t dst_rows, const uint32_t* src, size_t src_rows, uint32_t log_src,
                     size_t width, const uint32_t* factors, Fp scale) {
    const uint64_t total = uint64_t(dst_rows) * width;
    if (total == 0) return;
    const unsigned grid = detail::grid_for(total, kBlock);
    if (narrow)
      gather_kernel<uint32_t>
          <<<grid, kBlock>>>(dst, src, uint32_t(src_rows), log_src, uint32_t(width), factors, scale, total);
    else
      gather_kernel<uint64_t>
          <<<grid, kBlock>>>(dst, src, uint64_t(src_rows), log_src, uint64_t(width), factors, scale, total);
    STARK_CUDA_CHECK_LAUNCH();
  }
};

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
  DeviceExec ex{fits_u32(words)};
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
  DeviceExec ex{fits_u32(out_words)};
  kernels::plan::coset_lde_bitrev(ex, ws.at(ha), ws.at(hc), ws.at(ht), ws.at(hf), log_n, log_blowup, width,
                                  Fp::from_canonical(shift));
  detail::copy_to_host(out, ws.at(hc), out_words);
  ws.release();
}

}  // namespace stark::cuda
