// Exposed: exposed value `index` (0 = the AIR's LogUp cumulative sum; extension field).
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Exposed> {
  static Ext4 at_point(const Node& nd, const PointValues& point, const Ext4*) {
    return point.exposed_value(nd.index);
  }
};

}  // namespace stark::air_detail
