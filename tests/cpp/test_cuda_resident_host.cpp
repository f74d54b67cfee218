// The device-resident plans run on the CPU (no GPU needed): PlanMerkleTree (cuda/merkle_plan.hpp)
// and PlanFriProver (cuda/fri_plan.hpp) on the host executor of host_exec.hpp, which runs each
// launch as a loop over the kernels' per-thread bodies. Checked against the CPU implementations
// on random inputs: MerkleTree's roots, layers and openings, and pcs_open's opened values and FRI
// proof, byte for byte. What this cannot check is the CUDA glue of CudaExec (launches, streams,
// copies), which the GPU tests cover on a machine with a GPU.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host_exec.hpp"
#include "merkle_plan.hpp"
#include "stark/field/matrix.hpp"
#include "stark/merkle/merkle_tree.hpp"
#include "stark/util/error.hpp"
#include "testing.hpp"

using stark::Digest;
using stark::MerkleOpening;
using stark::MerkleTree;
using stark::RowMajorMatrix;
using stark::cuda::MatrixRef;
using HostTree = stark::cuda::PlanMerkleTree<testing::HostExec>;

namespace {

RowMajorMatrix random_matrix(size_t h, size_t w) {
  RowMajorMatrix m(h, w);
  for (auto& x : m.values) x = testing::random_canonical();
  return m;
}

std::vector<RowMajorMatrix> random_matrices(const std::vector<std::pair<size_t, size_t>>& shapes) {
  std::vector<RowMajorMatrix> out;
  for (auto [h, w] : shapes) out.push_back(random_matrix(h, w));
  return out;
}

std::vector<MatrixRef> refs_of(const std::vector<RowMajorMatrix>& mats) {
  std::vector<MatrixRef> refs;
  for (const RowMajorMatrix& m : mats) refs.push_back({m.values.data(), m.height(), m.width});
  return refs;
}

bool same_opening(const MerkleOpening& a, const MerkleOpening& b) {
  return a.rows == b.rows && a.siblings == b.siblings;
}

const std::vector<std::vector<std::pair<size_t, size_t>>> kShapes = {
    {{1, 13}},
    {{1, 3}, {1, 9}, {1, 1}},
    {{2, 8}},
    {{16, 5}, {16, 3}, {4, 7}, {1, 2}},
    {{4, 7}, {16, 5}, {1, 2}, {16, 3}},
    {{1, 4}, {2, 9}, {8, 1}, {32, 17}, {2, 2}, {8, 8}},
    {{64, 16}},
    {{2, 1}, {1, 1}},
    {{256, 24}, {128, 3}, {128, 10}, {2, 4}},
    {{512, 8}, {512, 1}, {64, 33}},
};

}  // namespace

TEST(plan_merkle_tree_matches_merkle_tree_roots_layers_and_openings) {
  for (bool backwards : {false, true}) {
    for (const auto& shapes : kShapes) {
      const std::vector<RowMajorMatrix> mats = random_matrices(shapes);
      testing::HostExec ex;
      ex.backwards = backwards;
      const HostTree plan(ex, refs_of(mats));
      const MerkleTree cpu{std::vector<RowMajorMatrix>(mats)};
      CHECK(plan.root() == cpu.root());
      CHECK_EQ(plan.height(), cpu.height());
      CHECK_EQ(plan.log_height(), cpu.log_height());
      for (uint32_t l = 0; l <= cpu.log_height(); ++l)
        CHECK(std::equal(plan.layer(l), plan.layer(l) + 8 * (cpu.height() >> l), cpu.layer(l)));
      std::vector<size_t> indices;
      for (size_t i = 0; i < cpu.height(); ++i) indices.push_back(i);
      indices.push_back(0);  // repeats are allowed
      const std::vector<MerkleOpening> opened = plan.open_batch(ex, indices);
      CHECK_EQ(opened.size(), indices.size());
      for (size_t q = 0; q < indices.size(); ++q) CHECK(same_opening(opened[q], cpu.open(indices[q])));
    }
  }
}

TEST(plan_merkle_tree_reads_back_only_the_root_and_the_openings) {
  const std::vector<RowMajorMatrix> mats = random_matrices({{256, 24}, {128, 3}, {2, 4}});
  testing::HostExec ex;
  const HostTree plan(ex, refs_of(mats));
  CHECK_EQ(ex.bytes_downloaded, uint64_t(32));
  const uint64_t before = ex.bytes_downloaded;
  plan.open_batch(ex, {3, 200});
  CHECK_EQ(ex.bytes_downloaded - before, 2 * plan.opening_words() * 4);
  CHECK_EQ(plan.opening_words(), uint64_t(24 + 3 + 4 + 8 * 8));
}

TEST(plan_merkle_tree_rejects_what_merkle_tree_rejects) {
  testing::HostExec ex;
  const RowMajorMatrix m = random_matrix(4, 2);
  auto message = [&](std::vector<MatrixRef> refs) {
    try {
      HostTree t(ex, std::move(refs));
    } catch (const stark::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_EQ(message({}), std::string("matrices: expected at least one matrix"));
  CHECK_EQ(message({{m.values.data(), 4, 0}}), std::string("matrices[0]: width must be at least 1"));
  CHECK_EQ(message({{m.values.data(), 4, 2}, {m.values.data(), 3, 2}}),
           std::string("matrices[1]: height 3 is not a power of two >= 1"));
  CHECK_EQ(message({{nullptr, 4, 2}}), std::string("matrices[0]: no data"));
  const HostTree t(ex, refs_of({random_matrix(4, 2)}));
  CHECK_THROWS(t.open_batch(ex, {4}), stark::InputError);
}
