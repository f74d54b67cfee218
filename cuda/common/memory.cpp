// Device memory, streams, staging and event timing (device_buffer.hpp, event_timer.hpp).
#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>

#include "common/device_buffer.hpp"
#include "common/event_timer.hpp"
#include "common/memory_message.hpp"
#include "runtime.cuh"
#include "stark/util/error.hpp"
#include "stark/util/timing.hpp"

namespace stark::cuda {
namespace {

// The current device's default pool, configured once per device to keep freed memory.
cudaMemPool_t current_pool() {
  int dev = 0;
  STARK_CUDA_CHECK(cudaGetDevice(&dev));
  cudaMemPool_t pool = nullptr;
  STARK_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, dev));
  static std::mutex mu;
  static std::array<bool, 64> configured{};
  std::lock_guard<std::mutex> lock(mu);
  if (dev >= 0 && dev < int(configured.size()) && !configured[size_t(dev)]) {
    uint64_t keep = std::numeric_limits<uint64_t>::max();
    STARK_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
    configured[size_t(dev)] = true;
  }
  return pool;
}

uint64_t pool_attribute(cudaMemPool_t pool, cudaMemPoolAttr attr) {
  uint64_t v = 0;
  STARK_CUDA_CHECK(cudaMemPoolGetAttribute(pool, attr, &v));
  return v;
}

}  // namespace

size_t checked_buffer_bytes(size_t count, size_t size, const char* what) {
  size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes))
    throw InputError(std::string(what) + ": a buffer of " + std::to_string(count) + " elements of " +
                     std::to_string(size) + " bytes overflows the address space");
  return bytes;
}

void* device_alloc(size_t bytes, cudaStream_t stream, const char* what) {
  if (bytes == 0) return nullptr;
  cudaMemPool_t pool = current_pool();
  void* p = nullptr;
  const cudaError_t err = cudaMallocFromPoolAsync(&p, bytes, pool, stream);
  if (err == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // not sticky: the context stays usable
    size_t free_bytes = 0, total_bytes = 0;
    (void)cudaMemGetInfo(&free_bytes, &total_bytes);
    uint64_t reserved = 0, used = 0;
    (void)cudaMemPoolGetAttribute(pool, cudaMemPoolAttrReservedMemCurrent, &reserved);
    (void)cudaMemPoolGetAttribute(pool, cudaMemPoolAttrUsedMemCurrent, &used);
    (void)cudaGetLastError();
    throw DeviceError(out_of_memory_message(what, bytes, free_bytes, total_bytes,
                                            reserved > used ? size_t(reserved - used) : 0));
  }
  if (err != cudaSuccess)
    detail::fail(err, (std::string("cudaMallocFromPoolAsync for ") + what).c_str(), __FILE__, __LINE__);
  return p;
}

void device_free(void* p, cudaStream_t stream) noexcept {
  if (p == nullptr) return;
  if (cudaFreeAsync(p, stream) != cudaSuccess) (void)cudaGetLastError();
}

size_t pool_peak_bytes() { return size_t(pool_attribute(current_pool(), cudaMemPoolAttrUsedMemHigh)); }

void reset_pool_peak() {
  uint64_t zero = 0;
  STARK_CUDA_CHECK(cudaMemPoolSetAttribute(current_pool(), cudaMemPoolAttrUsedMemHigh, &zero));
}

Stream::Stream() { STARK_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }

Stream::~Stream() {
  if (stream_ != nullptr) {
    (void)cudaStreamSynchronize(stream_);
    (void)cudaStreamDestroy(stream_);
    (void)cudaGetLastError();
  }
}

void Stream::synchronize(const char* what) const {
  const cudaError_t err = cudaStreamSynchronize(stream_);
  if (err != cudaSuccess)
    detail::fail(err, (std::string("cudaStreamSynchronize after ") + what).c_str(), __FILE__, __LINE__);
}

namespace {

// Two pinned chunks shared by the process (allocating pinned memory costs about a millisecond
// per megabyte, so it is done once). One upload holds them at a time.
constexpr size_t kStagingChunk = size_t(8) << 20;

struct Staging {
  std::mutex mu;
  std::array<void*, 2> chunk{};
  std::array<cudaEvent_t, 2> done{};
  bool ready = false;

