// Const: the canonical field element `value`.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Const> {
  static Ext4 at_point(const Node& nd, const PointValues&, const Ext4*) {
    return Ext4(Fp::from_canonical(nd.value));
  }
};

}  // namespace stark::air_detail
