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

#include "merkle.cuh"

namespace testing {

struct HostExec {
  template <class T>
  struct Buffer {
    std::vector<T> v;
    T* data() const { return const_cast<T*>(v.data()); }
    size_t size() const { return v.size(); }
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
  void merkle_layer(const uint32_t* prev, uint32_t* out, uint64_t n,
                    const stark::cuda::kernels::LeafMatrix* inject, uint32_t inject_count) {
    each(n, [&](uint64_t i) {
      stark::cuda::kernels::merkle_layer_body(prev, out, inject, inject_count, i, constants());
    });
  }
  void gather(const stark::cuda::kernels::GatherSpan* spans, uint64_t count, uint32_t* out) {
    each(count, [&](uint64_t s) { stark::cuda::kernels::gather_span_body(spans, s, out); });
  }
};

}  // namespace testing