  void init() {
    if (ready) return;
    for (size_t i = 0; i < 2; ++i) {
      STARK_CUDA_CHECK(cudaMallocHost(&chunk[i], kStagingChunk));
      STARK_CUDA_CHECK(cudaEventCreateWithFlags(&done[i], cudaEventDisableTiming));
    }
    ready = true;
  }
};

Staging& staging() {
  static Staging* s = new Staging();  // never destroyed: process exit frees pinned memory
  return *s;
}

}  // namespace

void upload_staged(void* device_dst, const void* host_src, size_t bytes, cudaStream_t stream,
                   const char* what) {
  if (bytes == 0) return;
  (void)what;
  Staging& st = staging();
  std::lock_guard<std::mutex> lock(st.mu);
  st.init();
  auto* dst = static_cast<unsigned char*>(device_dst);
  const auto* src = static_cast<const unsigned char*>(host_src);
  bool used[2] = {false, false};
  size_t k = 0;
  for (size_t off = 0; off < bytes; off += kStagingChunk, k ^= 1) {
    const size_t n = std::min(kStagingChunk, bytes - off);
    // The chunk's previous DMA must be done before it is overwritten.
    if (used[k]) STARK_CUDA_CHECK(cudaEventSynchronize(st.done[k]));
    std::memcpy(st.chunk[k], src + off, n);
    STARK_CUDA_CHECK(cudaMemcpyAsync(dst + off, st.chunk[k], n, cudaMemcpyHostToDevice, stream));
    STARK_CUDA_CHECK(cudaEventRecord(st.done[k], stream));
    used[k] = true;
  }
  // Both chunks free again before the lock is released.
  for (size_t i = 0; i < 2; ++i)
    if (used[i]) STARK_CUDA_CHECK(cudaEventSynchronize(st.done[i]));
}

namespace {
std::atomic<uint64_t> downloaded{0};
}  // namespace

uint64_t bytes_downloaded() { return downloaded.load(); }

void download(void* host_dst, const void* device_src, size_t bytes, cudaStream_t stream, const char* what) {
  if (bytes == 0) return;
  downloaded += bytes;
  const cudaError_t err = cudaMemcpyAsync(host_dst, device_src, bytes, cudaMemcpyDeviceToHost, stream);
  if (err != cudaSuccess)
    detail::fail(err, (std::string("cudaMemcpyAsync device to host for ") + what).c_str(), __FILE__,
                 __LINE__);
  const cudaError_t sync = cudaStreamSynchronize(stream);
  if (sync != cudaSuccess)
    detail::fail(sync, (std::string("cudaStreamSynchronize after the copy of ") + what).c_str(), __FILE__,
                 __LINE__);
}

EventTimer::~EventTimer() {
  for (const Entry& e : entries_) {
    (void)cudaEventDestroy(e.start);
    (void)cudaEventDestroy(e.stop);
  }
  (void)cudaGetLastError();
}

void EventTimer::begin(const char* name) {
  if (open_) throw InternalError(std::string("EventTimer: span '") + name + "' begun inside another");
  Entry e{name, nullptr, nullptr};
  STARK_CUDA_CHECK(cudaEventCreate(&e.start));
  const cudaError_t err = cudaEventCreate(&e.stop);
  if (err != cudaSuccess) {
    (void)cudaEventDestroy(e.start);
    detail::fail(err, "cudaEventCreate", __FILE__, __LINE__);
  }
  entries_.push_back(e);
  STARK_CUDA_CHECK(cudaEventRecord(e.start, stream_));
  open_ = true;
}

void EventTimer::end() noexcept {
  if (!open_) return;
  open_ = false;
  // Called from Span's destructor: a failure here resurfaces at flush()'s synchronization.
  if (cudaEventRecord(entries_.back().stop, stream_) != cudaSuccess) (void)cudaGetLastError();
}

void EventTimer::flush() {
  for (const Entry& e : entries_) {
    STARK_CUDA_CHECK(cudaEventSynchronize(e.stop));
    float ms = 0;
    STARK_CUDA_CHECK(cudaEventElapsedTime(&ms, e.start, e.stop));
    record_phase_value(e.name, double(ms) * 1e-3);
  }
  for (const Entry& e : entries_) {
    (void)cudaEventDestroy(e.start);
    (void)cudaEventDestroy(e.stop);
  }
  entries_.clear();
}

}  // namespace stark::cuda
