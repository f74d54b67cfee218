// Preprocessed: column `index` of the preprocessed trace at row offset `offset`.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Preprocessed> {
  static ColumnSource source(const Node& nd) { return {kPreprocessed, nd.index}; }
};

}  // namespace stark::air_detail
