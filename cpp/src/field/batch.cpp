// Portable driver of the element-wise field kernels: SIMD dispatch, splitting over threads,
// the scalar kernels, the extension inverse (norm map) and the throughput benchmark.
#include "stark/field/batch.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "batch_kernels.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/extension.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/parallel.hpp"

namespace stark {
namespace field_kernels {
namespace {

using detail::monty_reduce;

constexpr uint32_t kR2 = field_params::kMontyR2;  // mont(x, R^2) = x * 2^32: canonical -> Montgomery word

uint32_t mul_canonical(uint32_t a, uint32_t b) {
  return monty_reduce(uint64_t(monty_reduce(uint64_t(a) * b)) * kR2);
}

// Field element 2^-64 (in Montgomery form), the correction of invert_lane_products.
Fp inverse_r_squared() {
  const Fp r = Fp::from_canonical(kMontOne);  // the field element 2^32
  return (r * r).inverse();
}

uint32_t scalar_bench_base(uint64_t iterations, uint64_t* muls_per_iteration) {
  // Eight independent chains so the multiplier's latency overlaps (measures throughput).
  constexpr int kChains = 8;
  uint32_t acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = Fp::from_canonical(uint32_t(c + 2)).mont;
  const uint32_t m = Fp::from_canonical(1234567).mont;
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int c = 0; c < kChains; ++c) acc[c] = monty_reduce(uint64_t(acc[c]) * m);
    asm volatile("" : "+r"(acc[0]), "+r"(acc[1]), "+r"(acc[2]), "+r"(acc[3]));
  }
  *muls_per_iteration = kChains;
  uint32_t sum = 0;
  for (int c = 0; c < kChains; ++c) sum ^= acc[c];
  return sum;
}

uint32_t scalar_bench_ext(uint64_t iterations, uint64_t* muls_per_iteration) {
  constexpr int kChains = 4;
  Ext4 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = Ext4(Fp::from_canonical(uint32_t(c + 1)), Fp::from_canonical(7), Fp::from_canonical(3),
                  Fp::from_canonical(uint32_t(c + 5)));
  const Ext4 m(Fp::from_canonical(11111), Fp::from_canonical(2222), Fp::from_canonical(333),
               Fp::from_canonical(44));
  for (uint64_t it = 0; it < iterations; ++it) {
    for (int c = 0; c < kChains; ++c) acc[c] *= m;
    asm volatile("" : "+r"(acc[0].c[0].mont), "+r"(acc[1].c[0].mont));
  }
  *muls_per_iteration = kChains;
  uint32_t sum = 0;
  for (int c = 0; c < kChains; ++c) sum ^= acc[c].c[0].mont ^ acc[c].c[3].mont;
  return sum;
}

}  // namespace

void scalar_add(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = detail::add_mod(a[i], b[i]);
}
void scalar_sub(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = detail::sub_mod(a[i], b[i]);
}
void scalar_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = mul_canonical(a[i], b[i]);
}

void scalar_ext_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    // Canonical words of a times Montgomery words of b give canonical words (see header).
    Ext4 x, y;
    for (int k = 0; k < 4; ++k) {
      x.c[k] = Fp::from_mont(a[4 * i + k]);
      y.c[k] = Fp::from_canonical(b[4 * i + k]);
    }
    const Ext4 r = x * y;
    for (int k = 0; k < 4; ++k) out[4 * i + k] = r.c[k].mont;
  }
}

void scalar_inverse(const uint32_t* a, uint32_t* out, size_t n) {
  uint32_t prefix[kInverseBlock];
  uint32_t acc = kMontOne;
  for (size_t i = 0; i < n; ++i) {
    prefix[i] = acc;
    if (a[i] != 0) acc = monty_reduce(uint64_t(acc) * a[i]);
  }
  invert_lane_products(&acc, 1);
  for (size_t i = n; i-- > 0;) {
    const uint32_t x = a[i];  // read before writing: out may alias a
    if (x == 0) {
      out[i] = 0;
      continue;
    }
    out[i] = monty_reduce(uint64_t(acc) * prefix[i]);
    acc = monty_reduce(uint64_t(acc) * x);
  }
}

void invert_lane_products(uint32_t* words, size_t count) {
  static const Fp correction = inverse_r_squared();
  std::vector<Fp> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = Fp::from_mont(words[i]);
  batch_inverse(values.data(), count);
  for (size_t i = 0; i < count; ++i) words[i] = (values[i] * correction).mont;
}

