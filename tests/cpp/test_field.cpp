// Field layer: scalar Fp / Ext4 against plain integer arithmetic and known facts, and every
// batched kernel on every SIMD level the CPU supports against scalar references.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "stark/field/babybear.hpp"
#include "stark/field/batch.hpp"
#include "stark/field/extension.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

using stark::Ext4;
using stark::Fp;
using stark::P;
namespace simd = stark::simd;

namespace {

uint64_t mod_mul(uint64_t a, uint64_t b) { return a * b % P; }
uint64_t mod_pow(uint64_t a, uint64_t e) {
  uint64_t r = 1;
  for (; e; e >>= 1, a = mod_mul(a, a))
    if (e & 1) r = mod_mul(r, a);
  return r;
}

std::vector<uint32_t> edge_values() {
  return {0u,  1u, 2u, 3u, P - 1, P - 2, (P - 1) / 2, (P + 1) / 2, 1u << 27, (1u << 31) - (1u << 27),
          31u, 11u};
}

// Random canonical values with edge values mixed in.
std::vector<uint32_t> random_values(size_t n) {
  std::vector<uint32_t> v(n);
  const auto edges = edge_values();
  for (size_t i = 0; i < n; ++i)
    v[i] = (testing::rng()() % 5 == 0) ? edges[testing::rng()() % edges.size()] : testing::random_canonical();
  return v;
}

std::vector<simd::Level> supported_levels() {
  std::vector<simd::Level> levels;
  for (auto level : {simd::Level::Scalar, simd::Level::Avx2, simd::Level::Avx512})
    if (simd::supported(level)) levels.push_back(level);
  return levels;
}

// Reference product in E = F_p[X]/(X^4 - 11) on canonical coefficients.
std::vector<uint32_t> naive_ext_mul(const uint32_t* a, const uint32_t* b) {
  uint64_t c[7] = {};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) c[i + j] = (c[i + j] + mod_mul(a[i], b[j])) % P;
  std::vector<uint32_t> r(4);
  for (int m = 0; m < 4; ++m) r[m] = uint32_t((c[m] + (m + 4 < 7 ? mod_mul(11, c[m + 4]) : 0)) % P);
  return r;
}

Ext4 random_ext() {
  return Ext4(
      Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(testing::random_canonical()),
      Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(testing::random_canonical()));
}

}  // namespace

TEST(fp_constants_come_from_reference) {
  CHECK_EQ(P, 2013265921u);
  CHECK_EQ(uint64_t(P), (uint64_t(1) << 31) - (uint64_t(1) << 27) + 1);
  CHECK_EQ(stark::generator().canonical(), 31u);
  CHECK_EQ(uint32_t(stark::constants::kExtensionW), 11u);
}

TEST(fp_round_trips_and_reduces) {
  for (uint32_t x : edge_values()) {
    CHECK_EQ(Fp::from_canonical(x).canonical(), x);
    CHECK(Fp::from_canonical(x).mont < P);
  }
  CHECK_EQ(Fp::from_u64(uint64_t(P)).canonical(), 0u);
  CHECK_EQ(Fp::from_u64(uint64_t(P) * 5 + 7).canonical(), 7u);
  CHECK_EQ(Fp::from_u64(~uint64_t(0)).canonical(), uint32_t(~uint64_t(0) % P));
  CHECK(Fp::zero().is_zero());
  CHECK_EQ(Fp::one().canonical(), 1u);
}

TEST(fp_matches_integer_arithmetic) {
  auto xs = random_values(2000);
  auto ys = random_values(2000);
  for (size_t i = 0; i < xs.size(); ++i) {
    const uint64_t a = xs[i], b = ys[i];
    const Fp fa = Fp::from_canonical(xs[i]), fb = Fp::from_canonical(ys[i]);
    CHECK_EQ((fa + fb).canonical(), uint32_t((a + b) % P));
    CHECK_EQ((fa - fb).canonical(), uint32_t((a + P - b) % P));
    CHECK_EQ((fa * fb).canonical(), uint32_t(a * b % P));
    CHECK_EQ((-fa).canonical(), uint32_t((P - a) % P));
    CHECK_EQ(fa.square().canonical(), uint32_t(a * a % P));
    CHECK_EQ((fa.halve() + fa.halve()).canonical(), xs[i]);
    CHECK_EQ(stark::mul_canonical_by_mont(xs[i], fb), uint32_t(a * b % P));
  }
}

TEST(monty_reductions_match_integer_arithmetic) {
  // monty_reduce(t) = t 2^-32 mod p for t < p 2^32; monty_reduce_wide for any 64-bit t.
  const uint64_t r_inv = mod_pow(mod_pow(2, 32), P - 2);
  std::vector<uint64_t> ts = {0,
                              1,
                              uint64_t(P) - 1,
                              uint64_t(P),
                              (uint64_t(P) << 32) - 1,
                              uint64_t(P) << 32,
                              ~uint64_t(0),
                              ~uint64_t(0) - 1,
                              uint64_t(1) << 63,
                              (uint64_t(P) - 1) * (P - 1)};
  for (int i = 0; i < 5000; ++i) ts.push_back(testing::rng()());
  for (uint64_t t : ts) {
    const uint32_t expect = uint32_t(mod_mul(t % P, r_inv));
    CHECK_EQ(stark::detail::monty_reduce_wide(t), expect);
    if (t < (uint64_t(P) << 32)) CHECK_EQ(stark::detail::monty_reduce(t), expect);
  }
}

