// Poseidon2 kernels: batched permutations and row hashing (padding-free sponge), one thread per
// state / row. The per-thread math is in poseidon2.cuh (shared with the CPU emulation tests);
// this file holds the kernels and their host launchers.
#include <cuda_runtime.h>

#include <algorithm>
#include <limits>
#include <string>

#include "poseidon2.cuh"
#include "runtime.cuh"
#include "stark/cuda/device.hpp"

namespace stark::cuda {

namespace {

using kernels::kDigest;
using kernels::kWidth;
using kernels::Poseidon2Constants;

__constant__ Poseidon2Constants c_poseidon2 = kernels::make_poseidon2_constants();

constexpr unsigned kBlock = 128;

// States are 64-byte records in a cudaMalloc'd (256-byte aligned) buffer: four 16-byte loads.
__global__ void __launch_bounds__(kBlock) permute_kernel(uint32_t* states, uint64_t n) {
  STARK_FOR_EACH_THREAD(i, n) {
    uint4* rec = reinterpret_cast<uint4*>(states + i * kWidth);
    uint32_t s[kWidth];
    STARK_UNROLL
    for (int q = 0; q < kWidth / 4; ++q) {
      const uint4 v = rec[q];
      s[4 * q] = v.x;
      s[4 * q + 1] = v.y;
      s[4 * q + 2] = v.z;
      s[4 * q + 3] = v.w;
    }
    kernels::permute_canonical(s, c_poseidon2);
    STARK_UNROLL
    for (int q = 0; q < kWidth / 4; ++q)
      rec[q] = make_uint4(s[4 * q], s[4 * q + 1], s[4 * q + 2], s[4 * q + 3]);
  }
}

// One thread per row, no grid-stride loop (the grid covers every row): cicc 13.0 crashes on the
// sponge's block loop nested inside a grid-stride loop.
__global__ void __launch_bounds__(kBlock)
    hash_rows_kernel(const uint32_t* data, uint64_t height, uint64_t width, uint32_t* digests) {
  const uint64_t r = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r < height) kernels::sponge_row(data + r * width, width, digests + r * kDigest, c_poseidon2);
}

struct GrindTemplate {
  uint32_t words[kWidth];
};

// Proof-of-work search over candidates first + i, i < count: each thread walks its indices in
// increasing order and stops at its first hit or once a smaller hit is known; atomicMin keeps
// the smallest. `best` starts at count.
__global__ void __launch_bounds__(kBlock)
    grind_kernel(GrindTemplate base, uint32_t slot, uint32_t first, uint64_t count, uint32_t mask,
                 unsigned long long* best) {
  STARK_FOR_EACH_THREAD(i, count) {
    if (i >= *reinterpret_cast<volatile unsigned long long*>(best)) return;
    uint32_t s[kWidth];
    STARK_UNROLL
    for (int j = 0; j < kWidth; ++j) s[j] = base.words[j];
    // A select rather than an indexed store keeps s in registers.
    STARK_UNROLL
    for (int j = 0; j < kWidth; ++j) s[j] = uint32_t(j) == slot ? uint32_t(first + i) : s[j];
    kernels::permute_canonical(s, c_poseidon2);
    if ((s[7] & mask) == 0) {
      atomicMin(best, static_cast<unsigned long long>(i));
      return;
    }
  }
}

}  // namespace

