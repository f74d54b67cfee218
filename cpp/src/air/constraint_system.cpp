#include "stark/air/constraint_system.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

namespace stark {
namespace {

constexpr uint8_t kMagic[4] = {'S', 'B', 'I', 'R'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kMaxMessageLength = 127;
constexpr uint32_t kMaxBus = 65535;
constexpr uint32_t kNumChallenges = 2;
constexpr uint32_t kNumExposed = 1;
constexpr uint64_t kDegreeCap = uint64_t(1) << 32;  // degrees saturate here (as ir.py does)

// Minimum encoded sizes, used to bound counts before allocating.
constexpr size_t kMinNodeBytes = 1;
constexpr size_t kMinInteractionBytes = 20;
constexpr size_t kMinChunkBytes = 8;

uint32_t below(ByteReader& r, const char* field, uint64_t bound) {
  const uint32_t v = r.u32(field);
  if (v >= bound) r.fail(field, "value " + std::to_string(v) + " must be < " + std::to_string(bound));
  return v;
}

uint8_t read_offset(ByteReader& r) {
  const uint8_t o = r.u8("node row offset");
  if (o > 1) r.fail("node row offset", "value " + std::to_string(o) + " must be 0 or 1");
  return o;
}

Node read_node(ByteReader& r, uint32_t id, const std::vector<uint32_t>& part_widths, uint32_t prep_width,
               uint32_t num_public) {
  const uint8_t tag = r.u8("node tag");
  if (tag > uint8_t(NodeKind::Mul))
    r.fail("node tag", "unknown tag " + std::to_string(tag) + " of node " + std::to_string(id));
  Node nd;
  nd.kind = NodeKind(tag);
  switch (nd.kind) {
    case NodeKind::Preprocessed:
      nd.offset = read_offset(r);
      nd.index = below(r, "preprocessed column", prep_width);
      break;
    case NodeKind::Main:
      nd.part = below(r, "main partition", part_widths.size());
      nd.offset = read_offset(r);
      nd.index = below(r, "main column", part_widths[nd.part]);
      break;
    case NodeKind::Permutation:
      nd.offset = read_offset(r);
      nd.index = r.u32("permutation column");  // bounded once the chunks are known
      break;
    case NodeKind::Public:
      nd.index = below(r, "public value index", num_public);
      break;
    case NodeKind::Challenge:
      nd.index = below(r, "challenge index", kNumChallenges);
      break;
    case NodeKind::Exposed:
      nd.index = below(r, "exposed value index", kNumExposed);
      break;
    case NodeKind::Const:
      nd.value = below(r, "constant", P);
      break;
    case NodeKind::IsFirstRow:
    case NodeKind::IsLastRow:
    case NodeKind::IsTransition:
      break;
    case NodeKind::Neg:
      nd.lhs = below(r, "child node id", id);
      break;
    case NodeKind::Add:
    case NodeKind::Sub:
    case NodeKind::Mul:
      nd.lhs = below(r, "left child node id", id);
      nd.rhs = below(r, "right child node id", id);
      break;
  }
  return nd;
}

// Whole-system checks (after-challenge variables, interaction expressions, count weights, the
// quotient degree) and the derived degrees. `fail` reports at the reader's current offset.
template <class Fail>
void check_semantics(ConstraintSystem& cs, Fail&& fail) {
  const size_t num_nodes = cs.nodes.size();
  const uint32_t after_width = cs.after_challenge_width();
  // Bit mask of the node kinds each expression uses.
  std::vector<uint16_t> uses(num_nodes, 0);
  std::vector<uint64_t> degree(num_nodes, 0);
  for (size_t v = 0; v < num_nodes; ++v) {
    const Node& nd = cs.nodes[v];
    if (nd.kind == NodeKind::Permutation && nd.index >= after_width)
      fail("node " + std::to_string(v) + " (permutation) column " + std::to_string(nd.index) +
           " >= after-challenge width " + std::to_string(after_width));
    if ((nd.kind == NodeKind::Challenge || nd.kind == NodeKind::Exposed) && cs.interactions.empty())
      fail("node " + std::to_string(v) +
           " uses a LogUp challenge or exposed value in a system without interactions");
    uint16_t u = uint16_t(1u << uint8_t(nd.kind));
    uint64_t d = 0;
    switch (nd.kind) {
      case NodeKind::Preprocessed:
      case NodeKind::Main:
      case NodeKind::Permutation:
      case NodeKind::IsFirstRow:
      case NodeKind::IsLastRow:
        d = 1;
        break;
      case NodeKind::Neg:
        u |= uses[nd.lhs];
        d = degree[nd.lhs];
        break;
      case NodeKind::Add:
      case NodeKind::Sub:
        u |= uses[nd.lhs] | uses[nd.rhs];
        d = std::max(degree[nd.lhs], degree[nd.rhs]);
        break;
      case NodeKind::Mul:
        u |= uses[nd.lhs] | uses[nd.rhs];
        d = std::min(kDegreeCap, degree[nd.lhs] + degree[nd.rhs]);
        break;
      default:
        break;
    }
    uses[v] = u;
    degree[v] = d;
  }
  const uint16_t forbidden =
      uint16_t((1u << uint8_t(NodeKind::IsFirstRow)) | (1u << uint8_t(NodeKind::IsLastRow)) |
               (1u << uint8_t(NodeKind::IsTransition)) | (1u << uint8_t(NodeKind::Permutation)) |
               (1u << uint8_t(NodeKind::Challenge)) | (1u << uint8_t(NodeKind::Exposed)));
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

ConstraintSystem ConstraintSystem::decode(ByteReader& r) {
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

void ConstraintSystem::encode(ByteWriter& w) const {
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
    switch (nd.kind) {
      case NodeKind::Main:
        w.u32(nd.part);
        [[fallthrough]];
      case NodeKind::Preprocessed:
      case NodeKind::Permutation:
        w.u8(nd.offset);
        w.u32(nd.index);
        break;
      case NodeKind::Public:
      case NodeKind::Challenge:
      case NodeKind::Exposed:
        w.u32(nd.index);
        break;
      case NodeKind::Const:
        w.u32(nd.value);
        break;
      case NodeKind::Neg:
        w.u32(nd.lhs);
        break;
      case NodeKind::Add:
      case NodeKind::Sub:
      case NodeKind::Mul:
        w.u32(nd.lhs);
        w.u32(nd.rhs);
        break;
      default:
        break;
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
  ByteWriter w;
  encode(w);
  return w.take();
}

ConstraintSystem ConstraintSystem::from_bytes(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "constraint system");
  ConstraintSystem cs = decode(r);
  r.expect_end();
  return cs;
}

void ConstraintSystem::finalize() {
  const std::vector<uint8_t> bytes = to_bytes();
  *this = from_bytes(bytes.data(), bytes.size());
}

}  // namespace stark
