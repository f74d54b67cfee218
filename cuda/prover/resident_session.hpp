// A proof whose data stays in an executor's memory: the device-resident ProverSession, written
// once over an executor (host compiler only). The CUDA device runs it on CudaExec (one stream
// per proof); the C++ tests run it on the host executor and compare whole proofs with the CPU
// device's, byte for byte (tests/cpp/test_cuda_resident_host.cpp).
//
// Handles are executor memory: a trace is uploaded once (or adopted in place when it is already
// in device memory), commitments keep every LDE and every Merkle layer for the query phase, the
// after-challenge traces and quotient chunks are computed where the LDEs are, and the opening
// runs PlanFriProver on the commitments' trees. The host sees roots, the cumulative sums, opened
// values, the final polynomial and query openings. The proving key's preprocessed data is
// uploaded once per key and kept in the device's ResidentCache across proofs.
//
// Besides the plans' (merkle_plan.hpp, fri_plan.hpp), an executor provides:
//   Exec persistent();                         an executor whose buffers outlive the proof
//   void synchronize();                        waits for the work queued so far
//   void coset_lde_bitrev(in, log_n, width, log_blowup, shift, out);   in is left unchanged
//   void check_canonical(const uint32_t* words, size_t height, size_t width, const std::string& what);
//   Ext4 logup_trace(cs, optional<MatrixRef> preprocessed, vector<MatrixRef> mains, public values,
//                    α_lu, β_lu, uint32_t* flattened);       the flattened trace and S
//   void quotient_chunks(cs, const QuotientLdes&, public values, challenges, exposed, α,
//                        uint32_t* chunks);                  q chunk matrices n x 4, back to back
//   void begin_span(const char* name); void end_span();    kernel time under a `timings` key
//   const GrindBackend* grinder();             nullptr: the CPU kernels
//   void finish(uint64_t host_to_device_bytes);   after the last phase: the matrix data uploaded
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fri_plan.hpp"
#include "merkle_plan.hpp"
#include "quotient.hpp"
#include "stark/prover/device.hpp"
#include "stark/prover/subgroup_lde.hpp"
#include "stark/util/error.hpp"

namespace stark::cuda {

/// The resident plans hash with Poseidon2-16 (Merkle kernels, duplex grinding): other
/// configurations are refused with a DeviceError that says what to use instead.
inline void require_resident_config(const StarkConfig& config) {
  if (config.id() != ConfigId::BabyBearPoseidon2) {
    throw DeviceError(
        "the device-resident (CUDA) prover supports the baby_bear_poseidon2 configuration only "
        "(its Merkle and grinding kernels are Poseidon2-16); the key is for " +
        config.name() + ": prove it with device=\"cpu\"");
  }
}

/// A matrix in executor memory: owned (a buffer), or borrowed (memory the caller keeps valid,
/// e.g. a CuPy array, or a slice of a buffer that `keep` holds).
template <class Exec>
class ResidentMatrix final : public DeviceMatrix {
 public:
  using Buffer = typename Exec::template Buffer<uint32_t>;
  ResidentMatrix(size_t height, size_t width, Buffer owned)
      : DeviceMatrix(height, width), owned_(std::move(owned)), data_(owned_.data()) {}
  ResidentMatrix(size_t height, size_t width, const uint32_t* borrowed, std::shared_ptr<const void> keep = {})
      : DeviceMatrix(height, width), data_(borrowed), keep_(std::move(keep)) {}
  MatrixRef ref() const { return MatrixRef{data_, height(), width()}; }

 private:
  Buffer owned_;
  const uint32_t* data_;
  std::shared_ptr<const void> keep_;
};

/// A commitment in executor memory: the LDEs and their tree.
template <class Exec>
class ResidentCommitment final : public DeviceCommitment {
 public:
  using Buffer = typename Exec::template Buffer<uint32_t>;
  ResidentCommitment(Exec& ex, uint32_t log_blowup, std::vector<uint32_t> log_trace_heights,
                     std::vector<Fp> shifts, std::vector<Buffer> ldes, const std::vector<size_t>& widths)
      : log_blowup_(log_blowup),
        log_trace_heights_(std::move(log_trace_heights)),
        shifts_(std::move(shifts)),
        ldes_(std::move(ldes)),
        tree_(ex, refs(log_blowup, log_trace_heights_, ldes_, widths)) {}

