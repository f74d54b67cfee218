// Minimal unit-test harness for the C++ tests (one executable per tests/cpp/test_*.cpp, each
// registered with ctest). TEST(name) { ... } registers a case; CHECK / CHECK_EQ record failures
// with file and line and keep going; main() runs every case and prints "N passed, N failed".
#pragma once

#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace testing {

struct Case {
  const char* name;
  std::function<void()> fn;
};

inline std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}
inline int& failures_in_case() {
  static int n = 0;
  return n;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> fn) { registry().push_back({name, std::move(fn)}); }
};

inline void report(const char* file, int line, const std::string& what) {
  ++failures_in_case();
  std::fprintf(stderr, "  %s:%d: %s\n", file, line, what.c_str());
}

/// Deterministic RNG for tests.
inline std::mt19937_64& rng() {
  static std::mt19937_64 r(0x5eed);
  return r;
}
inline uint32_t random_canonical() { return uint32_t(rng()() % 2013265921u); }

}  // namespace testing

#define TEST_CONCAT2(a, b) a##b
#define TEST_CONCAT(a, b) TEST_CONCAT2(a, b)
#define TEST(name)                                                        \
  static void name();                                                     \
  static ::testing::Registrar TEST_CONCAT(registrar_, name)(#name, name); \
  static void name()

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) ::testing::report(__FILE__, __LINE__, "CHECK(" #cond ")"); \
  } while (0)

#define CHECK_EQ(a, b)                                                    \
  do {                                                                    \
    const auto& va_ = (a);                                                \
    const auto& vb_ = (b);                                                \
    if (!(va_ == vb_)) {                                                  \
      std::ostringstream os_;                                             \
      os_ << "CHECK_EQ(" #a ", " #b ") failed: " << va_ << " != " << vb_; \
      ::testing::report(__FILE__, __LINE__, os_.str());                   \
    }                                                                     \
  } while (0)

#define CHECK_THROWS(expr, ExcType)                                                           \
  do {                                                                                        \
    bool thrown_ = false;                                                                     \
    try {                                                                                     \
      (void)(expr);                                                                           \
    } catch (const ExcType&) {                                                                \
      thrown_ = true;                                                                         \
    }                                                                                         \
    if (!thrown_) ::testing::report(__FILE__, __LINE__, "expected " #ExcType " from " #expr); \
  } while (0)

int main() {
  int passed = 0, failed = 0;
  for (const auto& c : ::testing::registry()) {
    ::testing::failures_in_case() = 0;
    try {
      c.fn();
    } catch (const std::exception& e) {
      ::testing::report(__FILE__, __LINE__, std::string("uncaught exception: ") + e.what());
    }
    if (::testing::failures_in_case() == 0) {
      ++passed;
      std::printf("[ ok ] %s\n", c.name);
    } else {
      ++failed;
      std::printf("[FAIL] %s\n", c.name);
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
