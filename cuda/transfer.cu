// Copies out of device memory that the caller owns (traces handed over as CuPy arrays or through
// __cuda_array_interface__), for devices that prove on the host.
#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "runtime.cuh"
#include "stark/cuda/device.hpp"
#include "stark/util/error.hpp"

namespace stark::cuda {

void copy_to_host(const void* device_src, size_t bytes, void* host_dst) {
  detail::require_available("copy_to_host");
  if (bytes == 0) return;
  if (device_src == nullptr) throw InputError("copy_to_host: null device pointer");
  cudaPointerAttributes attributes{};
  STARK_CUDA_CHECK(cudaPointerGetAttributes(&attributes, device_src));
  if (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged)
    throw InputError("copy_to_host: the pointer is not CUDA device memory");
  STARK_CUDA_CHECK(cudaMemcpy(host_dst, device_src, bytes, cudaMemcpyDeviceToHost));
}

}  // namespace stark::cuda
