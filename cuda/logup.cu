// The LogUp after-challenge trace on the device: the steps of kernels::plan::after_challenge_trace
// (logup.cuh), each launched as one kernel on the caller's stream, then one read-back of the
// zero-denominator status word and the cumulative sum. The host entry is logup.hpp.
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "logup.cuh"
#include "runtime.cuh"
#include "scratch.cuh"

namespace stark::cuda {

namespace {

constexpr unsigned kBlock = 256;

__global__ void __launch_bounds__(kBlock)
    logup_eval_kernel(kernels::LogupProgramView program, kernels::MatrixSet mats, uint32_t* arena,
                      uint64_t lanes, uint64_t height, uint64_t first, uint64_t count, uint32_t* den,
                      uint32_t* cnt, unsigned long long* status) {
  const uint64_t lane = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const kernels::StridedArena ar{arena + lane, lanes};
  STARK_FOR_EACH_THREAD(r, count) {
    kernels::logup_eval_row_body(program, mats, ar, height, first, r, den, cnt, status);
  }
}

__global__ void __launch_bounds__(kBlock)
    batch_inverse_kernel(const uint32_t* den, uint32_t* inv, uint64_t count, uint64_t group,
                         uint64_t groups) {
  STARK_FOR_EACH_THREAD(g, groups) { kernels::batch_inverse_ext_body(den, inv, count, group, g); }
}

__global__ void __launch_bounds__(kBlock)
    logup_row_kernel(kernels::LogupProgramView program, const uint32_t* inv, const uint32_t* cnt,
                     uint64_t first, uint64_t count, uint32_t* flattened, uint32_t* sums) {
  STARK_FOR_EACH_THREAD(r, count) { kernels::logup_row_body(program, inv, cnt, first, r, flattened, sums); }
}

__global__ void __launch_bounds__(kBlock)
    scan_tile_kernel(uint32_t* data, uint64_t count, uint32_t* totals, uint64_t tiles) {
  STARK_FOR_EACH_THREAD(t, tiles) { kernels::scan_tile_body(data, count, totals, t); }
}

__global__ void __launch_bounds__(kBlock)
    scan_add_kernel(uint32_t* data, const uint32_t* totals, uint64_t count) {
  STARK_FOR_EACH_THREAD(k, count) { kernels::scan_add_body(data, totals, k); }
}

__global__ void __launch_bounds__(kBlock)
    logup_finalize_kernel(uint32_t num_chunks, uint64_t height, const uint32_t* sums, uint32_t* flattened,
                          uint32_t* cumulative) {
  STARK_FOR_EACH_THREAD(row, height) {
    kernels::logup_finalize_body(num_chunks, height, sums, flattened, cumulative, row);
  }
}

/// Launches each plan step as one kernel on `stream`.
struct DeviceLogupExec {
  kernels::LogupProgramView program;
  kernels::MatrixSet mats;
  uint32_t* arena;
  uint64_t lanes;  // a multiple of kBlock
  uint64_t height;
  cudaStream_t stream;

