// BabyBear arithmetic shared by the host and the CUDA kernels.
//
// The kernels use exactly the CPU field type, stark::Fp (cpp/include/stark/field/babybear.hpp):
// its functions are constexpr, and the CUDA units are compiled with --expt-relaxed-constexpr
// (cmake/Cuda.cmake), which makes constexpr functions callable from device code. So the device
// Montgomery multiplication, addition and reduction are the same source as the CPU ones.
//
// This header, and the kernel-body headers built on it (poseidon2.cuh, ntt.cuh), are plain C++
// when read by a host compiler: every per-thread body is a STARK_HD function, so the C++ tests
// run the very code of each kernel on the CPU (tests/cpp/test_cuda_kernels_host.cpp) — the part of
// the CUDA layer that can be checked on a machine without a GPU.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stark/field/babybear.hpp"

#if defined(__CUDACC__)
#define STARK_HD __host__ __device__ __forceinline__
#define STARK_UNROLL _Pragma("unroll")
#else
#define STARK_HD inline
#define STARK_UNROLL
#endif

namespace stark::cuda::kernels {

/// Canonical value -> Fp (Montgomery form inside).
STARK_HD Fp load_canonical(uint32_t x) { return Fp::from_canonical(x); }

/// x * c for canonical x and c held in Montgomery form: the canonical product (see babybear.hpp).
STARK_HD uint32_t mul_canonical(uint32_t x, uint32_t c_mont) {
  return detail::monty_reduce(uint64_t(x) * c_mont);
}

/// The low `bits` bits of x reversed (bits <= 32; rev_0(x) = 0).
STARK_HD uint32_t reverse_low_bits(uint32_t x, uint32_t bits) {
  if (bits == 0) return 0;
#if defined(__CUDA_ARCH__)
  return __brev(x) >> (32u - bits);
#else
  uint32_t r = 0;
  for (uint32_t b = 0; b < bits; ++b) r |= ((x >> b) & 1u) << (bits - 1 - b);
  return r;
#endif
}

}  // namespace stark::cuda::kernels