TEST(fp_inverse_and_pow) {
  for (uint32_t x : random_values(500)) {
    const Fp f = Fp::from_canonical(x);
    if (x == 0) {
      CHECK(f.inverse().is_zero());
      continue;
    }
    CHECK_EQ((f * f.inverse()).canonical(), 1u);
    CHECK_EQ(f.inverse().canonical(), uint32_t(mod_pow(x, P - 2)));
    CHECK_EQ(f.pow(P - 1).canonical(), 1u);
    CHECK_EQ(f.pow(12345).canonical(), uint32_t(mod_pow(x, 12345)));
  }
  CHECK_EQ(Fp::from_canonical(5).pow(0).canonical(), 1u);
}

TEST(generator_has_full_order) {
  const Fp g = stark::generator();
  CHECK_EQ(g.pow(P - 1).canonical(), 1u);
  for (uint32_t q : {2u, 3u, 5u}) CHECK(g.pow((P - 1) / q).canonical() != 1u);
  // ω_27 = g^((p-1)/2^27) (the reference derives the two-adic generators from g)
  CHECK_EQ(g.pow((P - 1) >> 27).canonical(), stark::two_adic_generator(27).canonical());
}

TEST(two_adic_generators_have_exact_orders) {
  CHECK_EQ(stark::two_adic_generator(0).canonical(), 1u);
  for (uint32_t k = 1; k <= stark::TWO_ADICITY; ++k) {
    const Fp w = stark::two_adic_generator(k);
    CHECK_EQ(w.pow(uint64_t(1) << k).canonical(), 1u);
    CHECK_EQ(w.pow(uint64_t(1) << (k - 1)).canonical(), P - 1);  // so the order is exactly 2^k
    CHECK_EQ(w.square().canonical(), stark::two_adic_generator(k - 1).canonical());
  }
}

TEST(fp_batch_inverse_skips_zeros) {
  for (size_t n : {0, 1, 2, 7, 100}) {
    auto xs = random_values(n);
    if (n > 3) xs[0] = xs[3] = 0;
    std::vector<Fp> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = Fp::from_canonical(xs[i]);
    stark::batch_inverse(v.data(), n);
    for (size_t i = 0; i < n; ++i)
      CHECK_EQ(v[i].canonical(), xs[i] == 0 ? 0u : uint32_t(mod_pow(xs[i], P - 2)));
  }
}

TEST(ext_mul_matches_naive_polynomial_product) {
  for (int it = 0; it < 1000; ++it) {
    auto a = random_values(4), b = random_values(4);
    const Ext4 x = Ext4::from_canonical(a.data()), y = Ext4::from_canonical(b.data());
    uint32_t r[4];
    (x * y).to_canonical(r);
    const auto expect = naive_ext_mul(a.data(), b.data());
    CHECK(std::equal(r, r + 4, expect.begin()));
    uint32_t s[4];
    (x + y).to_canonical(s);
    for (int i = 0; i < 4; ++i) CHECK_EQ(s[i], uint32_t((uint64_t(a[i]) + b[i]) % P));
  }
  // X^4 = 11
  const Ext4 x(Fp(), Fp::one(), Fp(), Fp());
  CHECK(x.pow(4) == Ext4(Fp::from_canonical(11)));
}

TEST(ext_inverse_and_frobenius) {
  CHECK(Ext4().inverse().is_zero());
  for (int it = 0; it < 200; ++it) {
    const Ext4 a = random_ext(), b = random_ext();
    if (a.is_zero()) continue;
    CHECK(a * a.inverse() == Ext4::one());
    CHECK(a.frobenius() == a.pow(P));
    CHECK(a.frobenius().frobenius().frobenius().frobenius() == a);
    CHECK((a * b).frobenius() == a.frobenius() * b.frobenius());
  }
  // base-field elements are fixed by Frobenius and invert as in F_p
  const Ext4 base(Fp::from_canonical(12345));
  CHECK(base.frobenius() == base);
  CHECK(base.inverse() == Ext4(Fp::from_canonical(12345).inverse()));
}

