// Add: lhs + rhs.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Add> {
  static Ext4 at_point(const Node& nd, const PointValues&, const Ext4* v) { return v[nd.lhs] + v[nd.rhs]; }

  static void lower(const Node& nd, Lowering& L) {
    if (!L.is_ext(L.node())) {
      Form f = L.form_of(nd.lhs, Fp::one());
      append(f, L.form_of(nd.rhs, Fp::one()));
      L.define_base(std::move(f));
      return;
    }
    const bool le = L.is_ext(nd.lhs), re = L.is_ext(nd.rhs);
    const uint32_t a = L.operand(nd.lhs), b = L.operand(nd.rhs);
    // E + F is computed as E + F (the extension operand first).
    L.define_ext(le && re ? Op::ExtAdd : Op::ExtAddBase, le ? a : b, le ? b : a);
  }
};

}  // namespace stark::air_detail
