// The CUDA prover device. Commitments run their LDEs and leaf hashing on the GPU through the
// kernels of stark/cuda/device.hpp, and so do the proof-of-work searches; the other phases use
// the CPU device's implementations on host handles.
//
// commit_with_subgroup_lde maps every domain s·H_n onto the one subgroup-input coset-LDE kernel
// (shift g/s). The GPU kernels compute exactly the same field values as the CPU ones, so proofs
// are byte-identical to the CPU device's.
#include <array>
#include <memory>
#include <string>

#include "stark/cuda/device.hpp"
#include "stark/prover/cpu_device.hpp"
#include "stark/prover/device.hpp"
#include "stark/prover/subgroup_lde.hpp"
#include "stark/prover/validate.hpp"

namespace stark {

namespace {

// Leaf digests of a single matrix come from the GPU; leaves that concatenate rows of several
// matrices (mixed commitments) and the compression layers use the CPU kernels.
class CudaMerkleHasher final : public MerkleHasher {
 public:
  void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* digests_out) const override {
    if (mats.size() == 1 && mats[0].width > 0) {
      cuda::hash_rows(mats[0].data, mats[0].height, mats[0].width, digests_out);
      return;
    }
    cpu_merkle_hasher().hash_rows(mats, digests_out);
  }
  void compress_layer(const uint32_t* in, size_t n, uint32_t* out) const override {
    cpu_merkle_hasher().compress_layer(in, n, out);
  }
  void compress_pairs(const uint32_t* left, const uint32_t* right, size_t n, uint32_t* out) const override {
    cpu_merkle_hasher().compress_pairs(left, right, n, out);
  }
};

// Proof-of-work searches on the GPU (the same smallest witness as the CPU kernels).
class CudaGrindBackend final : public GrindBackend {
 public:
  uint64_t grind_range(const std::array<uint32_t, kPoseidon2Width>& base, size_t slot, uint32_t first,
                       uint64_t count, uint32_t bits) const override {
    return cuda::grind(base.data(), slot, first, count, bits);
  }
};

class CudaProverSession final : public CpuProverSession {
 public:
  using CpuProverSession::CpuProverSession;

  const GrindBackend* grinder() override {
    static const CudaGrindBackend backend;
    return &backend;
  }

  // Interim: until the resident pipeline reads traces in place, a GPU trace is staged to the host.
  std::shared_ptr<const DeviceMatrix> upload_from_gpu(ConstMatrixView gpu, const std::string& what) override {
    RowMajorMatrix host = RowMajorMatrix::uninitialized(gpu.height, gpu.width);
    cuda::copy_to_host(gpu.data, gpu.height * gpu.width * sizeof(uint32_t), host.values.data());
    check_canonical(host.view(), what);
    return std::make_shared<const CpuMatrix>(std::move(host));
  }

  std::shared_ptr<const DeviceCommitment> commit(const FriParameters& params,
                                                 const std::vector<DeviceCommitInput>& matrices) override {
    static const CudaMerkleHasher hasher;
    const SubgroupLde gpu_lde = [](ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out) {
      cuda::coset_lde_bitrev(in.data, in.height, in.width, log_blowup, shift.canonical(), out.data);
    };
    std::vector<PcsMatrixInput> inputs;
    for (const DeviceCommitInput& m : matrices)
      inputs.push_back(PcsMatrixInput::borrow(cpu_host_view(*m.matrix, "commit"), m.domain_shift));
    return std::make_shared<const CpuCommitment>(
        commit_with_subgroup_lde(params, std::move(inputs), gpu_lde, hasher));
  }
};

class CudaProverDevice final : public ProverDevice {
 public:
  std::string name() const override { return "cuda"; }
  std::unique_ptr<ProverSession> begin_proof() const override {
    return std::make_unique<CudaProverSession>(*this);
  }
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
