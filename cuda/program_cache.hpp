// Device copies of the constraint programs (host-safe declaration; program_cache.cu, nvcc only).
//
// A program image (air_program.cuh) is built on the host from the CPU's compiled block program.
// The CPU compiler folds the proof's uniform values (public values, challenges, the exposed sum,
// α) into the program's constants and coefficients, so an image is the same across the AIRs'
// points but changes from proof to proof. The cache keeps one device buffer per (constraint
// system, program kind): allocated on the first use, reused after that (grown only when a
// program gets longer), and filled with one asynchronous copy only when the words differ from
// the last upload. A launch reads the buffer on the stream the copy was queued on; use one cache
// per stream (one proof at a time), since refilling a buffer does not wait for other streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

struct CUstream_st;  // cudaStream_t, without the CUDA headers

namespace stark::cuda {

enum class ProgramKind : uint32_t { Quotient = 0, Logup = 1 };

class DeviceProgramCache {
 public:
  DeviceProgramCache() = default;
  DeviceProgramCache(const DeviceProgramCache&) = delete;
  DeviceProgramCache& operator=(const DeviceProgramCache&) = delete;
  /// Frees the device buffers (synchronizing; errors at teardown are dropped).
  ~DeviceProgramCache();

  /// The device copy of `words` for (`key`, `kind`), `key` being the ConstraintSystem's address.
  /// Queues the copy on `stream` when the words differ from the entry's last upload. The result
  /// stays valid until the next upload for the same key and kind, or clear().
  const uint32_t* upload(const void* key, ProgramKind kind, const std::vector<uint32_t>& words,
                         CUstream_st* stream);

  /// Copies queued so far (a repeated upload of the same words queues none).
  size_t copies() const;
  /// Entries (device buffers) held.
  size_t size() const;
  /// Frees every device buffer (synchronizing).
  void clear();

 private:
  struct Entry {
    void* device = nullptr;
    size_t capacity_words = 0;
    std::vector<uint32_t> words;  // what the device buffer holds
  };
  mutable std::mutex mutex_;
  std::map<std::pair<const void*, uint32_t>, Entry> entries_;
  size_t copies_ = 0;
};

}  // namespace stark::cuda
