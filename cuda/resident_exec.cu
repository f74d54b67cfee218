// CudaExec (resident_exec.hpp): one grid-stride kernel per plan step on the proof's stream, each
// running a per-thread body of merkle.cuh, fri.cuh or ntt.cuh.
#include <cuda_runtime.h>

#include <limits>

#include "common/device_buffer.hpp"
#include "common/event_timer.hpp"
#include "fri.cuh"
#include "merkle.cuh"
#include "ntt_exec.cuh"
#include "resident_exec.hpp"
#include "runtime.cuh"

namespace stark::cuda {

namespace {

using kernels::Poseidon2Constants;

__constant__ Poseidon2Constants c_resident_poseidon2 = kernels::make_poseidon2_constants();

// Hashing threads carry a 16-word state: smaller blocks keep more of them resident. The hashing
// kernels take one index per thread (no grid-stride loop around the permutation: cicc 13.0
// crashes on it), so their grids are not capped.
constexpr unsigned kHashBlock = 128;

unsigned hash_grid(uint64_t total) { return unsigned((total + kHashBlock - 1) / kHashBlock); }
constexpr unsigned kBlock = 256;

__global__ void __launch_bounds__(kHashBlock)
    leaf_digests_kernel(const kernels::LeafMatrix* mats, uint32_t count, uint64_t rows, uint32_t* out) {
  const uint64_t r = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r < rows) kernels::leaf_digest_body(mats, count, r, out + 8 * r, c_resident_poseidon2);
}

__global__ void __launch_bounds__(kHashBlock)
    merkle_layer_kernel(const uint32_t* prev, uint32_t* out, uint64_t n) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) kernels::merkle_layer_body(prev, out, i, c_resident_poseidon2);
}

__global__ void __launch_bounds__(kHashBlock)
    compress_pairs_kernel(const uint32_t* left, const uint32_t* right, uint64_t n, uint32_t* out) {
  const uint64_t i = uint64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) kernels::compress_pairs_body(left, right, out, i, c_resident_poseidon2);
}

__global__ void __launch_bounds__(kBlock)
    gather_kernel(const kernels::GatherSpan* spans, uint64_t count, uint32_t* out) {
  STARK_FOR_EACH_THREAD(s, count) { kernels::gather_span_body(spans, s, out); }
}

__global__ void __launch_bounds__(kBlock)
    coset_points_kernel(uint32_t* out, uint32_t log_h, Fp g, Fp omega, uint64_t n) {
  STARK_FOR_EACH_THREAD(r, n) { kernels::coset_point_bitrev_body(out, log_h, g, omega, r); }
}

__global__ void __launch_bounds__(kBlock)
    inverse_denominators_kernel(const uint32_t* points, uint64_t n, Ext4 z, Ext4* inv, uint32_t* flag) {
  STARK_FOR_EACH_THREAD(r, n) { kernels::inverse_denominator_body(points, z, r, inv, flag); }
}

__global__ void __launch_bounds__(kBlock)
    opening_weights_kernel(const uint32_t* points, const Ext4* inv, Ext4 scale, uint64_t n, Ext4* w) {
  STARK_FOR_EACH_THREAD(r, n) { kernels::opening_weight_body(points, inv, scale, r, w); }
}

__global__ void __launch_bounds__(kBlock)
    weighted_column_sums_kernel(const uint32_t* lde, uint64_t width, uint64_t rows, uint64_t chunk_rows,
                                uint64_t total, const Ext4* w, Ext4* partial) {
  STARK_FOR_EACH_THREAD(t, total) {
    kernels::weighted_column_sum_body(lde, width, rows, chunk_rows, w, t, partial);
  }
}

__global__ void __launch_bounds__(kBlock)
    sum_chunks_kernel(const Ext4* partial, uint64_t chunks, uint64_t count, Ext4* out) {
  STARK_FOR_EACH_THREAD(t, count) { kernels::sum_chunks_body(partial, chunks, count, t, out); }
}

__global__ void __launch_bounds__(kBlock)
    reduce_rows_kernel(const uint32_t* lde, uint64_t width, uint64_t rows, const Ext4* alpha_powers,
                       const kernels::ReduceTerm* terms, uint32_t num_terms, Ext4* ro) {
  STARK_FOR_EACH_THREAD(r, rows) {
    kernels::reduce_row_body(lde, width, alpha_powers, terms, num_terms, r, ro);
  }
}

__global__ void __launch_bounds__(kBlock)
    fold_kernel(const Ext4* f, Ext4* out, uint64_t m, Ext4 beta, Fp half, const uint32_t* half_inv_powers,
                uint32_t log_m, const Ext4* roll_in, Ext4 beta_sq) {
  STARK_FOR_EACH_THREAD(i, m) {
    kernels::fold_body(f, out, beta, half, half_inv_powers, log_m, roll_in, beta_sq, i);
  }
}

__global__ void __launch_bounds__(kBlock)
    canonical_words_kernel(const Ext4* f, uint64_t count, uint32_t* out) {
  STARK_FOR_EACH_THREAD(i, count) { kernels::canonical_words_body(f, i, out); }
}

}  // namespace

void CudaExec::synchronize() { STARK_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

void CudaExec::begin_span(const char* name) {
  if (timer_) timer_->begin(name);
}

void CudaExec::end_span() noexcept {
  if (timer_) timer_->end();
}

void CudaExec::upload(void* dst, const void* host_src, size_t bytes) {
  if (bytes != 0) upload_staged(dst, host_src, bytes, stream_, "resident upload");
}

void CudaExec::download(void* host_dst, const void* src, size_t bytes) {
  if (bytes != 0) cuda::download(host_dst, src, bytes, stream_, "resident read-back");
}

void CudaExec::zero(void* dst, size_t bytes) {
  if (bytes != 0) STARK_CUDA_CHECK(cudaMemsetAsync(dst, 0, bytes, stream_));
}

void CudaExec::copy(void* dst, const void* src, size_t bytes) {
  if (bytes != 0) STARK_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream_));
}

