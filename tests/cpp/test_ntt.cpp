// NTT / LDE layer against naive O(n^2) references, on every SIMD level the CPU supports, with
// 1, 2 and 3 threads and several cache-blocking budgets (tiny budgets force the multi-pass,
// strided-gather and column-slice code paths on small inputs). Every configuration must give
// bit-identical results.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "stark/field/babybear.hpp"
#include "stark/field/matrix.hpp"
#include "stark/field/simd.hpp"
#include "stark/ntt/ntt.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

using stark::ConstMatrixView;
using stark::Fp;
using stark::MatrixView;
using stark::P;
using stark::RowMajorMatrix;
namespace simd = stark::simd;

namespace {

RowMajorMatrix random_matrix(size_t height, size_t width) {
  RowMajorMatrix m(height, width);
  for (auto& x : m.values) x = testing::random_canonical();
  if (!m.values.empty()) {
    m.values[0] = P - 1;  // edge values
    m.values.back() = 0;
  }
  return m;
}

// out[i] = sum_j in[j] * (scale * root^i)^j ... as evaluations: column-wise polynomial
// evaluation at the points x_i, coefficients given by `coeffs` (height = degree bound).
RowMajorMatrix evaluate(const RowMajorMatrix& coeffs, const std::vector<Fp>& points) {
  const size_t n = coeffs.height(), w = coeffs.width;
  RowMajorMatrix out(points.size(), w);
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t c = 0; c < w; ++c) {
      Fp acc;  // Horner
      for (size_t j = n; j-- > 0;) acc = acc * points[i] + Fp::from_canonical(coeffs.row(j)[c]);
      out.row(i)[c] = acc.canonical();
    }
  }
  return out;
}

std::vector<Fp> coset_points(Fp shift, size_t log_n, bool bit_reversed) {
  const size_t n = size_t(1) << log_n;
  std::vector<Fp> pts(n);
  const Fp w = stark::two_adic_generator(uint32_t(log_n));
  for (size_t i = 0; i < n; ++i)
    pts[i] = shift * w.pow(bit_reversed ? stark::reverse_bits(i, uint32_t(log_n)) : i);
  return pts;
}

// Naive DFT: forward evaluates at ω^i; inverse evaluates at ω^-i and divides by n.
RowMajorMatrix naive_dft(const RowMajorMatrix& x, bool inverse) {
  const size_t n = x.height();
  const uint32_t k = stark::log2_exact(n);
  Fp w = stark::two_adic_generator(k);
  if (inverse) w = w.inverse();
  std::vector<Fp> pts(n);
  for (size_t i = 0; i < n; ++i) pts[i] = w.pow(i);
  RowMajorMatrix out = evaluate(x, pts);
  if (inverse) {
    const Fp inv_n = Fp::from_canonical(uint32_t(n)).inverse();
    for (auto& v : out.values) v = (Fp::from_canonical(v) * inv_n).canonical();
  }
  return out;
}

std::vector<simd::Level> supported_levels() {
  std::vector<simd::Level> levels;
  for (auto level : {simd::Level::Scalar, simd::Level::Avx2, simd::Level::Avx512})
    if (simd::supported(level)) levels.push_back(level);
  return levels;
}

// Runs fn under every (SIMD level, thread count, block budget) and checks each result against
// `expect`. Restores the defaults afterwards.
void for_every_config(const std::function<RowMajorMatrix()>& fn, const RowMajorMatrix& expect,
                      const char* what) {
  const size_t default_budget = stark::ntt_block_words();
  for (auto level : supported_levels()) {
    simd::set_active(level);
    for (int threads : {1, 2, 3}) {
      stark::set_num_threads(threads);
      for (size_t budget : {default_budget, size_t(64), size_t(512), size_t(2048)}) {
        stark::set_ntt_block_words(budget);
        const RowMajorMatrix got = fn();
        if (got.values != expect.values) {
          testing::report(__FILE__, __LINE__,
                          std::string(what) + ": mismatch at level " + simd::name(level) + ", threads " +
                              std::to_string(threads) + ", budget " + std::to_string(budget) + ", height " +
                              std::to_string(expect.height()) + ", width " + std::to_string(expect.width));
          break;
        }
      }
    }
  }
  simd::set_active(simd::detected());
  stark::set_num_threads(0);
  stark::set_ntt_block_words(default_budget);
}

