// DeviceProgramCache (program_cache.hpp): plain cudaMalloc buffers, kept for the cache's life.
#include <cuda_runtime.h>

#include <string>

#include "program_cache.hpp"
#include "runtime.cuh"

namespace stark::cuda {

DeviceProgramCache::~DeviceProgramCache() {
  for (auto& [key, entry] : entries_)
    if (entry.device != nullptr) (void)cudaFree(entry.device);
  (void)cudaGetLastError();
}

const uint32_t* DeviceProgramCache::upload(const void* key, ProgramKind kind,
                                           const std::vector<uint32_t>& words, CUstream_st* stream) {
  detail::require_available("DeviceProgramCache::upload");
  std::lock_guard<std::mutex> lock(mutex_);
  Entry& entry = entries_[{key, uint32_t(kind)}];
  if (entry.device != nullptr && entry.words == words) return static_cast<const uint32_t*>(entry.device);
  const size_t needed = words.empty() ? 1 : words.size();
  if (entry.capacity_words < needed) {
    if (entry.device != nullptr) {
      // Kernels queued on the stream may still read the old buffer.
      STARK_CUDA_CHECK(cudaStreamSynchronize(stream));
      void* old = entry.device;
      entry.device = nullptr;
      entry.capacity_words = 0;
      entry.words.clear();
      STARK_CUDA_CHECK(cudaFree(old));
    }
    STARK_CUDA_CHECK(
        cudaMalloc(&entry.device, detail::checked_mul(needed, sizeof(uint32_t), "device program")));
    entry.capacity_words = needed;
  }
  // From pageable memory: the call returns once the words are staged, so `words` may change after.
  entry.words.clear();
  if (!words.empty())
    STARK_CUDA_CHECK(cudaMemcpyAsync(entry.device, words.data(), words.size() * sizeof(uint32_t),
                                     cudaMemcpyHostToDevice, stream));
  entry.words = words;
  ++copies_;
  return static_cast<const uint32_t*>(entry.device);
}

size_t DeviceProgramCache::copies() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return copies_;
}

size_t DeviceProgramCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

void DeviceProgramCache::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!entries_.empty()) {
    void* device = entries_.begin()->second.device;
    entries_.erase(entries_.begin());
    if (device != nullptr) STARK_CUDA_CHECK(cudaFree(device));
  }
}

}  // namespace stark::cuda
