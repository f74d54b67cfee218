#include "stark/field/simd.hpp"

#include <atomic>
#include <string>

#include "stark/util/error.hpp"

namespace stark::simd {
namespace {

Level detect_cpu() {
#if defined(STARK_X86) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return Level::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2")) return Level::Avx2;
#endif
  return Level::Scalar;
}

std::atomic<int>& active_level() {
  static std::atomic<int> level{int(detect_cpu())};
  return level;
}

}  // namespace

Level detected() {
  static const Level level = detect_cpu();
  return level;
}

Level active() { return Level(active_level().load(std::memory_order_relaxed)); }

bool supported(Level level) { return int(level) <= int(detected()); }

void set_active(Level level) {
  if (!supported(level))
    throw InputError(std::string("SIMD level '") + name(level) +
                     "' is not supported by this CPU (best: " + name(detected()) + ")");
  active_level().store(int(level), std::memory_order_relaxed);
}

const char* name(Level level) {
  switch (level) {
    case Level::Scalar:
      return "scalar";
    case Level::Avx2:
      return "avx2";
    case Level::Avx512:
      return "avx512";
  }
  return "unknown";
}

Level parse(const std::string& s) {
  if (s == "scalar") return Level::Scalar;
  if (s == "avx2") return Level::Avx2;
  if (s == "avx512") return Level::Avx512;
  throw InputError("unknown SIMD level '" + s + "' (expected scalar, avx2 or avx512)");
}

}  // namespace stark::simd