const BatchKernels& scalar_kernels() {
  static const BatchKernels k{scalar_add,     scalar_sub,        scalar_mul,      scalar_ext_mul,
                              scalar_inverse, scalar_bench_base, scalar_bench_ext};
  return k;
}

}  // namespace field_kernels

namespace {

const field_kernels::BatchKernels& active_kernels() {
  switch (simd::active()) {
#if defined(STARK_X86)
    case simd::Level::Avx512:
      return field_kernels::avx512_kernels();
    case simd::Level::Avx2:
      return field_kernels::avx2_kernels();
#endif
    default:
      return field_kernels::scalar_kernels();
  }
}

// Element-wise work is memory bound; threads only pay off for large arrays.
constexpr size_t kGrain = size_t(1) << 16;

void run_binary(field_kernels::BinaryFn fn, const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n,
                size_t words_per_element) {
  parallel_for_chunks(n, kGrain / words_per_element, [&](size_t begin, size_t end) {
    const size_t w = words_per_element;
    fn(a + begin * w, b + begin * w, out + begin * w, end - begin);
  });
}

// Inverse of the extension element a: (A - X B)(d0 - d1 Y) / N with Y = X^2, A = a0 + a2 Y,
// B = a1 + a3 Y, D = A^2 - Y B^2 = d0 + d1 Y in F_p[Y]/(Y^2 - W) and N = d0^2 - W d1^2 in F_p.
// Stores the numerator in num and returns N (zero exactly when a is zero).
Fp ext_inverse_numerator(const Ext4& a, Ext4& num) {
  const Fp w = Fp::from_canonical(field_params::kExtensionW);
  const Fp a0 = a.c[0], a1 = a.c[1], a2 = a.c[2], a3 = a.c[3];
  const Fp d0 = a0 * a0 + w * (a2 * a2) - (w + w) * (a1 * a3);
  const Fp a02 = a0 * a2;
  const Fp d1 = a02 + a02 - a1 * a1 - w * (a3 * a3);
  num = Ext4(a0 * d0 - w * (a2 * d1), w * (a3 * d1) - a1 * d0, a2 * d0 - a0 * d1, a1 * d1 - a3 * d0);
  return d0 * d0 - w * (d1 * d1);
}

}  // namespace

void batch_add(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  run_binary(active_kernels().add, a, b, out, n, 1);
}
void batch_sub(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  run_binary(active_kernels().sub, a, b, out, n, 1);
}
void batch_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  run_binary(active_kernels().mul, a, b, out, n, 1);
}
void batch_ext_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
  run_binary(active_kernels().ext_mul, a, b, out, n, 4);
}

void batch_inverse_canonical(const uint32_t* a, uint32_t* out, size_t n) {
  const auto inverse = active_kernels().inverse;
  const size_t blocks = (n + field_kernels::kInverseBlock - 1) / field_kernels::kInverseBlock;
  parallel_for(blocks, 4, [&](size_t blk) {
    const size_t begin = blk * field_kernels::kInverseBlock;
    inverse(a + begin, out + begin, std::min(n - begin, field_kernels::kInverseBlock));
  });
}

void batch_ext_inverse(const uint32_t* a, uint32_t* out, size_t n) {
  parallel_for_chunks(n, 4096, [&](size_t begin, size_t end) {
    std::vector<Ext4> numerators(end - begin);
    std::vector<Fp> norms(end - begin);
    for (size_t i = begin; i < end; ++i)
      norms[i - begin] = ext_inverse_numerator(Ext4::from_canonical(a + 4 * i), numerators[i - begin]);
    batch_inverse(norms.data(), norms.size());  // zero norms stay zero, so 0 maps to 0
    for (size_t i = begin; i < end; ++i) (numerators[i - begin] * norms[i - begin]).to_canonical(out + 4 * i);
  });
}

double bench_mul_throughput(bool extension, uint64_t count) {
  const auto& k = active_kernels();
  const field_kernels::BenchFn fn = extension ? k.bench_ext : k.bench_base;
  uint64_t per_iteration = 1;
  fn(1, &per_iteration);  // learn the round size (and warm up)
  const uint64_t iterations = std::max<uint64_t>(1, count / per_iteration);
  const auto t0 = std::chrono::steady_clock::now();
  volatile uint32_t sink = fn(iterations, &per_iteration);
  (void)sink;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return double(iterations * per_iteration) / std::max(seconds, 1e-9);
}

}  // namespace stark
