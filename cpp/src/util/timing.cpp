#include "stark/util/timing.hpp"

#include <algorithm>

namespace stark {
namespace {

thread_local PhaseTimes* current_sink = nullptr;

void add_to(PhaseTimes* sink, const char* name, double value) {
  auto it = std::find_if(sink->begin(), sink->end(), [&](const auto& e) { return e.first == name; });
  if (it == sink->end()) {
    sink->emplace_back(name, value);
  } else {
    it->second += value;
  }
}

}  // namespace

PhaseRecording::PhaseRecording(PhaseTimes* sink) : previous_(current_sink) { current_sink = sink; }

PhaseRecording::~PhaseRecording() { current_sink = previous_; }

void record_phase_value(const std::string& name, double value) {
  if (current_sink != nullptr) add_to(current_sink, name.c_str(), value);
}

PhaseScope::~PhaseScope() {
  PhaseTimes* sink = current_sink;
  if (sink == nullptr) return;
  add_to(sink, name_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
}

}  // namespace stark
