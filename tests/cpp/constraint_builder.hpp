// Hand-built constraint systems for the C++ tests: a tiny DAG builder over stark::ConstraintSystem
// (node ids in topological order), with the LogUp constraints of docs/protocol.md §7.5 and degree-derived
// finalization. Shared by test_air_eval.cpp and test_protocol.cpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "stark/air/air.hpp"

namespace testing {

using stark::ConstraintSystem;
using stark::Interaction;
using stark::Node;
using stark::NodeKind;
using stark::quotient_degree_for;

struct ConstraintBuilder {
  ConstraintSystem cs;

  uint32_t push(Node nd) {
    cs.nodes.push_back(nd);
    return uint32_t(cs.nodes.size() - 1);
  }
  uint32_t main(uint32_t col, uint8_t offset = 0, uint32_t part = 0) {
    Node nd;
    nd.kind = NodeKind::Main;
    nd.part = part;
    nd.index = col;
    nd.offset = offset;
    return push(nd);
  }
  uint32_t var(NodeKind kind, uint32_t index = 0, uint8_t offset = 0) {
    Node nd;
    nd.kind = kind;
    nd.index = index;
    nd.offset = offset;
    return push(nd);
  }
  uint32_t constant(uint32_t v) {
    Node nd;
    nd.kind = NodeKind::Const;
    nd.value = v;
    return push(nd);
  }
  uint32_t leaf(NodeKind kind) {
    Node nd;
    nd.kind = kind;
    return push(nd);
  }
  uint32_t bin(NodeKind kind, uint32_t l, uint32_t r) {
    Node nd;
    nd.kind = kind;
    nd.lhs = l;
    nd.rhs = r;
    return push(nd);
  }
  uint32_t add(uint32_t l, uint32_t r) { return bin(NodeKind::Add, l, r); }
  uint32_t sub(uint32_t l, uint32_t r) { return bin(NodeKind::Sub, l, r); }
  uint32_t mul(uint32_t l, uint32_t r) { return bin(NodeKind::Mul, l, r); }
  uint32_t neg(uint32_t x) {
    Node nd;
    nd.kind = NodeKind::Neg;
    nd.lhs = x;
    return push(nd);
  }
  void constrain(uint32_t node) { cs.constraints.push_back(node); }

  // LogUp constraints of docs/protocol.md §7.5 for the interactions and chunks already set.
  void append_logup() {
    const uint32_t alpha = var(NodeKind::Challenge, 0), beta = var(NodeKind::Challenge, 1);
    std::vector<uint32_t> dens;
    for (const Interaction& it : cs.interactions) {
      uint32_t d = alpha, power = UINT32_MAX;
      for (size_t j = 0; j <= it.message.size(); ++j) {
        const uint32_t field = j < it.message.size() ? it.message[j] : constant(it.bus + 1);
        const uint32_t term = power == UINT32_MAX ? field : mul(power, field);
        d = add(d, term);
        power = power == UINT32_MAX ? beta : mul(power, beta);
      }
      dens.push_back(d);
    }
    const uint32_t num_chunks = uint32_t(cs.interaction_chunks.size());
    for (uint32_t c = 0; c < num_chunks; ++c) {
      const auto& chunk = cs.interaction_chunks[c];
      uint32_t lhs = var(NodeKind::Permutation, c);
      for (uint32_t i : chunk) lhs = mul(lhs, dens[i]);
      uint32_t rhs = UINT32_MAX;
      for (uint32_t a : chunk) {
        uint32_t term = cs.interactions[a].count;
        for (uint32_t b : chunk)
          if (b != a) term = mul(term, dens[b]);
        rhs = rhs == UINT32_MAX ? term : add(rhs, term);
      }
      constrain(sub(lhs, rhs));
    }
    const uint32_t phi = var(NodeKind::Permutation, num_chunks),
                   phi_next = var(NodeKind::Permutation, num_chunks, 1);
    uint32_t sum_next = var(NodeKind::Permutation, 0, 1), sum_local = var(NodeKind::Permutation, 0);
    for (uint32_t c = 1; c < num_chunks; ++c) {
      sum_next = add(sum_next, var(NodeKind::Permutation, c, 1));
      sum_local = add(sum_local, var(NodeKind::Permutation, c));
    }
    constrain(mul(leaf(NodeKind::IsTransition), sub(sub(phi_next, phi), sum_next)));
    constrain(mul(leaf(NodeKind::IsFirstRow), sub(phi, sum_local)));
    constrain(mul(leaf(NodeKind::IsLastRow), sub(phi, var(NodeKind::Exposed, 0))));
  }

  /// Finalizes with an explicit quotient degree (num_air_constraints left as set).
  ConstraintSystem finish_with_quotient_degree(uint32_t quotient_degree) {
    cs.quotient_degree = quotient_degree;
    cs.finalize();
    return cs;
  }

  /// Finalizes with the quotient degree computed from the constraint degrees (docs/protocol.md §6);
  /// without LogUp constraints appended, every constraint counts as an AIR constraint.
  ConstraintSystem finish() {
    if (cs.num_air_constraints == 0) cs.num_air_constraints = uint32_t(cs.constraints.size());
    // Degrees first (finalize checks the quotient degree).
    std::vector<uint32_t> deg(cs.nodes.size());
    for (size_t v = 0; v < cs.nodes.size(); ++v) {
      const Node& nd = cs.nodes[v];
      switch (nd.kind) {
        case NodeKind::Preprocessed:
        case NodeKind::Main:
        case NodeKind::Permutation:
        case NodeKind::IsFirstRow:
        case NodeKind::IsLastRow:
          deg[v] = 1;
          break;
        case NodeKind::Add:
        case NodeKind::Sub:
          deg[v] = std::max(deg[nd.lhs], deg[nd.rhs]);
          break;
        case NodeKind::Mul:
          deg[v] = deg[nd.lhs] + deg[nd.rhs];
          break;
        case NodeKind::Neg:
          deg[v] = deg[nd.lhs];
          break;
        default:
          deg[v] = 0;
      }
    }
    uint32_t d = 0;
    for (uint32_t c : cs.constraints) d = std::max(d, deg[c]);
    cs.quotient_degree = quotient_degree_for(d);
    cs.finalize();
    return cs;
  }
};

}  // namespace testing