  const Digest& root() const override { return tree_.root(); }
  uint32_t log_blowup() const override { return log_blowup_; }
  size_t num_matrices() const override { return ldes_.size(); }
  uint32_t log_trace_height(size_t m) const override { return log_trace_heights_.at(m); }
  Fp domain_shift(size_t m) const override { return shifts_.at(m); }
  size_t width(size_t m) const override { return tree_.matrix(m).width; }
  /// Matrix m's LDE: 2^(k + b) bit-reversed rows on g·H.
  const MatrixRef& lde(size_t m) const { return tree_.matrix(m); }
  const PlanMerkleTree<Exec>& tree() const { return tree_; }

 private:
  static std::vector<MatrixRef> refs(uint32_t log_blowup, const std::vector<uint32_t>& log_heights,
                                     const std::vector<Buffer>& ldes, const std::vector<size_t>& widths) {
    std::vector<MatrixRef> out;
    for (size_t m = 0; m < ldes.size(); ++m)
      out.push_back(MatrixRef{ldes[m].data(), size_t(1) << (log_heights[m] + log_blowup), widths[m]});
    return out;
  }

  uint32_t log_blowup_;
  std::vector<uint32_t> log_trace_heights_;
  std::vector<Fp> shifts_;
  std::vector<Buffer> ldes_;
  PlanMerkleTree<Exec> tree_;
};

/// The proving key's data on the device, shared by the proofs of one device: an entry lives as
/// long as the host object it mirrors (a weak reference to it), so a dropped key frees its
/// device copies at the next lookup.
class ResidentCache {
 public:
  /// The cached value for `host`, or make() stored for it.
  template <class T, class Make>
  std::shared_ptr<const T> get(const std::shared_ptr<const void>& host, Make&& make) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      evict_expired();
      auto it = entries_.find(host.get());
      if (it != entries_.end() && !it->second.owner.expired())
        return std::static_pointer_cast<const T>(it->second.value);
    }
    std::shared_ptr<const T> value = make();  // uploads outside the lock: proofs go on meanwhile
    const std::lock_guard<std::mutex> lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(host.get(), Entry{host, value});
    if (!inserted) {
      if (!it->second.owner.expired()) return std::static_pointer_cast<const T>(it->second.value);
      it->second = Entry{host, value};
    }
    return value;
  }
  size_t size() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }
  void clear() {
    const std::lock_guard<std::mutex> lock(mutex_);
    entries_.clear();
  }

 private:
  struct Entry {
    std::weak_ptr<const void> owner;
    std::shared_ptr<const void> value;
  };
  void evict_expired() {
    for (auto it = entries_.begin(); it != entries_.end();)
      it = it->second.owner.expired() ? entries_.erase(it) : ++it;
  }
  mutable std::mutex mutex_;
  std::map<const void*, Entry> entries_;
};

template <class Exec>
class ResidentSession : public ProverSession {
 public:
  using Matrix = ResidentMatrix<Exec>;
  using Commitment = ResidentCommitment<Exec>;
  using Buffer = typename Exec::template Buffer<uint32_t>;

  ResidentSession(const ProverDevice& device, Exec ex, ResidentCache& cache,
                  const StarkConfig& config = default_config())
      : ProverSession(device, (require_resident_config(config), config)), ex_(std::move(ex)), cache_(cache) {}

  Exec& exec() { return ex_; }
  const Exec& exec() const { return ex_; }

  std::shared_ptr<const DeviceMatrix> upload(ConstMatrixView host) override { return upload_with(ex_, host); }

  std::shared_ptr<const DeviceMatrix> upload_from_gpu(ConstMatrixView gpu, const std::string& what) override {
    ex_.check_canonical(gpu.data, gpu.height, gpu.width, what);  // adopted in place: no copy
    return std::make_shared<const Matrix>(gpu.height, gpu.width, gpu.data);
  }

  std::shared_ptr<const DeviceMatrix> resident_matrix(
      const std::shared_ptr<const RowMajorMatrix>& host) override {
    if (!host) throw InputError("resident matrix: no host matrix");
    return cache_.get<DeviceMatrix>(host, [&] {
      Exec persistent = ex_.persistent();
      auto m = upload_with(persistent, host->view());
      persistent.synchronize();  // other proofs' streams may read it next
      return m;
    });
  }

