// Kernel time measured with CUDA events, reported under the CPU's `timings` keys (e.g. "lde",
// "merkle_tree"): host clocks would time only the launches of asynchronous work.
#pragma once

#include <cuda_runtime.h>

#include <string>
#include <utility>
#include <vector>

namespace stark::cuda {

class EventTimer {
 public:
  explicit EventTimer(cudaStream_t stream) : stream_(stream) {}
  ~EventTimer();
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;

  /// Marks the start and the end of a span of the stream's work named `name` (spans of one name
  /// add up). Spans do not nest.
  void begin(const char* name);
  void end() noexcept;
  /// Waits for the recorded events and adds every span's seconds to the calling thread's phase
  /// recording (stark/util/timing.hpp); then forgets them.
  void flush();

  /// begin()/end() around a scope.
  class Span {
   public:
    Span(EventTimer& timer, const char* name) : timer_(timer) { timer_.begin(name); }
    ~Span() { timer_.end(); }
    Span(const Span&) = delete;
    Span& operator=(const Span&) = delete;

   private:
    EventTimer& timer_;
  };

 private:
  struct Entry {
    const char* name;
    cudaEvent_t start, stop;
  };
  cudaStream_t stream_;
  std::vector<Entry> entries_;
  bool open_ = false;
};

}  // namespace stark::cuda
