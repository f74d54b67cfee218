// Built only when the CUDA units are not (see cmake/Cuda.cmake).
#include <string>

#include "stark/cuda/device.hpp"
#include "stark/prover/device.hpp"
#include "stark/util/error.hpp"

namespace stark::cuda {

namespace {
[[noreturn]] void unavailable() {
  throw DeviceError(
      "stark_backend was built without CUDA support (no CUDA toolkit at build time, "
      "or STARK_CUDA=OFF); rebuild with a CUDA toolkit to use device='cuda'");
}
}  // namespace

bool compiled() { return false; }
bool available() { return false; }
std::string describe() { return "CUDA support not compiled in"; }
void poseidon2_permute(uint32_t*, size_t) { unavailable(); }
void ntt(uint32_t*, size_t, size_t, bool) { unavailable(); }
void coset_lde_bitrev(const uint32_t*, size_t, size_t, uint32_t, uint32_t, uint32_t*) { unavailable(); }
void hash_rows(const uint32_t*, size_t, size_t, uint32_t*) { unavailable(); }
uint64_t grind(const uint32_t*, size_t, uint32_t, uint64_t, uint32_t) { unavailable(); }
void copy_to_host(const void*, size_t, void*) { unavailable(); }
DeviceProperties device_properties() { unavailable(); }
double resident_bench(const std::string&, uint32_t, size_t, int) { unavailable(); }

}  // namespace stark::cuda

namespace stark {

// The registry's CUDA entry without the CUDA units: listed, never usable.
const ProverDevice& cuda_prover_device() { cuda::unavailable(); }

const ProverDeviceEntry& cuda_device_entry() {
  static const ProverDeviceEntry entry{"cuda", /*accelerator=*/true,
                                       [] { return "no usable CUDA GPU (" + cuda::describe() + ")"; },
                                       cuda_prover_device};
  return entry;
}

}  // namespace stark
