// Stand-in for <immintrin.h> used only by run_poseidon2.sh: maps every x86 intrinsic to SIMDe's
// portable implementation, so AVX-512 kernels can be executed (slowly) on CPUs without AVX-512.
#pragma once
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
typedef simde__mmask16 __mmask16;
