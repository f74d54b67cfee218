// Kernels timed with their data already on the device, for `python -m stark_backend bench
// --device cuda` (host-compilable declarations; bench.cu).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace stark::cuda {

/// n Poseidon2 permutations of the n × 16 canonical states at d_states, in place, on `stream`.
void poseidon2_permute_on_device(uint32_t* d_states, size_t n, cudaStream_t stream);

}  // namespace stark::cuda
