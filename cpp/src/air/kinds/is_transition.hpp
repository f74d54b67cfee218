// IsTransition: the transition selector x - ω^{-1}, zero only at the last point of H.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::IsTransition> {
  static Ext4 at_point(const Node&, const PointValues& point, const Ext4*) {
    return point.x - point.omega_inv;
  }
  static void on_quotient_domain(const QuotientPoints& q, uint32_t* out) {
    for (size_t p = 0; p < q.count; ++p) out[p] = (q.x[p] - q.omega_inv).mont;
  }
};

}  // namespace stark::air_detail