  std::shared_ptr<const DeviceCommitment> resident_commitment(
      const std::shared_ptr<const PcsCommitted>& host) override {
    if (!host) throw InputError("resident commitment: no host commitment");
    return cache_.get<DeviceCommitment>(host, [&]() -> std::shared_ptr<const DeviceCommitment> {
      Exec persistent = ex_.persistent();
      std::vector<Buffer> ldes;
      std::vector<uint32_t> log_heights;
      std::vector<Fp> shifts;
      std::vector<size_t> widths;
      for (size_t m = 0; m < host->num_matrices(); ++m) {
        const ConstMatrixView lde = host->lde(m);
        ldes.push_back(upload_words(persistent, lde.data, lde.height * lde.width, "resident LDE"));
        log_heights.push_back(host->log_trace_height(m));
        shifts.push_back(host->domain_shift(m));
        widths.push_back(lde.width);
      }
      auto c = std::make_shared<const Commitment>(persistent, host->log_blowup(), std::move(log_heights),
                                                  std::move(shifts), std::move(ldes), widths);
      persistent.synchronize();
      if (c->root() != host->root())
        throw DeviceError("resident commitment: the device tree's root differs from the key's");
      return c;
    });
  }

  std::shared_ptr<const DeviceCommitment> commit(const FriParameters& params,
                                                 const std::vector<DeviceCommitInput>& matrices) override {
    params.validate();
    if (matrices.empty()) throw InputError("pcs commit: no matrices");
    std::vector<Buffer> ldes;
    std::vector<uint32_t> log_heights;
    std::vector<Fp> shifts;
    std::vector<size_t> widths;
    std::optional<Span> span(std::in_place, ex_, "lde");
    for (size_t m = 0; m < matrices.size(); ++m) {
      if (!matrices[m].matrix) throw InputError("pcs commit: matrix " + std::to_string(m) + " is missing");
      const MatrixRef in = ref_of(*matrices[m].matrix, "commit");
      const Fp shift = matrices[m].domain_shift;
      const uint32_t log_n = check_commit_matrix(params, m, in.height, in.width, shift);
      Buffer out =
          ex_.template alloc<uint32_t>((in.height << params.log_blowup) * in.width, "commitment LDE");
      // Evaluations on s·H_n are P(s·y) on H_n; their LDE on (g/s)·H_N is P on g·H_N
      // (stark/prover/subgroup_lde.hpp).
      ex_.coset_lde_bitrev(in.data, log_n, in.width, params.log_blowup, generator() * shift.inverse(),
                           out.data());
      ldes.push_back(std::move(out));
      log_heights.push_back(log_n);
      shifts.push_back(shift);
      widths.push_back(in.width);
    }
    span.emplace(ex_, "merkle_tree");
    return std::make_shared<const Commitment>(ex_, params.log_blowup, std::move(log_heights),
                                              std::move(shifts), std::move(ldes), widths);
  }

  DeviceLogupTrace logup_trace(const ConstraintSystem& cs, const DeviceMatrix* preprocessed,
                               const std::vector<const DeviceMatrix*>& mains,
                               const std::vector<uint32_t>& public_values, const Ext4& alpha_lu,
                               const Ext4& beta_lu) override {
    std::optional<MatrixRef> prep;
    if (preprocessed != nullptr) prep = ref_of(*preprocessed, "logup_trace");
    std::vector<MatrixRef> refs;
    for (const DeviceMatrix* m : mains) {
      if (m == nullptr) throw InputError("after-challenge trace: a main partition is missing");
      refs.push_back(ref_of(*m, "logup_trace"));
    }
    const size_t height = prep ? prep->height : refs.empty() ? 0 : refs[0].height;
    const size_t width = 4 * size_t(cs.after_challenge_width());
    // Sized from the AIR; the executor's checks (the CPU's) run before anything is written.
    Buffer flattened = ex_.template alloc<uint32_t>(height * width, "after-challenge trace");
    const Ext4 cumulative =
        ex_.logup_trace(cs, prep, refs, public_values, alpha_lu, beta_lu, flattened.data());
    return DeviceLogupTrace{std::make_shared<const Matrix>(height, width, std::move(flattened)), cumulative};
  }

