// The CPU prover device: each operation forwards to the CPU implementation of its layer.
#include <memory>
#include <string>

#include "stark/prover/device.hpp"

namespace stark {

namespace {

class CpuProverDevice final : public ProverDevice {
 public:
  std::string name() const override { return "cpu"; }

  std::shared_ptr<const PcsCommitted> commit(const FriParameters& params,
                                             std::vector<PcsMatrixInput> matrices) const override {
    return std::make_shared<const PcsCommitted>(pcs_commit(params, std::move(matrices)));
  }

  AfterChallengeTrace logup_trace(const ConstraintSystem& cs, std::optional<ConstMatrixView> preprocessed,
                                  const std::vector<ConstMatrixView>& mains,
                                  const std::vector<uint32_t>& public_values, const Ext4& alpha_lu,
                                  const Ext4& beta_lu) const override {
    return after_challenge_trace(cs, preprocessed, mains, public_values, alpha_lu, beta_lu);
  }

  std::vector<RowMajorMatrix> quotient_chunks(const ConstraintSystem& cs, const QuotientInputs& inputs,
                                              const Ext4& alpha) const override {
    return stark::quotient_chunks(quotient_values(cs, inputs, alpha), cs.quotient_degree);
  }

  std::pair<OpenedValues, FriProof> open(const FriParameters& params, const std::vector<PcsOpenRound>& rounds,
                                         Challenger& challenger) const override {
    return pcs_open(params, rounds, challenger);
  }
};

}  // namespace

const ProverDevice& cpu_prover_device() {
  static const CpuProverDevice device;
  return device;
}

const ProverDeviceEntry& cpu_device_entry() {
  static const ProverDeviceEntry entry{"cpu", /*accelerator=*/false, [] { return std::string(); },
                                       cpu_prover_device};
  return entry;
}

}  // namespace stark
