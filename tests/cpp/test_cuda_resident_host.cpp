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

#include "fri_plan.hpp"
#include "host_exec.hpp"
#include "merkle_plan.hpp"
#include "stark/challenger/challenger.hpp"
#include "stark/field/matrix.hpp"
#include "stark/fri/fri_prover.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/merkle/merkle_tree.hpp"
#include "stark/util/error.hpp"
#include "testing.hpp"

using stark::Digest;
using stark::MerkleOpening;
using stark::MerkleTree;
using stark::RowMajorMatrix;
using stark::cuda::MatrixRef;
using HostTree = stark::cuda::PlanMerkleTree<testing::HostExec>;
using stark::Challenger;
using stark::Ext4;
using stark::Fp;
using stark::FriParameters;
using stark::FriProof;
using stark::OpenedValues;
using stark::PcsCommitted;

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

// ---- PlanFriProver against pcs_open ---------------------------------------------------------------

namespace {

Ext4 random_ext() {
  return Ext4(
      Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(testing::random_canonical()),
      Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(testing::random_canonical()));
}

Challenger seeded_challenger() {
  Challenger ch;
  for (uint32_t i = 0; i < 5; ++i) ch.observe(2000 + i);
  return ch;
}

struct MatrixSpec {
  size_t height, width;
  Fp shift;
  size_t num_points;
};

struct Opening {
  OpenedValues opened;
  FriProof proof;
  Challenger after;
};

/// Commits each round on the CPU, then opens them twice: with pcs_open, and with fri_prove over
/// PlanFriProver on the host executor reading the CPU's LDEs in place.
std::pair<Opening, Opening> open_both(const FriParameters& params,
                                      const std::vector<std::vector<MatrixSpec>>& specs, bool backwards) {
  std::vector<PcsCommitted> committed;
  std::vector<std::vector<std::vector<Ext4>>> points(specs.size());
  for (size_t ri = 0; ri < specs.size(); ++ri) {
    std::vector<stark::PcsMatrixInput> inputs;
    for (const MatrixSpec& m : specs[ri]) {
      inputs.push_back({random_matrix(m.height, m.width), m.shift});
      std::vector<Ext4> zs;
      const Ext4 zeta = random_ext();
      for (size_t p = 0; p < m.num_points; ++p)  // ζ, ζ·ω, ... as in the STARK, or fresh points
        zs.push_back(p == 1   ? zeta * stark::two_adic_generator(stark::log2_exact(m.height))
                     : p == 0 ? zeta
                              : random_ext());
      points[ri].push_back(std::move(zs));
    }
    committed.push_back(stark::pcs_commit(params, std::move(inputs)));
  }
  Opening cpu;
  {
    std::vector<stark::PcsOpenRound> rounds;
    for (size_t ri = 0; ri < specs.size(); ++ri) rounds.push_back({&committed[ri], points[ri]});
    cpu.after = seeded_challenger();
    std::tie(cpu.opened, cpu.proof) = stark::pcs_open(params, rounds, cpu.after);
  }
  Opening plan;
  {
    testing::HostExec ex;
    ex.backwards = backwards;
    std::vector<std::unique_ptr<HostTree>> trees;
    std::vector<stark::cuda::PlanFriRound<testing::HostExec>> rounds;
    for (size_t ri = 0; ri < specs.size(); ++ri) {
      std::vector<MatrixRef> ldes;
      std::vector<uint32_t> log_heights;
      for (size_t m = 0; m < committed[ri].num_matrices(); ++m) {
        const stark::ConstMatrixView v = committed[ri].lde(m);
        ldes.push_back({v.data, v.height, v.width});
        log_heights.push_back(committed[ri].log_trace_height(m));
      }
      trees.push_back(std::make_unique<HostTree>(ex, ldes));
      CHECK(trees.back()->root() == committed[ri].root());
      rounds.push_back({trees.back().get(), params.log_blowup, log_heights, points[ri]});
    }
    const std::vector<stark::FriOpenRound> shapes = stark::cuda::plan_open_shapes(rounds);
    stark::cuda::PlanFriProver<testing::HostExec> backend(ex, params, rounds);
    plan.after = seeded_challenger();
    std::tie(plan.opened, plan.proof) = stark::fri_prove(params, shapes, backend, plan.after);
  }
  return {std::move(cpu), std::move(plan)};
}

bool same_opening(Opening a, Opening b) {
  return a.opened == b.opened && a.proof == b.proof &&
         stark::fri_proof_to_bytes(a.proof) == stark::fri_proof_to_bytes(b.proof) &&
         a.after.sample() == b.after.sample();
}

}  // namespace

