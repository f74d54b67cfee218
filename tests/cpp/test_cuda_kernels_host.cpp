// The CUDA kernels' per-thread bodies and launch plans, run on the CPU (no GPU needed).
//
// cuda/poseidon2.cuh and cuda/ntt.cuh hold every kernel's per-thread code as functions the host
// compiler can build, and the NTT/LDE launch sequence as a plan written once for two executors.
// Here a host executor runs each "launch" as a loop over the thread indices (in both directions,
// so a body that depended on another thread's write would be caught) and the results are checked
// against independent references: the Poseidon2 known-answer test and the explicit M_ext of
// third_party/reference/poseidon2_babybear.json, a naive O(n^2) DFT / polynomial evaluation, and
// the CPU implementations (stark::poseidon2_permute_batch, hash_rows, ntt_batch, coset_lde_bitrev).
// What this cannot check is only the CUDA-specific glue: grid-stride indexing, launches, copies
// (tests/cpp/test_device_cuda.cpp covers those on a machine with a GPU).
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ntt.cuh"
#include "poseidon2.cuh"
#include "stark/field/babybear.hpp"
#include "stark/field/matrix.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/ntt/ntt.hpp"
#include "testing.hpp"

using stark::Fp;
namespace k = stark::cuda::kernels;

namespace {

std::string read_reference(const char* name) {
  std::ifstream f(std::string(STARK_REFERENCE_DIR) + "/" + name);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// All integers of the first JSON array that follows `"key"` (searching from `from`), flattened
/// across nesting. Sets `from` past the array.
std::vector<uint64_t> json_ints(const std::string& text, const std::string& key, size_t& from) {
  std::vector<uint64_t> out;
  size_t pos = text.find("\"" + key + "\"", from);
  if (pos == std::string::npos) return out;
  pos = text.find('[', pos);
  int depth = 0;
  for (; pos < text.size(); ++pos) {
    const char ch = text[pos];
    if (ch == '[') {
      ++depth;
    } else if (ch == ']') {
      if (--depth == 0) break;
    } else if (ch >= '0' && ch <= '9') {
      uint64_t v = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
        v = v * 10 + uint64_t(text[pos++] - '0');
      --pos;
      out.push_back(v);
    }
  }
  from = pos;
  return out;
}

std::vector<uint32_t> random_values(size_t n) {
  std::vector<uint32_t> v(n);
  for (auto& x : v) x = testing::random_canonical();
  return v;
}

/// Runs every "launch" of the plan as a host loop over its thread indices.
template <typename Idx>
struct HostExec {
  bool backwards = false;
  template <class F>
  void each(uint64_t total, F&& f) {
    if (backwards) {
      for (uint64_t t = total; t-- > 0;) f(t);
    } else {
      for (uint64_t t = 0; t < total; ++t) f(t);
    }
  }
  void powers(uint32_t* out, size_t count, Fp base, Fp scale) {
    each(count, [&](uint64_t i) { k::powers_body(out, i, base, scale); });
  }
  void dif_layer(uint32_t* data, size_t rows, size_t width, const uint32_t* tw, uint32_t log_len,
                 uint32_t tw_shift) {
    each(uint64_t(rows / 2) * width,
         [&](uint64_t t) { k::dif_body<Idx>(data, Idx(width), tw, log_len, tw_shift, Idx(t)); });
  }
  void gather_bitrev(uint32_t* dst, size_t dst_rows, const uint32_t* src, size_t src_rows, uint32_t log_src,
                     size_t width, const uint32_t* factors, Fp scale) {
    each(uint64_t(dst_rows) * width, [&](uint64_t t) {
      k::gather_bitrev_body<Idx>(dst, src, Idx(src_rows), log_src, Idx(width), factors, scale, Idx(t));
    });
  }
};

// ---- naive references --------------------------------------------------------------------------

/// out[i][c] = sum_j in[j][c] * root^(i j), natural order.
std::vector<uint32_t> naive_dft(const std::vector<uint32_t>& in, size_t n, size_t w, Fp root) {
  std::vector<uint32_t> out(n * w);
  for (size_t i = 0; i < n; ++i) {
    const Fp x = root.pow(i);
    for (size_t c = 0; c < w; ++c) {
      Fp acc = Fp::zero(), xp = Fp::one();
      for (size_t j = 0; j < n; ++j, xp *= x) acc += Fp::from_canonical(in[j * w + c]) * xp;
      out[i * w + c] = acc.canonical();
    }
  }
  return out;
}

std::vector<uint32_t> naive_ntt(const std::vector<uint32_t>& in, size_t n, size_t w, bool inverse) {
  const uint32_t log_n = stark::log2_exact(n);
  const Fp omega = stark::two_adic_generator(log_n);
  std::vector<uint32_t> out = naive_dft(in, n, w, inverse ? omega.inverse() : omega);
  if (inverse) {
    const Fp inv_n = Fp::from_u64(n).inverse();
    for (auto& x : out) x = (Fp::from_canonical(x) * inv_n).canonical();
  }
  return out;
}

/// Row r = P(shift * ω_N^{rev(r)}) where P interpolates the evaluations on H_n.
std::vector<uint32_t> naive_lde_bitrev(const std::vector<uint32_t>& evals, size_t n, size_t w,
                                       uint32_t log_blowup, Fp shift) {
  const std::vector<uint32_t> coeffs = naive_ntt(evals, n, w, true);
  const uint32_t log_big = stark::log2_exact(n) + log_blowup;
  const size_t big = size_t(1) << log_big;
  const Fp omega = stark::two_adic_generator(log_big);
  std::vector<uint32_t> out(big * w);
  for (size_t r = 0; r < big; ++r) {
    const Fp x = shift * omega.pow(stark::reverse_bits(r, log_big));
    for (size_t c = 0; c < w; ++c) {
      Fp acc = Fp::zero();
      for (size_t j = n; j-- > 0;) acc = acc * x + Fp::from_canonical(coeffs[j * w + c]);
      out[r * w + c] = acc.canonical();
    }
  }
  return out;
}

template <typename Idx>
std::vector<uint32_t> emulate_ntt(std::vector<uint32_t> a, size_t n, size_t w, bool inverse, bool backwards) {
  HostExec<Idx> ex{backwards};
  const uint32_t log_n = stark::log2_exact(n);
  std::vector<uint32_t> out(n * w, 0xdeadbeefu), tw(std::max<size_t>(k::twiddle_words(log_n), 1));
  k::plan::ntt(ex, a.data(), out.data(), tw.data(), log_n, w, inverse);
  return out;
}

template <typename Idx>
std::vector<uint32_t> emulate_lde(std::vector<uint32_t> a, size_t n, size_t w, uint32_t log_blowup, Fp shift,
                                  bool backwards) {
  HostExec<Idx> ex{backwards};
  const uint32_t log_n = stark::log2_exact(n);
  std::vector<uint32_t> out((n << log_blowup) * w, 0xdeadbeefu);
  std::vector<uint32_t> tw(std::max<size_t>(k::twiddle_words(log_n + log_blowup), 1)), factors(n);
  k::plan::coset_lde_bitrev(ex, a.data(), out.data(), tw.data(), factors.data(), log_n, log_blowup, w, shift);
  return out;
}

constexpr k::Poseidon2Constants kConsts = k::make_poseidon2_constants();

}  // namespace

// ---- Poseidon2 ---------------------------------------------------------------------------------

TEST(poseidon2_body_matches_known_answer) {
  const std::string json = read_reference("poseidon2_babybear.json");
  size_t at = json.find("known_answer_tests_width_16");
  CHECK(at != std::string::npos);
  const std::vector<uint64_t> input = json_ints(json, "input", at);
  const std::vector<uint64_t> expected = json_ints(json, "expected_output", at);
  CHECK_EQ(input.size(), size_t(16));
  CHECK_EQ(expected.size(), size_t(16));
  if (input.size() != 16 || expected.size() != 16) return;
  uint32_t state[16];
  for (int i = 0; i < 16; ++i) state[i] = uint32_t(input[i]);
  k::permute_canonical(state, kConsts);
  for (int i = 0; i < 16; ++i) CHECK_EQ(uint64_t(state[i]), expected[i]);
}

TEST(poseidon2_linear_layers_match_reference_matrices) {
  const std::string json = read_reference("poseidon2_babybear.json");
  size_t at = 0;
  const std::vector<uint64_t> m_ext = json_ints(json, "explicit_matrix_width_16", at);
  at = 0;
  const std::vector<uint64_t> diag = json_ints(json, "diagonal_of_M_int_canonical", at);
  CHECK_EQ(m_ext.size(), size_t(256));
  CHECK_EQ(diag.size(), size_t(16));
  if (m_ext.size() != 256 || diag.size() != 16) return;
  for (int trial = 0; trial < 20; ++trial) {
    const std::vector<uint32_t> x = random_values(16);
    Fp s[16], t[16];
    for (int i = 0; i < 16; ++i) s[i] = t[i] = Fp::from_canonical(x[i]);
    k::external_layer(s);
    k::internal_layer(t, kConsts);
    for (int i = 0; i < 16; ++i) {
      Fp e = Fp::zero(), in = Fp::zero();
      for (int j = 0; j < 16; ++j) {
        const Fp xj = Fp::from_canonical(x[j]);
        e += Fp::from_u64(m_ext[i * 16 + j]) * xj;
        in += (i == j ? Fp::from_u64(diag[i]) : Fp::one()) * xj;  // M_int = J + diag(V)
      }
      CHECK_EQ(s[i].canonical(), e.canonical());
      CHECK_EQ(t[i].canonical(), in.canonical());
    }
  }
}

TEST(sponge_body_follows_overwrite_mode) {
  for (size_t width : {0, 1, 7, 8, 9, 15, 16, 17, 24, 100}) {
    const std::vector<uint32_t> row = random_values(width);
    uint32_t digest[8];
    k::sponge_row(row.data(), width, digest, kConsts);
    // Reference: docs/protocol.md §1.1 step by step on top of the (KAT-checked) permutation.
    uint32_t s[16] = {};
    for (size_t start = 0; start < width; start += 8) {
      for (size_t j = 0; j < 8 && start + j < width; ++j) s[j] = row[start + j];
      k::permute_canonical(s, kConsts);
    }
    for (int j = 0; j < 8; ++j) CHECK_EQ(digest[j], s[j]);
  }
  // Padding-freeness (§1.1): Hs(x) == Hs(x || 0) when x ends inside the first block.
  const std::vector<uint32_t> x = random_values(5);
  std::vector<uint32_t> x0 = x;
  x0.push_back(0);
  uint32_t d1[8], d2[8];
  k::sponge_row(x.data(), x.size(), d1, kConsts);
  k::sponge_row(x0.data(), x0.size(), d2, kConsts);
  for (int j = 0; j < 8; ++j) CHECK_EQ(d1[j], d2[j]);
}

// ---- NTT / LDE ---------------------------------------------------------------------------------

TEST(reverse_low_bits_matches_reference) {
  for (uint32_t bits = 0; bits <= 27; ++bits)
    for (int trial = 0; trial < 50; ++trial) {
      const uint32_t x = bits == 0 ? 0 : uint32_t(testing::rng()() & ((uint64_t(1) << bits) - 1));
      CHECK_EQ(size_t(k::reverse_low_bits(x, bits)), stark::reverse_bits(x, bits));
    }
}

TEST(ntt_plan_matches_naive_dft) {
  for (size_t log_n = 0; log_n <= 7; ++log_n)
    for (size_t w : {1, 2, 5}) {
      const size_t n = size_t(1) << log_n;
      const std::vector<uint32_t> in = random_values(n * w);
      for (bool inverse : {false, true}) {
        const std::vector<uint32_t> want = naive_ntt(in, n, w, inverse);
        CHECK(emulate_ntt<uint32_t>(in, n, w, inverse, false) == want);
        CHECK(emulate_ntt<uint32_t>(in, n, w, inverse, true) == want);
        CHECK(emulate_ntt<uint64_t>(in, n, w, inverse, false) == want);
      }
    }
}

TEST(ntt_plan_round_trips) {
  const size_t n = size_t(1) << 12, w = 3;
  const std::vector<uint32_t> in = random_values(n * w);
  const std::vector<uint32_t> fwd = emulate_ntt<uint32_t>(in, n, w, false, false);
  CHECK(emulate_ntt<uint32_t>(fwd, n, w, true, false) == in);
  // Known values: the constant polynomial 1 evaluates to 1 everywhere; δ_0 has coefficients 1/n.
  std::vector<uint32_t> one(n, 0);
  one[0] = 1;
  const std::vector<uint32_t> evals = emulate_ntt<uint32_t>(one, n, 1, false, false);
  CHECK(std::all_of(evals.begin(), evals.end(), [](uint32_t v) { return v == 1; }));
  const std::vector<uint32_t> coeffs = emulate_ntt<uint32_t>(one, n, 1, true, false);
  const uint32_t inv_n = Fp::from_u64(n).inverse().canonical();
  CHECK(std::all_of(coeffs.begin(), coeffs.end(), [&](uint32_t v) { return v == inv_n; }));
}

TEST(lde_plan_matches_naive_evaluation) {
  const Fp g = stark::generator();
  for (size_t log_n = 0; log_n <= 5; ++log_n)
    for (uint32_t b = 0; b <= 3; ++b)
      for (size_t w : {1, 3}) {
        const size_t n = size_t(1) << log_n;
        const std::vector<uint32_t> in = random_values(n * w);
        for (Fp shift : {g, Fp::one(), Fp::from_canonical(testing::random_canonical())}) {
          const std::vector<uint32_t> want = naive_lde_bitrev(in, n, w, b, shift);
          CHECK(emulate_lde<uint32_t>(in, n, w, b, shift, false) == want);
          CHECK(emulate_lde<uint32_t>(in, n, w, b, shift, true) == want);
          CHECK(emulate_lde<uint64_t>(in, n, w, b, shift, false) == want);
        }
      }
}

TEST(lde_plan_first_rows_are_the_smaller_coset) {
  // docs/protocol.md §4: for M | N the first M rows of the LDE are the evaluations on g·H_M, bit-reversed.
  const size_t n = 64, w = 2;
  const uint32_t b = 2;
  const Fp g = stark::generator();
  const std::vector<uint32_t> in = random_values(n * w);
  const std::vector<uint32_t> big = emulate_lde<uint32_t>(in, n, w, b, g, false);
  const std::vector<uint32_t> small = emulate_lde<uint32_t>(in, n, w, 1, g, false);
  CHECK(std::equal(small.begin(), small.end(), big.begin()));
}

// ---- the emulated kernels against the CPU implementations (bit for bit) --------------------------

TEST(emulated_poseidon2_and_sponge_match_cpu) {
  const size_t n = 257;
  std::vector<uint32_t> states = random_values(n * 16), cpu = states;
  for (size_t i = 0; i < n; ++i) k::permute_canonical(states.data() + 16 * i, kConsts);
  stark::poseidon2_permute_batch(cpu.data(), n);
  CHECK(states == cpu);
  for (size_t w : {0, 1, 8, 13, 16, 45}) {
    const size_t h = 33;
    const std::vector<uint32_t> m = random_values(h * w);
    std::vector<uint32_t> emu(h * 8), want(h * 8);
    for (size_t r = 0; r < h; ++r) k::sponge_row(m.data() + r * w, w, emu.data() + 8 * r, kConsts);
    stark::hash_rows({stark::ConstMatrixView{m.data(), h, w}}, want.data());
    CHECK(emu == want);
  }
}

TEST(emulated_ntt_and_lde_match_cpu) {
  for (size_t log_n : {0, 1, 3, 8, 11})
    for (size_t w : {1, 4, 9}) {
      const size_t n = size_t(1) << log_n;
      const std::vector<uint32_t> in = random_values(n * w);
      for (bool inverse : {false, true}) {
        std::vector<uint32_t> cpu = in;
        stark::ntt_batch(stark::MatrixView{cpu.data(), n, w}, inverse);
        CHECK(emulate_ntt<uint32_t>(in, n, w, inverse, false) == cpu);
      }
      for (uint32_t b : {0u, 1u, 2u}) {
        const Fp shift = b == 1 ? Fp::from_canonical(testing::random_canonical()) : stark::generator();
        std::vector<uint32_t> cpu((n << b) * w);
        stark::coset_lde_bitrev(stark::ConstMatrixView{in.data(), n, w}, b, shift,
                                stark::MatrixView{cpu.data(), n << b, w});
        CHECK(emulate_lde<uint32_t>(in, n, w, b, shift, false) == cpu);
      }
    }
}
