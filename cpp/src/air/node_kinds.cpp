// Dispatch from a node's kind to its semantics file (kinds/kind_api.hpp), and the leaf values of
// PointValues. The kind files are included from the generated list, so a kind registered in
// kinds/node_kinds.json is dispatched here without further edits; a member its flags require
// but its file lacks fails the build with a message naming the kind and the member.
#include <concepts>
#include <string>

#include "kinds/kind_api.hpp"
#include "stark/air/node_kind_files.inc"
#include "stark/util/error.hpp"

namespace stark::air_detail {
namespace {

template <NodeKind K>
constexpr bool kHasAtPoint = requires(const Node& nd, const PointValues& p, const Ext4* v) {
  { Kind<K>::at_point(nd, p, v) } -> std::same_as<Ext4>;
};
template <NodeKind K>
constexpr bool kHasSource = requires(const Node& nd) {
  { Kind<K>::source(nd) } -> std::same_as<ColumnSource>;
};
template <NodeKind K>
constexpr bool kHasLower = requires(const Node& nd, Lowering& l) { Kind<K>::lower(nd, l); };
template <NodeKind K>
constexpr bool kHasQuotientValues =
    requires(const QuotientPoints& q, uint32_t* out) { Kind<K>::on_quotient_domain(q, out); };

// What the table's flags require of each kind's file.
#define STARK_CHECK_KIND(Name)                                                      \
  static_assert(is_trace_variable(NodeKind::Name) || kHasAtPoint<NodeKind::Name>,   \
                "kinds/<name>.hpp of NodeKind::" #Name " must define at_point()");  \
  static_assert(!is_trace_variable(NodeKind::Name) || kHasSource<NodeKind::Name>,   \
                "trace variable NodeKind::" #Name " must define source()");         \
  static_assert(kind_info(NodeKind::Name).arity == 0 || kHasLower<NodeKind::Name>,  \
                "NodeKind::" #Name " has children and must define lower()");        \
  static_assert(!is_selector(NodeKind::Name) || kHasQuotientValues<NodeKind::Name>, \
                "selector NodeKind::" #Name " must define on_quotient_domain()");
STARK_NODE_KINDS(STARK_CHECK_KIND)
#undef STARK_CHECK_KIND

[[noreturn]] void unknown_kind(NodeKind k, const char* what) {
  throw InputError(std::string(what) + ": unknown node kind tag " + std::to_string(int(k)));
}

template <NodeKind K>
Ext4 at_point_of(const Node& nd, const PointValues& point, const Ext4* values) {
  if constexpr (is_trace_variable(K))
    return point.trace_value(Kind<K>::source(nd), nd.offset, has_flag(K, node_flags::kExtension));
  else
    return Kind<K>::at_point(nd, point, values);
}

template <NodeKind K>
ColumnSource source_of(const Node& nd) {
  if constexpr (is_trace_variable(K))
    return Kind<K>::source(nd);
  else
    throw InputError(std::string("node kind ") + kind_info(K).name + " reads no trace column");
}

template <NodeKind K>
void lower_as(const Node& nd, Lowering& lowering) {
  if constexpr (kind_info(K).arity > 0)
    Kind<K>::lower(nd, lowering);
  else
    throw InputError(std::string("block program: leaves of kind ") + kind_info(K).name +
                     " are not lowered by a kind file");
}

template <NodeKind K>
void fill_selector_as(const QuotientPoints& points, uint32_t* out) {
  if constexpr (is_selector(K))
    Kind<K>::on_quotient_domain(points, out);
  else
    throw InputError(std::string("node kind ") + kind_info(K).name + " is not a selector");
}

}  // namespace

Ext4 node_at_point(const Node& nd, const PointValues& point, const Ext4* values) {
  switch (nd.kind) {
#define STARK_CASE(Name) \
  case NodeKind::Name:   \
    return at_point_of<NodeKind::Name>(nd, point, values);
    STARK_NODE_KINDS(STARK_CASE)
#undef STARK_CASE
  }
  unknown_kind(nd.kind, "node value");
}

ColumnSource node_source(const Node& nd) {
  switch (nd.kind) {
#define STARK_CASE(Name) \
  case NodeKind::Name:   \
    return source_of<NodeKind::Name>(nd);
    STARK_NODE_KINDS(STARK_CASE)
#undef STARK_CASE
  }
  unknown_kind(nd.kind, "trace column");
}

void lower_node(const Node& nd, Lowering& lowering) {
  switch (nd.kind) {
#define STARK_CASE(Name)                    \
  case NodeKind::Name:                      \
    lower_as<NodeKind::Name>(nd, lowering); \
    return;
    STARK_NODE_KINDS(STARK_CASE)
#undef STARK_CASE
  }
  unknown_kind(nd.kind, "block program");
}

void fill_selector(NodeKind kind, const QuotientPoints& points, uint32_t* out) {
  switch (kind) {
#define STARK_CASE(Name)                           \
  case NodeKind::Name:                             \
    fill_selector_as<NodeKind::Name>(points, out); \
    return;
    STARK_NODE_KINDS(STARK_CASE)
#undef STARK_CASE
  }
  unknown_kind(kind, "selector");
}

// ---------------------------------------------------------------------------------------------
// PointValues
// ---------------------------------------------------------------------------------------------

Ext4 PointValues::trace_value(const ColumnSource& c, uint8_t offset, bool extension) const {
  const std::vector<Ext4>* row =
      offset < 2 && c.matrix < rows[offset].size() ? rows[offset][c.matrix] : nullptr;
  const size_t width = extension ? 4 : 1;
  if (row == nullptr || size_t(c.column) + width > row->size())
    throw InputError("point values: trace column " + std::to_string(c.column) + " of matrix " +
                     std::to_string(c.matrix) + " at row offset " + std::to_string(offset) + " is not given");
  if (!extension) return (*row)[c.column];
  // Σ_e X^e · v_{c+e} by Horner's rule in X: acc = acc·X + v_{c+e}, X·(a0, a1, a2, a3) =
  // (W·a3, a0, a1, a2).
  const Fp w = Fp::from_canonical(constants::kExtensionW);
  Ext4 acc = Ext4::zero();
  for (size_t e = 4; e-- > 0;) acc = Ext4(acc.c[3] * w, acc.c[0], acc.c[1], acc.c[2]) + (*row)[c.column + e];
  return acc;
}

Fp PointValues::public_value(uint32_t i) const {
  if (i >= public_values.size())
    throw InputError("point values: public value " + std::to_string(i) + " of " +
                     std::to_string(public_values.size()));
  return public_values[i];
}

const Ext4& PointValues::challenge(uint32_t i) const {
  if (i >= challenges.size())
    throw InputError("point values: challenge " + std::to_string(i) + " of " +
                     std::to_string(challenges.size()));
  return challenges[i];
}

const Ext4& PointValues::exposed_value(uint32_t i) const {
  if (i >= exposed.size())
    throw InputError("point values: exposed value " + std::to_string(i) + " of " +
                     std::to_string(exposed.size()));
  return exposed[i];
}

void PointValues::reject_zero_denominator(const std::string& what) const {
  if (zero_denominator != nullptr) zero_denominator(what);
  throw InputError("point values: " + what + " is zero");
}

}  // namespace stark::air_detail