uint64_t grind(const uint32_t base[kWidth], size_t slot, uint32_t first, uint64_t count, uint32_t bits) {
  detail::require_available("grind");
  if (slot >= kWidth) throw InputError("stark::cuda::grind: slot " + std::to_string(slot) + " is not < 16");
  if (bits == 0 || bits > 30)
    throw InputError("stark::cuda::grind: bits " + std::to_string(bits) + " outside [1, 30]");
  if (uint64_t(first) + count > uint64_t(constants::kBabyBearP))
    throw InputError("stark::cuda::grind: candidates run past p");
  GrindTemplate t;
  for (int j = 0; j < kWidth; ++j) {
    if (base[j] >= constants::kBabyBearP)
      throw InputError("stark::cuda::grind: base word " + std::to_string(base[j]) + " is not < p");
    t.words[j] = base[j];
  }
  unsigned long long* best = nullptr;
  STARK_CUDA_CHECK(cudaMalloc(&best, sizeof(unsigned long long)));
  uint64_t result = count;
  try {
    // Ascending batches: the first batch with a hit holds the smallest passing candidate.
    // About 2^bits candidates are expected; a batch is a few times that (at least a full grid).
    const uint64_t batch = std::max<uint64_t>(uint64_t(1) << 22, uint64_t(4) << bits);
    for (uint64_t start = 0; start < count && result == count; start += batch) {
      const uint64_t n = std::min(batch, count - start);
      const unsigned long long init = n;
      STARK_CUDA_CHECK(cudaMemcpy(best, &init, sizeof(init), cudaMemcpyHostToDevice));
      grind_kernel<<<detail::grid_for(n, kBlock, 1u << 14), kBlock>>>(
          t, uint32_t(slot), uint32_t(first + start), n, (uint32_t(1) << bits) - 1, best);
      STARK_CUDA_CHECK_LAUNCH();
      unsigned long long found = 0;
      STARK_CUDA_CHECK(cudaMemcpy(&found, best, sizeof(found), cudaMemcpyDeviceToHost));
      if (found < n) result = start + found;
    }
  } catch (...) {
    (void)cudaFree(best);
    throw;
  }
  STARK_CUDA_CHECK(cudaFree(best));
  return result;
}

void poseidon2_permute(uint32_t* states, size_t n) {
  detail::require_available("poseidon2_permute");
  if (n == 0) return;
  if (states == nullptr) throw InputError("stark::cuda::poseidon2_permute: null states");
  const size_t words = detail::checked_mul(n, kWidth, "stark::cuda::poseidon2_permute");
  detail::Workspace ws;
  const size_t h = ws.reserve(words, "stark::cuda::poseidon2_permute");
  ws.allocate();
  uint32_t* d = ws.at(h);
  detail::copy_to_device(d, states, words);
  permute_kernel<<<detail::grid_for(n, kBlock), kBlock>>>(d, n);
  STARK_CUDA_CHECK_LAUNCH();
  detail::copy_to_host(states, d, words);
  ws.release();
}

void poseidon2_permute_on_device(uint32_t* d_states, size_t n, cudaStream_t stream) {
  if (n == 0) return;
  permute_kernel<<<detail::grid_for(n, kBlock), kBlock, 0, stream>>>(d_states, n);
  STARK_CUDA_CHECK_LAUNCH();
}

void hash_rows(const uint32_t* data, size_t height, size_t width, uint32_t* digests) {
  detail::require_available("hash_rows");
  if (height == 0) return;
  if (digests == nullptr || (width != 0 && data == nullptr))
    throw InputError("stark::cuda::hash_rows: null matrix or digest buffer");
  const size_t in_words = detail::checked_mul(height, width, "stark::cuda::hash_rows");
  const size_t out_words = detail::checked_mul(height, kDigest, "stark::cuda::hash_rows");
  detail::Workspace ws;
  const size_t hin = ws.reserve(in_words, "stark::cuda::hash_rows");
  const size_t hout = ws.reserve(out_words, "stark::cuda::hash_rows");
  ws.allocate();
  uint32_t* din = ws.at(hin);
  uint32_t* dout = ws.at(hout);
  detail::copy_to_device(din, data, in_words);
  const uint64_t blocks = (uint64_t(height) + kBlock - 1) / kBlock;
  if (blocks > uint64_t(std::numeric_limits<int>::max()))
    throw InputError("stark::cuda::hash_rows: height " + std::to_string(height) + " is too large");
  hash_rows_kernel<<<unsigned(blocks), kBlock>>>(din, height, width, dout);
  STARK_CUDA_CHECK_LAUNCH();
  detail::copy_to_host(digests, dout, out_words);
  ws.release();
}

}  // namespace stark::cuda
