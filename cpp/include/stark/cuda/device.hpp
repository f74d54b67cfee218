// The CUDA device seam. When the project is built without the CUDA units (STARK_CUDA=OFF or
// no toolkit), cpp/src/cuda_stub provides these functions: cuda_available() is false and every
// other entry point throws DeviceError. With CUDA, cuda/ implements them; a run-time check of
// the driver still decides availability, so the same wheel works on machines without a GPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace stark::cuda {

/// True if the CUDA units were compiled in.
bool compiled();
/// True if compiled in and a usable GPU is present.
bool available();
/// Human-readable description of the device (or why none is usable).
std::string describe();

/// Batched Poseidon2 permutations on the GPU: `states` is n x 16 canonical, permuted in place.
void poseidon2_permute(uint32_t* states, size_t n);

/// Forward (or inverse) NTT along the columns of a row-major height x width canonical matrix,
/// natural order in and out, in place (same convention as stark::ntt).
void ntt(uint32_t* data, size_t height, size_t width, bool inverse);

/// Coset LDE with bit-reversed output rows (as stark::coset_lde_bitrev): `in` is height x width
/// evaluations on the order-height subgroup; `out` is (height << log_blowup) x width.
void coset_lde_bitrev(const uint32_t* in, size_t height, size_t width, uint32_t log_blowup, uint32_t shift,
                      uint32_t* out);

/// Proof-of-work search with stark::Poseidon2::grind_range's contract: the smallest i < count
/// such that the low `bits` bits of Perm(s)[7] are zero, s = `base` (16 canonical words) with
/// s[slot] = first + i; `count` if none passes. first + count <= p.
uint64_t grind(const uint32_t base[16], size_t slot, uint32_t first, uint64_t count, uint32_t bits);

/// Hashes every row of a row-major height x width matrix with the padding-free sponge,
/// writing height x 8 digests.
void hash_rows(const uint32_t* data, size_t height, size_t width, uint32_t* digests);

/// Copies `bytes` bytes from CUDA device memory at `device_src` (a device pointer of the current
/// device, e.g. a CuPy array's data) to host memory. InputError when `device_src` is not device
/// memory; DeviceError for a CUDA failure.
void copy_to_host(const void* device_src, size_t bytes, void* host_dst);

/// What the bench reports of the current device (DeviceError without one).
struct DeviceProperties {
  std::string name;
  std::string compute_capability;  // "9.0"
  size_t total_memory_bytes = 0;
  int multiprocessors = 0;
  double memory_bandwidth_bytes_per_s = 0;  // peak: 2 · memory clock · bus width
};
DeviceProperties device_properties();

/// Median seconds of `repeats` runs (after one warm-up) of a kernel with its data already on the
/// device: kind "poseidon2" (2^log_height permutations), "lde" (blowup-2 coset LDE of
/// 2^log_height × width) or "merkle" (the tree of 2^log_height × width). InputError for an
/// unknown kind or bad sizes; DeviceError without a GPU.
double resident_bench(const std::string& kind, uint32_t log_height, size_t width, int repeats);

}  // namespace stark::cuda
