// CudaExec's prover phases (cuda/resident_exec.hpp) that reach the CPU's constraint-program
// compiler (logup.hpp, quotient.hpp): host compiler only, part of the core like the device.
#include <array>
#include <string>

#include "common/device_buffer.hpp"
#include "common/event_timer.hpp"
#include "logup.hpp"
#include "program_cache.hpp"
#include "quotient.hpp"
#include "resident_exec.hpp"
#include "stark/cuda/device.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/prover/validate.hpp"
#include "stark/util/error.hpp"
#include "stark/util/timing.hpp"
#include "transfer.hpp"

namespace stark::cuda {

namespace {

// Proof-of-work searches on the GPU (the same smallest witness as the CPU kernels).
class CudaGrindBackend final : public GrindBackend {
 public:
  uint64_t grind_range(const std::array<uint32_t, kPoseidon2Width>& base, size_t slot, uint32_t first,
                       uint64_t count, uint32_t bits) const override {
    return cuda::grind(base.data(), slot, first, count, bits);
  }
};

DeviceProgramCache& programs_of(const std::shared_ptr<DeviceProgramCache>& programs, const char* phase) {
  if (!programs) throw DeviceError(std::string(phase) + ": this CUDA executor has no program cache");
  return *programs;
}

}  // namespace

void CudaExec::check_canonical(const uint32_t* words, size_t height, size_t width, const std::string& what) {
  const uint64_t count = uint64_t(height) * width;
  if (count == 0) return;
  require_device_memory(words, what);
  uint32_t value = 0;
  const uint64_t at = first_non_canonical(words, count, stream_, &value);
  if (at < count)
    throw InputError(non_canonical_message(what, value, size_t(at / width), size_t(at % width)));
}

Ext4 CudaExec::logup_trace(const ConstraintSystem& cs, std::optional<MatrixRef> preprocessed,
                           const std::vector<MatrixRef>& mains, const std::vector<uint32_t>& public_values,
                           const Ext4& alpha_lu, const Ext4& beta_lu, uint32_t* flattened) {
  return after_challenge_trace_on_device(programs_of(programs_, "after-challenge trace"), cs, preprocessed,
                                         mains, public_values, alpha_lu, beta_lu, flattened, stream_);
}

void CudaExec::quotient_chunks(const ConstraintSystem& cs, const QuotientLdes& ldes,
                               const std::vector<uint32_t>& public_values,
                               const std::vector<Ext4>& challenges, const std::vector<Ext4>& exposed,
                               const Ext4& alpha, uint32_t* chunks) {
  quotient_chunks_on_device(programs_of(programs_, "quotient"), cs, ldes, public_values, challenges, exposed,
                            alpha, chunks, stream_);
}

const GrindBackend* CudaExec::grinder() {
  static const CudaGrindBackend backend;
  return &backend;
}

void CudaExec::finish(uint64_t host_to_device_bytes) {
  synchronize();
  if (timer_) timer_->flush();
  record_phase_value("host_to_device_bytes", double(host_to_device_bytes));
  record_phase_value("device_peak_memory_bytes", double(pool_peak_bytes()));
}

}  // namespace stark::cuda