RowMajorMatrix ntt_in_place(const RowMajorMatrix& x, bool inverse) {
  RowMajorMatrix m = x;
  stark::ntt_batch(m.view(), inverse);
  return m;
}
RowMajorMatrix ntt_out_of_place(const RowMajorMatrix& x, bool inverse) {
  RowMajorMatrix m(x.height(), x.width);
  stark::ntt_batch(x.view(), m.view(), inverse);
  return m;
}

const size_t kWidths[] = {1, 2, 3, 4, 5, 8, 9, 16, 17, 40, 64};

}  // namespace

TEST(ntt_matches_naive_dft) {
  for (uint32_t k = 0; k <= 9; ++k) {
    for (size_t w : kWidths) {
      if (k > 7 && w > 17) continue;
      const RowMajorMatrix x = random_matrix(size_t(1) << k, w);
      const RowMajorMatrix fwd = naive_dft(x, false), inv = naive_dft(x, true);
      for_every_config([&] { return ntt_in_place(x, false); }, fwd, "forward in place");
      for_every_config([&] { return ntt_in_place(x, true); }, inv, "inverse in place");
      for_every_config([&] { return ntt_out_of_place(x, false); }, fwd, "forward out of place");
      for_every_config([&] { return ntt_out_of_place(x, true); }, inv, "inverse out of place");
    }
  }
}

TEST(ntt_large_sizes_agree_across_configs_and_invert) {
  for (uint32_t k : {10u, 11u, 12u}) {
    for (size_t w : {size_t(1), size_t(3), size_t(8), size_t(17), size_t(64)}) {
      const RowMajorMatrix x = random_matrix(size_t(1) << k, w);
      const RowMajorMatrix fwd = ntt_out_of_place(x, false);
      if (w == 1 && k == 12) CHECK(fwd.values == naive_dft(x, false).values);
      for_every_config([&] { return ntt_in_place(x, false); }, fwd, "forward (large)");
      for_every_config([&] { return ntt_out_of_place(fwd, true); }, x, "inverse(forward) = id");
    }
  }
}

// Narrow matrices at every size up to 2^14: the single-column register-block layers (first or last
// 2 log2(L) layers in one pass) and the narrow-width paths, against the scalar level and, for the
// smaller sizes, the naive DFT; every SIMD level, thread count and block budget, both directions,
// in place and out of place, and the width-1 LDE (its forward DIF part).
TEST(narrow_ntt_at_every_size_matches_scalar_and_naive) {
  for (uint32_t k = 0; k <= 14; ++k) {
    for (size_t w : {size_t(1), size_t(2), size_t(3), size_t(4), size_t(5), size_t(6), size_t(7)}) {
      if (k > 11 && w > 1 && w != 3) continue;
      const RowMajorMatrix x = random_matrix(size_t(1) << k, w);
      simd::set_active(simd::Level::Scalar);
      RowMajorMatrix fwd = ntt_out_of_place(x, false), inv = ntt_out_of_place(x, true);
      simd::set_active(simd::detected());
      if (k <= 10 && w <= 2) {
        CHECK(fwd.values == naive_dft(x, false).values);
        CHECK(inv.values == naive_dft(x, true).values);
      }
      for_every_config([&] { return ntt_out_of_place(x, false); }, fwd, "narrow forward out of place");
      for_every_config([&] { return ntt_out_of_place(x, true); }, inv, "narrow inverse out of place");
      for_every_config([&] { return ntt_in_place(x, false); }, fwd, "narrow forward in place");
      for_every_config([&] { return ntt_out_of_place(fwd, true); }, x, "narrow inverse(forward) = id");
      if (w == 1 || w == 3) {
        RowMajorMatrix lde(x.height() << 1, w);
        simd::set_active(simd::Level::Scalar);
        stark::coset_lde_bitrev(x.view(), 1, stark::generator(), lde.view());
        simd::set_active(simd::detected());
        for_every_config(
            [&] {
              RowMajorMatrix out(x.height() << 1, w);
              stark::coset_lde_bitrev(x.view(), 1, stark::generator(), out.view());
              return out;
            },
            lde, "narrow coset_lde_bitrev");
      }
    }
  }
}

