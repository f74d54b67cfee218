// AVX-512 element-wise field kernels (16 lanes), a mirror of batch_avx2.cpp. Compiled with
// -mavx512f/bw/dq/vl and called only when the CPU reports all four (see simd.hpp). Tails
// shorter than a vector go to the scalar kernels.
// GCC 12 reports a false -Wmaybe-uninitialized inside its own AVX-512 intrinsics (the
// _mm512_undefined idiom) wherever they are inlined; silence that one warning in this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "batch_kernels.hpp"
#include "stark/field/packed_avx512.hpp"

namespace stark::field_kernels {
namespace {

using namespace stark::avx512;

constexpr uint32_t kR2 = detail::R2;

void add_avx512(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, add(load(a + i), load(b + i)));
  scalar_add(a + i, b + i, out + i, n - i);
}

void sub_avx512(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, sub(load(a + i), load(b + i)));
  scalar_sub(a + i, b + i, out + i, n - i);
}

// mont(a, b) = a b 2^-32; a second product with R^2 restores a b.
void mul_avx512(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  const PackedFp r2 = broadcast(kR2);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, mul_const(mul(load(a + i), load(b + i)), r2));
  scalar_mul(a + i, b + i, out + i, n - i);
}

// Canonical a times the Montgomery form of b gives canonical products (packed_avx512.hpp).
void ext_mul_avx512(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  const PackedFp r2 = broadcast(kR2);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const PackedExt4 x = load_ext(a + 4 * i);
    PackedExt4 y = load_ext(b + 4 * i);
    for (auto& c : y.c) c = mul_const(c, r2);
    store_ext(out + 4 * i, ext_mul(x, y));
  }
  scalar_ext_mul(a + 4 * i, b + 4 * i, out + 4 * i, n - i);
}

// Montgomery's trick on sixteen interleaved chains (element i belongs to lane i mod 16), run on
// canonical words; zeros are replaced by the neutral word and masked out at the end.
void inverse_avx512(const uint32_t* a, uint32_t* out, size_t n) {
  const size_t vec_n = n - n % kLanes;
  alignas(64) uint32_t prefix[kInverseBlock];
  const __m512i one = _mm512_set1_epi32(int(kMontOne));
  PackedFp acc{one};
  for (size_t i = 0; i < vec_n; i += kLanes) {
    const __m512i x = load(a + i).v;
    const __m512i x_or_one = _mm512_mask_mov_epi32(x, _mm512_testn_epi32_mask(x, x), one);
    store(prefix + i, acc);
    acc = mul(acc, {x_or_one});
  }
  if (vec_n > 0) {
    alignas(64) uint32_t lanes[kLanes];
    store(lanes, acc);
    invert_lane_products(lanes, kLanes);
    PackedFp inv = load(lanes);
    for (size_t i = vec_n; i > 0;) {
      i -= kLanes;
      const __m512i x = load(a + i).v;  // read before writing: out may alias a
      const __mmask16 is_zero = _mm512_testn_epi32_mask(x, x);
      const __m512i x_or_one = _mm512_mask_mov_epi32(x, is_zero, one);
      const PackedFp r = mul(inv, load(prefix + i));
      inv = mul(inv, {x_or_one});
      store(out + i, {_mm512_maskz_mov_epi32(__mmask16(~is_zero), r.v)});
    }
  }
  scalar_inverse(a + vec_n, out + vec_n, n - vec_n);
}

uint32_t bench_base_avx512(uint64_t iterations, uint64_t* muls_per_iteration) {
  constexpr int kChains = 8;
  PackedFp acc[kChains];
  const __m512i lane_ids = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int c = 0; c < kChains; ++c) acc[c] = {_mm512_add_epi32(_mm512_set1_epi32(c + 1), lane_ids)};
  constexpr uint32_t kMultiplier = Fp::from_canonical(1234567).mont;
  const PackedFp m = broadcast(kMultiplier);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int c = 0; c < kChains; ++c) acc[c] = mul(acc[c], m);
  }
  *muls_per_iteration = uint64_t(kChains) * kLanes;
  __m512i x = acc[0].v;
  for (int c = 1; c < kChains; ++c) x = _mm512_xor_si512(x, acc[c].v);
  return uint32_t(_mm_cvtsi128_si32(_mm512_castsi512_si128(x)));
}

uint32_t bench_ext_avx512(uint64_t iterations, uint64_t* muls_per_iteration) {
  constexpr int kChains = 4;  // 32 vector registers hold four chains and the multiplier
  PackedExt4 acc[kChains];
  const __m512i lane_ids = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int c = 0; c < kChains; ++c)
    for (int k = 0; k < 4; ++k) acc[c].c[k] = {_mm512_add_epi32(_mm512_set1_epi32(4 * c + k + 1), lane_ids)};
  constexpr uint32_t kMultiplier[4] = {Fp::from_canonical(1000).mont, Fp::from_canonical(1077).mont,
                                       Fp::from_canonical(1154).mont, Fp::from_canonical(1231).mont};
  PackedExt4 m;
  for (int k = 0; k < 4; ++k) m.c[k] = broadcast(kMultiplier[k]);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int c = 0; c < kChains; ++c) acc[c] = ext_mul(acc[c], m);
  }
  *muls_per_iteration = uint64_t(kChains) * kLanes;
  __m512i x = acc[0].c[0].v;
  for (int c = 0; c < kChains; ++c)
    for (int k = 0; k < 4; ++k) x = _mm512_xor_si512(x, acc[c].c[k].v);
  return uint32_t(_mm_cvtsi128_si32(_mm512_castsi512_si128(x)));
}

}  // namespace

const BatchKernels& avx512_kernels() {
  static const BatchKernels k{add_avx512,     sub_avx512,        mul_avx512,      ext_mul_avx512,
                              inverse_avx512, bench_base_avx512, bench_ext_avx512};
  return k;
}

}  // namespace stark::field_kernels
