// The CUDA prover device: every phase of a proof on the GPU, its data resident in device memory
// (docs/architecture.md §4.1). One ResidentSession (resident_session.hpp) per proof, over a
// CudaExec on the proof's own stream, with the proof's program cache and kernel timer; the
// proving key's preprocessed data lives in the device's ResidentCache across proofs.
//
// The session's logic is tested on the host executor against the CPU device's proofs
// (tests/cpp/test_protocol.cpp); the kernels' bodies against the CPU in the *_host tests. The
// GPU kernels compute exactly the same field values, so proofs are byte-identical to the CPU's.
#include <memory>
#include <string>

#include "common/device_buffer.hpp"
#include "common/event_timer.hpp"
#include "program_cache.hpp"
#include "prover/resident_session.hpp"
#include "resident_exec.hpp"
#include "stark/cuda/device.hpp"
#include "stark/prover/device.hpp"
#include "stark/util/timing.hpp"

namespace stark {

namespace {

// What one proof owns on the GPU besides its buffers; a base of the session so that it is built
// before the executor that refers to it and destroyed after it.
struct CudaProofResources {
  cuda::Stream stream;
  std::shared_ptr<cuda::DeviceProgramCache> programs = std::make_shared<cuda::DeviceProgramCache>();
  std::shared_ptr<cuda::EventTimer> timer;
  uint64_t downloaded_at = cuda::bytes_downloaded();
  CudaProofResources() : timer(std::make_shared<cuda::EventTimer>(stream.get())) {}
};

class CudaProverSession final : private CudaProofResources, public cuda::ResidentSession<cuda::CudaExec> {
 public:
  CudaProverSession(const ProverDevice& device, cuda::ResidentCache& cache)
      : CudaProofResources(),
        cuda::ResidentSession<cuda::CudaExec>(device, cuda::CudaExec(stream.get(), programs, timer), cache) {}

  void finish() override {
    cuda::ResidentSession<cuda::CudaExec>::finish();
    record_phase_value("device_to_host_bytes", double(cuda::bytes_downloaded() - downloaded_at));
  }
};

class CudaProverDevice final : public ProverDevice {
 public:
  std::string name() const override { return "cuda"; }
  std::unique_ptr<ProverSession> begin_proof(const StarkConfig& config = default_config()) const override {
    cuda::require_resident_config(config);
    cuda::reset_pool_peak();
    return std::make_unique<CudaProverSession>(*this, cache_);
  }

 private:
  mutable cuda::ResidentCache cache_;
};

}  // namespace

const ProverDevice& cuda_prover_device() {
  static const CudaProverDevice device;
  return device;
}

const ProverDeviceEntry& cuda_device_entry() {
  static const ProverDeviceEntry entry{
      "cuda", /*accelerator=*/true,
      [] { return cuda::available() ? std::string() : "no usable CUDA GPU (" + cuda::describe() + ")"; },
      cuda_prover_device};
  return entry;
}

}  // namespace stark
