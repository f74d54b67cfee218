// Copies out of and checks on device memory that the caller owns (traces handed over as CuPy
// arrays or through __cuda_array_interface__), for host devices (copy_to_host) and for the CUDA
// device, which proves them in place (transfer.hpp).
#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "common/device_buffer.hpp"
#include "field.cuh"
#include "runtime.cuh"
#include "stark/cuda/device.hpp"
#include "stark/util/error.hpp"
#include "transfer.hpp"

namespace stark::cuda {

namespace {

constexpr unsigned kBlock = 256;

// best = min over the non-canonical indices (starts at count).
__global__ void first_non_canonical_kernel(const uint32_t* words, uint64_t count, unsigned long long* best) {
  STARK_FOR_EACH_THREAD(i, count) {
    if (words[i] >= P) atomicMin(best, static_cast<unsigned long long>(i));
  }
}

}  // namespace

void require_device_memory(const void* p, const std::string& what) {
  if (p == nullptr) throw InputError(what + ": null device pointer");
  cudaPointerAttributes attributes{};
  const cudaError_t err = cudaPointerGetAttributes(&attributes, p);
  if (err != cudaSuccess) (void)cudaGetLastError();
  if (err != cudaSuccess ||
      (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged))
    throw InputError(what + ": the pointer is not CUDA device memory of this process");
}

void copy_to_host(const void* device_src, size_t bytes, void* host_dst) {
  detail::require_available("copy_to_host");
  if (bytes == 0) return;
  if (device_src == nullptr) throw InputError("copy_to_host: null device pointer");
  require_device_memory(device_src, "copy_to_host");
  STARK_CUDA_CHECK(cudaMemcpy(host_dst, device_src, bytes, cudaMemcpyDeviceToHost));
}

uint64_t first_non_canonical(const uint32_t* d_words, uint64_t count, cudaStream_t stream, uint32_t* value) {
  if (count == 0) return 0;
  DeviceBuffer<unsigned long long> best(1, stream, "canonical check of a device trace");
  const unsigned long long init = count;
  STARK_CUDA_CHECK(cudaMemcpyAsync(best.data(), &init, sizeof init, cudaMemcpyHostToDevice, stream));
  first_non_canonical_kernel<<<detail::grid_for(count, kBlock, 1u << 16), kBlock, 0, stream>>>(d_words, count,
                                                                                               best.data());
  STARK_CUDA_CHECK_LAUNCH();
  unsigned long long found = count;
  download(&found, best.data(), sizeof found, stream, "the canonical check's result");
  if (found < count && value != nullptr)
    download(value, d_words + found, sizeof(uint32_t), stream, "a trace word");
  return found;
}

}  // namespace stark::cuda
