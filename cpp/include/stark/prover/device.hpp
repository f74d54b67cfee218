// The prover's hardware seam (docs/architecture.md §4.1; openvm's ProverBackend/ProverDevice
// pattern). The coordinator (stark/prover/prover.hpp) writes the protocol once — transcript,
// challenger, layout — and drives a device, through one ProverSession per proof, with handles to
// data the device holds:
//   DeviceMatrix      a matrix on the device: a trace, an after-challenge trace, a quotient chunk;
//   DeviceCommitment  committed data on the device: every matrix's LDE on g·H_{n·2^b} and every
//                     layer of their Merkle tree, kept for the query phase.
// Per phase the device is asked for (sections of docs/protocol.md):
//   upload / resident_*  host traces onto the device (once; the key's preprocessed data stays
//                        resident across proofs);
//   commit               LDEs + Merkle tree of matrices on trace domains (§4);
//   logup_trace          the after-challenge trace perm_c = Σ m_i/d_i and its running sum (§7.4);
//   quotient_chunks      Q(x) = fold(x)/Z_H(x) on g·H_{n·q}, split into q chunks of n rows (§5.4–5.5);
//   fri_prover           the codeword work of the opening (evaluations at ζ, ζ·ω, reduced openings,
//                        FRI folds and layer commitments, query openings) for fri_prove (§10);
//   grinder              where proof-of-work witnesses are searched.
// Only roots, opened values, the final polynomial and query openings come back to the host. Every
// operation is a deterministic function of its inputs, so every device gives the same proof bytes.
// Each device lives in its own folder: cpp/src/prover/cpu/, cuda/prover/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stark/air/constraint_system.hpp"
#include "stark/challenger/challenger.hpp"
#include "stark/config/config.hpp"
#include "stark/field/extension.hpp"
#include "stark/field/matrix.hpp"
#include "stark/fri/fri_prover.hpp"
#include "stark/fri/params.hpp"
#include "stark/fri/pcs.hpp"

namespace stark {

/// A height × width matrix of canonical field words held by a device. Handles are shared:
/// a commitment keeps the matrices it needs alive.
class DeviceMatrix {
 public:
  DeviceMatrix(size_t height, size_t width) : height_(height), width_(width) {}
  virtual ~DeviceMatrix() = default;
  DeviceMatrix(const DeviceMatrix&) = delete;
  DeviceMatrix& operator=(const DeviceMatrix&) = delete;
  size_t height() const { return height_; }
  size_t width() const { return width_; }

 private:
  size_t height_, width_;
};

/// Committed data held by a device: matrix m's LDE has 2^(log_trace_height(m) + log_blowup)
/// bit-reversed rows on g·H, interpolating domain_shift(m)·H_n; the Merkle tree over all of them
/// has root().
class DeviceCommitment {
 public:
  virtual ~DeviceCommitment() = default;
  virtual const Digest& root() const = 0;
  virtual uint32_t log_blowup() const = 0;
  virtual size_t num_matrices() const = 0;
  virtual uint32_t log_trace_height(size_t m) const = 0;
  virtual Fp domain_shift(size_t m) const = 0;
  virtual size_t width(size_t m) const = 0;
};

/// A matrix to commit: evaluations on domain_shift·H_n, natural row order.
struct DeviceCommitInput {
  std::shared_ptr<const DeviceMatrix> matrix;
  Fp domain_shift = Fp::one();
};

/// Matrix `matrix` of a commitment: an LDE the quotient reads.
struct DeviceLde {
  const DeviceCommitment* commitment = nullptr;
  size_t matrix = 0;
};

/// What the quotient of one AIR reads (docs/protocol.md §5.4): its committed LDEs and the
/// values the constraints mention.
struct DeviceQuotientInputs {
  uint32_t log_height = 0;  // k: trace height 2^k
  uint32_t log_blowup = 0;
  std::optional<DeviceLde> preprocessed;
  std::vector<DeviceLde> mains;  // cached partitions in order, then the common main
  std::optional<DeviceLde> after_challenge;
  std::vector<Ext4> challenges;  // (α_lu, β_lu) when the AIR has interactions
  std::vector<Ext4> exposed;     // the cumulative sum S_A when the AIR has interactions
  std::vector<uint32_t> public_values;
};

/// The after-challenge trace of one AIR (height × 4·(columns), canonical words) and its
/// cumulative sum S_A.
struct DeviceLogupTrace {
  std::shared_ptr<const DeviceMatrix> flattened;
  Ext4 cumulative_sum;
};

/// One commitment to open and the points of each of its matrices.
struct DeviceOpenRound {
  const DeviceCommitment* commitment = nullptr;
  std::vector<std::vector<Ext4>> points;
};

class ProverDevice;

/// One proof's work on a device: ProverDevice::begin_proof opens a session per proof (its
/// stream, scratch memory, caches and counters live here), prove() calls every phase on it from
/// one thread, then finish(). Sessions of different proofs are independent, so proofs may run
/// concurrently on one device.
class ProverSession {
 public:
  /// `config`: what the proof commits and hashes with (a session's trees use its hasher).
  explicit ProverSession(const ProverDevice& device, const StarkConfig& config = default_config())
      : device_(device), config_(config) {}
  virtual ~ProverSession() = default;
  ProverSession(const ProverSession&) = delete;
  ProverSession& operator=(const ProverSession&) = delete;

