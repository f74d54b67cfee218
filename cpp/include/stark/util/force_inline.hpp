// STARK_FORCE_INLINE: for small shared helpers that the SIMD translation units (*_avx2.cpp,
// *_avx512.cpp) call. Without inlining (Debug builds), such a helper would be emitted as a weak
// definition in a SIMD object, and the linker could keep that copy, compiled with AVX-512 or
// BMI2 enabled, for the whole library (scripts/check_simd_isolation.py checks that none is).
// always_inline is honoured at -O0 too, so no out-of-line copy is emitted.
#pragma once

#if defined(__CUDACC__)
#define STARK_FORCE_INLINE
#else
#define STARK_FORCE_INLINE __attribute__((always_inline))
#endif
