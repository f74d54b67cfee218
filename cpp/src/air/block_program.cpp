#include "block_program.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "stark/util/error.hpp"

namespace stark::air_detail {
namespace {

// Value classes of DAG nodes: point-independent (folded at compile time) or varying, in F or E.
enum class Cls : uint8_t { UniformF, UniformE, VaryingF, VaryingE };
bool is_uniform(Cls c) { return c == Cls::UniformF || c == Cls::UniformE; }
bool is_ext(Cls c) { return c == Cls::UniformE || c == Cls::VaryingE; }

// ---------------------------------------------------------------------------------------------
// Lowered program: values and virtual instructions (before scratch allocation)
// ---------------------------------------------------------------------------------------------

enum class ValKind : uint8_t { Column, Selector, ConstF, ConstE, ComputedF, ComputedE };

struct Value {
  ValKind kind;
  uint32_t index;  // Column: vector; Selector: 0 first, 1 last, 2 transition
  uint32_t shift;  // Column: 0 or next_shift
  Ext4 constant;   // ConstF (coefficient 0) / ConstE
  explicit Value(ValKind k, uint32_t i = 0, uint32_t s = 0, Ext4 c = Ext4())
      : kind(k), index(i), shift(s), constant(c) {}
};
struct Term {
  uint32_t value;
  Fp coeff;
};
// c0 + Σ coeff·value over F-valued values.
struct Form {
  Fp c0;
  std::vector<Term> terms;
};

enum class VOp : uint8_t {
  Mul,
  LinComb,
  ExtAdd,
  ExtAddBase,
  ExtSub,
  ExtSubBase,
  BaseSubExt,
  ExtMul,
  ExtMulBase,
  ExtNeg,
  Sink
};

struct VInstr {
  explicit VInstr(VOp o) : op(o) {}
  VOp op;
  bool removed = false;  // a product evaluated inside its only reader
  uint32_t dst = 0;      // defined value (not for Sink)
  uint32_t a = 0, b = 0;
  uint32_t form = 0;  // LinComb: index into the forms
  uint32_t acc = 0;   // Sink: accumulator
  Ext4 coeff;         // Sink: weight
};

// Linear forms longer than this are materialized rather than copied into their consumer
// (bounds compile time on long single-use chains).
constexpr size_t kMaxInlineTerms = 64;

// F-valued fold terms are gathered into batches of this many before one delayed-reduction
// accumulation (their vectors stay alive until then).
constexpr size_t kFoldBatch = 24;

// Arena regions, in layout order.
enum Space : uint8_t { kColumns, kConstants, kSelectors, kAccumulators, kScratchF, kScratchE, kNumSpaces };

// A location before the arena layout is known: a vector of a region plus a row shift.
struct Sym {
  Space space = kColumns;
  uint32_t index = 0;  // vector index within the region (kScratchE: group of 4 vectors)
  uint32_t shift = 0;  // 0, or next_shift for next-row trace values
};

// Recycles scratch vectors (F) or groups of four (E).
class SlotPool {
 public:
  uint32_t take() {
    if (!free_.empty()) {
      const uint32_t s = free_.back();
      free_.pop_back();
      return s;
    }
    return count_++;
  }
  void give(uint32_t s) { free_.push_back(s); }
  uint32_t count() const { return count_; }

