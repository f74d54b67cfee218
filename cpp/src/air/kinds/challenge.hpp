// Challenge: LogUp challenge `index` (0 = alpha_lu, 1 = beta_lu; extension field).
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Challenge> {
  static Ext4 at_point(const Node& nd, const PointValues& point, const Ext4*) {
    return point.challenge(nd.index);
  }
};

}  // namespace stark::air_detail
