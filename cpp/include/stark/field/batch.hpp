// Element-wise field kernels over arrays of canonical BabyBear words.
//
// Inputs and outputs are canonical integers in [0, p). Internally the kernels use Montgomery
// multiplication mont(x, y) = x * y * 2^-32 mod p, so a product of two canonical words needs a
// correction: mont(mont(a, b), R^2 mod p) = a * b (R = 2^32). Extension elements of
// E = F_p[X] / (X^4 - 11) are stored as 4 consecutive words (c0, c1, c2, c3), so an array of n
// of them is an n x 4 row-major matrix.
//
// Batch inversion uses Montgomery's trick (prefix products, one field inversion, a backward
// sweep: about 3 multiplications per element); zero maps to zero and does not disturb the other
// results. The extension inverse is a^-1 = conj(a) / N(a) with the norm N(a) in F_p, so a batch
// of extension inverses needs a single batch of base-field inverses.
//
// Every kernel dispatches on simd::active() (scalar, AVX2, AVX-512); all levels give identical
// results (field arithmetic is exact and outputs are canonical). Large arrays are split over
// the thread pool. Outputs may alias inputs exactly (out == a or out == b), not partially.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stark {

/// out[i] = a[i] + b[i] mod p.
void batch_add(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
/// out[i] = a[i] - b[i] mod p.
void batch_sub(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
/// out[i] = a[i] * b[i] mod p.
void batch_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
/// out[i] = a[i]^-1 (0 maps to 0).
void batch_inverse_canonical(const uint32_t* a, uint32_t* out, size_t n);

/// n extension elements (4n words each): out[i] = a[i] * b[i] in E.
void batch_ext_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n);
/// n extension elements: out[i] = a[i]^-1 in E (0 maps to 0).
void batch_ext_inverse(const uint32_t* a, uint32_t* out, size_t n);

/// Throughput of field multiplications on the active SIMD level, one thread, in
/// multiplications per second (base field, or extension field when `extension`). Runs `count`
/// multiplications on independent chains held in registers, so memory plays no part.
double bench_mul_throughput(bool extension, uint64_t count);

}  // namespace stark
