// The lower pass of the block compiler (compile_passes.hpp): constraint DAG -> values and
// virtual instructions.
//
// Consumes the system, the sinks and the output nodes; produces a LoweredProgram. Steps:
//  1. needed nodes: those reachable from a sink or an output, with how often each is read;
//  2. value classes: uniform (point-independent, folded here with the kinds' at_point) or
//     varying, in F or in E (the table's flags for leaves, the children for the rest);
//  3. trace columns: every column a needed trace variable reads, sorted so that the per-block
//     transposition walks rows left to right;
//  4. lowering, node by node in id order (children first): trace variables and selectors
//     become vectors, other kinds call their lower() (kinds/<kind>.hpp), which defines an F
//     node as a linear form c0 + Σ c_i·v_i over earlier values and an E node as one extension
//     op. Single-use forms are kept pending and inlined into their consumer, so chains of sums,
//     negations and scalings cost one instruction; sinks follow their node;
//  5. products read by exactly one linear form are marked to be evaluated inside it.
#include <algorithm>
#include <map>
#include <string>

#include "compile_passes.hpp"
#include "stark/util/error.hpp"

namespace stark::air_detail {
namespace {

// Value classes of DAG nodes: point-independent (folded at compile time) or varying, in F or E.
enum class Cls : uint8_t { UniformF, UniformE, VaryingF, VaryingE };
bool is_uniform(Cls c) { return c == Cls::UniformF || c == Cls::UniformE; }
bool is_ext(Cls c) { return c == Cls::UniformE || c == Cls::VaryingE; }

// Linear forms longer than this are materialized rather than copied into their consumer
// (bounds compile time on long single-use chains).
constexpr size_t kMaxInlineTerms = 64;

bool is_unit(Fp c) { return c == Fp::one() || c == -Fp::one(); }

// Sorts the terms by value, merges repeated values and drops zero coefficients.
void normalize(Form& f) {
  std::sort(f.terms.begin(), f.terms.end(), [](const Term& x, const Term& y) { return x.value < y.value; });
  size_t out = 0;
  for (size_t i = 0; i < f.terms.size();) {
    Term t = f.terms[i++];
    while (i < f.terms.size() && f.terms[i].value == t.value) t.coeff += f.terms[i++].coeff;
    if (!t.coeff.is_zero()) f.terms[out++] = t;
  }
  f.terms.resize(out);
}

std::string describe(const ConstraintSystem& cs, uint32_t v) {
  const NodeKind k = cs.nodes[v].kind;
  return "node " + std::to_string(v) + " (" +
         (is_known_kind(k) ? std::string(kind_info(k).name) : "tag " + std::to_string(int(k))) + ")";
}

[[noreturn]] void not_validated(const std::string& what) {
  throw InputError("block program: " + what +
                   " (constraint systems must be decoded or finalize()d before they are evaluated)");
}

// Step 1: needed nodes and read counts (edges, sinks, outputs); sinks merged per (node, acc).
struct Reach {
  std::vector<uint8_t> needed, forced;  // forced: read by a sink or an output (never inlined)
  std::vector<uint32_t> uses;
  std::vector<std::vector<std::pair<uint32_t, Ext4>>> sinks_of;  // per node: (accumulator, coeff)
};

Reach reach(const ConstraintSystem& cs, const std::vector<Sink>& sinks, uint32_t num_accumulators,
            const std::vector<uint32_t>& output_nodes) {
  const size_t num_nodes = cs.nodes.size();
  Reach r;
  // The fold only needs the summed coefficient of sinks on the same (node, accumulator).
  std::map<std::pair<uint32_t, uint32_t>, Ext4> merged;
  for (size_t k = 0; k < sinks.size(); ++k) {
    const Sink& s = sinks[k];
    if (s.node >= num_nodes)
      throw InputError("block program: sink " + std::to_string(k) + " reads node " + std::to_string(s.node) +
                       " of a system with " + std::to_string(num_nodes) + " nodes");
    if (s.accumulator >= num_accumulators)
      throw InputError("block program: sink " + std::to_string(k) + " adds to accumulator " +
                       std::to_string(s.accumulator) + " of " + std::to_string(num_accumulators));
    merged[{s.node, s.accumulator}] += s.coeff;
  }
  r.sinks_of.resize(num_nodes);
  for (const auto& [key, coeff] : merged) r.sinks_of[key.first].push_back({key.second, coeff});
  r.needed.assign(num_nodes, 0);
  r.forced.assign(num_nodes, 0);
  for (const auto& [key, coeff] : merged) r.needed[key.first] = r.forced[key.first] = 1;
  for (size_t k = 0; k < output_nodes.size(); ++k) {
    const uint32_t v = output_nodes[k];
    if (v >= num_nodes)
      throw InputError("block program: output " + std::to_string(k) + " is node " + std::to_string(v) +
                       " of a system with " + std::to_string(num_nodes) + " nodes");
    r.needed[v] = r.forced[v] = 1;
  }
  r.uses.assign(num_nodes, 0);
  for (size_t v = num_nodes; v-- > 0;) {
    if (!r.needed[v]) continue;
    const Node& nd = cs.nodes[v];
    if (!is_known_kind(nd.kind)) not_validated(describe(cs, uint32_t(v)) + " has an unknown kind");
    for_each_child(nd, [&](uint32_t c) {
      if (c >= v)
        not_validated(describe(cs, uint32_t(v)) + " reads node " + std::to_string(c) +
                      ", not an earlier one");
      r.needed[c] = 1;
      ++r.uses[c];
    });
  }
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Lowering state and the services kinds use (kinds/kind_api.hpp)
// ---------------------------------------------------------------------------------------------

struct LowerState {
  const ConstraintSystem& cs;
  const Reach& r;
  std::vector<Cls> cls;
  std::vector<Ext4> uval;
  LoweredProgram& out;
  std::vector<uint32_t> node_value;
  std::vector<Form> pending;  // forms of single-use linear nodes, inlined by their consumer
  std::vector<uint8_t> is_pending;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> products;
  std::map<uint32_t, uint32_t> constant_f;  // Montgomery word -> ConstF value

  uint32_t new_value(Value v) {
    out.values.push_back(v);
    out.product_instr.push_back(kNoValue);
    return uint32_t(out.values.size() - 1);
  }
  uint32_t emit_form(Form f) {
    normalize(f);
    if (f.c0.is_zero() && f.terms.size() == 1 && f.terms[0].coeff == Fp::one()) return f.terms[0].value;
    const uint32_t dst = new_value(Value(ValKind::ComputedF));
    out.forms.push_back(std::move(f));
    VInstr in;
    in.op = Op::LinComb;
    in.dst = dst;
    in.form = uint32_t(out.forms.size() - 1);
    out.code.push_back(in);
    return dst;
  }
  uint32_t product(uint32_t x, uint32_t y) {
    const auto key = std::minmax(x, y);
    auto it = products.find(key);
    if (it != products.end()) return it->second;
    const uint32_t dst = new_value(Value(ValKind::ComputedF));
    VInstr in;
    in.op = Op::Mul;
    in.dst = dst;
    in.a = key.first;
    in.b = key.second;
    out.product_instr[dst] = uint32_t(out.code.size());
    out.code.push_back(in);
    products.emplace(key, dst);
    return dst;
  }
  // The value of a varying node as a vector (materializing a pending linear form).
  uint32_t atom_of(uint32_t c) {
    if (is_pending[c]) {
      is_pending[c] = 0;
      node_value[c] = emit_form(std::move(pending[c]));
    }
    return node_value[c];
  }
  uint32_t constant_value(uint32_t c) {
    if (cls[c] == Cls::UniformF) {
      const uint32_t word = uval[c].c[0].mont;
      auto it = constant_f.find(word);
      if (it != constant_f.end()) return it->second;
      const uint32_t id = new_value(Value(ValKind::ConstF, 0, 0, uval[c]));
      constant_f.emplace(word, id);
      return id;
    }
    if (node_value[c] == kNoValue) node_value[c] = new_value(Value(ValKind::ConstE, 0, 0, uval[c]));
    return node_value[c];
  }
  uint32_t operand(uint32_t c) { return is_uniform(cls[c]) ? constant_value(c) : atom_of(c); }
  Form form_of(uint32_t c, Fp s) {
    if (cls[c] == Cls::UniformF) return Form{uval[c].c[0], {}};
    if (is_pending[c] && pending[c].terms.size() <= 1) return pending[c];  // c0 + k·u: free to copy
    if (is_pending[c] && pending[c].terms.size() <= kMaxInlineTerms && is_unit(s)) {
      is_pending[c] = 0;  // single use: moved into the consumer
      return std::move(pending[c]);
    }
    return Form{Fp::zero(), {Term{atom_of(c), Fp::one()}}};
  }
  Form affine_of(uint32_t c) {
    if (cls[c] != Cls::UniformF && is_pending[c] && pending[c].terms.size() > 1) atom_of(c);
    return form_of(c, Fp::zero());
  }
};

bool Lowering::is_uniform(uint32_t node) const { return air_detail::is_uniform(state_.cls[node]); }
bool Lowering::is_ext(uint32_t node) const { return air_detail::is_ext(state_.cls[node]); }
Fp Lowering::uniform_base(uint32_t node) const { return state_.uval[node].c[0]; }
Form Lowering::form_of(uint32_t node, Fp s) { return state_.form_of(node, s); }
Form Lowering::affine_of(uint32_t node) { return state_.affine_of(node); }
uint32_t Lowering::product(uint32_t x, uint32_t y) { return state_.product(x, y); }
uint32_t Lowering::operand(uint32_t node) { return state_.operand(node); }

void Lowering::define_base(Form f) {
  LowerState& s = state_;
  const uint32_t v = node_;
  if (s.cls[v] != Cls::VaryingF)
    throw InputError("block program: " + describe(s.cs, v) + " is extension-valued but was lowered over F");
  // Single-use forms are inlined by their consumer; forms c0 + k·u by every consumer (the
  // scaling then lands in a coefficient, which costs nothing extra).
  if (!s.r.forced[v] && (f.terms.size() <= 1 || (s.r.uses[v] == 1 && f.terms.size() <= kMaxInlineTerms))) {
    s.pending[v] = std::move(f);
    s.is_pending[v] = 1;
  } else {
    s.node_value[v] = s.emit_form(std::move(f));
  }
}

void Lowering::define_ext(Op op, uint32_t a, uint32_t b) {
  LowerState& s = state_;
  const uint32_t v = node_;
  if (s.cls[v] != Cls::VaryingE)
    throw InputError("block program: " + describe(s.cs, v) + " is base-field-valued but was lowered over E");
  VInstr in;
  in.op = op;
  in.a = a;
  in.b = b;
  in.dst = s.new_value(Value(ValKind::ComputedE));
  s.node_value[v] = in.dst;
  s.out.code.push_back(in);
}

// ---------------------------------------------------------------------------------------------
// The pass
// ---------------------------------------------------------------------------------------------

LoweredProgram lower(const ConstraintSystem& cs, const UniformEnv& env, const std::vector<Sink>& sinks,
                     uint32_t num_accumulators, const std::vector<uint32_t>& output_nodes,
                     uint32_t next_shift) {
  const size_t num_nodes = cs.nodes.size();
  LoweredProgram out;
  out.next_shift = next_shift;
  out.num_accumulators = num_accumulators;
  out.accumulator_init.assign(num_accumulators, Ext4::zero());
  const Reach r = reach(cs, sinks, num_accumulators, output_nodes);
  LowerState s{cs,
               r,
               std::vector<Cls>(num_nodes, Cls::UniformF),
               std::vector<Ext4>(num_nodes),
               out,
               std::vector<uint32_t>(num_nodes, kNoValue),
               std::vector<Form>(num_nodes),
               std::vector<uint8_t>(num_nodes, 0),
               {},
               {}};

  // Step 2: value classes; uniform nodes are folded.
  PointValues uniform_point;
  uniform_point.public_values = env.public_values;
  uniform_point.challenges = env.challenges;
  uniform_point.exposed = env.exposed;
  for (size_t v = 0; v < num_nodes; ++v) {
    if (!r.needed[v]) continue;
    const Node& nd = cs.nodes[v];
    bool uniform = true, ext = false;
    if (kind_info(nd.kind).arity == 0) {
      uniform = is_point_independent_leaf(nd.kind);
      ext = has_flag(nd.kind, node_flags::kExtension);
    } else {
      for_each_child(nd, [&](uint32_t c) {
        uniform = uniform && is_uniform(s.cls[c]);
        ext = ext || is_ext(s.cls[c]);
      });
    }
    s.cls[v] = uniform ? (ext ? Cls::UniformE : Cls::UniformF) : (ext ? Cls::VaryingE : Cls::VaryingF);
    if (uniform) s.uval[v] = node_at_point(nd, uniform_point, s.uval.data());
  }
  for (uint32_t v : output_nodes)
    if (is_ext(s.cls[v]))
      throw InputError("block program: output " + describe(cs, v) + " is extension-valued");

  // Uniform sinks go straight into the accumulators' initial values.
  for (size_t v = 0; v < num_nodes; ++v)
    if (r.needed[v] && is_uniform(s.cls[v]))
      for (const auto& [acc, coeff] : r.sinks_of[v]) out.accumulator_init[acc] += coeff * s.uval[v];

  // Step 3: trace columns; an extension variable brings its four flattened base columns, which
  // stay consecutive.
  std::vector<ColumnSource>& cols = out.columns;
  for (size_t v = 0; v < num_nodes; ++v) {
    if (!r.needed[v] || !is_trace_variable(cs.nodes[v].kind)) continue;
    const ColumnSource c = node_source(cs.nodes[v]);
    const uint32_t width = has_flag(cs.nodes[v].kind, node_flags::kExtension) ? 4 : 1;
    for (uint32_t e = 0; e < width; ++e) cols.push_back({c.matrix, c.column + e});
  }
  std::sort(cols.begin(), cols.end());
  cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  auto column_index = [&](ColumnSource c) {
    return uint32_t(std::lower_bound(cols.begin(), cols.end(), c) - cols.begin());
  };

  // Step 4: lowering.
  for (size_t v = 0; v < num_nodes; ++v) {
    if (!r.needed[v] || is_uniform(s.cls[v])) continue;
    const Node& nd = cs.nodes[v];
    if (is_trace_variable(nd.kind)) {
      const ValKind k = has_flag(nd.kind, node_flags::kExtension) ? ValKind::ColumnE : ValKind::Column;
      s.node_value[v] = s.new_value(Value(k, column_index(node_source(nd)), nd.offset ? next_shift : 0));
    } else if (is_selector(nd.kind)) {
      s.node_value[v] = s.new_value(Value(ValKind::Selector, uint32_t(nd.kind)));
    } else {
      Lowering lowering(s, uint32_t(v));
      lower_node(nd, lowering);
      if (s.node_value[v] == kNoValue && !s.is_pending[v])
        throw InputError("block program: the lowering of " + describe(cs, uint32_t(v)) + " defined no value");
    }
    for (const auto& [acc, coeff] : r.sinks_of[v]) {
      VInstr in;
      in.sink = true;
      in.a = s.node_value[v];
      in.acc = acc;
      in.coeff = coeff;
      out.code.push_back(in);
    }
  }
  for (uint32_t v : output_nodes) out.outputs.push_back(s.operand(v));

  // Step 5: a product read exactly once, as a term of a linear combination, is evaluated inside it.
  std::vector<uint32_t> read_count(out.values.size(), 0);
  std::vector<uint8_t> read_by_lincomb(out.values.size(), 0);
  for (const VInstr& in : out.code) {
    if (!in.sink && in.op == Op::LinComb) {
      for (const Term& t : out.forms[in.form].terms) {
        ++read_count[t.value];
        read_by_lincomb[t.value] = 1;
      }
    } else if (in.sink || in.op == Op::ExtNeg) {
      ++read_count[in.a];
    } else {
      ++read_count[in.a];
      ++read_count[in.b];
    }
  }
  for (uint32_t x : out.outputs) read_count[x] += 2;
  for (size_t x = 0; x < out.values.size(); ++x)
    if (out.product_instr[x] != kNoValue && read_count[x] == 1 && read_by_lincomb[x])
      out.code[out.product_instr[x]].removed = true;
  return out;
}

}  // namespace stark::air_detail
