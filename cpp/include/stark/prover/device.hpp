// The prover's hardware seam (openvm's ProverDevice pattern): the coordinator in prover.hpp
// writes the protocol once and asks a device for the four heavy operations (sections of
// docs/protocol.md; the seam is docs/architecture.md §4.1) —
//   commit     evaluations on trace/chunk domains → LDEs on g·H_{n·2^b} + Merkle tree (§4);
//   logup      the after-challenge trace perm_c = Σ m_i/d_i and its running sum φ (§7.4);
//   quotient   Q(x) = fold(x)/Z_H(x) on g·H_{n·q}, split into q chunks of n rows (§5.4–5.5);
//   open       evaluations at ζ, ζ·ω, reduced openings, FRI folding and queries (§10).
// Everything a device returns is ordinary host data (canonical words), and every operation is
// a deterministic function of its inputs, so any device yields byte-identical proofs. The CPU
// device forwards to the CPU implementations of each layer; a CUDA device is one more
// implementation of this interface.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stark/air/constraint_system.hpp"
#include "stark/air/logup.hpp"
#include "stark/air/quotient.hpp"
#include "stark/challenger/challenger.hpp"
#include "stark/fri/params.hpp"
#include "stark/fri/pcs.hpp"

namespace stark {

class ProverDevice {
 public:
  virtual ~ProverDevice() = default;

  /// "cpu", "cuda", ...
  virtual std::string name() const = 0;

  /// One PCS commitment of the given matrices (evaluations on domain_shift·H_n, natural order).
  virtual std::shared_ptr<const PcsCommitted> commit(const FriParameters& params,
                                                     std::vector<PcsMatrixInput> matrices) const = 0;

  /// The flattened after-challenge trace of one AIR with interactions and its cumulative sum.
  virtual AfterChallengeTrace logup_trace(const ConstraintSystem& cs,
                                          std::optional<ConstMatrixView> preprocessed,
                                          const std::vector<ConstMatrixView>& mains,
                                          const std::vector<uint32_t>& public_values, const Ext4& alpha_lu,
                                          const Ext4& beta_lu) const = 0;

  /// The q_A chunk matrices (n × 4 each) of one AIR's quotient, from its committed LDEs.
  virtual std::vector<RowMajorMatrix> quotient_chunks(const ConstraintSystem& cs,
                                                      const QuotientInputs& inputs,
                                                      const Ext4& alpha) const = 0;

  /// The PCS opening of all rounds; advances `challenger` exactly like the verifier's.
  virtual std::pair<OpenedValues, FriProof> open(const FriParameters& params,
                                                 const std::vector<PcsOpenRound>& rounds,
                                                 Challenger& challenger) const = 0;

  /// Where this device's proofs search proof-of-work witnesses; nullptr: the CPU kernels.
  virtual const GrindBackend* grind_backend() const { return nullptr; }
};

/// An LDE routine for matrices given on the subgroup H_n: writes the evaluations of the
/// interpolating polynomials on shift·H_{n·2^log_blowup} in bit-reversed row order.
using SubgroupLde = std::function<void(ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out)>;

/// A PCS commitment assembled from any subgroup LDE routine and Merkle hasher (how devices
/// commit). A matrix on the coset s·H_n holds P'(y) = P(s·y) on H_n, and the LDE of P' on the
/// coset (g/s)·H_N is P(g·x): so the routine is called with shift g/s and every matrix lands
/// on the committed coset g·H_N. Inputs are validated like pcs_commit's (InputError).
std::shared_ptr<const PcsCommitted> commit_with_subgroup_lde(const FriParameters& params,
                                                             std::vector<PcsMatrixInput> matrices,
                                                             const SubgroupLde& lde,
                                                             const MerkleHasher& hasher);

/// The CPU device (SIMD kernels and the thread pool of each layer).
const ProverDevice& cpu_prover_device();

/// The CUDA device: GPU LDEs and leaf hashing for commitments (call only when
/// cuda::available(); its kernels throw DeviceError otherwise).
const ProverDevice& cuda_prover_device();

/// A device of the registry. Adding a device is one new file, cpp/src/prover/device_<name>.cpp,
/// that implements ProverDevice and defines `const ProverDeviceEntry& <name>_device_entry()`,
/// plus its registration line in cpp/src/prover/device_registry.cpp.
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