  const ProverDevice& device() const { return device_; }
  const StarkConfig& config() const { return config_; }

  /// A host trace onto the device. The host data stays valid and unchanged while the handle
  /// lives (a device may read it in place).
  virtual std::shared_ptr<const DeviceMatrix> upload(ConstMatrixView host) = 0;

  /// A trace already in CUDA device memory (`gpu.data` is a device pointer, e.g. a CuPy array's):
  /// adopted without a host round trip where the device can, its values checked (InputError
  /// naming `what`, the row and the column of the first non-canonical value). The memory stays
  /// valid and unchanged while the handle lives. By default an InputError: this device proves
  /// host traces.
  virtual std::shared_ptr<const DeviceMatrix> upload_from_gpu(ConstMatrixView gpu, const std::string& what);

  /// The proving key's preprocessed trace and commitment: a device may keep them resident as
  /// long as the key holds them, so later proofs do not upload them again.
  virtual std::shared_ptr<const DeviceMatrix> resident_matrix(
      const std::shared_ptr<const RowMajorMatrix>& host) = 0;
  virtual std::shared_ptr<const DeviceCommitment> resident_commitment(
      const std::shared_ptr<const PcsCommitted>& host) = 0;

  /// One PCS commitment of the given matrices. InputError (naming the matrix) as pcs_commit's.
  virtual std::shared_ptr<const DeviceCommitment> commit(const FriParameters& params,
                                                         const std::vector<DeviceCommitInput>& matrices) = 0;

  /// The after-challenge trace of one AIR with interactions. `mains`: cached partitions, then the
  /// common main. InputError on a zero LogUp denominator.
  virtual DeviceLogupTrace logup_trace(const ConstraintSystem& cs, const DeviceMatrix* preprocessed,
                                       const std::vector<const DeviceMatrix*>& mains,
                                       const std::vector<uint32_t>& public_values, const Ext4& alpha_lu,
                                       const Ext4& beta_lu) = 0;

  /// The q_A chunk matrices (n × 4 each) of one AIR's quotient, from its committed LDEs.
  virtual std::vector<std::shared_ptr<const DeviceMatrix>> quotient_chunks(const ConstraintSystem& cs,
                                                                           const DeviceQuotientInputs& inputs,
                                                                           const Ext4& alpha) = 0;

  /// The codeword half of the PCS opening of these rounds, for fri_prove. The rounds' commitments
  /// outlive the backend.
  virtual std::unique_ptr<FriProverBackend> fri_prover(const FriParameters& params,
                                                       const std::vector<DeviceOpenRound>& rounds) = 0;

  /// Where this session's proof-of-work witnesses are searched; nullptr: the CPU kernels.
  virtual const GrindBackend* grinder() { return nullptr; }

  /// After the last phase: waits for outstanding device work and adds the device's figures
  /// (e.g. peak device memory, bytes moved) to the calling thread's phase recording.
  virtual void finish() {}

 private:
  const ProverDevice& device_;
  const StarkConfig& config_;
};

class ProverDevice {
 public:
  virtual ~ProverDevice() = default;

  /// "cpu", "cuda", ...
  virtual std::string name() const = 0;

  /// A new session for one proof under `config`. A device that cannot prove a configuration
  /// (e.g. one whose kernels hash with Poseidon2 only) raises DeviceError naming it.
  virtual std::unique_ptr<ProverSession> begin_proof(const StarkConfig& config = default_config()) const = 0;
};

/// The shapes fri_prove checks, of device rounds (InputError for a null commitment or a points
/// list whose length differs from the matrix count).
std::vector<FriOpenRound> device_open_shapes(const std::vector<DeviceOpenRound>& rounds);

/// The CPU device (SIMD kernels and the thread pool of each layer; stark/prover/cpu_device.hpp).
const ProverDevice& cpu_prover_device();

/// The CUDA device (cuda/prover/); call only when cuda::available(). Without the CUDA units
/// compiled in, DeviceError.
const ProverDevice& cuda_prover_device();

/// A device of the registry. Adding a device is one new folder (cpp/src/prover/<name>/ or
/// cuda/prover/) that implements ProverDevice and defines
/// `const ProverDeviceEntry& <name>_device_entry()`, plus its line in
/// cpp/src/prover/device_registry.cpp.
struct ProverDeviceEntry {
  std::string name;          // what Engine(device=...) names it by: "cpu", "cuda", ...
  bool accelerator = false;  // a candidate for "auto" (registry order)
  /// Empty when the device is usable on this machine; otherwise why not (e.g. no GPU).
  std::function<std::string()> unavailable_reason;
  /// The device; called only when it is usable.
  std::function<const ProverDevice&()> device;
};

/// Every registered device, in registry order (the CPU first).
const std::vector<const ProverDeviceEntry*>& prover_devices();

/// A registered name → that device when it is usable (DeviceError saying why not otherwise);
/// "auto" → the first usable accelerator of the registry, else the CPU. InputError listing the
/// known names for any other name.
const ProverDevice& prover_device(const std::string& kind);

}  // namespace stark
