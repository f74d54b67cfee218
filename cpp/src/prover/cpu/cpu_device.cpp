// The CPU prover device (stark/prover/cpu_device.hpp).
#include "stark/prover/cpu_device.hpp"

#include <memory>
#include <string>
#include <utility>

#include "stark/air/logup.hpp"
#include "stark/air/quotient.hpp"
#include "stark/util/error.hpp"

namespace stark {

CpuMatrix::CpuMatrix(ConstMatrixView borrowed)
    : DeviceMatrix(borrowed.height, borrowed.width), view_(borrowed) {}

CpuMatrix::CpuMatrix(std::shared_ptr<const RowMajorMatrix> shared)
    : DeviceMatrix(shared->height(), shared->width), storage_(std::move(shared)), view_(storage_->view()) {}

CpuMatrix::CpuMatrix(RowMajorMatrix owned)
    : CpuMatrix(std::make_shared<const RowMajorMatrix>(std::move(owned))) {}

CpuCommitment::CpuCommitment(std::shared_ptr<const PcsCommitted> committed)
    : committed_(std::move(committed)) {}

ConstMatrixView cpu_host_view(const DeviceMatrix& matrix, const std::string& what) {
  const auto* cpu = dynamic_cast<const CpuMatrix*>(&matrix);
  if (cpu == nullptr) throw DeviceError(what + ": a matrix of another device was given to the CPU device");
  return cpu->view();
}

const PcsCommitted& cpu_host_committed(const DeviceCommitment& commitment, const std::string& what) {
  const auto* cpu = dynamic_cast<const CpuCommitment*>(&commitment);
  if (cpu == nullptr)
    throw DeviceError(what + ": a commitment of another device was given to the CPU device");
  return cpu->committed();
}

std::shared_ptr<const DeviceMatrix> CpuProverSession::upload(ConstMatrixView host) {
  return std::make_shared<const CpuMatrix>(host);
}

std::shared_ptr<const DeviceMatrix> CpuProverSession::resident_matrix(
    const std::shared_ptr<const RowMajorMatrix>& host) {
  return std::make_shared<const CpuMatrix>(host);
}

std::shared_ptr<const DeviceCommitment> CpuProverSession::resident_commitment(
    const std::shared_ptr<const PcsCommitted>& host) {
  return std::make_shared<const CpuCommitment>(host);
}

std::shared_ptr<const DeviceCommitment> CpuProverSession::commit(
    const FriParameters& params, const std::vector<DeviceCommitInput>& matrices) {
  std::vector<PcsMatrixInput> inputs;
  inputs.reserve(matrices.size());
  for (size_t m = 0; m < matrices.size(); ++m) {
    if (!matrices[m].matrix) throw InputError("pcs commit: matrix " + std::to_string(m) + " is missing");
    // The handles outlive the commit: read them in place.
    inputs.push_back(
        PcsMatrixInput::borrow(cpu_host_view(*matrices[m].matrix, "commit"), matrices[m].domain_shift));
  }
  return std::make_shared<const CpuCommitment>(
      std::make_shared<const PcsCommitted>(pcs_commit(params, std::move(inputs), config().hasher())));
}

DeviceLogupTrace CpuProverSession::logup_trace(const ConstraintSystem& cs, const DeviceMatrix* preprocessed,
                                               const std::vector<const DeviceMatrix*>& mains,
                                               const std::vector<uint32_t>& public_values,
                                               const Ext4& alpha_lu, const Ext4& beta_lu) {
  std::optional<ConstMatrixView> prep;
  if (preprocessed != nullptr) prep = cpu_host_view(*preprocessed, "logup_trace");
  std::vector<ConstMatrixView> views;
  for (const DeviceMatrix* m : mains) views.push_back(cpu_host_view(*m, "logup_trace"));
  AfterChallengeTrace ac = after_challenge_trace(cs, prep, views, public_values, alpha_lu, beta_lu);
  return DeviceLogupTrace{std::make_shared<const CpuMatrix>(std::move(ac.flattened)), ac.cumulative_sum};
}

std::vector<std::shared_ptr<const DeviceMatrix>> CpuProverSession::quotient_chunks(
    const ConstraintSystem& cs, const DeviceQuotientInputs& in, const Ext4& alpha) {
  auto lde = [](const DeviceLde& l) {
    return cpu_host_committed(*l.commitment, "quotient_chunks").lde(l.matrix);
  };
  QuotientInputs qin;
  qin.log_height = in.log_height;
  qin.log_blowup = in.log_blowup;
  if (in.preprocessed) qin.preprocessed = lde(*in.preprocessed);
  for (const DeviceLde& m : in.mains) qin.mains.push_back(lde(m));
  if (in.after_challenge) qin.after_challenge = lde(*in.after_challenge);
  qin.public_values = in.public_values;
  qin.challenges = in.challenges;
  qin.exposed = in.exposed;
  std::vector<std::shared_ptr<const DeviceMatrix>> chunks;
  for (RowMajorMatrix& chunk : stark::quotient_chunks(quotient_values(cs, qin, alpha), cs.quotient_degree))
    chunks.push_back(std::make_shared<const CpuMatrix>(std::move(chunk)));
  return chunks;
}

std::unique_ptr<FriProverBackend> CpuProverSession::fri_prover(const FriParameters& params,
                                                               const std::vector<DeviceOpenRound>& rounds) {
  std::vector<PcsOpenRound> host_rounds;
  for (const DeviceOpenRound& r : rounds) {
    if (r.commitment == nullptr) throw InputError("pcs_open: a round has no commitment");
    host_rounds.push_back(PcsOpenRound{&cpu_host_committed(*r.commitment, "fri_prover"), r.points});
  }
  return cpu_fri_prover(params, std::move(host_rounds), config().hasher());
}

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
