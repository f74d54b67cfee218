// The CPU prover device (cpp/src/prover/cpu/): handles are host matrices and PcsCommitted, and
// every phase forwards to the CPU implementation of its layer (SIMD kernels, thread pool).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "stark/prover/device.hpp"

namespace stark {

/// A matrix in host memory: borrowed (read in place; the owner keeps it alive), shared with its
/// owner (a proving key), or owned (a matrix the device computed).
class CpuMatrix final : public DeviceMatrix {
 public:
  explicit CpuMatrix(ConstMatrixView borrowed);
  explicit CpuMatrix(std::shared_ptr<const RowMajorMatrix> shared);
  explicit CpuMatrix(RowMajorMatrix owned);
  ConstMatrixView view() const { return view_; }

 private:
  std::shared_ptr<const RowMajorMatrix> storage_;  // null when borrowed
  ConstMatrixView view_;
};

/// A commitment in host memory.
class CpuCommitment final : public DeviceCommitment {
 public:
  explicit CpuCommitment(std::shared_ptr<const PcsCommitted> committed);
  const PcsCommitted& committed() const { return *committed_; }
  const Digest& root() const override { return committed_->root(); }
  uint32_t log_blowup() const override { return committed_->log_blowup(); }
  size_t num_matrices() const override { return committed_->num_matrices(); }
  uint32_t log_trace_height(size_t m) const override { return committed_->log_trace_height(m); }
  Fp domain_shift(size_t m) const override { return committed_->domain_shift(m); }
  size_t width(size_t m) const override { return committed_->width(m); }

 private:
  std::shared_ptr<const PcsCommitted> committed_;
};

/// The host data behind a CPU handle; DeviceError naming `what` for another device's handle.
ConstMatrixView cpu_host_view(const DeviceMatrix& matrix, const std::string& what);
const PcsCommitted& cpu_host_committed(const DeviceCommitment& commitment, const std::string& what);

/// A proof on the CPU. Open for extension: a test or an experimental device may override single
/// phases and keep the others.
class CpuProverSession : public ProverSession {
 public:
  using ProverSession::ProverSession;
  std::shared_ptr<const DeviceMatrix> upload(ConstMatrixView host) override;
  std::shared_ptr<const DeviceMatrix> resident_matrix(
      const std::shared_ptr<const RowMajorMatrix>& host) override;
  std::shared_ptr<const DeviceCommitment> resident_commitment(
      const std::shared_ptr<const PcsCommitted>& host) override;
  std::shared_ptr<const DeviceCommitment> commit(const FriParameters& params,
                                                 const std::vector<DeviceCommitInput>& matrices) override;
  DeviceLogupTrace logup_trace(const ConstraintSystem& cs, const DeviceMatrix* preprocessed,
                               const std::vector<const DeviceMatrix*>& mains,
                               const std::vector<uint32_t>& public_values, const Ext4& alpha_lu,
                               const Ext4& beta_lu) override;
  std::vector<std::shared_ptr<const DeviceMatrix>> quotient_chunks(const ConstraintSystem& cs,
                                                                   const DeviceQuotientInputs& inputs,
                                                                   const Ext4& alpha) override;
  std::unique_ptr<FriProverBackend> fri_prover(const FriParameters& params,
                                               const std::vector<DeviceOpenRound>& rounds) override;
};

/// The CPU device: one CpuProverSession per proof.
class CpuProverDevice : public ProverDevice {
 public:
  std::string name() const override { return "cpu"; }
  std::unique_ptr<ProverSession> begin_proof(const StarkConfig& config = default_config()) const override {
    return std::make_unique<CpuProverSession>(*this, config);
  }
};

}  // namespace stark
