// Shared inputs of the device AIR host tests (test_cuda_quotient_host.cpp, test_cuda_logup_host.cpp):
// random matrices and extension elements, constraint systems with preprocessed columns, several
// main partitions, several buses and chunks, and the host executor's arena lanes.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "air_program.cuh"
#include "constraint_builder.hpp"
#include "stark/air/air.hpp"
#include "stark/field/matrix.hpp"
#include "testing.hpp"

namespace fixtures {

using stark::ConstraintSystem;
using stark::Ext4;
using stark::Fp;
using stark::NodeKind;
using stark::RowMajorMatrix;

inline RowMajorMatrix random_matrix(size_t h, size_t w) {
  RowMajorMatrix m(h, w);
  for (auto& v : m.values) v = testing::random_canonical();
  return m;
}

inline Ext4 random_ext() {
  return Ext4(
      Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(testing::random_canonical()),
      Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(testing::random_canonical()));
}

inline std::vector<uint32_t> canonical_words(const std::vector<Ext4>& values) {
  std::vector<uint32_t> out(4 * values.size());
  for (size_t i = 0; i < values.size(); ++i) values[i].to_canonical(out.data() + 4 * i);
  return out;
}

/// A cached main partition (m), a common one (a, b) and a preprocessed column s; four interactions on three
/// buses in three chunks, with constant, negated and preprocessed counts, next-row and product fields, and
/// the LogUp constraints of docs/protocol.md §7.5 (so the quotient reads the after-challenge trace, the
/// challenges and the exposed sum).
inline ConstraintSystem interaction_system() {
  testing::ConstraintBuilder b;
  b.cs.preprocessed_width = 1;
  b.cs.preprocessed_height = 8;
  b.cs.cached_main_widths = {1};
  b.cs.common_main_width = 2;
  b.cs.num_public_values = 1;
  const uint32_t a = b.main(0, 0, 1), bb = b.main(1, 0, 1), m = b.main(0, 0, 0), an = b.main(0, 1, 1);
  const uint32_t s = b.var(NodeKind::Preprocessed, 0), pub = b.var(NodeKind::Public, 0);
  b.constrain(b.mul(b.leaf(NodeKind::IsTransition), b.sub(an, b.add(a, s))));
  b.cs.interactions.push_back({0, 1, {a}, m});
  b.cs.interactions.push_back({0, 1, {bb, b.add(a, b.constant(1))}, b.neg(m)});
  b.cs.interactions.push_back({3, 0, {b.mul(a, bb), pub, s}, b.constant(5)});
  b.cs.interactions.push_back({7, 2, {an}, s});
  b.cs.interaction_chunks = {{0, 1}, {2}, {3}};
  b.cs.num_air_constraints = uint32_t(b.cs.constraints.size());
  b.append_logup();
  return b.finish();
}

/// Fibonacci with public values (a0, b0, out) and a degree-3 constraint (q = 2); no preprocessed
/// trace, one main partition, no interactions.
inline ConstraintSystem fibonacci_system() {
  testing::ConstraintBuilder b;
  b.cs.common_main_width = 2;
  b.cs.num_public_values = 3;
  const uint32_t x = b.main(0), y = b.main(1), xn = b.main(0, 1), yn = b.main(1, 1);
  const uint32_t a0 = b.var(NodeKind::Public, 0), b0 = b.var(NodeKind::Public, 1),
                 out = b.var(NodeKind::Public, 2);
  const uint32_t first = b.leaf(NodeKind::IsFirstRow), last = b.leaf(NodeKind::IsLastRow);
  const uint32_t trans = b.leaf(NodeKind::IsTransition);
  b.constrain(b.mul(first, b.sub(x, a0)));
  b.constrain(b.mul(first, b.sub(y, b0)));
  b.constrain(b.mul(trans, b.sub(xn, y)));
  b.constrain(b.mul(trans, b.sub(yn, b.add(x, y))));
  b.constrain(b.mul(last, b.sub(y, out)));
  b.constrain(b.mul(first, b.mul(x, b.sub(x, a0))));
  b.cs.constraints.push_back(b.cs.constraints[0]);  // a repeated root
  return b.finish();
}

/// A random DAG over every leaf kind (2 preprocessed columns, main partitions of widths 2 and 3,
/// 2 permutation columns, 2 public values), with shared and single-use nodes, cancellations,
/// scalings by ±1, ±2 and 3, products up to degree `max_degree`, bit compositions, a long sum with
/// varied coefficients and a constant constraint — the lowering's every instruction shape.
inline ConstraintSystem random_system(uint64_t seed, uint32_t max_degree) {
  std::mt19937_64 rng(seed);
  const uint32_t p = stark::P;
  testing::ConstraintBuilder b;
  b.cs.preprocessed_width = 2;
  b.cs.preprocessed_height = 8;
  b.cs.cached_main_widths = {2};
  b.cs.common_main_width = 3;
  b.cs.num_public_values = 2;
  std::vector<uint32_t> pool, deg, base_columns;
  auto add = [&](uint32_t id, uint32_t d) {
    pool.push_back(id);
    if (deg.size() <= id) deg.resize(id + 1, 0);
    deg[id] = d;
  };
  for (uint8_t off = 0; off < 2; ++off) {
    for (uint32_t c = 0; c < 2; ++c) add(b.var(NodeKind::Preprocessed, c, off), 1);
    for (uint32_t c = 0; c < 2; ++c) add(b.main(c, off, 0), 1);
    for (uint32_t c = 0; c < 3; ++c) add(b.main(c, off, 1), 1);
    base_columns.insert(base_columns.end(), pool.end() - 7, pool.end());
    for (uint32_t c = 0; c < 2; ++c) add(b.var(NodeKind::Permutation, c, off), 1);
  }
  for (uint32_t i = 0; i < 2; ++i) add(b.var(NodeKind::Public, i), 0);
  for (uint32_t v : {0u, 1u, 2u, p - 1, p - 2, 7u, uint32_t(rng() % p)}) add(b.constant(v), 0);
  add(b.var(NodeKind::Challenge, 0), 0);
  add(b.var(NodeKind::Challenge, 1), 0);
  add(b.var(NodeKind::Exposed, 0), 0);
  add(b.leaf(NodeKind::IsFirstRow), 1);
  add(b.leaf(NodeKind::IsLastRow), 1);
  add(b.leaf(NodeKind::IsTransition), 0);
  const size_t leaves = pool.size();
  auto pick = [&]() { return pool[rng() % 3 == 0 ? rng() % leaves : rng() % pool.size()]; };
  for (int i = 0; i < 300; ++i) {
    const uint32_t l = pick(), r = pick();
    switch (rng() % 7) {
      case 0:
        add(b.add(l, r), std::max(deg[l], deg[r]));
        break;
      case 1:
        add(b.sub(l, r), std::max(deg[l], deg[r]));
        break;
      case 2:
        add(b.neg(l), deg[l]);
        break;
      case 3:
        add(b.sub(l, l), deg[l]);
        break;
      case 4:
        add(b.mul(b.constant(std::array<uint32_t, 4>{2, p - 2, p - 1, 3}[rng() % 4]), l), deg[l]);
        break;
      default:
        if (deg[l] + deg[r] <= max_degree)
          add(b.mul(l, r), deg[l] + deg[r]);
        else if (2 * deg[l] <= max_degree)
          add(b.mul(l, l), 2 * deg[l]);
        else
          add(b.add(l, r), std::max(deg[l], deg[r]));
    }
  }
  for (int k = 0; k < 30; ++k) b.constrain(pool[leaves + rng() % (pool.size() - leaves)]);
  // Base-field compositions over distinct trace columns (so they stay in F, and no two terms
  // merge into one coefficient).
  auto column = [&]() { return base_columns[rng() % base_columns.size()]; };
  std::shuffle(base_columns.begin(), base_columns.end(), rng);
  uint32_t acc = b.mul(b.constant(1), base_columns[0]);  // Σ 2^k·x_k minus a column
  for (uint32_t k = 1; k < 10; ++k) acc = b.add(acc, b.mul(b.constant(1u << k), base_columns[k]));
  b.constrain(b.sub(acc, base_columns[10]));
  std::shuffle(base_columns.begin(), base_columns.end(), rng);
  uint32_t shifted = b.mul(b.constant(4), base_columns[0]);  // a column minus Σ 2^(k+2)·x_k
  for (uint32_t k = 1; k < 9; ++k) shifted = b.add(shifted, b.mul(b.constant(4u << k), base_columns[k]));
  b.constrain(b.sub(base_columns[9], shifted));
  uint32_t chain = b.constant(5);  // long, varied coefficients: the generic combination
  for (int k = 0; k < 80; ++k) chain = b.add(chain, b.mul(b.constant(uint32_t(rng() % p)), column()));
  b.constrain(b.mul(b.leaf(NodeKind::IsTransition), chain));
  b.constrain(b.constant(9));
  b.cs.interactions.push_back({0, 1, {b.main(0, 0, 0)}, b.constant(1)});
  b.cs.interaction_chunks = {{0}};
  return b.finish();
}

/// Host "threads" in either order; thread t uses arena lane t mod lanes (lanes are reused, as a
/// grid-stride loop does).
template <class F>
void each_thread(uint64_t total, bool backwards, F&& f) {
  if (backwards) {
    for (uint64_t t = total; t-- > 0;) f(t);
  } else {
    for (uint64_t t = 0; t < total; ++t) f(t);
  }
}

/// Arena filled with a non-canonical word, so reading a slot nobody wrote shows in the results.
inline std::vector<uint32_t> poisoned(size_t words) { return std::vector<uint32_t>(words, 0xdeadbeefu); }

}  // namespace fixtures
