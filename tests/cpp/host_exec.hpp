// A host executor for the device-resident plans (cuda/merkle_plan.hpp, cuda/fri_plan.hpp): every
// "launch" is a loop over the thread indices that runs the kernel's per-thread body, so the C++
// tests run the plans' logic and the kernels' arithmetic without a GPU. Loops run backwards when
// `backwards` is set (a body that read another thread's output would then differ), and fresh
// buffers are filled with a poison word instead of zeros (a plan that read memory it never wrote
// would then differ from the CPU).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "fri.cuh"
#include "merkle.cuh"
#include "ntt.cuh"
#include "quotient.hpp"
#include "stark/air/logup.hpp"
#include "stark/air/quotient.hpp"
#include "stark/prover/validate.hpp"

namespace testing {

struct HostExec {
  template <class T>
  struct Buffer {
    std::vector<T> v;
    T* data() const { return const_cast<T*>(v.data()); }
    size_t size() const { return v.size(); }
    size_t bytes() const { return v.size() * sizeof(T); }
  };

  bool backwards = false;
  uint64_t launches = 0;
  uint64_t bytes_downloaded = 0;

  template <class T>
  Buffer<T> alloc(size_t count, const char* /*what*/) {
    Buffer<T> b;
    b.v.resize(count);
    if (count != 0) std::memset(static_cast<void*>(b.v.data()), 0xA5, count * sizeof(T));
    return b;
  }
  void upload(void* dst, const void* src, size_t bytes) {
    if (bytes != 0) std::memcpy(dst, src, bytes);
  }
  void download(void* dst, const void* src, size_t bytes) {
    if (bytes != 0) std::memcpy(dst, src, bytes);
    bytes_downloaded += bytes;
  }

  template <class F>
  void each(uint64_t total, F&& f) {
    ++launches;
    if (backwards) {
      for (uint64_t t = total; t-- > 0;) f(t);
    } else {
      for (uint64_t t = 0; t < total; ++t) f(t);
    }
  }

  static const stark::cuda::kernels::Poseidon2Constants& constants() {
    static const stark::cuda::kernels::Poseidon2Constants k =
        stark::cuda::kernels::make_poseidon2_constants();
    return k;
  }

  // ---- Merkle (merkle.cuh) ----
  void leaf_digests(const stark::cuda::kernels::LeafMatrix* mats, uint32_t count, uint64_t rows,
                    uint32_t* out) {
    each(rows, [&](uint64_t r) {
      stark::cuda::kernels::leaf_digest_body(mats, count, r, out + 8 * r, constants());
    });
  }
  void merkle_layer(const uint32_t* prev, uint32_t* out, uint64_t n) {
    each(n, [&](uint64_t i) { stark::cuda::kernels::merkle_layer_body(prev, out, i, constants()); });
  }
  void compress_pairs(const uint32_t* left, const uint32_t* right, uint64_t n, uint32_t* out) {
    each(n, [&](uint64_t i) { stark::cuda::kernels::compress_pairs_body(left, right, out, i, constants()); });
  }
  void zero(void* dst, size_t bytes) {
    if (bytes != 0) std::memset(dst, 0, bytes);
  }
  void gather(const stark::cuda::kernels::GatherSpan* spans, uint64_t count, uint32_t* out) {
    each(count, [&](uint64_t s) { stark::cuda::kernels::gather_span_body(spans, s, out); });
  }

  // ---- PCS opening and FRI (fri.cuh) ----
  using Ext4 = stark::Ext4;
  using Fp = stark::Fp;
  void powers(uint32_t* out, size_t count, Fp base, Fp scale) {
    each(count, [&](uint64_t i) { stark::cuda::kernels::powers_body(out, i, base, scale); });
  }
  void coset_points(uint32_t* out, uint32_t log_h, Fp g, Fp omega) {
    each(uint64_t(1) << log_h,
         [&](uint64_t r) { stark::cuda::kernels::coset_point_bitrev_body(out, log_h, g, omega, r); });
  }
  void inverse_denominators(const uint32_t* points, uint64_t n, Ext4 z, Ext4* inv, uint32_t* flag) {
    each(n, [&](uint64_t r) { stark::cuda::kernels::inverse_denominator_body(points, z, r, inv, flag); });
  }
  void opening_weights(const uint32_t* points, const Ext4* inv, Ext4 scale, uint64_t n, Ext4* w) {
    each(n, [&](uint64_t r) { stark::cuda::kernels::opening_weight_body(points, inv, scale, r, w); });
  }
  void weighted_column_sums(const uint32_t* lde, uint64_t width, uint64_t rows, uint64_t chunk_rows,
                            uint64_t chunks, const Ext4* w, Ext4* partial) {
    each(chunks * width, [&](uint64_t t) {
      stark::cuda::kernels::weighted_column_sum_body(lde, width, rows, chunk_rows, w, t, partial);
    });
  }
  void sum_chunks(const Ext4* partial, uint64_t chunks, uint64_t count, Ext4* out) {
    each(count, [&](uint64_t t) { stark::cuda::kernels::sum_chunks_body(partial, chunks, count, t, out); });
  }
  void reduce_rows(const uint32_t* lde, uint64_t width, uint64_t rows, const Ext4* alpha_powers,
                   const stark::cuda::kernels::ReduceTerm* terms, uint32_t num_terms, Ext4* ro) {
    each(rows, [&](uint64_t r) {
      stark::cuda::kernels::reduce_row_body(lde, width, alpha_powers, terms, num_terms, r, ro);
    });
  }
  void fold(const Ext4* f, Ext4* out, uint64_t m, Ext4 beta, Fp half, const uint32_t* half_inv_powers,
            uint32_t log_m, const Ext4* roll_in, Ext4 beta_sq) {
    each(m, [&](uint64_t i) {
      stark::cuda::kernels::fold_body(f, out, beta, half, half_inv_powers, log_m, roll_in, beta_sq, i);
    });
  }
  void canonical_words(const Ext4* f, uint64_t count, uint32_t* out) {
    each(count, [&](uint64_t i) { stark::cuda::kernels::canonical_words_body(f, i, out); });
  }

