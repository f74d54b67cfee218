#include "stark/air/constraint_system.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "stark/field/babybear.hpp"
#include "stark/field/matrix.hpp"

namespace stark {
namespace {

constexpr uint8_t kMagic[4] = {'S', 'B', 'I', 'R'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMaxMessageLength = 127;
constexpr uint32_t kMaxBus = 65535;
constexpr uint32_t kNumChallenges = 2;
constexpr uint32_t kNumExposed = 1;

// Minimum encoded sizes, used to bound counts before allocating.
constexpr size_t kMinNodeBytes = 1;
constexpr size_t kMinInteractionBytes = 20;
constexpr size_t kMinChunkBytes = 8;

uint32_t below(FieldReader& r, const char* field, uint64_t bound) {
  const uint32_t v = r.u32(field);
  if (v >= bound) r.fail(field, "value " + std::to_string(v) + " must be < " + std::to_string(bound));
  return v;
}

// Field names of the payload in error messages (the bound says what an index counts).
const char* index_label(IndexBound bound) {
  switch (bound) {
    case IndexBound::PreprocessedWidth:
      return "preprocessed column";
    case IndexBound::MainPartWidth:
      return "main column";
    case IndexBound::AfterChallengeWidth:
      return "permutation column";
    case IndexBound::PublicValues:
      return "public value index";
    case IndexBound::Challenges:
      return "challenge index";
    case IndexBound::ExposedValues:
      return "exposed value index";
    case IndexBound::None:
      break;
  }
  return "index";
}

// Reads the payload of a node of kind `kind` (table-driven: the kind's fields in byte order),
// checking every field that can be checked before the whole system is known.
Node read_node(FieldReader& r, uint32_t id, const std::vector<uint32_t>& part_widths, uint32_t prep_width,
               uint32_t num_public) {
  const uint8_t tag = r.u8("node tag");
  if (tag >= kNumNodeKinds)
    r.fail("node tag", "unknown tag " + std::to_string(tag) + " of node " + std::to_string(id));
  Node nd;
  nd.kind = NodeKind(tag);
  const NodeKindInfo& info = kind_info(nd.kind);
  for (uint8_t f = 0; f < info.num_fields; ++f) {
    switch (info.fields[f]) {
      case PayloadField::Offset:
        nd.offset = r.u8("node row offset");
        if (nd.offset > 1)
          r.fail("node row offset", "value " + std::to_string(nd.offset) + " must be 0 or 1");
        break;
      case PayloadField::Part:
        nd.part = below(r, "main partition", part_widths.size());
        break;
      case PayloadField::Index: {
        const char* label = index_label(info.bound);
        switch (info.bound) {
          case IndexBound::PreprocessedWidth:
            nd.index = below(r, label, prep_width);
            break;
          case IndexBound::MainPartWidth:
            nd.index = below(r, label, part_widths[nd.part]);
            break;
          case IndexBound::PublicValues:
            nd.index = below(r, label, num_public);
            break;
          case IndexBound::Challenges:
            nd.index = below(r, label, kNumChallenges);
            break;
          case IndexBound::ExposedValues:
            nd.index = below(r, label, kNumExposed);
            break;
          case IndexBound::AfterChallengeWidth:  // bounded once the chunks are known
          case IndexBound::None:
            nd.index = r.u32(label);
            break;
        }
        break;
      }
      case PayloadField::Value:
        nd.value = below(r, "constant", P);
        break;
      case PayloadField::Lhs:
        nd.lhs = below(r, info.arity == 1 ? "child node id" : "left child node id", id);
        break;
      case PayloadField::Rhs:
        nd.rhs = below(r, "right child node id", id);
        break;
    }
  }
  return nd;
}

// Whole-system checks (after-challenge variables, interaction expressions, count weights, the
// quotient degree) and the derived degrees. `fail` reports at the reader's current offset.
template <class Fail>
void check_semantics(ConstraintSystem& cs, Fail&& fail) {
  const size_t num_nodes = cs.nodes.size();
  const uint32_t after_width = cs.after_challenge_width();
  // The kinds each expression uses (one bit per kind).
  std::vector<NodeKindMask> uses(num_nodes, 0);
  std::vector<uint64_t> degree(num_nodes, 0);
  for (size_t v = 0; v < num_nodes; ++v) {
    const Node& nd = cs.nodes[v];
    const NodeKindInfo& info = kind_info(nd.kind);
    if (info.bound == IndexBound::AfterChallengeWidth && nd.index >= after_width)
      fail("node " + std::to_string(v) + " (" + info.name + ") column " + std::to_string(nd.index) +
           " >= after-challenge width " + std::to_string(after_width));
    if (is_after_challenge(nd.kind) && cs.interactions.empty())
      fail("node " + std::to_string(v) +
           " uses a LogUp challenge or exposed value in a system without interactions");
    NodeKindMask u = kind_bit(nd.kind);
    for_each_child(nd, [&](uint32_t c) { u |= uses[c]; });
    uses[v] = u;
    degree[v] = node_degree(nd, degree.data());
  }
  NodeKindMask forbidden = 0;
  for (uint8_t k = 0; k < kNumNodeKinds; ++k)
    if (is_interaction_forbidden(NodeKind(k))) forbidden |= kind_bit(NodeKind(k));
  std::map<uint32_t, uint64_t> weight_per_bus;
  for (size_t k = 0; k < cs.interactions.size(); ++k) {
    const Interaction& it = cs.interactions[k];
    if (uses[it.count] & forbidden)
      fail("interaction " + std::to_string(k) + " count uses a selector or after-challenge value");
    for (uint32_t f : it.message)
      if (uses[f] & forbidden)
        fail("interaction " + std::to_string(k) + " message uses a selector or after-challenge value");
    uint64_t& w = weight_per_bus[it.bus];
    w += it.count_weight;
    if (w > UINT32_MAX) fail("count weights on bus " + std::to_string(it.bus) + " overflow u32");
  }
  uint64_t max_degree = 0;
  for (uint32_t c : cs.constraints) max_degree = std::max(max_degree, degree[c]);
  // q = 2^ceil(log2(max(d, 2) - 1)) = 2^bit_length(max(d, 2) - 2).
  const uint64_t m = std::max<uint64_t>(max_degree, 2) - 2;
  uint32_t bits = 0;
  while (bits < 64 && (m >> bits) != 0) ++bits;
  const bool too_big = bits > TWO_ADICITY;
  if (too_big || cs.quotient_degree != (uint64_t(1) << bits))
    fail("quotient degree " + std::to_string(cs.quotient_degree) + " does not match the constraint degree " +
         std::to_string(max_degree));
  cs.node_degrees.resize(num_nodes);
  for (size_t v = 0; v < num_nodes; ++v)
    cs.node_degrees[v] = uint32_t(std::min<uint64_t>(degree[v], UINT32_MAX));
  cs.max_degree = uint32_t(std::min<uint64_t>(max_degree, UINT32_MAX));
}

}  // namespace

uint32_t quotient_degree_for(uint32_t constraint_degree) {
  const uint32_t m = std::max<uint32_t>(constraint_degree, 2) - 2;
  uint32_t bits = 0;
  while (bits < 32 && (m >> bits) != 0) ++bits;
  return bits >= 32 ? 0 : (1u << bits);
}

ConstraintSystem ConstraintSystem::decode(FieldReader& r) {
  ConstraintSystem cs;
  for (uint8_t b : kMagic)
    if (r.u8("magic") != b) r.fail("magic", "expected \"SBIR\"");
  const uint32_t version = r.u32("version");
  if (version != kVersion) r.fail("version", "unsupported version " + std::to_string(version));
  cs.preprocessed_width = r.u32("preprocessed width");
  cs.preprocessed_height = r.u32("preprocessed height");
  if ((cs.preprocessed_width == 0) != (cs.preprocessed_height == 0))
    r.fail("preprocessed height", "preprocessed width and height must both be 0 or both non-zero");
  if (!(cs.preprocessed_height == 0 || is_power_of_two(cs.preprocessed_height)) ||
      cs.preprocessed_height > (1u << TWO_ADICITY))
    r.fail("preprocessed height", std::to_string(cs.preprocessed_height) + " is not a power of two <= 2^27");
  const size_t num_cached = r.length("number of cached partitions", 4);
  cs.cached_main_widths.resize(num_cached);
  uint64_t main_width = 0;
  for (auto& w : cs.cached_main_widths) {
    w = r.u32("cached main width");
    if (w == 0) r.fail("cached main width", "cached main partitions must have width >= 1");
    main_width += w;
  }
  cs.common_main_width = r.u32("common main width");
  if (main_width + cs.common_main_width == 0) r.fail("common main width", "main width must be >= 1");
  cs.num_public_values = r.u32("number of public values");

  std::vector<uint32_t> part_widths = cs.cached_main_widths;
  part_widths.push_back(cs.common_main_width);
  const size_t num_nodes = r.length("number of nodes", kMinNodeBytes);
  cs.nodes.reserve(num_nodes);
  for (size_t v = 0; v < num_nodes; ++v)
    cs.nodes.push_back(read_node(r, uint32_t(v), part_widths, cs.preprocessed_width, cs.num_public_values));

  const size_t num_constraints = r.length("number of constraints", 4);
  cs.constraints.resize(num_constraints);
  for (auto& c : cs.constraints) c = below(r, "constraint node id", num_nodes);
  cs.num_air_constraints = r.u32("number of AIR constraints");
  if (cs.num_air_constraints > num_constraints)
    r.fail("number of AIR constraints", std::to_string(cs.num_air_constraints) + " exceeds the " +
                                            std::to_string(num_constraints) + " constraints");

  const size_t num_interactions = r.length("number of interactions", kMinInteractionBytes);
  cs.interactions.resize(num_interactions);
  for (auto& it : cs.interactions) {
    it.bus = r.u32("interaction bus");
    if (it.bus > kMaxBus) r.fail("interaction bus", std::to_string(it.bus) + " > 65535");
    it.count_weight = r.u32("interaction count weight");
    it.count = below(r, "interaction count node id", num_nodes);
    const size_t len = r.length("interaction message length", 4);
    if (len < 1 || len > kMaxMessageLength)
      r.fail("interaction message length", std::to_string(len) + " outside [1, 127]");
    it.message.resize(len);
    for (auto& f : it.message) f = below(r, "interaction field node id", num_nodes);
  }
  const size_t num_chunks = r.length("number of chunks", kMinChunkBytes);
  std::vector<uint8_t> seen(num_interactions, 0);
  cs.interaction_chunks.resize(num_chunks);
  for (auto& chunk : cs.interaction_chunks) {
    const size_t len = r.length("chunk length", 4);
    if (len == 0) r.fail("chunk length", "chunks must not be empty");
    chunk.resize(len);
    for (auto& i : chunk) {
      i = below(r, "chunk interaction index", num_interactions);
      if (seen[i])
        r.fail("chunk interaction index", "interaction " + std::to_string(i) + " appears in two chunks");
      seen[i] = 1;
    }
  }
  for (size_t i = 0; i < num_interactions; ++i)
    if (!seen[i]) r.fail("chunks", "interaction " + std::to_string(i) + " is in no chunk");
  cs.quotient_degree = r.u32("quotient degree");
  check_semantics(cs, [&](const std::string& why) { r.fail("constraint system", why); });
  return cs;
}

void ConstraintSystem::encode(FieldWriter& w) const {
  w.bytes(kMagic, 4);
  w.u32(kVersion);
  w.u32(preprocessed_width);
  w.u32(preprocessed_height);
  w.u32(uint32_t(cached_main_widths.size()));
  for (uint32_t x : cached_main_widths) w.u32(x);
  w.u32(common_main_width);
  w.u32(num_public_values);
  w.u32(uint32_t(nodes.size()));
  for (const Node& nd : nodes) {
    w.u8(uint8_t(nd.kind));
    if (!is_known_kind(nd.kind)) continue;  // an edited system: decoding will reject the tag
    const NodeKindInfo& info = kind_info(nd.kind);
    for (uint8_t f = 0; f < info.num_fields; ++f) {
      switch (info.fields[f]) {
        case PayloadField::Offset:
          w.u8(nd.offset);
          break;
        case PayloadField::Part:
          w.u32(nd.part);
          break;
        case PayloadField::Index:
          w.u32(nd.index);
          break;
        case PayloadField::Value:
          w.u32(nd.value);
          break;
        case PayloadField::Lhs:
          w.u32(nd.lhs);
          break;
        case PayloadField::Rhs:
          w.u32(nd.rhs);
          break;
      }
    }
  }
  w.u32(uint32_t(constraints.size()));
  for (uint32_t c : constraints) w.u32(c);
  w.u32(num_air_constraints);
  w.u32(uint32_t(interactions.size()));
  for (const Interaction& it : interactions) {
    w.u32(it.bus);
    w.u32(it.count_weight);
    w.u32(it.count);
    w.u32(uint32_t(it.message.size()));
    for (uint32_t f : it.message) w.u32(f);
  }
  w.u32(uint32_t(interaction_chunks.size()));
  for (const auto& chunk : interaction_chunks) {
    w.u32(uint32_t(chunk.size()));
    for (uint32_t i : chunk) w.u32(i);
  }
  w.u32(quotient_degree);
}

std::vector<uint8_t> ConstraintSystem::to_bytes() const {
  FieldWriter w;
  encode(w);
  return w.take();
}

ConstraintSystem ConstraintSystem::from_bytes(const uint8_t* data, size_t size) {
  FieldReader r(data, size, "constraint system");
  ConstraintSystem cs = decode(r);
  r.expect_end();
  return cs;
}

void ConstraintSystem::finalize() {
  const std::vector<uint8_t> bytes = to_bytes();
  *this = from_bytes(bytes.data(), bytes.size());
}

}  // namespace stark
