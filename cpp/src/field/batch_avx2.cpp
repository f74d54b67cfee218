// AVX2 element-wise field kernels (8 lanes). Compiled with -mavx2 -mbmi2 and called only when
// the CPU reports AVX2 (see simd.hpp). Tails shorter than a vector go to the scalar kernels.
#include "batch_kernels.hpp"
#include "stark/field/packed_avx2.hpp"

namespace stark::field_kernels {
namespace {

using namespace stark::avx2;

constexpr uint32_t kR2 = detail::R2;

void add_avx2(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, add(load(a + i), load(b + i)));
  scalar_add(a + i, b + i, out + i, n - i);
}

void sub_avx2(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, sub(load(a + i), load(b + i)));
  scalar_sub(a + i, b + i, out + i, n - i);
}

// mont(a, b) = a b 2^-32; a second product with R^2 restores a b.
void mul_avx2(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  const PackedFp r2 = broadcast(kR2);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, mul_const(mul(load(a + i), load(b + i)), r2));
  scalar_mul(a + i, b + i, out + i, n - i);
}

// Canonical a times the Montgomery form of b gives canonical products (packed_avx2.hpp).
void ext_mul_avx2(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
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

// Montgomery's trick on eight interleaved chains (element i belongs to lane i mod 8), run on
// canonical words; zeros are replaced by the neutral word and masked out at the end.
void inverse_avx2(const uint32_t* a, uint32_t* out, size_t n) {
  const size_t vec_n = n - n % kLanes;
  alignas(32) uint32_t prefix[kInverseBlock];
  const __m256i one = _mm256_set1_epi32(int(kMontOne));
  const __m256i zero = _mm256_setzero_si256();
  PackedFp acc{one};
  for (size_t i = 0; i < vec_n; i += kLanes) {
    const __m256i x = load(a + i).v;
    const __m256i x_or_one = _mm256_blendv_epi8(x, one, _mm256_cmpeq_epi32(x, zero));
    store(prefix + i, acc);
    acc = mul(acc, {x_or_one});
  }
  if (vec_n > 0) {
    alignas(32) uint32_t lanes[kLanes];
    store(lanes, acc);
    invert_lane_products(lanes, kLanes);
    PackedFp inv = load(lanes);
    for (size_t i = vec_n; i > 0;) {
      i -= kLanes;
      const __m256i x = load(a + i).v;  // read before writing: out may alias a
      const __m256i is_zero = _mm256_cmpeq_epi32(x, zero);
      const __m256i x_or_one = _mm256_blendv_epi8(x, one, is_zero);
      const PackedFp r = mul(inv, load(prefix + i));
      inv = mul(inv, {x_or_one});
      store(out + i, {_mm256_andnot_si256(is_zero, r.v)});
    }
  }
  scalar_inverse(a + vec_n, out + vec_n, n - vec_n);
}

uint32_t bench_base_avx2(uint64_t iterations, uint64_t* muls_per_iteration) {
  constexpr int kChains = 8;  // latency ~20 cycles, throughput ~3: eight chains keep the multipliers busy
  PackedFp acc[kChains];
  const __m256i lane_ids = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int c = 0; c < kChains; ++c) acc[c] = {_mm256_add_epi32(_mm256_set1_epi32(c + 1), lane_ids)};
  constexpr uint32_t kMultiplier = Fp::from_canonical(1234567).mont;
  const PackedFp m = broadcast(kMultiplier);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int c = 0; c < kChains; ++c) acc[c] = mul(acc[c], m);
  }
  *muls_per_iteration = uint64_t(kChains) * kLanes;
  __m256i x = acc[0].v;
  for (int c = 1; c < kChains; ++c) x = _mm256_xor_si256(x, acc[c].v);
  return uint32_t(_mm256_extract_epi32(x, 0) ^ _mm256_extract_epi32(x, 7));
}

uint32_t bench_ext_avx2(uint64_t iterations, uint64_t* muls_per_iteration) {
  constexpr int kChains = 3;
  PackedExt4 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    for (int k = 0; k < 4; ++k) acc[c].c[k] = {_mm256_setr_epi32(c, k, 3, 4, 5, 6, 7, 8 + c * k)};
  constexpr uint32_t kMultiplier[4] = {Fp::from_canonical(1000).mont, Fp::from_canonical(1077).mont,
                                       Fp::from_canonical(1154).mont, Fp::from_canonical(1231).mont};
  PackedExt4 m;
  for (int k = 0; k < 4; ++k) m.c[k] = broadcast(kMultiplier[k]);
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int c = 0; c < kChains; ++c) acc[c] = ext_mul(acc[c], m);
  }
  *muls_per_iteration = uint64_t(kChains) * kLanes;
  __m256i x = acc[0].c[0].v;
  for (int c = 0; c < kChains; ++c)
    for (int k = 0; k < 4; ++k) x = _mm256_xor_si256(x, acc[c].c[k].v);
  return uint32_t(_mm256_extract_epi32(x, 0) ^ _mm256_extract_epi32(x, 5));
}

}  // namespace

const BatchKernels& avx2_kernels() {
  static const BatchKernels k{add_avx2,     sub_avx2,        mul_avx2,      ext_mul_avx2,
                              inverse_avx2, bench_base_avx2, bench_ext_avx2};
  return k;
}

}  // namespace stark::field_kernels