TEST(ntt_of_basis_vectors) {
  // Coefficient vector e_1 transforms to (ω^i); e_0 to all ones.
  const uint32_t k = 6;
  const size_t n = size_t(1) << k;
  RowMajorMatrix x(n, 2);
  x.row(0)[0] = 1;
  x.row(1)[1] = 1;
  stark::ntt_batch(x.view(), false);
  const Fp w = stark::two_adic_generator(k);
  for (size_t i = 0; i < n; ++i) {
    CHECK_EQ(x.row(i)[0], 1u);
    CHECK_EQ(x.row(i)[1], w.pow(i).canonical());
  }
}

TEST(reverse_bits_matches_bit_by_bit_reversal) {
  for (uint32_t bits = 0; bits <= 64; ++bits) {
    for (int it = 0; it < 200; ++it) {
      const uint64_t x = testing::rng()();
      uint64_t expect = 0;
      for (uint32_t b = 0; b < bits; ++b) expect |= ((x >> b) & 1) << (bits - 1 - b);
      CHECK_EQ(uint64_t(stark::reverse_bits(size_t(x), bits)), expect);
    }
  }
  CHECK_EQ(stark::reverse_bits(1, 3), size_t(4));
  CHECK_EQ(stark::reverse_bits(6, 3), size_t(3));
}

TEST(bit_reverse_rows_matches_naive_permutation) {
  for (uint32_t k = 0; k <= 13; ++k) {
    for (size_t w : {size_t(1), size_t(3), size_t(64)}) {
      if (k > 11 && w > 3) continue;
      const RowMajorMatrix x = random_matrix(size_t(1) << k, w);
      RowMajorMatrix expect(x.height(), w);
      for (size_t i = 0; i < x.height(); ++i)
        std::copy(x.row(i), x.row(i) + w, expect.row(stark::reverse_bits(i, k)));
      for_every_config(
          [&] {
            RowMajorMatrix m = x;
            stark::bit_reverse_rows(m.view());
            return m;
          },
          expect, "bit_reverse_rows");
    }
  }
}

TEST(coset_lde_matches_naive_evaluation) {
  const Fp shift = stark::generator();
  for (uint32_t k = 0; k <= 8; ++k) {
    for (uint32_t b = 0; b <= 3; ++b) {
      for (size_t w : {size_t(1), size_t(3), size_t(8), size_t(17), size_t(40)}) {
        if (k > 6 && w > 8) continue;
        const RowMajorMatrix evals = random_matrix(size_t(1) << k, w);
        const RowMajorMatrix coeffs = naive_dft(evals, true);
        const RowMajorMatrix natural = evaluate(coeffs, coset_points(shift, k + b, false));
        const RowMajorMatrix bitrev = evaluate(coeffs, coset_points(shift, k + b, true));
        const size_t big = evals.height() << b;
        for_every_config(
            [&] {
              RowMajorMatrix out(big, w);
              stark::coset_lde(evals.view(), b, shift, out.view());
              return out;
            },
            natural, "coset_lde");
        for_every_config(
            [&] {
              RowMajorMatrix out(big, w);
              stark::coset_lde_bitrev(evals.view(), b, shift, out.view());
              return out;
            },
            bitrev, "coset_lde_bitrev");
      }
    }
  }
}

