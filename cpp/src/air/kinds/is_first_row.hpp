// IsFirstRow: the unnormalized first-row selector Z_H(x) / (x - 1), which vanishes on H except at
// its first point 1.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::IsFirstRow> {
  static Ext4 at_point(const Node&, const PointValues& point, const Ext4*) {
    const Ext4 d = point.x - Fp::one();
    if (d.is_zero()) point.reject_zero_denominator("ζ - 1");
    return point.vanishing * d.inverse();
  }
  static void on_quotient_domain(const QuotientPoints& q, uint32_t* out) {
    std::vector<Fp> den(q.count);
    for (size_t p = 0; p < q.count; ++p) den[p] = q.x[p] - Fp::one();
    batch_inverse(den.data(), q.count);  // x_p lies on a coset disjoint from H: never 1
    for (size_t p = 0; p < q.count; ++p) out[p] = (q.vanishing[p] * den[p]).mont;
  }
};

}  // namespace stark::air_detail
