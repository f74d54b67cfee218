// Per-phase wall-clock timings and work counts of a prove (or any other call), collected without
// threading a parameter through every layer.
//
// A `PhaseRecording` installs a sink for the calling thread; while it lives, every `PhaseScope`
// opened on that thread adds its elapsed seconds to the sink under its name (times of scopes
// with the same name accumulate, first-seen order is kept). Without a recording, a scope costs
// two clock reads. Scopes may nest: each records its own wall time, so nested phases overlap
// their parents (the prover names nested ones "<parent>.<child>"). Phases are timed on the
// coordinating thread only.
//
// Work counts (`record_count`: hash permutations, grinding attempts) are attributed to the
// innermost open scope of depth at most 1: for a prove, whose root scope is "total", that is
// main_commit, logup, quotient or open. They may be recorded from pool workers too: parallel_for carries the
// caller's recording to the threads that run its chunks (stark/util/parallel.hpp), and counts are summed
// under a mutex (callers count per batch, not per element).
//
// A listener, when given, is called on the coordinating thread as each scope ends, with the
// scope's nesting depth (0 for the outermost): progress displays and logging use it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace stark {

/// Ordered (name, seconds) pairs.
using PhaseTimes = std::vector<std::pair<std::string, double>>;

/// One work count: (phase, counter, value), first-seen order.
struct PhaseCount {
  std::string phase;
  std::string counter;
  uint64_t value = 0;
};
using PhaseCounts = std::vector<PhaseCount>;

/// Called as a scope ends: (name, seconds, depth).
using PhaseListener = std::function<void(const std::string&, double, int)>;

namespace detail {
struct RecordingState;
/// The calling thread's recording (null without one), for the pool to carry to its workers.
RecordingState* current_recording();
/// Installs `state` as the calling thread's recording for the object's lifetime (pool workers).
class RecordingAdoption {
 public:
  explicit RecordingAdoption(RecordingState* state);
  ~RecordingAdoption();
  RecordingAdoption(const RecordingAdoption&) = delete;
  RecordingAdoption& operator=(const RecordingAdoption&) = delete;

 private:
  RecordingState* previous_;
};
}  // namespace detail

class PhaseRecording {
 public:
  /// `times` receives scope times; `counts` (optional) work counts; `listener` (optional) is
  /// called as each scope ends (it must not throw: an exception from it is dropped).
  explicit PhaseRecording(PhaseTimes* times, PhaseCounts* counts = nullptr, PhaseListener listener = {});
  ~PhaseRecording();
  PhaseRecording(const PhaseRecording&) = delete;
  PhaseRecording& operator=(const PhaseRecording&) = delete;

 private:
  detail::RecordingState* state_;
  detail::RecordingState* previous_;
  bool previous_owned_;
};

/// Adds `value` to the entry `name` of the calling thread's recording (created at the end when
/// new); nothing without a recording. For figures measured elsewhere than by a scope: a device's
/// event-timed kernel seconds, bytes moved, peak memory. Coordinating thread only.
void record_phase_value(const std::string& name, double value);

/// Adds `n` to `counter` of the current phase (see the header comment); nothing without a
/// recording. Safe from any thread that runs the recording's work.
void record_count(const char* counter, uint64_t n);

class PhaseScope {
 public:
  explicit PhaseScope(const char* name);
  ~PhaseScope();
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;

 private:
  const char* name_;
  std::chrono::steady_clock::time_point start_;
  detail::RecordingState* state_;  // the recording it was opened under, if any
  int depth_ = 0;
};

}  // namespace stark