TEST(coset_lde_bitrev_is_natural_permuted_at_larger_sizes) {
  const Fp shift = Fp::from_canonical(7);
  for (uint32_t k : {9u, 11u, 12u}) {
    for (uint32_t b : {1u, 2u}) {
      for (size_t w : {size_t(1), size_t(5), size_t(64)}) {
        if (k == 12 && w == 64) continue;
        const RowMajorMatrix evals = random_matrix(size_t(1) << k, w);
        RowMajorMatrix natural(evals.height() << b, w);
        stark::coset_lde(evals.view(), b, shift, natural.view());
        RowMajorMatrix expect(natural.height(), w);
        for (size_t i = 0; i < natural.height(); ++i)
          std::copy(natural.row(i), natural.row(i) + w, expect.row(stark::reverse_bits(i, k + b)));
        for_every_config(
            [&] {
              RowMajorMatrix out(natural.height(), w);
              stark::coset_lde_bitrev(evals.view(), b, shift, out.view());
              return out;
            },
            expect, "coset_lde_bitrev (large)");
        // The first n natural rows of the bit-reversed LDE restrict to the coset shift·H_n and,
        // by the LDE's definition, agree with the original polynomial there: LDE(b = 0) check.
        RowMajorMatrix small(evals.height(), w);
        stark::coset_lde_bitrev(evals.view(), 0, shift, small.view());
        CHECK(std::equal(small.values.begin(), small.values.end(), expect.values.begin()));
        if (w == 1 && k == 9) {
          // and against the naive evaluation
          const RowMajorMatrix coeffs = naive_dft(evals, true);
          CHECK(natural.values == evaluate(coeffs, coset_points(shift, k + b, false)).values);
        }
      }
    }
  }
}

TEST(coset_lde_from_coset_matches_naive) {
  const Fp g = stark::generator();
  for (uint32_t k : {0u, 1u, 3u, 5u, 8u, 10u}) {
    for (uint32_t b : {0u, 1u, 2u}) {
      for (size_t w : {size_t(1), size_t(4), size_t(17)}) {
        if (k == 10 && w > 4) continue;
        const size_t n = size_t(1) << k;
        const RowMajorMatrix coeffs = random_matrix(n, w);
        // quotient-chunk style input shift g·ω_{k+2}^t and the PCS output shift g
        const Fp in_shift = g * stark::two_adic_generator(k + 2).pow(3);
        const RowMajorMatrix evals = evaluate(coeffs, coset_points(in_shift, k, false));
        const RowMajorMatrix expect = evaluate(coeffs, coset_points(g, k + b, true));
        for_every_config(
            [&] {
              RowMajorMatrix out(n << b, w);
              stark::coset_lde_bitrev_from_coset(evals.view(), in_shift, b, g, out.view());
              return out;
            },
            expect, "coset_lde_bitrev_from_coset");
      }
    }
  }
}

TEST(large_matrices_use_the_streaming_path_correctly) {
  // Outputs of 64 MiB and more take the streaming-store path; check them against transforms of
  // smaller pieces that do not.
  const Fp g = stark::generator();
  const uint32_t k = 19;
  const size_t n = size_t(1) << k, w = 16;
  const RowMajorMatrix evals = random_matrix(n, w);
  RowMajorMatrix lde(2 * n, w);
  stark::coset_lde_bitrev(evals.view(), 1, g, lde.view());  // 64 MiB
  // block β of the bit-reversed LDE is the b = 0 LDE onto g·ω_{2n}^β·H_n
  for (size_t beta = 0; beta < 2; ++beta) {
    RowMajorMatrix half(n, w);
    stark::coset_lde_bitrev_from_coset(evals.view(), Fp::one(), 0,
                                       g * stark::two_adic_generator(k + 1).pow(beta), half.view());
    CHECK(std::equal(half.values.begin(), half.values.end(), lde.values.begin() + beta * n * w));
  }
  // a 2^21 x 8 NTT (64 MiB) against its columns transformed one at a time
  const RowMajorMatrix x = random_matrix(size_t(1) << 21, 8);
  const RowMajorMatrix fwd = ntt_out_of_place(x, false);
  for (size_t c = 0; c < 8; c += 3) {
    RowMajorMatrix col(x.height(), 1);
    for (size_t i = 0; i < x.height(); ++i) col.values[i] = x.row(i)[c];
    stark::ntt_batch(col.view(), false);
    bool same = true;
    for (size_t i = 0; i < x.height(); ++i) same = same && col.values[i] == fwd.row(i)[c];
    CHECK(same);
  }
  CHECK(ntt_in_place(fwd, true).values == x.values);
}

