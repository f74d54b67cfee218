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
#include <vector>

#include "fri.cuh"
#include "merkle.cuh"
#include "ntt.cuh"

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
};

}  // namespace testing