  void reset_status(unsigned long long* status) {
    STARK_CUDA_CHECK(
        cudaMemsetAsync(status, 0xff, sizeof(unsigned long long), stream));  // kNoZeroDenominator
  }
  void eval_rows(uint64_t first, uint64_t count, uint32_t* den, uint32_t* cnt, unsigned long long* status) {
    if (count == 0) return;
    const uint64_t threads = count < lanes ? (count + kBlock - 1) / kBlock * kBlock : lanes;
    logup_eval_kernel<<<unsigned(threads / kBlock), kBlock, 0, stream>>>(program, mats, arena, lanes, height,
                                                                         first, count, den, cnt, status);
    STARK_CUDA_CHECK_LAUNCH();
  }
  void invert(const uint32_t* den, uint32_t* inv, uint64_t count, uint64_t group) {
    const uint64_t groups = (count + group - 1) / group;
    if (groups == 0) return;
    batch_inverse_kernel<<<detail::grid_for(groups, kBlock), kBlock, 0, stream>>>(den, inv, count, group,
                                                                                  groups);
    STARK_CUDA_CHECK_LAUNCH();
  }
  void rows(uint64_t first, uint64_t count, const uint32_t* inv, const uint32_t* cnt, uint32_t* flattened,
            uint32_t* sums) {
    if (count == 0) return;
    logup_row_kernel<<<detail::grid_for(count, kBlock), kBlock, 0, stream>>>(program, inv, cnt, first, count,
                                                                             flattened, sums);
    STARK_CUDA_CHECK_LAUNCH();
  }
  void scan_tiles(uint32_t* data, uint64_t count, uint32_t* totals) {
    const uint64_t tiles = (count + kernels::kScanTile - 1) / kernels::kScanTile;
    scan_tile_kernel<<<detail::grid_for(tiles, kBlock), kBlock, 0, stream>>>(data, count, totals, tiles);
    STARK_CUDA_CHECK_LAUNCH();
  }
  void scan_add(uint32_t* data, uint64_t count, const uint32_t* totals) {
    scan_add_kernel<<<detail::grid_for(count, kBlock), kBlock, 0, stream>>>(data, totals, count);
    STARK_CUDA_CHECK_LAUNCH();
  }
  void finalize(uint64_t n, const uint32_t* sums, uint32_t* flattened, uint32_t* cumulative) {
    logup_finalize_kernel<<<detail::grid_for(n, kBlock), kBlock, 0, stream>>>(program.lu.num_chunks, n, sums,
                                                                              flattened, cumulative);
    STARK_CUDA_CHECK_LAUNCH();
  }
};

}  // namespace

unsigned long long launch_after_challenge_trace(const kernels::LogupProgramView& program,
                                                const kernels::MatrixSet& mats, uint64_t height,
                                                uint32_t* flattened, uint32_t cumulative_out[4],
                                                DeviceScratch scratch, CUstream_st* stream) {
  const char* who = "stark::cuda::launch_after_challenge_trace";
  detail::require_available("launch_after_challenge_trace");
  if (program.program.words == nullptr || flattened == nullptr || cumulative_out == nullptr)
    throw InputError(std::string(who) + ": null program, output or cumulative sum");
  if (mats.count > kernels::kMaxMatrices) throw InputError(std::string(who) + ": too many matrices");
  if (program.lu.num_interactions == 0)
    throw InputError("after-challenge trace: the AIR has no interactions");
  if (height == 0 || (height & (height - 1)) != 0)
    throw InputError("after-challenge trace: height must be a power of two");
  const kernels::LogupLayout layout = kernels::default_logup_layout(program, height);
  if (layout.lanes % kBlock != 0) throw InputError(std::string(who) + ": arena lanes are not whole blocks");

  detail::StreamScratch ws(scratch, layout.total_words * sizeof(uint32_t), stream, who);
  uint32_t* base = ws.words();
  DeviceLogupExec ex{program, mats, base + layout.arena_at, layout.lanes, height, stream};
  kernels::plan::after_challenge_trace(ex, program, layout, base, flattened, base + layout.cumulative_at);

  // The one host round trip: the status word and S, adjacent in the workspace. The prover cannot
  // go on without knowing whether a fingerprint vanished, and the transcript needs S.
  uint32_t result[6] = {};
  STARK_CUDA_CHECK(
      cudaMemcpyAsync(result, base + layout.status_at, sizeof(result), cudaMemcpyDeviceToHost, stream));
  ws.release();
  STARK_CUDA_CHECK(cudaStreamSynchronize(stream));
  unsigned long long status = 0;
  std::memcpy(&status, result, sizeof(status));
  for (int e = 0; e < 4; ++e) cumulative_out[e] = result[2 + e];
  return status;
}

}  // namespace stark::cuda