 private:
  std::vector<uint32_t> free_;
  uint32_t count_ = 0;
};

// Arena memory per runner above which blocks are made shorter.
constexpr size_t kArenaBudgetBytes = size_t(24) << 20;

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

void scale(Form& f, Fp s) {
  f.c0 *= s;
  for (Term& t : f.terms) t.coeff *= s;
}

// The longest run of value terms ±2^s·2^j·z_j, j = 0..m-1 (one term per power, one sign,
// s <= kMaxChainShift, m >= kMinChain): a bit composition, cheaper by Horner's rule (a doubling
// and an addition per term) than by one multiplication per term.
constexpr uint32_t kMinChain = 4;
constexpr uint32_t kMaxChainShift = 3;
struct BinaryChain {
  std::vector<uint32_t> terms;  // indices into the form's terms, z_0 first
  uint32_t shift = 0;
  uint8_t negative = 0;
};
template <class IsProduct>
BinaryChain find_binary_chain(const Form& f, IsProduct&& is_product) {
  BinaryChain best;
  for (uint8_t negative = 0; negative < 2; ++negative) {
    // by_power[k]: the only term with coefficient ±2^k, or kNoTerm (none, or several).
    constexpr uint32_t kNoTerm = UINT32_MAX, kSeveral = UINT32_MAX - 1;
    std::vector<uint32_t> by_power(31, kNoTerm);
    Fp power = negative ? -Fp::one() : Fp::one();
    std::vector<Fp> powers(31);
    for (auto& x : powers) {
      x = power;
      power += power;
    }
    for (uint32_t t = 0; t < f.terms.size(); ++t) {
      if (is_product(f.terms[t].value)) continue;
      for (uint32_t k = 0; k < 31; ++k)
        if (f.terms[t].coeff == powers[k]) {
          by_power[k] = by_power[k] == kNoTerm ? t : kSeveral;
          break;
        }
    }
    for (uint32_t s = 0; s <= kMaxChainShift; ++s) {
      uint32_t m = 0;
      while (s + m < 31 && by_power[s + m] < kSeveral) ++m;
      if (m >= kMinChain && m > best.terms.size()) {
        best.terms.assign(by_power.begin() + s, by_power.begin() + s + m);
        best.shift = s;
        best.negative = negative;
      }
    }
  }
  return best;
}

}  // namespace

BlockProgram compile_block_program(const ConstraintSystem& cs, const UniformEnv& env,
                                   const std::vector<Sink>& sinks, uint32_t num_accumulators,
                                   const std::vector<uint32_t>& output_nodes, uint32_t next_shift,
                                   uint32_t max_block_len) {
  const size_t num_nodes = cs.nodes.size();
  BlockProgram prog;
  prog.next_shift = next_shift;
  prog.accumulator_init.assign(num_accumulators, Ext4::zero());

  // Merge sinks on the same (node, accumulator): the fold only needs the summed coefficient.
  std::map<std::pair<uint32_t, uint32_t>, Ext4> merged;
  for (const Sink& s : sinks) {
    if (s.node >= num_nodes || s.accumulator >= num_accumulators)
      throw std::logic_error("block program: bad sink");
    merged[{s.node, s.accumulator}] += s.coeff;
  }
  std::vector<std::vector<std::pair<uint32_t, Ext4>>> sinks_of(num_nodes);
  for (const auto& [key, coeff] : merged) sinks_of[key.first].push_back({key.second, coeff});

  // Nodes reachable from a sink or an output, and how often each is read (edges, sinks, outputs).
  std::vector<uint8_t> needed(num_nodes, 0), forced(num_nodes, 0);
  for (const auto& [key, coeff] : merged) needed[key.first] = forced[key.first] = 1;
  for (uint32_t v : output_nodes) {
    if (v >= num_nodes) throw std::logic_error("block program: bad output node");
    needed[v] = forced[v] = 1;
  }
  std::vector<uint32_t> uses(num_nodes, 0);
  for (size_t v = num_nodes; v-- > 0;) {
    if (!needed[v]) continue;
    const Node& nd = cs.nodes[v];
    if (nd.kind == NodeKind::Add || nd.kind == NodeKind::Sub || nd.kind == NodeKind::Mul) {
      needed[nd.lhs] = needed[nd.rhs] = 1;
      ++uses[nd.lhs];
      ++uses[nd.rhs];
    } else if (nd.kind == NodeKind::Neg) {
      needed[nd.lhs] = 1;
      ++uses[nd.lhs];
    }
  }

  // Classify and fold constants.
  std::vector<Cls> cls(num_nodes, Cls::UniformF);
  std::vector<Ext4> uval(num_nodes);
  for (size_t v = 0; v < num_nodes; ++v) {
    if (!needed[v]) continue;
    const Node& nd = cs.nodes[v];
    switch (nd.kind) {
      case NodeKind::Preprocessed:
      case NodeKind::Main:
      case NodeKind::IsFirstRow:
      case NodeKind::IsLastRow:
      case NodeKind::IsTransition:
        cls[v] = Cls::VaryingF;
        break;
      case NodeKind::Permutation:
        cls[v] = Cls::VaryingE;
        break;
      case NodeKind::Public:
        cls[v] = Cls::UniformF;
        uval[v] = Ext4(env.public_values.at(nd.index));
        break;
      case NodeKind::Challenge:
        cls[v] = Cls::UniformE;
        uval[v] = env.challenges.at(nd.index);
        break;
      case NodeKind::Exposed:
        cls[v] = Cls::UniformE;
        uval[v] = env.exposed.at(nd.index);
        break;
      case NodeKind::Const:
        cls[v] = Cls::UniformF;
        uval[v] = Ext4(Fp::from_canonical(nd.value));
        break;
      case NodeKind::Neg:
        cls[v] = cls[nd.lhs];
        if (is_uniform(cls[v])) uval[v] = -uval[nd.lhs];
        break;
      case NodeKind::Add:
      case NodeKind::Sub:
      case NodeKind::Mul: {
        const Cls l = cls[nd.lhs], r = cls[nd.rhs];
        const bool ext = is_ext(l) || is_ext(r);
        if (is_uniform(l) && is_uniform(r)) {
          cls[v] = ext ? Cls::UniformE : Cls::UniformF;
          const Ext4 &a = uval[nd.lhs], &b = uval[nd.rhs];
          uval[v] = nd.kind == NodeKind::Add ? a + b : nd.kind == NodeKind::Sub ? a - b : a * b;
        } else {
          cls[v] = ext ? Cls::VaryingE : Cls::VaryingF;
        }
        break;
      }
    }
  }
  for (uint32_t v : output_nodes)
    if (is_ext(cls[v])) throw std::logic_error("block program: an output node is extension-valued");

  // Constant sinks go straight into the accumulators' initial values.
  for (size_t v = 0; v < num_nodes; ++v)
    if (needed[v] && is_uniform(cls[v]))
      for (const auto& [acc, coeff] : sinks_of[v]) prog.accumulator_init[acc] += coeff * uval[v];

  // Trace columns (sorted, so the transposition walks rows left to right); a permutation column
  // brings its four flattened base columns, which stay consecutive.
  std::vector<ColumnSource> cols;
  for (size_t v = 0; v < num_nodes; ++v) {
    if (!needed[v]) continue;
    const Node& nd = cs.nodes[v];
    if (nd.kind == NodeKind::Preprocessed) cols.push_back({kPreprocessed, nd.index});
    if (nd.kind == NodeKind::Main) cols.push_back({kFirstMain + nd.part, nd.index});
    if (nd.kind == NodeKind::Permutation)
      for (uint32_t e = 0; e < 4; ++e) cols.push_back({kAfterChallenge, 4 * nd.index + e});
  }
  std::sort(cols.begin(), cols.end());
  cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  prog.columns = cols;
  auto column_index = [&](ColumnSource c) {
    return uint32_t(std::lower_bound(cols.begin(), cols.end(), c) - cols.begin());
  };

  // ------------------------------------------------------------------------------------------
  // Lowering: DAG nodes -> values and virtual instructions.
  // ------------------------------------------------------------------------------------------
  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<Value> values;
  std::vector<VInstr> vcode;
  std::vector<Form> forms;
  std::vector<uint32_t> node_value(num_nodes, kNone);
  std::vector<Form> pending(num_nodes);  // forms of single-use linear nodes, inlined by their consumer
  std::vector<uint8_t> is_pending(num_nodes, 0);
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> products;
  std::vector<uint32_t> product_instr;      // per value: index of its Mul instruction, or kNone
  std::map<uint32_t, uint32_t> constant_f;  // Montgomery word -> ConstF value

  auto new_value = [&](Value v) {
    values.push_back(v);
    product_instr.push_back(kNone);
    return uint32_t(values.size() - 1);
  };
  auto emit_form = [&](Form f) -> uint32_t {
    normalize(f);
    if (f.c0.is_zero() && f.terms.size() == 1 && f.terms[0].coeff == Fp::one()) return f.terms[0].value;
    const uint32_t dst = new_value(Value(ValKind::ComputedF));
    forms.push_back(std::move(f));
    VInstr in(VOp::LinComb);
    in.dst = dst;
    in.form = uint32_t(forms.size() - 1);
    vcode.push_back(in);
    return dst;
  };
  auto product = [&](uint32_t x, uint32_t y) {
    const auto key = std::minmax(x, y);
    auto it = products.find(key);
    if (it != products.end()) return it->second;
    const uint32_t dst = new_value(Value(ValKind::ComputedF));
    VInstr in(VOp::Mul);
    in.dst = dst;
    in.a = key.first;
    in.b = key.second;
    product_instr[dst] = uint32_t(vcode.size());
    vcode.push_back(in);
    products.emplace(key, dst);
    return dst;
  };
  // The value of a varying node as a vector (materializing a pending linear form).
  auto atom_of = [&](uint32_t c) -> uint32_t {
    if (is_pending[c]) {
      is_pending[c] = 0;
      node_value[c] = emit_form(std::move(pending[c]));
    }
    return node_value[c];
  };
  auto constant_value = [&](uint32_t c) -> uint32_t {
    if (cls[c] == Cls::UniformF) {
      const uint32_t word = uval[c].c[0].mont;
      auto it = constant_f.find(word);
      if (it != constant_f.end()) return it->second;
      const uint32_t id = new_value(Value(ValKind::ConstF, 0, 0, uval[c]));
      constant_f.emplace(word, id);
      return id;
    }
    if (node_value[c] == kNone) node_value[c] = new_value(Value(ValKind::ConstE, 0, 0, uval[c]));
    return node_value[c];
  };
  // Operand value of any node for an instruction that needs vectors.
  auto operand = [&](uint32_t c) -> uint32_t { return is_uniform(cls[c]) ? constant_value(c) : atom_of(c); };
  // The linear form of an F node as seen by its consumer, which scales it by `s`: a pending form
  // is inlined when that costs no extra multiplications (unit scale or a single term).
  auto form_of = [&](uint32_t c, Fp s) -> Form {
    if (cls[c] == Cls::UniformF) return Form{uval[c].c[0], {}};
    if (is_pending[c] && pending[c].terms.size() <= 1) return pending[c];  // c0 + k·u: free to copy
    if (is_pending[c] && pending[c].terms.size() <= kMaxInlineTerms && is_unit(s)) {
      is_pending[c] = 0;  // single use: moved into the consumer
      return std::move(pending[c]);
    }
    return Form{Fp::zero(), {Term{atom_of(c), Fp::one()}}};
  };
  // A multiplication operand as c0 + c·u with at most one term (longer pending forms are
  // materialized first).
  auto affine_of = [&](uint32_t c) -> Form {
    if (cls[c] != Cls::UniformF && is_pending[c] && pending[c].terms.size() > 1) atom_of(c);
    return form_of(c, Fp::zero());
  };

  for (size_t v = 0; v < num_nodes; ++v) {
    if (!needed[v] || is_uniform(cls[v])) continue;
    const Node& nd = cs.nodes[v];
    switch (nd.kind) {
      case NodeKind::Preprocessed:
      case NodeKind::Main:
      case NodeKind::Permutation: {
        const ColumnSource c = nd.kind == NodeKind::Preprocessed ? ColumnSource{kPreprocessed, nd.index}
                               : nd.kind == NodeKind::Main ? ColumnSource{kFirstMain + nd.part, nd.index}
                                                           : ColumnSource{kAfterChallenge, 4 * nd.index};
        node_value[v] = new_value(Value(ValKind::Column, column_index(c), nd.offset ? next_shift : 0));
        break;
      }
      case NodeKind::IsFirstRow:
      case NodeKind::IsLastRow:
      case NodeKind::IsTransition: {
        const uint32_t which = nd.kind == NodeKind::IsFirstRow ? 0 : nd.kind == NodeKind::IsLastRow ? 1 : 2;
        node_value[v] = new_value(Value(ValKind::Selector, which));
        break;
      }
      default: {
        const bool unary = nd.kind == NodeKind::Neg;
        const uint32_t l = nd.lhs, r = unary ? nd.lhs : nd.rhs;
        if (cls[v] == Cls::VaryingF) {
          Form f;
          if (unary) {
            f = form_of(l, -Fp::one());
            scale(f, -Fp::one());
          } else if (nd.kind == NodeKind::Add || nd.kind == NodeKind::Sub) {
            f = form_of(l, Fp::one());
            Form g = form_of(r, nd.kind == NodeKind::Add ? Fp::one() : -Fp::one());
            if (nd.kind == NodeKind::Sub) scale(g, -Fp::one());
            f.c0 += g.c0;
            f.terms.insert(f.terms.end(), g.terms.begin(), g.terms.end());
          } else if (is_uniform(cls[l]) || is_uniform(cls[r])) {
            const uint32_t u = is_uniform(cls[l]) ? l : r, x = u == l ? r : l;
            const Fp s = uval[u].c[0];
            f = form_of(x, s);
            scale(f, s);
          } else {
            // (a0 + a·u)(b0 + b·w) = a0 b0 + a0 b·w + b0 a·u + ab·(u·w).
            Form fl = affine_of(l);
            Form fr = affine_of(r);
            if (fl.terms.empty()) {
              f = std::move(fr);
              scale(f, fl.c0);
            } else if (fr.terms.empty()) {
              f = std::move(fl);
              scale(f, fr.c0);
            } else {
              const Term tu = fl.terms[0], tw = fr.terms[0];
              f.c0 = fl.c0 * fr.c0;
              if (!fl.c0.is_zero()) f.terms.push_back({tw.value, fl.c0 * tw.coeff});
              if (!fr.c0.is_zero()) f.terms.push_back({tu.value, fr.c0 * tu.coeff});
              f.terms.push_back({product(tu.value, tw.value), tu.coeff * tw.coeff});
            }
          }
          // Single-use forms are inlined by their consumer; forms c0 + k·u by every consumer
          // (the scaling then lands in a coefficient, which costs nothing extra).
          if (!forced[v] && (f.terms.size() <= 1 || (uses[v] == 1 && f.terms.size() <= kMaxInlineTerms))) {
            pending[v] = std::move(f);
            is_pending[v] = 1;
          } else {
            node_value[v] = emit_form(std::move(f));
          }
        } else {
          const bool le = is_ext(cls[l]), re = is_ext(cls[r]);
          VInstr in(VOp::ExtNeg);
          if (unary) {
            in.a = operand(l);
          } else {
            const uint32_t a = operand(l), b = operand(r);
            switch (nd.kind) {
              case NodeKind::Add:
                in.op = le && re ? VOp::ExtAdd : VOp::ExtAddBase;
                in.a = le ? a : b;
                in.b = le ? b : a;
                break;
              case NodeKind::Sub:
                in.op = le && re ? VOp::ExtSub : le ? VOp::ExtSubBase : VOp::BaseSubExt;
                in.a = a;
                in.b = b;
                break;
              default:
                in.op = le && re ? VOp::ExtMul : VOp::ExtMulBase;
                in.a = le ? a : b;
                in.b = le ? b : a;
                break;
            }
          }
          in.dst = new_value(Value(ValKind::ComputedE));
          node_value[v] = in.dst;
          vcode.push_back(in);
        }
        break;
      }
    }
    for (const auto& [acc, coeff] : sinks_of[v]) {
      VInstr in(VOp::Sink);
      in.a = node_value[v];
      in.acc = acc;
      in.coeff = coeff;
      vcode.push_back(in);
    }
  }
  std::vector<uint32_t> output_values;
  for (uint32_t v : output_nodes) output_values.push_back(operand(v));

  // A product read exactly once, as a term of a linear combination, is evaluated inside it.
  {
    std::vector<uint32_t> read_count(values.size(), 0);
    std::vector<uint8_t> read_by_lincomb(values.size(), 0);
    for (const VInstr& in : vcode) {
      if (in.op == VOp::LinComb) {
        for (const Term& t : forms[in.form].terms) {
          ++read_count[t.value];
          read_by_lincomb[t.value] = 1;
        }
      } else if (in.op == VOp::ExtNeg || in.op == VOp::Sink) {
        ++read_count[in.a];
      } else {
        ++read_count[in.a];
        ++read_count[in.b];
      }
    }
    for (uint32_t x : output_values) read_count[x] += 2;
    for (size_t x = 0; x < values.size(); ++x)
      if (product_instr[x] != kNone && read_count[x] == 1 && read_by_lincomb[x])
        vcode[product_instr[x]].removed = true;
  }
  auto inline_product = [&](uint32_t x) {
    return product_instr[x] != kNone && vcode[product_instr[x]].removed;
  };

  // ------------------------------------------------------------------------------------------
  // Allocation: locations of values, scratch reuse after the last read, fold batches.
  // ------------------------------------------------------------------------------------------
  const size_t num_values = values.size();
  constexpr size_t kNeverRead = SIZE_MAX - 1;  // e.g. a product whose coefficient cancelled
  std::vector<size_t> last_read(num_values, kNeverRead);
  auto reads = [&](const VInstr& in, auto&& f) {
    if (in.removed) return;
    switch (in.op) {
      case VOp::LinComb:
        for (const Term& t : forms[in.form].terms) {
          if (inline_product(t.value)) {
            const VInstr& mul = vcode[product_instr[t.value]];
            f(mul.a);
            f(mul.b);
          } else {
            f(t.value);
          }
        }
        break;
      case VOp::ExtNeg:
      case VOp::Sink:
        f(in.a);
        break;
      default:
        f(in.a);
        f(in.b);
    }
  };
  for (size_t i = 0; i < vcode.size(); ++i) reads(vcode[i], [&](uint32_t x) { last_read[x] = i; });
  constexpr size_t kForever = SIZE_MAX;
  for (uint32_t x : output_values) last_read[x] = kForever;

  std::vector<Sym> where(num_values);
  std::vector<uint8_t> located(num_values, 0), in_scratch(num_values, 0);
  SlotPool pool_f, pool_e;
  uint32_t num_constant_vectors = 0;
  uint32_t selector_slot[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
  uint32_t num_selectors = 0;
  auto locate = [&](uint32_t x) -> Sym {
    if (located[x]) return where[x];
    const Value& val = values[x];
    Sym s;
    switch (val.kind) {
      case ValKind::Column:
        s = Sym{kColumns, val.index, val.shift};
        break;
      case ValKind::Selector:
        if (selector_slot[val.index] == UINT32_MAX) selector_slot[val.index] = num_selectors++;
        s = Sym{kSelectors, selector_slot[val.index], 0};
        break;
      case ValKind::ConstF:
      case ValKind::ConstE: {
        s = Sym{kConstants, num_constant_vectors, 0};
        const int comps = val.kind == ValKind::ConstE ? 4 : 1;
        for (int e = 0; e < comps; ++e)
          prog.constant_fill.push_back({num_constant_vectors + e, val.constant.c[e].mont});
        num_constant_vectors += comps;
        break;
      }
      default:
        throw std::logic_error("block program: value read before it is computed");
    }
    where[x] = s;
    located[x] = 1;
    return s;
  };

  struct SymInstr {
    Op op;
    Sym dst, a, b;
    uint32_t aux = 0, aux2 = 0;
    uint32_t table = 0;  // first entry in the term tables (LinComb, batches)
  };
  std::vector<SymInstr> code;
  struct SymTerm {
    Sym value;
    uint32_t coeff;
  };
  std::vector<SymTerm> sym_lin;  // terms of every LinComb (products take two entries)
  struct SymLin {
    uint32_t c0;
    uint32_t first;
    uint16_t count[6];
    uint16_t chain_length;
    uint8_t chain_shift;
    uint8_t chain_negative;
  };
  std::vector<SymLin> sym_headers;
  std::vector<std::pair<Sym, Ext4>> sym_batch;

  // Values waiting in a fold batch are held: their release is deferred to the batch's flush.
  std::vector<uint32_t> held(num_values, 0);
  std::vector<uint8_t> release_deferred(num_values, 0);
  auto release = [&](uint32_t x) {
    if (!in_scratch[x]) return;
    if (held[x]) {
      release_deferred[x] = 1;
      return;
    }
    in_scratch[x] = 0;
    if (where[x].space == kScratchF)
      pool_f.give(where[x].index);
    else
      pool_e.give(where[x].index);
  };
  std::vector<std::vector<std::pair<uint32_t, Ext4>>> batch(num_accumulators);
  auto flush = [&](uint32_t acc) {
    auto& items = batch[acc];
    if (items.empty()) return;
    SymInstr si{};
    si.op = Op::AccumulateBaseBatch;
    si.dst = Sym{kAccumulators, 4 * acc, 0};
    si.table = uint32_t(sym_batch.size());
    si.aux = uint32_t(items.size());
    for (const auto& [x, coeff] : items) sym_batch.push_back({where[x], coeff});
    code.push_back(si);
    for (const auto& [x, coeff] : items)
      if (--held[x] == 0 && release_deferred[x]) {
        release_deferred[x] = 0;
        release(x);
      }
    items.clear();
  };

  for (size_t i = 0; i < vcode.size(); ++i) {
    const VInstr& in = vcode[i];
    if (in.removed) continue;
    if (in.op == VOp::Sink) {
      const Sym src = locate(in.a);
      if (values[in.a].kind == ValKind::ComputedE ||
          (values[in.a].kind == ValKind::Column && cols[values[in.a].index].matrix == kAfterChallenge)) {
        SymInstr si{};
        si.op = Op::AccumulateExt;
        si.dst = Sym{kAccumulators, 4 * in.acc, 0};
        si.a = src;
        si.aux = uint32_t(prog.coeffs.size());
        prog.coeffs.push_back(in.coeff);
        code.push_back(si);
      } else {
        batch[in.acc].push_back({in.a, in.coeff});
        ++held[in.a];
        if (batch[in.acc].size() == kFoldBatch) flush(in.acc);
      }
      if (last_read[in.a] == i) release(in.a);
      continue;
    }
    SymInstr si{};
    switch (in.op) {
      case VOp::Mul:
        si.op = Op::Mul;
        break;
      case VOp::LinComb:
        si.op = Op::LinComb;
        break;
      case VOp::ExtAdd:
        si.op = Op::ExtAdd;
        break;
      case VOp::ExtAddBase:
        si.op = Op::ExtAddBase;
        break;
      case VOp::ExtSub:
        si.op = Op::ExtSub;
        break;
      case VOp::ExtSubBase:
        si.op = Op::ExtSubBase;
        break;
      case VOp::BaseSubExt:
        si.op = Op::BaseSubExt;
        break;
      case VOp::ExtMul:
        si.op = Op::ExtMul;
        break;
      case VOp::ExtMulBase:
        si.op = Op::ExtMulBase;
        break;
      default:
        si.op = Op::ExtNeg;
        break;
    }
    if (in.op == VOp::LinComb) {
      // Terms grouped by kind: plus, minus, plus product, minus product, scaled, scaled product,
      // then a binary chain if there is one.
      const Form& f = forms[in.form];
      SymLin h{f.c0.mont, uint32_t(sym_lin.size()), {0, 0, 0, 0, 0, 0}, 0, 0, 0};
      const BinaryChain chain = find_binary_chain(f, [&](uint32_t x) { return inline_product(x); });
      std::vector<uint8_t> in_chain(f.terms.size(), 0);
      for (uint32_t t : chain.terms) in_chain[t] = 1;
      auto kind_of = [&](const Term& t) {
        const int unit = t.coeff == Fp::one() ? 0 : t.coeff == -Fp::one() ? 1 : 2;
        const bool prod = inline_product(t.value);
        return unit == 2 ? (prod ? 5 : 4) : (prod ? 2 + unit : unit);
      };
      for (int kind = 0; kind < 6; ++kind)
        for (size_t ti = 0; ti < f.terms.size(); ++ti) {
          const Term& t = f.terms[ti];
          if (in_chain[ti] || kind_of(t) != kind) continue;
          if (inline_product(t.value)) {
            const VInstr& mul = vcode[product_instr[t.value]];
            sym_lin.push_back({locate(mul.a), t.coeff.mont});
            sym_lin.push_back({locate(mul.b), 0});
          } else {
            sym_lin.push_back({locate(t.value), t.coeff.mont});
          }
          ++h.count[kind];
        }
      for (uint32_t t : chain.terms) sym_lin.push_back({locate(f.terms[t].value), 0});
      h.chain_length = uint16_t(chain.terms.size());
      h.chain_shift = uint8_t(chain.shift);
      h.chain_negative = chain.negative;
      si.table = uint32_t(sym_headers.size());
      sym_headers.push_back(h);
    } else {
      si.a = locate(in.a);
      if (in.op != VOp::ExtNeg) si.b = locate(in.b);
    }
    // Operands whose last reader is this instruction free their vectors first, so the result
    // may reuse one (kernels load each lane group before storing it).
    reads(in, [&](uint32_t x) {
      if (last_read[x] == i) release(x);
    });
    const bool ext_result = values[in.dst].kind == ValKind::ComputedE;
    si.dst = ext_result ? Sym{kScratchE, pool_e.take(), 0} : Sym{kScratchF, pool_f.take(), 0};
    where[in.dst] = si.dst;
    located[in.dst] = 1;
    in_scratch[in.dst] = 1;
    code.push_back(si);
    if (last_read[in.dst] == kNeverRead) release(in.dst);
  }
  for (uint32_t acc = 0; acc < num_accumulators; ++acc) flush(acc);
  std::vector<Sym> output_syms;
  for (uint32_t x : output_values) output_syms.push_back(locate(x));

  // Layout.
  uint32_t base[kNumSpaces];
  base[kColumns] = 0;
  base[kConstants] = base[kColumns] + uint32_t(cols.size());
  base[kSelectors] = base[kConstants] + num_constant_vectors;
  base[kAccumulators] = base[kSelectors] + num_selectors;
  base[kScratchF] = base[kAccumulators] + 4 * num_accumulators;
  base[kScratchE] = base[kScratchF] + pool_f.count();
  const uint64_t num_vectors = uint64_t(base[kScratchE]) + 4 * uint64_t(pool_e.count());
  prog.num_vectors = uint32_t(num_vectors);
  prog.accumulator_vector = base[kAccumulators];
  if (selector_slot[0] != UINT32_MAX) prog.first_row_vector = base[kSelectors] + selector_slot[0];
  if (selector_slot[1] != UINT32_MAX) prog.last_row_vector = base[kSelectors] + selector_slot[1];
  if (selector_slot[2] != UINT32_MAX) prog.transition_vector = base[kSelectors] + selector_slot[2];
  for (auto& [vec, word] : prog.constant_fill) vec += base[kConstants];

  uint32_t block_len = uint32_t(std::max<size_t>(kBlockAlign, max_block_len / kBlockAlign * kBlockAlign));
  auto stride_for = [&](uint32_t bl) { return uint32_t(align_up(size_t(bl) + next_shift)); };
  while (block_len > kBlockAlign && num_vectors * stride_for(block_len) * 4 > kArenaBudgetBytes)
    block_len /= 2;
  const uint64_t words = num_vectors * stride_for(block_len);
  if (words >= (uint64_t(1) << 32))
    throw InputError("constraint system too large to evaluate: " + std::to_string(num_vectors) +
                     " live vectors");
  prog.block_len = block_len;
  prog.stride = stride_for(block_len);

  auto resolve = [&](const Sym& s) {
    const uint32_t vec = base[s.space] + (s.space == kScratchE ? 4 * s.index : s.index);
    return vec * prog.stride + s.shift;
  };
  prog.instrs.reserve(code.size());
  for (const SymInstr& si : code) {
    switch (si.op) {
      case Op::LinComb: {
        const SymLin& h = sym_headers[si.table];
        LinHeader out{
            h.c0, uint32_t(prog.lin_terms.size()), {}, h.chain_length, h.chain_shift, h.chain_negative};
        size_t entries = h.chain_length;
        for (int kind = 0; kind < 6; ++kind) {
          out.count[kind] = h.count[kind];
          entries += size_t(h.count[kind]) * (kind == 2 || kind == 3 || kind == 5 ? 2 : 1);
        }
        for (size_t t = 0; t < entries; ++t)
          prog.lin_terms.push_back({resolve(sym_lin[h.first + t].value), sym_lin[h.first + t].coeff});
        // aux: the unrolled kernel's index + 1 (0: the generic kernel).
        prog.instrs.push_back(Instr{si.op, resolve(si.dst), uint32_t(prog.lin_headers.size()), 0,
                                    uint32_t(fixed_lin_shape(out) + 1), 0});
        prog.lin_headers.push_back(out);
        break;
      }
      case Op::AccumulateBaseBatch: {
        const uint32_t first = uint32_t(prog.batch_terms.size());
        for (uint32_t t = 0; t < si.aux; ++t) {
          const auto& [sym, c] = sym_batch[si.table + t];
          prog.batch_terms.push_back(BatchTerm{
              resolve(sym),
              {centered(c.c[0].mont), centered(c.c[1].mont), centered(c.c[2].mont), centered(c.c[3].mont)}});
        }
        prog.instrs.push_back(Instr{si.op, resolve(si.dst), first, si.aux, 0, 0});
        break;
      }
      default:
        prog.instrs.push_back(Instr{si.op, resolve(si.dst), resolve(si.a), resolve(si.b), si.aux, si.aux2});
    }
  }
  for (const Sym& s : output_syms) prog.outputs.push_back(resolve(s));
  return prog;
}

BlockRunner::BlockRunner(const BlockProgram& program, const BlockSources& sources)
    : program_(program),
      sources_(sources),
      kernels_(kernels_for(simd::active())),
      arena_(program.arena_words(), 0),
      matrix_used_(sources.matrices.size(), 0),
      rows_(sources.matrices.size() * (size_t(program.block_len) + program.next_shift)) {
  for (const auto& [vec, word] : program_.constant_fill)
    std::fill_n(arena_.data() + size_t(vec) * program_.stride, program_.stride, word);
  for (uint32_t v = 0; v < program_.columns.size(); ++v) {
    const ColumnSource c = program_.columns[v];
    matrix_used_.at(c.matrix) = 1;
    if (sources_.matrices[c.matrix] == nullptr)
      throw std::logic_error("block program reads a missing matrix");
    if (!runs_.empty() && runs_.back().matrix == c.matrix &&
        runs_.back().first_column + runs_.back().count == c.column)
      ++runs_.back().count;
    else
      runs_.push_back({c.matrix, c.column, v, 1});
  }
}

void BlockRunner::load_columns(size_t first, size_t count) {
  const size_t per_matrix = size_t(program_.block_len) + program_.next_shift;
  const size_t num_matrices = sources_.matrices.size();
  // Row pointers of the block's points, for every matrix that is read.
  for (size_t p = 0; p < count; ++p) {
    const size_t i = (first + p) % sources_.domain_size;
    const size_t row = sources_.bit_reversed ? reverse_bits(i, sources_.row_bits) : i;
    for (size_t m = 0; m < num_matrices; ++m)
      if (matrix_used_[m]) rows_[m * per_matrix + p] = sources_.matrices[m]->row(row);
  }
  for (const ColumnRun& run : runs_)
    kernels_.gather_columns(arena_.data() + size_t(run.first_vector) * program_.stride, program_.stride,
                            rows_.data() + run.matrix * per_matrix, count, run.first_column, run.count);
}

void BlockRunner::run(size_t first, size_t count,
                      const std::function<void(size_t, size_t, uint32_t*, uint32_t*, uint32_t*)>& selectors) {
  const size_t stride = program_.stride;
  const size_t n = align_up(count);
  uint32_t* arena = arena_.data();
  load_columns(first, count + program_.next_shift);
  auto vec = [&](uint32_t v) { return v == UINT32_MAX ? nullptr : arena + size_t(v) * stride; };
  if (program_.first_row_vector != UINT32_MAX || program_.last_row_vector != UINT32_MAX ||
      program_.transition_vector != UINT32_MAX)
    selectors(first, count, vec(program_.first_row_vector), vec(program_.last_row_vector),
              vec(program_.transition_vector));
  for (size_t k = 0; k < program_.accumulator_init.size(); ++k)
    for (size_t e = 0; e < 4; ++e)
      std::fill_n(arena + program_.accumulator_offset(uint32_t(k)) + e * stride, n,
                  program_.accumulator_init[k].c[e].mont);

  const BlockKernels& k = kernels_;
  for (const Instr& in : program_.instrs) {
    uint32_t* d = arena + in.dst;
    const uint32_t* a = arena + in.a;
    const uint32_t* b = arena + in.b;
    switch (in.op) {
      case Op::Mul:
        k.mul(d, a, b, n);
        break;
      case Op::LinComb: {
        const LinHeader& h = program_.lin_headers[in.a];
        (in.aux ? k.lincomb_fixed[in.aux - 1] : k.lincomb)(d, arena, h, program_.lin_terms.data() + h.first,
                                                           n);
        break;
      }
      case Op::ExtAdd:
        for (size_t e = 0; e < 4; ++e) k.add(d + e * stride, a + e * stride, b + e * stride, n);
        break;
      case Op::ExtSub:
        for (size_t e = 0; e < 4; ++e) k.sub(d + e * stride, a + e * stride, b + e * stride, n);
        break;
      case Op::ExtNeg:
        for (size_t e = 0; e < 4; ++e) k.neg(d + e * stride, a + e * stride, n);
        break;
      case Op::ExtAddBase:
      case Op::ExtSubBase:
        if (in.op == Op::ExtAddBase)
          k.add(d, a, b, n);
        else
          k.sub(d, a, b, n);
        if (d != a)
          for (size_t e = 1; e < 4; ++e) std::memcpy(d + e * stride, a + e * stride, n * sizeof(uint32_t));
        break;
      case Op::BaseSubExt:
        k.sub(d, a, b, n);
        for (size_t e = 1; e < 4; ++e) k.neg(d + e * stride, b + e * stride, n);
        break;
      case Op::ExtMul:
        k.ext_mul(d, a, b, stride, n);
        break;
      case Op::ExtMulBase:
        k.ext_mul_base(d, a, b, stride, n);
        break;
      case Op::AccumulateExt: {
        const Ext4& c = program_.coeffs[in.aux];
        const uint32_t words[4] = {c.c[0].mont, c.c[1].mont, c.c[2].mont, c.c[3].mont};
        k.accumulate_ext(d, a, words, stride, n);
        break;
      }
      case Op::AccumulateBaseBatch:
        k.accumulate_base_batch(d, stride, arena, program_.batch_terms.data() + in.a, in.b, n);
        break;
    }
  }
}

}  // namespace stark::air_detail
