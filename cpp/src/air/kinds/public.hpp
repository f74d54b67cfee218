// Public: public value `index` of the AIR (base field).
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Public> {
  static Ext4 at_point(const Node& nd, const PointValues& point, const Ext4*) {
    return Ext4(point.public_value(nd.index));
  }
};

}  // namespace stark::air_detail
