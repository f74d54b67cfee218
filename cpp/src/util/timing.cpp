#include "stark/util/timing.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace stark {
namespace detail {

struct RecordingState {
  PhaseTimes* times = nullptr;
  PhaseCounts* counts = nullptr;
  PhaseListener listener;
  int depth = 0;  // open scopes, on the coordinating thread
  // Names of the open scopes at depth 0 and 1 (null: none); read by workers while counting.
  std::atomic<const char*> open_at[2] = {nullptr, nullptr};
  std::mutex counts_mutex;
};

}  // namespace detail

namespace {

thread_local detail::RecordingState* current_state = nullptr;
// The coordinating thread of current_state (scopes time only there; workers only count).
thread_local bool owns_state = false;

void add_to(PhaseTimes* sink, const char* name, double value) {
  auto it = std::find_if(sink->begin(), sink->end(), [&](const auto& e) { return e.first == name; });
  if (it == sink->end()) {
    sink->emplace_back(name, value);
  } else {
    it->second += value;
  }
}

}  // namespace

namespace detail {

RecordingState* current_recording() { return current_state; }

RecordingAdoption::RecordingAdoption(RecordingState* state) : previous_(current_state) {
  current_state = state;
}

RecordingAdoption::~RecordingAdoption() { current_state = previous_; }

}  // namespace detail

PhaseRecording::PhaseRecording(PhaseTimes* times, PhaseCounts* counts, PhaseListener listener)
    : state_(new detail::RecordingState), previous_(current_state), previous_owned_(owns_state) {
  state_->times = times;
  state_->counts = counts;
  state_->listener = std::move(listener);
  current_state = state_;
  owns_state = true;
}

PhaseRecording::~PhaseRecording() {
  current_state = previous_;
  owns_state = previous_owned_;
  delete state_;
}

void record_phase_value(const std::string& name, double value) {
  if (current_state != nullptr && owns_state && current_state->times != nullptr)
    add_to(current_state->times, name.c_str(), value);
}

void record_count(const char* counter, uint64_t n) {
  detail::RecordingState* s = current_state;
  if (s == nullptr || s->counts == nullptr || n == 0) return;
  const char* phase = s->open_at[1].load(std::memory_order_acquire);
  if (phase == nullptr) phase = s->open_at[0].load(std::memory_order_acquire);
  if (phase == nullptr) phase = "other";
  const std::lock_guard<std::mutex> lock(s->counts_mutex);
  for (PhaseCount& c : *s->counts) {
    if (c.phase == phase && c.counter == counter) {
      c.value += n;
      return;
    }
  }
  s->counts->push_back(PhaseCount{phase, counter, n});
}

PhaseScope::PhaseScope(const char* name)
    : name_(name), start_(std::chrono::steady_clock::now()), state_(owns_state ? current_state : nullptr) {
  if (state_ == nullptr) return;
  depth_ = state_->depth++;
  if (depth_ < 2) state_->open_at[depth_].store(name_, std::memory_order_release);
}

PhaseScope::~PhaseScope() {
  if (state_ == nullptr || state_ != current_state) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  state_->depth = depth_;
  if (depth_ < 2) state_->open_at[depth_].store(nullptr, std::memory_order_release);
  if (state_->times != nullptr) add_to(state_->times, name_, seconds);
  if (state_->listener) {
    try {
      state_->listener(name_, seconds, depth_);
    } catch (...) {  // a listener must not throw (see timing.hpp)
    }
  }
}

}  // namespace stark