void CudaExec::coset_lde_bitrev(const uint32_t* in, uint32_t log_n, size_t width, uint32_t log_blowup,
                                Fp shift, uint32_t* out) {
  if (width == 0) return;
  const size_t n = size_t(1) << log_n;
  const uint32_t log_big = log_n + log_blowup;
  const size_t out_words = detail::checked_mul(size_t(1) << log_big, width, "coset LDE");
  // The plan clobbers its input: transform a copy so the trace stays for the later phases.
  DeviceBuffer<uint32_t> work(n * width, stream_, "coset LDE input copy");
  DeviceBuffer<uint32_t> twiddles(kernels::twiddle_words(log_big), stream_, "coset LDE twiddles");
  DeviceBuffer<uint32_t> factors(n, stream_, "coset LDE shift powers");
  copy(work.data(), in, work.bytes());
  NttDeviceExec ex{out_words <= size_t(std::numeric_limits<uint32_t>::max()), stream_};
  kernels::plan::coset_lde_bitrev(ex, work.data(), out, twiddles.data(), factors.data(), log_n, log_blowup,
                                  width, shift);
}

void CudaExec::leaf_digests(const kernels::LeafMatrix* mats, uint32_t count, uint64_t rows, uint32_t* out) {
  if (rows == 0) return;
  leaf_digests_kernel<<<hash_grid(rows), kHashBlock, 0, stream_>>>(mats, count, rows, out);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::merkle_layer(const uint32_t* prev, uint32_t* out, uint64_t n) {
  if (n == 0) return;
  merkle_layer_kernel<<<hash_grid(n), kHashBlock, 0, stream_>>>(prev, out, n);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::compress_pairs(const uint32_t* left, const uint32_t* right, uint64_t n, uint32_t* out) {
  if (n == 0) return;
  compress_pairs_kernel<<<hash_grid(n), kHashBlock, 0, stream_>>>(left, right, n, out);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::gather(const kernels::GatherSpan* spans, uint64_t count, uint32_t* out) {
  if (count == 0) return;
  gather_kernel<<<detail::grid_for(count, kBlock), kBlock, 0, stream_>>>(spans, count, out);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::powers(uint32_t* out, size_t count, Fp base, Fp scale) {
  NttDeviceExec ex{true, stream_};
  ex.powers(out, count, base, scale);
}

void CudaExec::coset_points(uint32_t* out, uint32_t log_h, Fp g, Fp omega) {
  const uint64_t n = uint64_t(1) << log_h;
  coset_points_kernel<<<detail::grid_for(n, kBlock), kBlock, 0, stream_>>>(out, log_h, g, omega, n);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::inverse_denominators(const uint32_t* points, uint64_t n, Ext4 z, Ext4* inv, uint32_t* flag) {
  if (n == 0) return;
  inverse_denominators_kernel<<<detail::grid_for(n, kBlock), kBlock, 0, stream_>>>(points, n, z, inv, flag);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::opening_weights(const uint32_t* points, const Ext4* inv, Ext4 scale, uint64_t n, Ext4* w) {
  if (n == 0) return;
  opening_weights_kernel<<<detail::grid_for(n, kBlock), kBlock, 0, stream_>>>(points, inv, scale, n, w);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::weighted_column_sums(const uint32_t* lde, uint64_t width, uint64_t rows, uint64_t chunk_rows,
                                    uint64_t chunks, const Ext4* w, Ext4* partial) {
  const uint64_t total = chunks * width;
  if (total == 0) return;
  weighted_column_sums_kernel<<<detail::grid_for(total, kBlock), kBlock, 0, stream_>>>(
      lde, width, rows, chunk_rows, total, w, partial);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::sum_chunks(const Ext4* partial, uint64_t chunks, uint64_t count, Ext4* out) {
  if (count == 0) return;
  sum_chunks_kernel<<<detail::grid_for(count, kBlock), kBlock, 0, stream_>>>(partial, chunks, count, out);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::reduce_rows(const uint32_t* lde, uint64_t width, uint64_t rows, const Ext4* alpha_powers,
                           const kernels::ReduceTerm* terms, uint32_t num_terms, Ext4* ro) {
  if (rows == 0) return;
  reduce_rows_kernel<<<detail::grid_for(rows, kBlock), kBlock, 0, stream_>>>(lde, width, rows, alpha_powers,
                                                                             terms, num_terms, ro);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::fold(const Ext4* f, Ext4* out, uint64_t m, Ext4 beta, Fp half, const uint32_t* half_inv_powers,
                    uint32_t log_m, const Ext4* roll_in, Ext4 beta_sq) {
  if (m == 0) return;
  fold_kernel<<<detail::grid_for(m, kBlock), kBlock, 0, stream_>>>(f, out, m, beta, half, half_inv_powers,
                                                                   log_m, roll_in, beta_sq);
  STARK_CUDA_CHECK_LAUNCH();
}

void CudaExec::canonical_words(const Ext4* f, uint64_t count, uint32_t* out) {
  if (count == 0) return;
  canonical_words_kernel<<<detail::grid_for(count, kBlock), kBlock, 0, stream_>>>(f, count, out);
  STARK_CUDA_CHECK_LAUNCH();
}

}  // namespace stark::cuda