TEST(plan_fri_prover_gives_pcs_open_proofs_byte_for_byte) {
  const Fp g = stark::generator();
  const std::vector<std::pair<FriParameters, std::vector<std::vector<MatrixSpec>>>> cases = {
      // one matrix, one point
      {FriParameters{1, 0, 3, 1, 1}, {{{8, 3, Fp::one(), 1}}}},
      // the STARK's shape: a trace round at ζ, ζω with mixed heights and shifts, a quotient round
      {FriParameters{1, 0, 4, 2, 2},
       {{{16, 5, Fp::one(), 2}, {4, 2, Fp::one(), 2}, {16, 1, Fp::one(), 2}},
        {{16, 4, g, 1}, {16, 4, g * g, 1}, {4, 4, g, 1}}}},
      // blowup 4, a final polynomial of 4 coefficients, three points (two passes on the CPU)
      {FriParameters{2, 2, 5, 0, 3}, {{{64, 7, Fp::one(), 3}, {32, 9, Fp::one(), 1}}, {{64, 2, g, 2}}}},
      // wide matrix, tall codeword, buckets at every height
      {FriParameters{1, 1, 6, 1, 0},
       {{{256, 40, Fp::one(), 2}, {128, 3, Fp::one(), 2}, {64, 1, Fp::one(), 1}, {4, 2, Fp::one(), 2}}}},
  };
  for (bool backwards : {false, true})
    for (const auto& [params, specs] : cases) {
      auto [cpu, plan] = open_both(params, specs, backwards);
      CHECK(same_opening(cpu, plan));
    }
}

TEST(plan_fri_prover_rejects_what_pcs_open_rejects) {
  testing::HostExec ex;
  const FriParameters params{1, 0, 2, 0, 0};
  // Height-1 matrix, b = 1: the LDE points are {g, −g}; opening at g divides by zero.
  std::vector<stark::PcsMatrixInput> in;
  in.push_back({random_matrix(1, 2), Fp::one()});
  const PcsCommitted c = stark::pcs_commit(params, std::move(in));
  const stark::ConstMatrixView v = c.lde(0);
  const HostTree tree(ex, {{v.data, v.height, v.width}});
  auto message = [&](const std::vector<stark::cuda::PlanFriRound<testing::HostExec>>& rounds) {
    try {
      stark::cuda::PlanFriProver<testing::HostExec> backend(ex, params, rounds);
      backend.open_values();
    } catch (const stark::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string cpu_message;
  try {
    Challenger ch;
    stark::pcs_open(params, {stark::PcsOpenRound{&c, {{Ext4(stark::generator())}}}}, ch);
  } catch (const stark::InputError& e) {
    cpu_message = e.what();
  }
  CHECK_EQ(message({{&tree, 1, {0}, {{Ext4(stark::generator())}}}}), cpu_message);
  CHECK_EQ(message({{nullptr, 1, {0}, {{random_ext()}}}}),
           std::string("pcs_open: round 0 has no commitment"));
  CHECK_EQ(message({{&tree, 1, {0}, {}}}), std::string("pcs_open: round 0 has 1 matrices but 0 point lists"));
  CHECK_EQ(message({{&tree, 1, {1}, {{random_ext()}}}}),
           std::string("pcs_open: round 0 matrix 0 has 2 LDE rows, expected 2^2"));
  CHECK(message({{&tree, 2, {0}, {{random_ext()}}}}) != "no error");  // another blowup
  CHECK(message({}) != "no error");                                   // no round
}
