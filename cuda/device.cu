// Device discovery (placeholder until the kernels land; replaced by the CUDA layer).
#include <cuda_runtime.h>

#include "stark/cuda/device.hpp"
#include "stark/util/error.hpp"

namespace stark::cuda {

bool compiled() { return true; }

bool available() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

std::string describe() {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) return std::string("no usable CUDA device: ") + cudaGetErrorString(err);
  if (n == 0) return "no CUDA device";
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  return std::string(prop.name);
}

void poseidon2_permute(uint32_t*, size_t) { throw DeviceError("cuda poseidon2 not built"); }
void ntt(uint32_t*, size_t, size_t, bool) { throw DeviceError("cuda ntt not built"); }
void coset_lde_bitrev(const uint32_t*, size_t, size_t, uint32_t, uint32_t, uint32_t*) {
  throw DeviceError("cuda lde not built");
}
void hash_rows(const uint32_t*, size_t, size_t, uint32_t*) { throw DeviceError("cuda hash not built"); }

}  // namespace stark::cuda