  std::vector<std::shared_ptr<const DeviceMatrix>> quotient_chunks(const ConstraintSystem& cs,
                                                                   const DeviceQuotientInputs& in,
                                                                   const Ext4& alpha) override {
    QuotientLdes ldes;
    ldes.log_height = in.log_height;
    ldes.log_blowup = in.log_blowup;
    if (in.preprocessed) ldes.preprocessed = lde_of(*in.preprocessed);
    for (const DeviceLde& m : in.mains) ldes.mains.push_back(lde_of(m));
    if (in.after_challenge) ldes.after_challenge = lde_of(*in.after_challenge);
    const size_t n = size_t(1) << in.log_height, q = cs.quotient_degree;
    auto chunks = std::make_shared<Buffer>(ex_.template alloc<uint32_t>(4 * n * q, "quotient chunks"));
    ex_.quotient_chunks(cs, ldes, in.public_values, in.challenges, in.exposed, alpha, chunks->data());
    std::vector<std::shared_ptr<const DeviceMatrix>> out;
    for (size_t t = 0; t < q; ++t)
      out.push_back(std::make_shared<const Matrix>(n, 4, chunks->data() + 4 * n * t, chunks));
    return out;
  }

  std::unique_ptr<FriProverBackend> fri_prover(const FriParameters& params,
                                               const std::vector<DeviceOpenRound>& rounds) override {
    std::vector<PlanFriRound<Exec>> plan;
    for (size_t ri = 0; ri < rounds.size(); ++ri) {
      if (rounds[ri].commitment == nullptr)
        throw InputError("pcs_open: round " + std::to_string(ri) + " has no commitment");
      const Commitment& c = commitment_of(*rounds[ri].commitment, "fri_prover");
      std::vector<uint32_t> log_heights;
      for (size_t m = 0; m < c.num_matrices(); ++m) log_heights.push_back(c.log_trace_height(m));
      plan.push_back(
          PlanFriRound<Exec>{&c.tree(), c.log_blowup(), std::move(log_heights), rounds[ri].points});
    }
    return std::make_unique<PlanFriProver<Exec>>(ex_, params, std::move(plan));
  }

  const GrindBackend* grinder() override { return ex_.grinder(); }
  void finish() override { ex_.finish(uploaded_bytes_); }

  /// Matrix data this session has uploaded (traces, and key data the first time it is needed).
  uint64_t uploaded_bytes() const { return uploaded_bytes_; }

 private:
  /// A kernel-time span of the executor around a scope (end_span never throws).
  struct Span {
    Exec& ex;
    Span(Exec& e, const char* name) : ex(e) { ex.begin_span(name); }
    ~Span() { ex.end_span(); }
    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;
  };

  Buffer upload_words(Exec& ex, const uint32_t* host, size_t words, const char* what) {
    Buffer buf = ex.template alloc<uint32_t>(words, what);
    if (words != 0) ex.upload(buf.data(), host, words * sizeof(uint32_t));
    uploaded_bytes_ += words * sizeof(uint32_t);
    return buf;
  }
  std::shared_ptr<const DeviceMatrix> upload_with(Exec& ex, ConstMatrixView host) {
    return std::make_shared<const Matrix>(
        host.height, host.width, upload_words(ex, host.data, host.height * host.width, "trace upload"));
  }
  MatrixRef ref_of(const DeviceMatrix& m, const std::string& what) const {
    const auto* r = dynamic_cast<const Matrix*>(&m);
    if (r == nullptr)
      throw DeviceError(what + ": a matrix of another device was given to the " + device().name() +
                        " device");
    return r->ref();
  }
  const Commitment& commitment_of(const DeviceCommitment& c, const std::string& what) const {
    const auto* r = dynamic_cast<const Commitment*>(&c);
    if (r == nullptr)
      throw DeviceError(what + ": a commitment of another device was given to the " + device().name() +
                        " device");
    return *r;
  }
  MatrixRef lde_of(const DeviceLde& l) const {
    if (l.commitment == nullptr) throw InputError("quotient: an LDE has no commitment");
    const Commitment& c = commitment_of(*l.commitment, "quotient_chunks");
    if (l.matrix >= c.num_matrices())
      throw InputError("quotient: LDE " + std::to_string(l.matrix) + " of a commitment of " +
                       std::to_string(c.num_matrices()));
    return c.lde(l.matrix);
  }

  Exec ex_;
  ResidentCache& cache_;
  uint64_t uploaded_bytes_ = 0;
};

}  // namespace stark::cuda
