// The CUDA executor of the device-resident plans (merkle_plan.hpp, fri_plan.hpp): each step is
// one kernel launch on the proof's stream, over the same per-thread bodies the host tests run
// (merkle.cuh, fri.cuh, ntt.cuh). Buffers come from the stream-ordered pool (cuda/common), so
// freeing one after queuing its last use is safe. Host compiler and nvcc alike; the launches are
// resident_exec.cu's.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/device_buffer.hpp"
#include "fri.cuh"
#include "matrix_ref.hpp"
#include "merkle.cuh"
#include "stark/field/babybear.hpp"
#include "stark/field/extension.hpp"

namespace stark {
struct ConstraintSystem;
class GrindBackend;
}  // namespace stark

namespace stark::cuda {

struct QuotientLdes;
class DeviceProgramCache;
class EventTimer;

class CudaExec {
 public:
  template <class T>
  using Buffer = DeviceBuffer<T>;

  /// Work goes to `stream`; the constraint programs are uploaded through `programs` (one cache
  /// per stream) and kernel spans recorded on `timer` (both may be null: no programs, no spans).
  CudaExec(cudaStream_t stream, std::shared_ptr<DeviceProgramCache> programs = {},
           std::shared_ptr<EventTimer> timer = {})
      : stream_(stream), programs_(std::move(programs)), timer_(std::move(timer)) {}
  cudaStream_t stream() const { return stream_; }

  /// An executor on the legacy default stream, for data that outlives this proof (the proving
  /// key's): its buffers are freed in that stream's order, whenever their owner goes.
  CudaExec persistent() const { return CudaExec(nullptr); }
  /// Waits for the stream's work; DeviceError if any of it failed.
  void synchronize();
  /// Kernel-time spans of the CPU's `timings` keys ("lde", "merkle_tree"); no-ops without a timer.
  void begin_span(const char* name);
  void end_span() noexcept;

  template <class T>
  Buffer<T> alloc(size_t count, const char* what) {
    return Buffer<T>(count, stream_, what);
  }
  /// Host → device through pinned staging; `host_src` may be reused on return.
  void upload(void* dst, const void* host_src, size_t bytes);
  /// Device → host; the data is there on return (synchronizes the stream).
  void download(void* host_dst, const void* src, size_t bytes);
  void zero(void* dst, size_t bytes);
  /// Device → device, stream-ordered.
  void copy(void* dst, const void* src, size_t bytes);

  // ---- the coset LDE (ntt.cuh's plan) ----
  /// `out` (2^(log_n + log_blowup) x width) = the bit-reversed LDE on shift·H of the
  /// 2^log_n x width evaluations `in` on H_n (device; `in` is left unchanged).
  void coset_lde_bitrev(const uint32_t* in, uint32_t log_n, size_t width, uint32_t log_blowup, Fp shift,
                        uint32_t* out);

  // ---- Merkle (merkle.cuh) ----
  void leaf_digests(const kernels::LeafMatrix* mats, uint32_t count, uint64_t rows, uint32_t* out);
  void merkle_layer(const uint32_t* prev, uint32_t* out, uint64_t n);
  void compress_pairs(const uint32_t* left, const uint32_t* right, uint64_t n, uint32_t* out);
  void gather(const kernels::GatherSpan* spans, uint64_t count, uint32_t* out);

  // ---- PCS opening and FRI (fri.cuh) ----
  void powers(uint32_t* out, size_t count, Fp base, Fp scale);
  void coset_points(uint32_t* out, uint32_t log_h, Fp g, Fp omega);
  void inverse_denominators(const uint32_t* points, uint64_t n, Ext4 z, Ext4* inv, uint32_t* flag);
  void opening_weights(const uint32_t* points, const Ext4* inv, Ext4 scale, uint64_t n, Ext4* w);
  void weighted_column_sums(const uint32_t* lde, uint64_t width, uint64_t rows, uint64_t chunk_rows,
                            uint64_t chunks, const Ext4* w, Ext4* partial);
  void sum_chunks(const Ext4* partial, uint64_t chunks, uint64_t count, Ext4* out);
  void reduce_rows(const uint32_t* lde, uint64_t width, uint64_t rows, const Ext4* alpha_powers,
                   const kernels::ReduceTerm* terms, uint32_t num_terms, Ext4* ro);
  void fold(const Ext4* f, Ext4* out, uint64_t m, Ext4 beta, Fp half, const uint32_t* half_inv_powers,
            uint32_t log_m, const Ext4* roll_in, Ext4 beta_sq);
  void canonical_words(const Ext4* f, uint64_t count, uint32_t* out);

  // ---- the prover's phases (cuda/prover/cuda_exec_phases.cpp: host compiler) ----
  /// InputError (non_canonical_message: `what`, row, column) for the first word >= p of a
  /// height x width device matrix; `words` must be device memory (InputError otherwise).
  void check_canonical(const uint32_t* words, size_t height, size_t width, const std::string& what);
  /// The after-challenge trace (logup.hpp's after_challenge_trace_on_device); returns S.
  Ext4 logup_trace(const ConstraintSystem& cs, std::optional<MatrixRef> preprocessed,
                   const std::vector<MatrixRef>& mains, const std::vector<uint32_t>& public_values,
                   const Ext4& alpha_lu, const Ext4& beta_lu, uint32_t* flattened);
  /// The q chunk matrices (quotient.hpp's quotient_chunks_on_device).
  void quotient_chunks(const ConstraintSystem& cs, const QuotientLdes& ldes,
                       const std::vector<uint32_t>& public_values, const std::vector<Ext4>& challenges,
                       const std::vector<Ext4>& exposed, const Ext4& alpha, uint32_t* chunks);
  /// Proof-of-work searches on the GPU.
  const GrindBackend* grinder();
  /// Waits for the stream, then records the kernel spans, `host_to_device_bytes` (the matrix data
  /// uploaded) and the pool's peak as `device_peak_memory_bytes`.
  void finish(uint64_t host_to_device_bytes);

 private:
  cudaStream_t stream_;
  std::shared_ptr<DeviceProgramCache> programs_;
  std::shared_ptr<EventTimer> timer_;
};

}  // namespace stark::cuda
