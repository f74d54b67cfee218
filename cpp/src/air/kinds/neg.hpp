// Neg: -lhs.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Neg> {
  static Ext4 at_point(const Node& nd, const PointValues&, const Ext4* v) { return -v[nd.lhs]; }

  static void lower(const Node& nd, Lowering& L) {
    if (!L.is_ext(L.node())) {
      Form f = L.form_of(nd.lhs, -Fp::one());
      scale(f, -Fp::one());
      L.define_base(std::move(f));
      return;
    }
    L.define_ext(Op::ExtNeg, L.operand(nd.lhs));
  }
};

}  // namespace stark::air_detail
