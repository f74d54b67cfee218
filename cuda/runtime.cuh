// Host-side helpers of the CUDA launchers (nvcc only): error checking, device workspaces and
// flat grid-stride launches.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "stark/cuda/device.hpp"
#include "stark/util/error.hpp"

namespace stark::cuda::detail {

/// Throws DeviceError naming the call, its file and line, and the CUDA error. Clears the
/// runtime's last-error slot so a later cudaGetLastError() does not report this one again.
[[noreturn]] inline void fail(cudaError_t err, const char* expr, const char* file, int line) {
  (void)cudaGetLastError();
  throw DeviceError(std::string(file) + ":" + std::to_string(line) + ": " + expr +
                    " failed: " + cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")");
}

inline void check(cudaError_t err, const char* expr, const char* file, int line) {
  if (err != cudaSuccess) fail(err, expr, file, line);
}

/// Throws DeviceError with a clear message when no usable GPU is present.
inline void require_available(const char* op) {
  if (!available())
    throw DeviceError(std::string("stark::cuda::") + op + ": no usable CUDA device (" + describe() + ")");
}

/// a * b, or InputError when it does not fit in size_t.
inline size_t checked_mul(size_t a, size_t b, const char* what) {
  size_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw InputError(std::string(what) + ": size overflows");
  return r;
}

}  // namespace stark::cuda::detail

#define STARK_CUDA_CHECK(call) ::stark::cuda::detail::check((call), #call, __FILE__, __LINE__)
/// After a kernel launch: reports launch-configuration errors at the launch site.
#define STARK_CUDA_CHECK_LAUNCH() \
  ::stark::cuda::detail::check(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)

namespace stark::cuda::detail {

/// One device allocation carved into 256-byte aligned uint32 buffers. release() frees it with a
/// checked cudaFree on the success path; the destructor only frees what an exception left behind
/// (it cannot throw while another exception propagates, so that cudaFree's status is dropped —
/// the error being propagated is the one that matters).
class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() {
    if (base_ != nullptr) (void)cudaFree(base_);
  }

  /// Reserve `words` uint32 (before allocate()); returns the offset handle.
  size_t reserve(size_t words, const char* what) {
    const size_t at = bytes_;
    const size_t size = checked_mul(words, sizeof(uint32_t), what);
    const size_t padded = (size + 255) & ~size_t(255);
    if (padded < size || bytes_ + padded < bytes_) throw InputError(std::string(what) + ": size overflows");
    bytes_ += padded;
    return at;
  }
  void allocate() {
    if (bytes_ != 0) STARK_CUDA_CHECK(cudaMalloc(&base_, bytes_));
  }
  uint32_t* at(size_t handle) const {
    return reinterpret_cast<uint32_t*>(static_cast<unsigned char*>(base_) + handle);
  }
  void release() {
    void* p = base_;
    base_ = nullptr;
    if (p != nullptr) STARK_CUDA_CHECK(cudaFree(p));
  }

 private:
  void* base_ = nullptr;
  size_t bytes_ = 0;
};

inline void copy_to_device(uint32_t* dst, const uint32_t* src, size_t words) {
  if (words != 0) STARK_CUDA_CHECK(cudaMemcpy(dst, src, words * sizeof(uint32_t), cudaMemcpyHostToDevice));
}
/// Synchronizing copy back: also surfaces errors of the kernels queued before it.
inline void copy_to_host(uint32_t* dst, const uint32_t* src, size_t words) {
  if (words != 0) STARK_CUDA_CHECK(cudaMemcpy(dst, src, words * sizeof(uint32_t), cudaMemcpyDeviceToHost));
}

/// Grid for a flat launch of `total` threads, at most `max_blocks` blocks (kernels stride).
inline unsigned grid_for(uint64_t total, unsigned block, unsigned max_blocks = 1u << 20) {
  const uint64_t blocks = (total + block - 1) / block;
  return unsigned(blocks < max_blocks ? blocks : max_blocks);
}

}  // namespace stark::cuda::detail

#if defined(__CUDACC__)
/// Flat grid-stride loop over t in [0, total).
#define STARK_FOR_EACH_THREAD(t, total)                                           \
  for (uint64_t t = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x; t < (total); \
       t += uint64_t(gridDim.x) * blockDim.x)
#endif
