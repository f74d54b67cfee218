// Permutation: after-challenge extension column `index` at row offset `offset`, committed as the
// four flattened base columns 4·index .. 4·index + 3 (the table marks it extension-valued).
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Permutation> {
  static ColumnSource source(const Node& nd) { return {kAfterChallenge, 4 * nd.index}; }
};

}  // namespace stark::air_detail