  // ---- the coset LDE (ntt.cuh's plan, this executor running its steps) ----
  void dif_layer(uint32_t* data, size_t rows, size_t width, const uint32_t* tw, uint32_t log_len,
                 uint32_t tw_shift) {
    each(uint64_t(rows / 2) * width, [&](uint64_t t) {
      stark::cuda::kernels::dif_body<uint64_t>(data, uint64_t(width), tw, log_len, tw_shift, t);
    });
  }
  void gather_bitrev(uint32_t* dst, size_t dst_rows, const uint32_t* src, size_t src_rows, uint32_t log_src,
                     size_t width, const uint32_t* factors, Fp scale) {
    each(uint64_t(dst_rows) * width, [&](uint64_t t) {
      stark::cuda::kernels::gather_bitrev_body<uint64_t>(dst, src, uint64_t(src_rows), log_src,
                                                         uint64_t(width), factors, scale, t);
    });
  }
  void coset_lde_bitrev(const uint32_t* in, uint32_t log_n, size_t width, uint32_t log_blowup, Fp shift,
                        uint32_t* out) {
    const size_t n = size_t(1) << log_n;
    auto work = alloc<uint32_t>(n * width, "LDE input copy");
    std::memcpy(work.data(), in, n * width * sizeof(uint32_t));
    auto tw = alloc<uint32_t>(stark::cuda::kernels::twiddle_words(log_n + log_blowup), "twiddles");
    auto factors = alloc<uint32_t>(n, "shift powers");
    stark::cuda::kernels::plan::coset_lde_bitrev(*this, work.data(), out, tw.data(), factors.data(), log_n,
                                                 log_blowup, width, shift);
  }

  // ---- the resident session's other phases ----
  // The LogUp and quotient kernels' bodies are checked against the CPU in test_cuda_logup_host and
  // test_cuda_quotient_host; here the session's plumbing is under test, so these phases run the
  // CPU implementations on the executor's (host) memory.
  HostExec persistent() const {
    HostExec p = *this;
    p.record = nullptr;
    return p;
  }
  void synchronize() {}
  /// What the last session that finished reported (set `record` to collect it; it outlives the
  /// session).
  struct Record {
    std::vector<std::string> spans;
    uint64_t host_to_device_bytes = ~uint64_t(0);
  };
  Record* record = nullptr;
  std::vector<std::string> spans;
  void begin_span(const char* name) { spans.push_back(name); }
  void end_span() noexcept {}

  void check_canonical(const uint32_t* words, size_t height, size_t width, const std::string& what) {
    stark::check_canonical(stark::ConstMatrixView{words, height, width}, what);
  }
  static stark::ConstMatrixView view(const stark::cuda::MatrixRef& m) {
    return stark::ConstMatrixView{m.data, m.height, m.width};
  }
  Ext4 logup_trace(const stark::ConstraintSystem& cs, std::optional<stark::cuda::MatrixRef> preprocessed,
                   const std::vector<stark::cuda::MatrixRef>& mains,
                   const std::vector<uint32_t>& public_values, const Ext4& alpha_lu, const Ext4& beta_lu,
                   uint32_t* flattened) {
    std::optional<stark::ConstMatrixView> prep;
    if (preprocessed) prep = view(*preprocessed);
    std::vector<stark::ConstMatrixView> views;
    for (const auto& m : mains) views.push_back(view(m));
    const stark::AfterChallengeTrace ac =
        stark::after_challenge_trace(cs, prep, views, public_values, alpha_lu, beta_lu);
    std::memcpy(flattened, ac.flattened.values.data(), ac.flattened.values.size() * sizeof(uint32_t));
    return ac.cumulative_sum;
  }
  void quotient_chunks(const stark::ConstraintSystem& cs, const stark::cuda::QuotientLdes& ldes,
                       const std::vector<uint32_t>& public_values, const std::vector<Ext4>& challenges,
                       const std::vector<Ext4>& exposed, const Ext4& alpha, uint32_t* chunks) {
    stark::QuotientInputs in;
    in.log_height = ldes.log_height;
    in.log_blowup = ldes.log_blowup;
    if (ldes.preprocessed) in.preprocessed = view(*ldes.preprocessed);
    for (const auto& m : ldes.mains) in.mains.push_back(view(m));
    if (ldes.after_challenge) in.after_challenge = view(*ldes.after_challenge);
    in.public_values = public_values;
    in.challenges = challenges;
    in.exposed = exposed;
    size_t at = 0;
    for (const stark::RowMajorMatrix& c :
         stark::quotient_chunks(stark::quotient_values(cs, in, alpha), cs.quotient_degree)) {
      std::memcpy(chunks + at, c.values.data(), c.values.size() * sizeof(uint32_t));
      at += c.values.size();
    }
  }
  const stark::GrindBackend* grinder() { return nullptr; }
  void finish(uint64_t host_to_device_bytes) {
    if (record != nullptr) *record = Record{spans, host_to_device_bytes};
  }
};

}  // namespace testing
