// Temporary device memory of the constraint-program launchers (logup.cu, quotient.cu), in one
// place so that a stream-ordered pool can replace it (nvcc only). A StreamScratch is the caller's
// DeviceScratch when that is large enough and 256-byte aligned, else a cudaMallocAsync on the
// launch stream, freed with cudaFreeAsync on the same stream after the kernels that use it were
// queued: stream order keeps the memory alive until they have run, and nothing synchronizes.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "device_scratch.hpp"
#include "runtime.cuh"

namespace stark::cuda::detail {

class StreamScratch {
 public:
  StreamScratch(DeviceScratch caller, size_t bytes, cudaStream_t stream, const char* who) : stream_(stream) {
    if (bytes == 0) return;
    if (caller.data != nullptr && caller.bytes >= bytes &&
        reinterpret_cast<uintptr_t>(caller.data) % 256 == 0) {
      data_ = caller.data;
      return;
    }
    const cudaError_t err = cudaMallocAsync(&owned_, bytes, stream);
    if (err == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      size_t free_bytes = 0, total_bytes = 0;
      (void)cudaMemGetInfo(&free_bytes, &total_bytes);
      (void)cudaGetLastError();
      throw DeviceError(std::string(who) + ": out of device memory: asked for " + std::to_string(bytes) +
                        " bytes of scratch, " + std::to_string(free_bytes) + " of " +
                        std::to_string(total_bytes) + " bytes free");
    }
    check(err, "cudaMallocAsync", __FILE__, __LINE__);
    data_ = owned_;
  }
  StreamScratch(const StreamScratch&) = delete;
  StreamScratch& operator=(const StreamScratch&) = delete;
  /// Frees on the stream; a failure here is dropped (an exception may be propagating).
  ~StreamScratch() {
    if (owned_ != nullptr) (void)cudaFreeAsync(owned_, stream_);
  }

  uint32_t* words() const { return static_cast<uint32_t*>(data_); }

  /// The checked free of the success path (after the last kernel using the memory is queued).
  void release() {
    void* p = owned_;
    owned_ = nullptr;
    if (p != nullptr) STARK_CUDA_CHECK(cudaFreeAsync(p, stream_));
  }

 private:
  cudaStream_t stream_;
  void* data_ = nullptr;
  void* owned_ = nullptr;
};

}  // namespace stark::cuda::detail