TEST(batch_kernels_match_scalar_on_every_level) {
  for (auto level : supported_levels()) {
    simd::set_active(level);
    for (size_t n : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(15), size_t(16), size_t(17),
                     size_t(63), size_t(100), size_t(4095), size_t(4096), size_t(4097), size_t(70001)}) {
      const auto a = random_values(n), b = random_values(n);
      std::vector<uint32_t> out(n);
      stark::batch_add(a.data(), b.data(), out.data(), n);
      for (size_t i = 0; i < n; ++i) CHECK_EQ(out[i], uint32_t((uint64_t(a[i]) + b[i]) % P));
      stark::batch_sub(a.data(), b.data(), out.data(), n);
      for (size_t i = 0; i < n; ++i) CHECK_EQ(out[i], uint32_t((uint64_t(a[i]) + P - b[i]) % P));
      stark::batch_mul(a.data(), b.data(), out.data(), n);
      for (size_t i = 0; i < n; ++i) CHECK_EQ(out[i], uint32_t(uint64_t(a[i]) * b[i] % P));
      stark::batch_inverse_canonical(a.data(), out.data(), n);
      for (size_t i = 0; i < n; ++i) CHECK_EQ(out[i], a[i] == 0 ? 0u : uint32_t(mod_pow(a[i], P - 2)));
      // aliasing: out == a
      auto c = a;
      stark::batch_mul(c.data(), b.data(), c.data(), n);
      for (size_t i = 0; i < n; ++i) CHECK_EQ(c[i], uint32_t(uint64_t(a[i]) * b[i] % P));
      c = a;
      stark::batch_inverse_canonical(c.data(), c.data(), n);
      for (size_t i = 0; i < n; ++i) CHECK_EQ(c[i], a[i] == 0 ? 0u : uint32_t(mod_pow(a[i], P - 2)));
    }
  }
  simd::set_active(simd::detected());
}

TEST(batch_inverse_handles_all_zero_and_all_edge_inputs) {
  for (auto level : supported_levels()) {
    simd::set_active(level);
    std::vector<uint32_t> zeros(37, 0), out(37, 5);
    stark::batch_inverse_canonical(zeros.data(), out.data(), zeros.size());
    CHECK(std::all_of(out.begin(), out.end(), [](uint32_t x) { return x == 0; }));
    std::vector<uint32_t> ones(33, 1), minus(33, P - 1);
    stark::batch_inverse_canonical(ones.data(), out.data(), ones.size());
    CHECK(std::all_of(out.begin(), out.begin() + 33, [](uint32_t x) { return x == 1; }));
    stark::batch_inverse_canonical(minus.data(), out.data(), minus.size());
    CHECK(std::all_of(out.begin(), out.begin() + 33, [](uint32_t x) { return x == P - 1; }));
  }
  simd::set_active(simd::detected());
}

TEST(batch_ext_kernels_match_scalar_on_every_level) {
  for (auto level : supported_levels()) {
    simd::set_active(level);
    for (size_t n :
         {size_t(0), size_t(1), size_t(7), size_t(8), size_t(16), size_t(17), size_t(33), size_t(5000)}) {
      auto a = random_values(4 * n), b = random_values(4 * n);
      if (n > 2) std::fill(a.begin() + 4, a.begin() + 8, 0u);  // a zero element
      std::vector<uint32_t> out(4 * n);
      stark::batch_ext_mul(a.data(), b.data(), out.data(), n);
      for (size_t i = 0; i < n; ++i) {
        const auto expect = naive_ext_mul(&a[4 * i], &b[4 * i]);
        CHECK(std::equal(expect.begin(), expect.end(), &out[4 * i]));
      }
      stark::batch_ext_inverse(a.data(), out.data(), n);
      for (size_t i = 0; i < n; ++i) {
        uint32_t expect[4];
        Ext4::from_canonical(&a[4 * i]).inverse().to_canonical(expect);
        CHECK(std::equal(expect, expect + 4, &out[4 * i]));
      }
      auto c = a;
      stark::batch_ext_mul(c.data(), b.data(), c.data(), n);
      for (size_t i = 0; i < n; ++i) {
        const auto expect = naive_ext_mul(&a[4 * i], &b[4 * i]);
        CHECK(std::equal(expect.begin(), expect.end(), &c[4 * i]));
      }
    }
  }
  simd::set_active(simd::detected());
}

TEST(batch_kernels_are_thread_count_independent) {
  const size_t n = 300001;
  const auto a = random_values(n), b = random_values(n);
  std::vector<uint32_t> ref_mul(n), ref_inv(n), out(n);
  stark::set_num_threads(1);
  stark::batch_mul(a.data(), b.data(), ref_mul.data(), n);
  stark::batch_inverse_canonical(a.data(), ref_inv.data(), n);
  for (int threads : {2, 3}) {
    stark::set_num_threads(threads);
    stark::batch_mul(a.data(), b.data(), out.data(), n);
    CHECK(out == ref_mul);
    stark::batch_inverse_canonical(a.data(), out.data(), n);
    CHECK(out == ref_inv);
  }
  stark::set_num_threads(0);
}

TEST(bench_mul_throughput_runs_on_every_level) {
  for (auto level : supported_levels()) {
    simd::set_active(level);
    CHECK(stark::bench_mul_throughput(false, 100000) > 0.0);
    CHECK(stark::bench_mul_throughput(true, 10000) > 0.0);
  }
  simd::set_active(simd::detected());
}

TEST(avx512_is_skipped_cleanly_when_unsupported) {
  if (simd::supported(simd::Level::Avx512)) return;
  CHECK_THROWS(simd::set_active(simd::Level::Avx512), std::invalid_argument);
  CHECK(simd::active() == simd::detected());
}
