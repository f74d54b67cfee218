// Checks on device memory the caller owns (traces handed over as CuPy arrays or through
// __cuda_array_interface__ / DLPack), for the CUDA prover device (host-compilable).
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace stark::cuda {

/// InputError "<what>: the pointer is not CUDA device memory of this process" unless `p` is device
/// (or managed) memory; null is refused too.
void require_device_memory(const void* p, const std::string& what);

/// The smallest i < count with d_words[i] >= p (count when all are canonical), and that word in
/// *value: one reduction over the device array and one small copy back (synchronizes `stream`).
uint64_t first_non_canonical(const uint32_t* d_words, uint64_t count, cudaStream_t stream, uint32_t* value);

}  // namespace stark::cuda
