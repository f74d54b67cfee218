// The NTT / coset-LDE plan's device executor (nvcc only): one kernel per step of ntt.cuh's plan,
// queued on a stream. Shared by the host entry points of ntt.cu and the resident executor
// (resident_exec.cu); each translation unit gets its own copy of the kernels.
#pragma once

#include <cuda_runtime.h>

#include "ntt.cuh"
#include "runtime.cuh"

namespace stark::cuda {
namespace {

constexpr unsigned kNttBlock = 256;

__global__ void __launch_bounds__(kNttBlock) powers_kernel(uint32_t* out, uint64_t count, Fp base, Fp scale) {
  STARK_FOR_EACH_THREAD(i, count) { kernels::powers_body(out, i, base, scale); }
}

template <typename Idx>
__global__ void __launch_bounds__(kNttBlock) dif_kernel(uint32_t* data, Idx width, const uint32_t* tw,
                                                        uint32_t log_len, uint32_t tw_shift, uint64_t total) {
  STARK_FOR_EACH_THREAD(t, total) { kernels::dif_body<Idx>(data, width, tw, log_len, tw_shift, Idx(t)); }
}

template <typename Idx>
__global__ void __launch_bounds__(kNttBlock)
    gather_kernel(uint32_t* dst, const uint32_t* src, Idx src_rows, uint32_t log_src, Idx width,
                  const uint32_t* factors, Fp scale, uint64_t total) {
  STARK_FOR_EACH_THREAD(t, total) {
    kernels::gather_bitrev_body<Idx>(dst, src, src_rows, log_src, width, factors, scale, Idx(t));
  }
}

/// Launches each plan step as one kernel on `stream`; 32-bit index math when the matrix is small
/// enough.
struct NttDeviceExec {
  bool narrow;                    // every element index of the largest matrix fits in uint32_t
  cudaStream_t stream = nullptr;  // the legacy default stream unless given

  void powers(uint32_t* out, size_t count, Fp base, Fp scale) {
    if (count == 0) return;
    powers_kernel<<<detail::grid_for(count, kNttBlock), kNttBlock, 0, stream>>>(out, count, base, scale);
    STARK_CUDA_CHECK_LAUNCH();
  }

  void dif_layer(uint32_t* data, size_t rows, size_t width, const uint32_t* tw, uint32_t log_len,
                 uint32_t tw_shift) {
    const uint64_t total = uint64_t(rows / 2) * width;
    if (total == 0) return;
    const unsigned grid = detail::grid_for(total, kNttBlock);
    if (narrow)
      dif_kernel<uint32_t>
          <<<grid, kNttBlock, 0, stream>>>(data, uint32_t(width), tw, log_len, tw_shift, total);
    else
      dif_kernel<uint64_t>
          <<<grid, kNttBlock, 0, stream>>>(data, uint64_t(width), tw, log_len, tw_shift, total);
    STARK_CUDA_CHECK_LAUNCH();
  }

  void gather_bitrev(uint32_t* dst, size_t dst_rows, const uint32_t* src, size_t src_rows, uint32_t log_src,
                     size_t width, const uint32_t* factors, Fp scale) {
    const uint64_t total = uint64_t(dst_rows) * width;
    if (total == 0) return;
    const unsigned grid = detail::grid_for(total, kNttBlock);
    if (narrow)
      gather_kernel<uint32_t><<<grid, kNttBlock, 0, stream>>>(dst, src, uint32_t(src_rows), log_src,
                                                              uint32_t(width), factors, scale, total);
    else
      gather_kernel<uint64_t><<<grid, kNttBlock, 0, stream>>>(dst, src, uint64_t(src_rows), log_src,
                                                              uint64_t(width), factors, scale, total);
    STARK_CUDA_CHECK_LAUNCH();
  }
};

}  // namespace
}  // namespace stark::cuda
