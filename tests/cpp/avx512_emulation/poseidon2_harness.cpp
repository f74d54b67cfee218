// Runs the AVX-512 Poseidon2 kernels, compiled against SIMDe's emulated intrinsics (see
// run_poseidon2.sh), and compares every entry point word by word with the scalar permutation.
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include "poseidon2_kernels.hpp"
#include "stark/field/babybear.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark::p2_kernels {
const Kernels& avx512_kernels_emulated();
}

using namespace stark;

int main() {
  std::mt19937_64 rng(7);
  auto word = [&] {
    const uint64_t r = rng();
    switch (r % 10) {
      case 0:
        return 0u;
      case 1:
        return P - 1;
      case 2:
        return 1u;
      default:
        return uint32_t((r >> 8) % P);
    }
  };
  const auto& k = p2_kernels::avx512_kernels_emulated();
  const Poseidon2& perm = Poseidon2::standard();
  int failures = 0;
  for (size_t n : {1, 5, 15, 16, 17, 32, 33, 48, 200}) {
    std::vector<uint32_t> s(n * 16);
    for (auto& x : s) x = word();
    auto expected = s;
    for (size_t i = 0; i < n; ++i) perm.permute(expected.data() + 16 * i);
    k.permute(perm.kernel_constants(), s.data(), n);
    if (s != expected) std::printf("permute mismatch, n = %zu\n", n), ++failures;
  }
  const std::vector<std::vector<size_t>> width_sets = {{1}, {8}, {13, 3}, {64}, {9, 0, 17}, {7, 70}};
  for (size_t h : {1, 16, 19, 32, 40}) {
    for (const auto& widths : width_sets) {
      std::vector<std::vector<uint32_t>> storage;
      std::vector<ConstMatrixView> mats;
      for (size_t w : widths) {
        storage.emplace_back(h * w);
        for (auto& x : storage.back()) x = word();
      }
      for (size_t m = 0; m < widths.size(); ++m) mats.push_back({storage[m].data(), h, widths[m]});
      std::vector<uint32_t> out(h * 8), expected(h * 8);
      for (size_t r = 0; r < h; ++r) {
        std::vector<uint32_t> row;
        for (const auto& m : mats) row.insert(row.end(), m.row(r), m.row(r) + m.width);
        const Digest d = hash_sponge(row.data(), row.size());
        std::copy(d.begin(), d.end(), expected.begin() + 8 * r);
      }
      k.hash_rows(perm.kernel_constants(), mats.data(), mats.size(), 0, h, out.data());
      if (out != expected) std::printf("hash_rows mismatch, height = %zu\n", h), ++failures;
    }
  }
  for (size_t n : {1, 16, 23, 32, 50}) {
    std::vector<uint32_t> in(n * 16);
    for (auto& x : in) x = word();
    std::vector<uint32_t> out(n * 8), expected(n * 8);
    for (size_t i = 0; i < n; ++i) {
      Digest l, r;
      std::copy_n(in.begin() + 16 * i, 8, l.begin());
      std::copy_n(in.begin() + 16 * i + 8, 8, r.begin());
      const Digest c = compress(l, r);
      std::copy(c.begin(), c.end(), expected.begin() + 8 * i);
    }
    k.compress(perm.kernel_constants(), in.data(), in.data() + 8, 16, n, out.data());
    if (out != expected) std::printf("compress mismatch, n = %zu\n", n), ++failures;
  }
  // Proof-of-work search: the kernel's smallest passing index against scalar permutations.
  for (size_t slot : {0, 5}) {
    for (uint32_t bits : {2u, 7u}) {
      std::array<uint32_t, 16> base;
      for (auto& x : base) x = word();
      for (size_t count : {1, 15, 33, 300}) {
        size_t expected = count;
        for (size_t i = 0; i < count && expected == count; ++i) {
          std::array<uint32_t, 16> s = base;
          s[slot] = uint32_t(77 + i);
          perm.permute(s.data());
          if ((s[7] & ((1u << bits) - 1)) == 0) expected = i;
        }
        const size_t got = k.grind(perm.kernel_constants(), base.data(), slot, 77, count, bits);
        if (got != expected) std::printf("grind mismatch, count = %zu bits = %u\n", count, bits), ++failures;
      }
    }
  }
  std::printf("emulated AVX-512 Poseidon2 kernels: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures != 0;
}
