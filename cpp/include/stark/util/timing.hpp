// Per-phase wall-clock timings of a prove (or any other call), collected without threading a
// parameter through every layer.
//
// A `PhaseRecording` installs a sink for the calling thread; while it lives, every `PhaseScope`
// opened on that thread adds its elapsed seconds to the sink under its name (times of scopes
// with the same name accumulate, first-seen order is kept). Without a recording, a scope costs
// two clock reads. Scopes may nest: each records its own wall time, so nested phases overlap
// their parents (the prover names nested ones "<parent>.<child>"). Worker threads of the pool
// record nothing: phases are measured on the coordinating thread.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace stark {

/// Ordered (name, seconds) pairs.
using PhaseTimes = std::vector<std::pair<std::string, double>>;

class PhaseRecording {
 public:
  explicit PhaseRecording(PhaseTimes* sink);
  ~PhaseRecording();
  PhaseRecording(const PhaseRecording&) = delete;
  PhaseRecording& operator=(const PhaseRecording&) = delete;

 private:
  PhaseTimes* previous_;
};

/// Adds `value` to the entry `name` of the calling thread's recording (created at the end when
/// new); nothing without a recording. For figures measured elsewhere than by a scope: a device's
/// event-timed kernel seconds, bytes moved, peak memory.
void record_phase_value(const std::string& name, double value);

class PhaseScope {
 public:
  explicit PhaseScope(const char* name) : name_(name), start_(std::chrono::steady_clock::now()) {}
  ~PhaseScope();
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;

 private:
  const char* name_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace stark
