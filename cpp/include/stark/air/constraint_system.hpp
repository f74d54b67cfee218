// The constraint system of one AIR (docs/protocol.md §5.1, §6, §7.1–7.2): an expression DAG over the
// trace columns, public values, the LogUp challenges and the AIR's exposed cumulative sum,
// the list of constraint roots, and the interactions (bus, count weight, message fields, count).
//
// Nodes are stored in topological order (children have smaller ids). The node kinds, their
// payloads and degree rules are the table of stark/air/node_kinds.hpp. Each node has a degree
// in units of the trace height n: trace and permutation variables and the first/last-row
// selectors count 1, constants, public values, challenges, exposed values and is_transition
// count 0, Add/Sub take the maximum, Neg keeps it, Mul adds. The AIR's degree is the maximum
// over the constraint roots and fixes the quotient degree q = 2^ceil(log2(max(deg, 2) - 1)).
//
// The bytes come from verifying keys, which are untrusted: decode() validates every index,
// width and count before anything is evaluated (pitfall P20), so the evaluators may assume a
// well-formed system. The byte format is the one documented in python/stark_backend/air/ir.py
// ("SBIR" version 1); encode() reproduces that module's bytes exactly.
#pragma once

#include <cstdint>
#include <vector>

#include "stark/air/node_kinds.hpp"
#include "stark/field/codec.hpp"

namespace stark {

/// One DAG node; which fields are meaningful is the kind's payload (PayloadField).
struct Node {
  NodeKind kind = NodeKind::Const;
  uint8_t offset = 0;  // trace variables: 0 = local row, 1 = next row
  uint32_t part = 0;   // Main: partition index
  uint32_t index = 0;  // variables: column / public / challenge / exposed index
  uint32_t value = 0;  // Const: canonical field element
  uint32_t lhs = 0;    // binary kinds: left child; unary kinds: the child
  uint32_t rhs = 0;    // binary kinds: right child

  bool operator==(const Node&) const = default;
};

/// Calls f(child id) for each child of a node of a known kind (lhs, then rhs).
template <class F>
void for_each_child(const Node& nd, F&& f) {
  const uint8_t arity = kind_info(nd.kind).arity;
  if (arity >= 1) f(nd.lhs);
  if (arity >= 2) f(nd.rhs);
}

/// Degrees saturate here (as python/stark_backend/air/ir.py does).
inline constexpr uint64_t kDegreeCap = uint64_t(1) << 32;

/// Degree of a node of a known kind given the degrees of the earlier nodes (its DegreeRule).
inline uint64_t node_degree(const Node& nd, const uint64_t* degrees) {
  switch (kind_info(nd.kind).degree) {
    case DegreeRule::Zero:
      return 0;
    case DegreeRule::One:
      return 1;
    case DegreeRule::Max: {
      uint64_t d = 0;
      for_each_child(nd, [&](uint32_t c) { d = d > degrees[c] ? d : degrees[c]; });
      return d;
    }
    case DegreeRule::Sum: {
      uint64_t d = 0;
      for_each_child(nd, [&](uint32_t c) { d += degrees[c]; });
      return d < kDegreeCap ? d : kDegreeCap;
    }
  }
  return 0;
}

struct Interaction {
  uint32_t bus = 0;  // in [0, 65535]; encoded in the fingerprint as bus + 1
  uint32_t count_weight = 0;
  std::vector<uint32_t> message;  // node ids of the fields (1..127 of them)
  uint32_t count = 0;             // node id of the multiplicity

  bool operator==(const Interaction&) const = default;
};

struct ConstraintSystem {
  // Widths. The preprocessed trace is absent when preprocessed_width == 0 (and then its height
  // is 0 too; otherwise the height is a power of two <= 2^27).
  uint32_t preprocessed_width = 0;
  uint32_t preprocessed_height = 0;
  std::vector<uint32_t> cached_main_widths;  // each >= 1
  uint32_t common_main_width = 0;
  uint32_t num_public_values = 0;

  std::vector<Node> nodes;
  std::vector<uint32_t> constraints;  // node ids, folding order (docs/protocol.md §5.3)
  uint32_t num_air_constraints = 0;   // the first ones come from Air.eval, the rest are LogUp's
  std::vector<Interaction> interactions;
  std::vector<std::vector<uint32_t>> interaction_chunks;  // LogUp partition of interaction ids (§7.2)
  uint32_t quotient_degree = 1;

  // Derived by decode()/finalize(), not encoded.
  std::vector<uint32_t> node_degrees;
  uint32_t max_degree = 0;  // over the constraint roots (0 without constraints)

  /// Number of main partitions with columns: the cached ones, then the common main if its
  /// width is non-zero. Node part indices run over the cached partitions, then the common main
  /// (part = cached_main_widths.size()), which no node can reference when its width is 0.
  size_t num_main_partitions() const { return cached_main_widths.size() + (common_main_width > 0 ? 1 : 0); }
  /// Whether `count` per-partition inputs match: num_main_partitions(), or that plus an empty
  /// common main when its width is 0 (`last_width` = width of the last input).
  bool main_partition_count_matches(size_t count, size_t last_width) const {
    if (count == num_main_partitions()) return true;
    return common_main_width == 0 && count == cached_main_widths.size() + 1 && last_width == 0;
  }
  /// Width of main partition `part` (cached ones, then the common main).
  uint32_t main_partition_width(size_t part) const {
    return part < cached_main_widths.size() ? cached_main_widths[part] : common_main_width;
  }
  /// After-challenge width in extension columns: #chunks + 1, or 0 without interactions.
  uint32_t after_challenge_width() const {
    return interactions.empty() ? 0 : uint32_t(interaction_chunks.size() + 1);
  }
  uint32_t num_challenges() const { return interactions.empty() ? 0 : 2; }
  uint32_t num_exposed_values() const { return interactions.empty() ? 0 : 1; }

  /// Decodes and validates one constraint system (ProofFormatError naming the field and the
  /// byte offset on any malformed or inconsistent content). Reads exactly the system's bytes.
  static ConstraintSystem decode(FieldReader& reader);
  /// Appends the canonical encoding (decode(encode(cs)) == cs, and encode(decode(b)) == b).
  void encode(FieldWriter& writer) const;
  std::vector<uint8_t> to_bytes() const;
  static ConstraintSystem from_bytes(const uint8_t* data, size_t size);

  /// Validates a system built in memory and computes the derived fields, exactly as decoding
  /// its encoding would (ProofFormatError on the first inconsistency).
  void finalize();

  bool operator==(const ConstraintSystem& o) const {
    return preprocessed_width == o.preprocessed_width && preprocessed_height == o.preprocessed_height &&
           cached_main_widths == o.cached_main_widths && num_air_constraints == o.num_air_constraints &&
           common_main_width == o.common_main_width && num_public_values == o.num_public_values &&
           nodes == o.nodes && constraints == o.constraints && interactions == o.interactions &&
           interaction_chunks == o.interaction_chunks && quotient_degree == o.quotient_degree;
  }
};

/// Quotient degree for an AIR of the given constraint degree (docs/protocol.md §6).
uint32_t quotient_degree_for(uint32_t constraint_degree);

}  // namespace stark
