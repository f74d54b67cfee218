// GPU results against the CPU implementations, bit for bit (built only with the CUDA units).
// On a machine without a usable GPU each comparison prints "skipped: no GPU" and returns; the
// tests of the no-GPU behaviour (DeviceError from every entry point) run there instead.
#include <array>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "stark/cuda/device.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/matrix.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/ntt/ntt.hpp"
#include "stark/util/error.hpp"
#include "testing.hpp"

namespace cu = stark::cuda;
using stark::Fp;

namespace {

bool skip_without_gpu(const char* test) {
  if (cu::available()) return false;
  std::printf("  %s: skipped: no GPU (%s)\n", test, cu::describe().c_str());
  return true;
}

std::vector<uint32_t> random_values(size_t n) {
  std::vector<uint32_t> v(n);
  for (auto& x : v) x = testing::random_canonical();
  return v;
}

}  // namespace

TEST(cuda_is_compiled_and_described) {
  CHECK(cu::compiled());
  CHECK(!cu::describe().empty());
  std::printf("  device: %s\n", cu::describe().c_str());
}

TEST(entry_points_raise_device_error_without_gpu) {
  if (cu::available()) return;  // the GPU comparisons below cover this machine
  std::vector<uint32_t> buf(16 * 4, 1), out(64, 0);
  CHECK_THROWS(cu::poseidon2_permute(buf.data(), 4), stark::DeviceError);
  CHECK_THROWS(cu::hash_rows(buf.data(), 4, 16, out.data()), stark::DeviceError);
  CHECK_THROWS(cu::ntt(buf.data(), 4, 16, false), stark::DeviceError);
  CHECK_THROWS(cu::coset_lde_bitrev(buf.data(), 4, 16, 1, 31, out.data()), stark::DeviceError);
  CHECK_THROWS(cu::grind(buf.data(), 0, 0, 16, 4), stark::DeviceError);
}

TEST(poseidon2_permute_matches_cpu) {
  if (skip_without_gpu("poseidon2_permute_matches_cpu")) return;
  for (size_t n : {1, 3, 128, 1000, 4097, 100000}) {
    std::vector<uint32_t> gpu = random_values(n * 16);
    std::vector<uint32_t> cpu = gpu;
    cu::poseidon2_permute(gpu.data(), n);
    stark::poseidon2_permute_batch(cpu.data(), n);
    CHECK(gpu == cpu);
  }
  cu::poseidon2_permute(nullptr, 0);  // empty batch is a no-op
}

TEST(hash_rows_matches_cpu) {
  if (skip_without_gpu("hash_rows_matches_cpu")) return;
  for (size_t h : {1, 5, 1024, 3000})
    for (size_t w : {0, 1, 7, 8, 9, 16, 17, 100}) {
      const std::vector<uint32_t> m = random_values(h * w);
      std::vector<uint32_t> gpu(h * 8, 0xdeadbeefu), cpu(h * 8, 0);
      cu::hash_rows(m.data(), h, w, gpu.data());
      stark::hash_rows({stark::ConstMatrixView{m.data(), h, w}}, cpu.data());
      CHECK(gpu == cpu);
      if (w == 0) {
        bool zero = true;
        for (uint32_t v : gpu) zero = zero && v == 0;
        CHECK(zero);
      }
    }
}

TEST(ntt_matches_cpu) {
  if (skip_without_gpu("ntt_matches_cpu")) return;
  for (uint32_t log_n : {0u, 1u, 2u, 5u, 10u, 13u, 16u})
    for (size_t w : {1, 3, 32, 33}) {
      const size_t n = size_t(1) << log_n;
      if (n * w > (size_t(1) << 21)) continue;
      const std::vector<uint32_t> in = random_values(n * w);
      for (bool inverse : {false, true}) {
        std::vector<uint32_t> gpu = in, cpu = in;
        cu::ntt(gpu.data(), n, w, inverse);
        stark::ntt_batch(stark::MatrixView{cpu.data(), n, w}, inverse);
        CHECK(gpu == cpu);
      }
    }
  // round trip on a taller matrix
  const size_t n = size_t(1) << 20, w = 2;
  const std::vector<uint32_t> in = random_values(n * w);
  std::vector<uint32_t> v = in;
  cu::ntt(v.data(), n, w, false);
  cu::ntt(v.data(), n, w, true);
  CHECK(v == in);
}

TEST(coset_lde_matches_cpu) {
  if (skip_without_gpu("coset_lde_matches_cpu")) return;
  for (uint32_t log_n : {0u, 1u, 3u, 8u, 12u})
    for (uint32_t b : {0u, 1u, 2u, 3u})
      for (size_t w : {1, 5, 40}) {
        const size_t n = size_t(1) << log_n, big = n << b;
        const std::vector<uint32_t> in = random_values(n * w);
        for (uint32_t shift : {stark::generator().canonical(), 1u, testing::random_canonical()}) {
          std::vector<uint32_t> gpu(big * w, 0xdeadbeefu), cpu(big * w, 0);
          cu::coset_lde_bitrev(in.data(), n, w, b, shift, gpu.data());
          stark::coset_lde_bitrev(stark::ConstMatrixView{in.data(), n, w}, b, Fp::from_canonical(shift),
                                  stark::MatrixView{cpu.data(), big, w});
          CHECK(gpu == cpu);
        }
      }
}

TEST(bad_shapes_raise_input_error) {
  if (skip_without_gpu("bad_shapes_raise_input_error")) return;
  std::vector<uint32_t> buf(64, 1), out(1024, 0);
  CHECK_THROWS(cu::ntt(buf.data(), 3, 1, false), stark::InputError);
  CHECK_THROWS(cu::ntt(buf.data(), 0, 1, false), stark::InputError);
  CHECK_THROWS(cu::coset_lde_bitrev(buf.data(), 6, 1, 1, 31, out.data()), stark::InputError);
  CHECK_THROWS(cu::coset_lde_bitrev(buf.data(), 4, 1, 26, 31, out.data()), stark::InputError);
  CHECK_THROWS(cu::coset_lde_bitrev(buf.data(), 4, 1, 1, stark::P, out.data()), stark::InputError);
}

TEST(grind_matches_cpu) {
  if (skip_without_gpu("grind_matches_cpu")) return;
  const stark::Poseidon2& perm = stark::Poseidon2::standard();
  for (int trial = 0; trial < 6; ++trial) {
    std::array<uint32_t, 16> base;
    for (auto& x : base) x = testing::random_canonical();
    const size_t slot = size_t(trial) % 8;
    for (uint32_t bits : {1u, 5u, 10u, 16u}) {
      for (uint64_t count : {uint64_t(1), uint64_t(37), uint64_t(5000), uint64_t(1) << 20}) {
        const uint32_t first = uint32_t(trial) * 1000u;
        CHECK_EQ(cu::grind(base.data(), slot, first, count, bits),
                 uint64_t(perm.grind_range(base, slot, first, size_t(count), bits)));
      }
    }
  }
  std::array<uint32_t, 16> base{};
  CHECK_THROWS(cu::grind(base.data(), 16, 0, 1, 1), stark::InputError);
  CHECK_THROWS(cu::grind(base.data(), 0, 0, 1, 0), stark::InputError);
  CHECK_THROWS(cu::grind(base.data(), 0, stark::P - 1, 2, 1), stark::InputError);
}
