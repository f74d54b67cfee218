// Run-time selection of the vector instruction set.
//
// Kernels come in up to three builds: portable scalar, AVX2 (8 lanes of 32 bits) and AVX-512
// (16 lanes). The build compiles the vector versions in separate translation units with the
// matching target flags (see CMakeLists.txt: *_avx2.cpp, *_avx512.cpp) and never passes
// -march=native, so one wheel runs everywhere. The active level is the best the CPU reports;
// tests and benchmarks may lower it (never raise it above what the CPU supports) to exercise
// and compare every path.
#pragma once

#include <string>

namespace stark::simd {

enum class Level : int { Scalar = 0, Avx2 = 1, Avx512 = 2 };

/// Best level supported by this CPU (and OS register state).
Level detected();
/// Level used by dispatching kernels (defaults to detected()).
Level active();
/// Selects the level; throws std::invalid_argument if the CPU does not support it.
void set_active(Level level);
/// True if `level` can run on this machine.
bool supported(Level level);
const char* name(Level level);
Level parse(const std::string& name);  // "scalar" | "avx2" | "avx512"

}  // namespace stark::simd
