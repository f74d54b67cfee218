// The quotient kernels: one thread per quotient-domain point runs the device constraint program
// (quotient.cuh); a second kernel splits natural-order values into the q chunk matrices. The host
// entry is quotient.hpp.
#include <cuda_runtime.h>

#include <string>

#include "quotient.cuh"
#include "runtime.cuh"
#include "scratch.cuh"

namespace stark::cuda {

namespace {

constexpr unsigned kBlock = 256;

// Thread `lane` of the grid owns arena lane `lane`; the grid has exactly `lanes` threads.
__global__ void __launch_bounds__(kBlock)
    quotient_kernel(kernels::QuotientProgramView program, kernels::MatrixSet mats, uint32_t* scratch,
                    uint64_t lanes, uint64_t points, uint32_t* out, bool chunked) {
  const uint64_t lane = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const kernels::StridedArena ar{scratch + lane, lanes};
  STARK_FOR_EACH_THREAD(i, points) { kernels::quotient_point_body(program, mats, ar, i, out, chunked); }
}

__global__ void __launch_bounds__(kBlock)
    quotient_chunk_kernel(const uint32_t* values, uint32_t log_height, uint32_t log_q, uint32_t* chunks,
                          uint64_t points) {
  STARK_FOR_EACH_THREAD(i, points) { kernels::quotient_chunk_body(values, log_height, log_q, chunks, i); }
}

}  // namespace

void launch_quotient(const kernels::QuotientProgramView& program, const kernels::MatrixSet& mats,
                     uint32_t* out, bool chunked, DeviceScratch scratch, CUstream_st* stream) {
  const char* who = "stark::cuda::launch_quotient";
  detail::require_available("launch_quotient");
  if (program.program.words == nullptr || out == nullptr)
    throw InputError(std::string(who) + ": null program or output");
  if (mats.count > kernels::kMaxMatrices) throw InputError(std::string(who) + ": too many matrices");
  if (program.q.domain_bits > TWO_ADICITY)
    throw InputError(std::string(who) + ": quotient domain exceeds the two-adicity");
  const uint64_t points = uint64_t(1) << program.q.domain_bits;
  const uint64_t lanes = quotient_lanes(program);
  if (lanes == 0 || lanes % kBlock != 0)
    throw InputError(std::string(who) + ": arena lanes are not whole blocks");
  detail::StreamScratch arena(scratch, quotient_scratch_bytes(program), stream, who);
  quotient_kernel<<<unsigned(lanes / kBlock), kBlock, 0, stream>>>(program, mats, arena.words(), lanes,
                                                                   points, out, chunked);
  STARK_CUDA_CHECK_LAUNCH();
  arena.release();
}

void launch_quotient_chunks(const uint32_t* values, uint32_t log_height, uint32_t log_q, uint32_t* chunks,
                            CUstream_st* stream) {
  detail::require_available("launch_quotient_chunks");
  if (values == nullptr || chunks == nullptr)
    throw InputError("stark::cuda::launch_quotient_chunks: null buffer");
  if (log_height + log_q > TWO_ADICITY)
    throw InputError("stark::cuda::launch_quotient_chunks: quotient domain exceeds the two-adicity");
  const uint64_t points = uint64_t(1) << (log_height + log_q);
  quotient_chunk_kernel<<<detail::grid_for(points, kBlock), kBlock, 0, stream>>>(values, log_height, log_q,
                                                                                 chunks, points);
  STARK_CUDA_CHECK_LAUNCH();
}

}  // namespace stark::cuda