TEST(lde_of_low_degree_columns_is_exact) {
  // A column that is a polynomial of degree < n given on H_n extends to the same polynomial.
  const uint32_t k = 10, b = 2;
  const size_t n = size_t(1) << k;
  RowMajorMatrix coeffs(n, 3);
  for (size_t j = 0; j < 5; ++j)
    for (size_t c = 0; c < 3; ++c) coeffs.row(j)[c] = testing::random_canonical();
  const RowMajorMatrix evals = evaluate(coeffs, coset_points(Fp::one(), k, false));
  RowMajorMatrix out(n << b, 3);
  stark::coset_lde(evals.view(), b, stark::generator(), out.view());
  RowMajorMatrix five(5, 3);
  std::copy(coeffs.values.begin(), coeffs.values.begin() + 15, five.values.begin());
  CHECK(out.values == evaluate(five, coset_points(stark::generator(), k + b, false)).values);
}

TEST(ntt_and_lde_reject_bad_input) {
  std::vector<uint32_t> buf(64, 1), big(256, 1);
  CHECK_THROWS(stark::ntt_batch(MatrixView{buf.data(), 3, 1}, false), stark::InputError);
  CHECK_THROWS(stark::ntt_batch(MatrixView{buf.data(), 0, 1}, false), stark::InputError);
  CHECK_THROWS(stark::ntt_batch(MatrixView{buf.data(), size_t(1) << 28, 0}, false), stark::InputError);
  CHECK_THROWS(stark::ntt_batch(MatrixView{nullptr, 4, 1}, false), stark::InputError);
  CHECK_THROWS(stark::ntt_batch(ConstMatrixView{buf.data(), 8, 2}, MatrixView{big.data(), 8, 3}, false),
               stark::InputError);
  CHECK_THROWS(stark::ntt_batch(ConstMatrixView{buf.data(), 8, 2}, MatrixView{buf.data() + 4, 8, 2}, false),
               stark::InputError);  // overlap
  CHECK_THROWS(stark::bit_reverse_rows(MatrixView{buf.data(), 6, 1}), stark::InputError);
  const Fp g = stark::generator();
  // shape and height checks, before any data is touched
  CHECK_THROWS(stark::coset_lde(ConstMatrixView{buf.data(), 6, 1}, 1, g, MatrixView{big.data(), 12, 1}),
               stark::InputError);
  CHECK_THROWS(stark::coset_lde(ConstMatrixView{buf.data(), size_t(1) << 20, 0}, 8, g,
                                MatrixView{big.data(), size_t(1) << 28, 0}),
               stark::InputError);
  CHECK_THROWS(stark::coset_lde(ConstMatrixView{buf.data(), 8, 1}, 40, g, MatrixView{big.data(), 16, 1}),
               stark::InputError);
  CHECK_THROWS(stark::coset_lde(ConstMatrixView{buf.data(), 8, 2}, 1, g, MatrixView{big.data(), 8, 2}),
               stark::InputError);
  CHECK_THROWS(stark::coset_lde(ConstMatrixView{buf.data(), 8, 2}, 1, g, MatrixView{big.data(), 16, 3}),
               stark::InputError);
  CHECK_THROWS(
      stark::coset_lde(ConstMatrixView{buf.data(), 8, 2}, 1, Fp::zero(), MatrixView{big.data(), 16, 2}),
      stark::InputError);
  CHECK_THROWS(stark::coset_lde_bitrev_from_coset(ConstMatrixView{buf.data(), 8, 2}, Fp::zero(), 1, g,
                                                  MatrixView{big.data(), 16, 2}),
               stark::InputError);
  CHECK_THROWS(stark::coset_lde(ConstMatrixView{buf.data(), 8, 2}, 1, g, MatrixView{buf.data() + 8, 16, 2}),
               stark::InputError);  // overlap
  // width 0 and height 1 are valid
  stark::ntt_batch(MatrixView{buf.data(), 16, 0}, false);
  stark::coset_lde(ConstMatrixView{buf.data(), 16, 0}, 2, g, MatrixView{big.data(), 64, 0});
  std::vector<uint32_t> one_row = {5, 6, 7};
  std::vector<uint32_t> lde(12);
  stark::coset_lde(ConstMatrixView{one_row.data(), 1, 3}, 2, g, MatrixView{lde.data(), 4, 3});
  for (size_t r = 0; r < 4; ++r) CHECK(std::equal(one_row.begin(), one_row.end(), lde.begin() + 3 * r));
  stark::ntt_batch(MatrixView{one_row.data(), 1, 3}, true);
  CHECK_EQ(one_row[2], 7u);
}
