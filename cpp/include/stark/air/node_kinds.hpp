// The kinds of constraint-DAG nodes and what the table says about each (docs/architecture.md
// §6; adding one: §12).
//
// The kinds are defined once, in cpp/src/air/kinds/node_kinds.json; the build generates the enum
// NodeKind, one NodeKindInfo per kind (kNodeKindInfo, indexed by tag) and the X-macro
// STARK_NODE_KINDS(X) from it (stark/air/generated_node_kinds.hpp). Everything the table states
// is handled generically: the IR encoding and validation of the payload (constraint_system.cpp),
// degrees, the interaction rules, the value class (base or extension field, point-dependent or
// not). What a kind computes lives in its own file, cpp/src/air/kinds/<name>.hpp.
#pragma once

#include <cstdint>

namespace stark {

/// One encoded payload field of a node (the table's "payload", in byte order).
enum class PayloadField : uint8_t {
  Offset,  // u8 row offset: 0 = local row, 1 = next row (Node::offset)
  Part,    // u32 main partition (Node::part)
  Index,   // u32 column / public / challenge / exposed index, bounded by the kind's IndexBound
  Value,   // u32 canonical field element (Node::value)
  Lhs,     // u32 child node id < the node's id (Node::lhs; the only child of a unary kind)
  Rhs,     // u32 second child node id (Node::rhs)
};

/// What bounds a node's Index field.
enum class IndexBound : uint8_t {
  None,
  PreprocessedWidth,
  MainPartWidth,        // the width of the node's main partition
  AfterChallengeWidth,  // in extension columns (#chunks + 1, or 0 without interactions)
  PublicValues,
  Challenges,     // 2: alpha_lu, beta_lu
  ExposedValues,  // 1: the AIR's cumulative sum
};

/// Degree of a node in units of the trace height.
enum class DegreeRule : uint8_t { Zero, One, Max, Sum };

namespace node_flags {
inline constexpr uint8_t kTrace = 1;           // reads a trace column at a row offset
inline constexpr uint8_t kSelector = 2;        // a row selector of the trace domain
inline constexpr uint8_t kAfterChallenge = 4;  // exists only once the LogUp challenges are drawn
inline constexpr uint8_t kExtension = 8;       // an extension-field leaf
}  // namespace node_flags

struct NodeKindInfo {
  const char* name;  // snake case, as in messages ("is_first_row")
  uint8_t flags;     // node_flags
  DegreeRule degree;
  IndexBound bound;  // None unless the payload has an Index field
  uint8_t num_fields;
  PayloadField fields[3];
  uint8_t arity;  // Lhs/Rhs fields among them
};

}  // namespace stark

#include "stark/air/generated_node_kinds.hpp"

namespace stark {

inline constexpr bool is_known_kind(NodeKind k) { return uint8_t(k) < kNumNodeKinds; }
/// The table row of a known kind.
inline constexpr const NodeKindInfo& kind_info(NodeKind k) { return kNodeKindInfo[uint8_t(k)]; }
inline constexpr bool has_flag(NodeKind k, uint8_t flag) { return (kind_info(k).flags & flag) != 0; }

inline constexpr bool is_trace_variable(NodeKind k) { return has_flag(k, node_flags::kTrace); }
inline constexpr bool is_selector(NodeKind k) { return has_flag(k, node_flags::kSelector); }
inline constexpr bool is_after_challenge(NodeKind k) { return has_flag(k, node_flags::kAfterChallenge); }
/// Leaves whose value is the same at every point (public values, challenges, constants, ...).
inline constexpr bool is_point_independent_leaf(NodeKind k) {
  return kind_info(k).arity == 0 && !has_flag(k, node_flags::kTrace | node_flags::kSelector);
}
/// Kinds an interaction's message or count may not use (selectors and after-challenge values).
inline constexpr bool is_interaction_forbidden(NodeKind k) {
  return has_flag(k, node_flags::kSelector | node_flags::kAfterChallenge);
}

/// Bit mask of kinds (bit = tag) used for the per-expression "uses" sets.
using NodeKindMask = uint32_t;
static_assert(kNumNodeKinds <= 32, "NodeKindMask holds one bit per kind");
inline constexpr NodeKindMask kind_bit(NodeKind k) { return NodeKindMask(1) << uint8_t(k); }

}  // namespace stark
