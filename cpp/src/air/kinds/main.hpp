// Main: column `index` of main partition `part` (cached partitions first, then the common main)
// at row offset `offset`.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Main> {
  static ColumnSource source(const Node& nd) { return {kFirstMain + nd.part, nd.index}; }
};

}  // namespace stark::air_detail
