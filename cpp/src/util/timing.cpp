#include "stark/util/timing.hpp"

#include <algorithm>

namespace stark {
namespace {

thread_local PhaseTimes* current_sink = nullptr;

}  // namespace

PhaseRecording::PhaseRecording(PhaseTimes* sink) : previous_(current_sink) { current_sink = sink; }

PhaseRecording::~PhaseRecording() { current_sink = previous_; }

PhaseScope::~PhaseScope() {
  PhaseTimes* sink = current_sink;
  if (sink == nullptr) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  auto it = std::find_if(sink->begin(), sink->end(), [&](const auto& e) { return e.first == name_; });
  if (it == sink->end()) {
    sink->emplace_back(name_, seconds);
  } else {
    it->second += seconds;
  }
}

}  // namespace stark
