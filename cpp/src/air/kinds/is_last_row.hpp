// IsLastRow: the unnormalized last-row selector Z_H(x) / (x - ω^{-1}), which vanishes on H except
// at its last point ω^{-1}.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::IsLastRow> {
  static Ext4 at_point(const Node&, const PointValues& point, const Ext4*) {
    const Ext4 d = point.x - point.omega_inv;
    if (d.is_zero()) point.reject_zero_denominator("ζ - ω^-1");
    return point.vanishing * d.inverse();
  }
  static void on_quotient_domain(const QuotientPoints& q, uint32_t* out) {
    std::vector<Fp> den(q.count);
    for (size_t p = 0; p < q.count; ++p) den[p] = q.x[p] - q.omega_inv;
    batch_inverse(den.data(), q.count);  // x_p lies on a coset disjoint from H
    for (size_t p = 0; p < q.count; ++p) out[p] = (q.vanishing[p] * den[p]).mont;
  }
};

}  // namespace stark::air_detail
