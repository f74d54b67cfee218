// GPU results against the CPU implementations, bit for bit (built only with the CUDA units).
// On a machine without a usable GPU each comparison prints "skipped: no GPU" and returns; the
// tests of the no-GPU behaviour (DeviceError from every entry point) run there instead.
#include <array>
#include <cstdint>
#include <cstdio>
#include <tuple>
#include <utility>
#include <vector>

#include "common/device_buffer.hpp"
#include "fri_plan.hpp"
#include "merkle_plan.hpp"
#include "resident_exec.hpp"
#include "stark/challenger/challenger.hpp"
#include "stark/cuda/device.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/matrix.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/hash/poseidon2.hpp"
#include "stark/merkle/merkle_tree.hpp"
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

// ---- the resident plans on CudaExec (their logic is tested on the host executor; here the
// launches, streams and copies) -------------------------------------------------------------------

namespace {

cu::DeviceBuffer<uint32_t> to_device(const uint32_t* host, size_t words, cudaStream_t stream) {
  cu::DeviceBuffer<uint32_t> d(words, stream, "test upload");
  cu::upload_staged(d.data(), host, words * sizeof(uint32_t), stream, "test upload");
  return d;
}

}  // namespace

TEST(plan_merkle_tree_on_the_gpu_matches_merkle_tree) {
  if (skip_without_gpu("plan_merkle_tree_on_the_gpu_matches_merkle_tree")) return;
  const cu::Stream stream;
  cu::CudaExec ex(stream.get());
  const std::vector<std::vector<std::pair<size_t, size_t>>> cases = {
      {{1, 13}}, {{16, 5}, {16, 3}, {4, 7}, {1, 2}}, {{1024, 64}, {512, 3}, {2, 9}}, {{1 << 14, 8}}};
  for (const auto& shapes : cases) {
    std::vector<stark::RowMajorMatrix> mats;
    std::vector<cu::DeviceBuffer<uint32_t>> device;
    std::vector<cu::MatrixRef> refs;
    for (auto [h, w] : shapes) {
      stark::RowMajorMatrix m(h, w);
      for (auto& x : m.values) x = testing::random_canonical();
      device.push_back(to_device(m.values.data(), h * w, stream.get()));
      refs.push_back({device.back().data(), h, w});
      mats.push_back(std::move(m));
    }
    const cu::PlanMerkleTree<cu::CudaExec> tree(ex, refs);
    const stark::MerkleTree cpu{std::vector<stark::RowMajorMatrix>(mats)};
    CHECK(tree.root() == cpu.root());
    std::vector<size_t> indices = {0, cpu.height() - 1, cpu.height() / 2};
    const std::vector<stark::MerkleOpening> opened = tree.open_batch(ex, indices);
    for (size_t q = 0; q < indices.size(); ++q) {
      const stark::MerkleOpening o = cpu.open(indices[q]);
      CHECK(opened[q].rows == o.rows && opened[q].siblings == o.siblings);
    }
  }
}

TEST(plan_fri_prover_on_the_gpu_matches_pcs_open) {
  if (skip_without_gpu("plan_fri_prover_on_the_gpu_matches_pcs_open")) return;
  const stark::FriParameters params{1, 1, 8, 2, 2};
  const Fp g = stark::generator();
  std::vector<stark::PcsMatrixInput> inputs;
  std::vector<std::vector<stark::Ext4>> points;
  for (auto [h, w, shift] : std::vector<std::tuple<size_t, size_t, Fp>>{
           {1024, 17, Fp::one()}, {256, 3, g}, {1024, 1, g * g}, {8, 2, Fp::one()}}) {
    stark::RowMajorMatrix m(h, w);
    for (auto& x : m.values) x = testing::random_canonical();
    inputs.push_back({std::move(m), shift});
    const stark::Ext4 z(Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(7), Fp(),
                        Fp::one());
    points.push_back({z, z * stark::two_adic_generator(stark::log2_exact(h))});
  }
  const stark::PcsCommitted committed = stark::pcs_commit(params, std::move(inputs));
  stark::Challenger cpu_ch, gpu_ch;
  const auto [cpu_values, cpu_proof] =
      stark::pcs_open(params, {stark::PcsOpenRound{&committed, points}}, cpu_ch);

  const cu::Stream stream;
  cu::CudaExec ex(stream.get());
  std::vector<cu::DeviceBuffer<uint32_t>> ldes;
  std::vector<cu::MatrixRef> refs;
  std::vector<uint32_t> log_heights;
  for (size_t m = 0; m < committed.num_matrices(); ++m) {
    const stark::ConstMatrixView v = committed.lde(m);
    ldes.push_back(to_device(v.data, v.height * v.width, stream.get()));
    refs.push_back({ldes.back().data(), v.height, v.width});
    log_heights.push_back(committed.log_trace_height(m));
  }
  const cu::PlanMerkleTree<cu::CudaExec> tree(ex, refs);
  CHECK(tree.root() == committed.root());
  std::vector<cu::PlanFriRound<cu::CudaExec>> rounds = {{&tree, params.log_blowup, log_heights, points}};
  const std::vector<stark::FriOpenRound> shapes = cu::plan_open_shapes(rounds);
  cu::PlanFriProver<cu::CudaExec> backend(ex, params, rounds);
  const auto [gpu_values, gpu_proof] = stark::fri_prove(params, shapes, backend, gpu_ch);
  CHECK(gpu_values == cpu_values);
  CHECK(stark::fri_proof_to_bytes(gpu_proof) == stark::fri_proof_to_bytes(cpu_proof));
}

TEST(resident_coset_lde_matches_cpu) {
  if (skip_without_gpu("resident_coset_lde_matches_cpu")) return;
  const cu::Stream stream;
  cu::CudaExec ex(stream.get());
  for (auto [log_n, w, b] :
       std::vector<std::tuple<uint32_t, size_t, uint32_t>>{{0, 3, 1}, {5, 7, 2}, {12, 33, 1}}) {
    const size_t n = size_t(1) << log_n;
    const std::vector<uint32_t> in = random_values(n * w);
    const Fp shift = stark::generator() * Fp::from_canonical(5).inverse();
    const cu::DeviceBuffer<uint32_t> d_in = to_device(in.data(), in.size(), stream.get());
    cu::DeviceBuffer<uint32_t> d_out((n << b) * w, stream.get(), "test LDE");
    ex.coset_lde_bitrev(d_in.data(), log_n, w, b, shift, d_out.data());
    std::vector<uint32_t> got((n << b) * w), in_after(in.size());
    ex.download(got.data(), d_out.data(), got.size() * 4);
    ex.download(in_after.data(), d_in.data(), in_after.size() * 4);
    std::vector<uint32_t> want((n << b) * w);
    cu::coset_lde_bitrev(in.data(), n, w, b, shift.canonical(), want.data());
    CHECK(got == want);
    CHECK(in_after == in);  // the trace stays for the later phases
  }
}
