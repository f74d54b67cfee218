// Device memory, streams and pinned host memory for the CUDA prover (RAII; docs/architecture.md
// §4.1). Host-compilable: launchers in cuda/*.cu and the device in cuda/prover/ use it alike.
//
// Device buffers come from the current device's stream-ordered pool (cudaMallocAsync). Its release
// threshold is raised to "never", so memory freed at the end of a proof stays in the pool and the
// next proof's allocations are served without a driver call; the pool's high-water mark is the
// peak device memory a proof reports. Every failure is a DeviceError naming the call; running out
// of memory says how much was asked and how much is free, and leaves the process usable.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <utility>

namespace stark::cuda {

/// Allocates `bytes` on `stream` from the current device's pool (nullptr for 0 bytes).
/// DeviceError (memory_message.hpp's text) when the device is out of memory.
void* device_alloc(size_t bytes, cudaStream_t stream, const char* what);
/// Frees on `stream` (stream-ordered: work queued before keeps the memory). Never throws.
void device_free(void* p, cudaStream_t stream) noexcept;

/// The current device's pool: its high-water mark of used bytes since the last reset, and the
/// reset (a new proof). With concurrent proofs the figure covers all of them.
size_t pool_peak_bytes();
void reset_pool_peak();

/// A device array of `count` T on one stream. Move-only; freed (stream-ordered) on destruction.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(size_t count, cudaStream_t stream, const char* what)
      : data_(static_cast<T*>(device_alloc(checked_bytes(count, what), stream, what))),
        count_(count),
        stream_(stream) {}
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), count_(std::exchange(o.count_, 0)), stream_(o.stream_) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      data_ = std::exchange(o.data_, nullptr);
      count_ = std::exchange(o.count_, 0);
      stream_ = o.stream_;
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { reset(); }

  T* data() const { return data_; }
  size_t size() const { return count_; }
  size_t bytes() const { return count_ * sizeof(T); }
  bool empty() const { return count_ == 0; }
  cudaStream_t stream() const { return stream_; }

  void reset() noexcept {
    if (data_ != nullptr) device_free(data_, stream_);
    data_ = nullptr;
    count_ = 0;
  }

 private:
  static size_t checked_bytes(size_t count, const char* what);

  T* data_ = nullptr;
  size_t count_ = 0;
  cudaStream_t stream_ = nullptr;
};

/// count·size, or InputError naming `what` when it overflows.
size_t checked_buffer_bytes(size_t count, size_t size, const char* what);

template <class T>
size_t DeviceBuffer<T>::checked_bytes(size_t count, const char* what) {
  return checked_buffer_bytes(count, sizeof(T), what);
}

/// A non-blocking CUDA stream (one per proof): it does not serialize with the legacy default
/// stream, so concurrent proofs overlap.
class Stream {
 public:
  Stream();
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  /// Waits for the queued work; DeviceError naming `what` if any of it failed.
  void synchronize(const char* what) const;

 private:
  cudaStream_t stream_ = nullptr;
};

/// Copies host → device through pinned staging chunks, overlapping the host-side copy of one
/// chunk with the DMA of the previous one; returns when `host` may be reused (the data is on
/// the device in stream order).
void upload_staged(void* device_dst, const void* host_src, size_t bytes, cudaStream_t stream,
                   const char* what);
/// Device → host into pageable memory (queued on the stream, then the stream is synchronized:
/// the data is there on return, and errors of earlier work on the stream surface here).
void download(void* host_dst, const void* device_src, size_t bytes, cudaStream_t stream, const char* what);
/// Bytes download() has copied in this process (a proof reports the difference over its run).
uint64_t bytes_downloaded();

}  // namespace stark::cuda
