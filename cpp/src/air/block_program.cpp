#include "block_program.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include "stark/util/error.hpp"

namespace stark::air_detail {
namespace {

// Value classes of DAG nodes: point-independent (folded at compile time) or varying, in F or E.
enum class Cls : uint8_t { UniformF, UniformE, VaryingF, VaryingE };
bool is_uniform(Cls c) { return c == Cls::UniformF || c == Cls::UniformE; }
bool is_ext(Cls c) { return c == Cls::UniformE || c == Cls::VaryingE; }

// Arena regions, in layout order.
enum Space : uint8_t { kColumns, kConstants, kSelectors, kAccumulators, kScratchF, kScratchE, kNumSpaces };

// An operand before the arena layout is known: a vector of a region plus a row shift.
struct Sym {
  Space space = kColumns;
  uint32_t index = 0;  // vector index within the region (kScratchE: group of 4 vectors)
  uint32_t shift = 0;  // 0, or next_shift for next-row trace values
};

struct SymInstr {
  Op op;
  Sym dst, a, b;
  uint32_t aux;
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

}  // namespace

BlockProgram compile_block_program(const ConstraintSystem& cs, const UniformEnv& env, const std::vector<Sink>& sinks,
                                   uint32_t num_accumulators, const std::vector<uint32_t>& output_nodes,
                                   uint32_t next_shift, uint32_t max_block_len) {
  const size_t num_nodes = cs.nodes.size();
  BlockProgram prog;
  prog.next_shift = next_shift;
  prog.accumulator_init.assign(num_accumulators, Ext4::zero());

  // Merge sinks on the same (node, accumulator): the fold only needs the summed coefficient.
  std::map<std::pair<uint32_t, uint32_t>, Ext4> merged;
  for (const Sink& s : sinks) {
    if (s.node >= num_nodes || s.accumulator >= num_accumulators) throw std::logic_error("block program: bad sink");
    merged[{s.node, s.accumulator}] += s.coeff;
  }
  std::vector<std::vector<std::pair<uint32_t, Ext4>>> sinks_of(num_nodes);
  for (const auto& [key, coeff] : merged) sinks_of[key.first].push_back({key.second, coeff});

  // Nodes reachable from a sink or an output.
  std::vector<uint8_t> needed(num_nodes, 0);
  for (const auto& [key, coeff] : merged) needed[key.first] = 1;
  for (uint32_t v : output_nodes) {
    if (v >= num_nodes) throw std::logic_error("block program: bad output node");
    needed[v] = 1;
  }
  for (size_t v = num_nodes; v-- > 0;) {
    if (!needed[v]) continue;
    const Node& nd = cs.nodes[v];
    if (nd.kind == NodeKind::Add || nd.kind == NodeKind::Sub || nd.kind == NodeKind::Mul) {
      needed[nd.lhs] = needed[nd.rhs] = 1;
    } else if (nd.kind == NodeKind::Neg) {
      needed[nd.lhs] = 1;
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
      case NodeKind::IsTransition: cls[v] = Cls::VaryingF; break;
      case NodeKind::Permutation: cls[v] = Cls::VaryingE; break;
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

  // Last consumer of every varying node (outputs are pinned for the whole block).
  constexpr uint32_t kPinned = UINT32_MAX;
  std::vector<uint32_t> last_use(num_nodes, 0);
  for (size_t v = 0; v < num_nodes; ++v) {
    if (!needed[v] || is_uniform(cls[v])) continue;
    last_use[v] = std::max<uint32_t>(last_use[v], uint32_t(v));
    const Node& nd = cs.nodes[v];
    if (nd.kind == NodeKind::Add || nd.kind == NodeKind::Sub || nd.kind == NodeKind::Mul) {
      last_use[nd.lhs] = std::max<uint32_t>(last_use[nd.lhs], uint32_t(v));
      last_use[nd.rhs] = std::max<uint32_t>(last_use[nd.rhs], uint32_t(v));
    } else if (nd.kind == NodeKind::Neg) {
      last_use[nd.lhs] = std::max<uint32_t>(last_use[nd.lhs], uint32_t(v));
    }
  }
  for (uint32_t v : output_nodes) last_use[v] = kPinned;

  // Emission.
  std::vector<Sym> where(num_nodes);
  std::vector<uint8_t> has_where(num_nodes, 0);
  std::vector<uint8_t> in_scratch(num_nodes, 0);
  SlotPool pool_f, pool_e;
  uint32_t num_constant_vectors = 0;
  uint32_t selector_slot[3] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
  uint32_t num_selectors = 0;
  std::vector<SymInstr> code;

  // A uniform operand of a varying E operation is broadcast into constant vectors once.
  auto operand = [&](uint32_t v) -> Sym {
    if (has_where[v]) return where[v];
    if (!is_uniform(cls[v])) throw std::logic_error("block program: operand used before it is computed");
    Sym s{kConstants, num_constant_vectors, 0};
    const int comps = is_ext(cls[v]) ? 4 : 1;
    for (int e = 0; e < comps; ++e) prog.constant_fill.push_back({num_constant_vectors + e, uval[v].c[e].mont});
    num_constant_vectors += comps;
    where[v] = s;
    has_where[v] = 1;
    return s;
  };
  auto release = [&](uint32_t v) {
    if (!in_scratch[v]) return;
    in_scratch[v] = 0;
    if (where[v].space == kScratchF) pool_f.give(where[v].index);
    else pool_e.give(where[v].index);
  };

  for (size_t v = 0; v < num_nodes; ++v) {
    if (!needed[v] || is_uniform(cls[v])) continue;
    const Node& nd = cs.nodes[v];
    switch (nd.kind) {
      case NodeKind::Preprocessed:
      case NodeKind::Main:
      case NodeKind::Permutation: {
        const ColumnSource c = nd.kind == NodeKind::Preprocessed ? ColumnSource{kPreprocessed, nd.index}
                               : nd.kind == NodeKind::Main       ? ColumnSource{kFirstMain + nd.part, nd.index}
                                                                 : ColumnSource{kAfterChallenge, 4 * nd.index};
        where[v] = Sym{kColumns, column_index(c), nd.offset ? next_shift : 0};
        has_where[v] = 1;
        break;
      }
      case NodeKind::IsFirstRow:
      case NodeKind::IsLastRow:
      case NodeKind::IsTransition: {
        const int which = nd.kind == NodeKind::IsFirstRow ? 0 : nd.kind == NodeKind::IsLastRow ? 1 : 2;
        if (selector_slot[which] == UINT32_MAX) selector_slot[which] = num_selectors++;
        where[v] = Sym{kSelectors, selector_slot[which], 0};
        has_where[v] = 1;
        break;
      }
      default: {
        const bool unary = nd.kind == NodeKind::Neg;
        const uint32_t l = nd.lhs, r = unary ? nd.lhs : nd.rhs;
        const Cls cl = cls[l], cr = cls[r];
        SymInstr in{};
        in.aux = 0;
        const bool ext = cls[v] == Cls::VaryingE;
        // Operands first (a constant may be materialized here), then free children whose last
        // consumer is this node so the result may reuse their vectors.
        if (!ext) {
          if (unary) {
            in.op = Op::Neg;
            in.a = operand(l);
          } else if (!is_uniform(cl) && !is_uniform(cr)) {
            in.op = nd.kind == NodeKind::Add ? Op::Add : nd.kind == NodeKind::Sub ? Op::Sub : Op::Mul;
            in.a = operand(l);
            in.b = operand(r);
          } else if (!is_uniform(cl)) {
            in.op = nd.kind == NodeKind::Add ? Op::AddConst : nd.kind == NodeKind::Sub ? Op::SubConst : Op::MulConst;
            in.a = operand(l);
            in.aux = uval[r].c[0].mont;
          } else {
            in.op = nd.kind == NodeKind::Add ? Op::AddConst : nd.kind == NodeKind::Sub ? Op::ConstSub : Op::MulConst;
            in.a = operand(r);
            in.aux = uval[l].c[0].mont;
          }
        } else if (unary) {
          in.op = Op::ExtNeg;
          in.a = operand(l);
        } else {
          const bool le = is_ext(cl), re = is_ext(cr);
          switch (nd.kind) {
            case NodeKind::Add:
              if (le && re) in = {Op::ExtAdd, {}, operand(l), operand(r), 0};
              else if (le) in = {Op::ExtAddBase, {}, operand(l), operand(r), 0};
              else in = {Op::ExtAddBase, {}, operand(r), operand(l), 0};
              break;
            case NodeKind::Sub:
              if (le && re) in = {Op::ExtSub, {}, operand(l), operand(r), 0};
              else if (le) in = {Op::ExtSubBase, {}, operand(l), operand(r), 0};
              else in = {Op::BaseSubExt, {}, operand(l), operand(r), 0};
              break;
            default:
              if (le && re) in = {Op::ExtMul, {}, operand(l), operand(r), 0};
              else if (le) in = {Op::ExtMulBase, {}, operand(l), operand(r), 0};
              else in = {Op::ExtMulBase, {}, operand(r), operand(l), 0};
              break;
          }
        }
        if (!is_uniform(cl) && last_use[l] == v) release(l);
        if (!unary && r != l && !is_uniform(cr) && last_use[r] == v) release(r);
        in.dst = ext ? Sym{kScratchE, pool_e.take(), 0} : Sym{kScratchF, pool_f.take(), 0};
        where[v] = in.dst;
        has_where[v] = 1;
        in_scratch[v] = 1;
        code.push_back(in);
        break;
      }
    }
    for (const auto& [acc, coeff] : sinks_of[v]) {
      const uint32_t ci = uint32_t(prog.coeffs.size());
      prog.coeffs.push_back(coeff);
      code.push_back(SymInstr{cls[v] == Cls::VaryingE ? Op::AccumulateExt : Op::AccumulateBase,
                              Sym{kAccumulators, 4 * acc, 0}, where[v], Sym{}, ci});
    }
    if (last_use[v] == v) release(uint32_t(v));
  }

  // Outputs that are constants need a vector too.
  std::vector<Sym> output_syms;
  for (uint32_t v : output_nodes) output_syms.push_back(operand(v));

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
  while (block_len > kBlockAlign && num_vectors * stride_for(block_len) * 4 > kArenaBudgetBytes) block_len /= 2;
  const uint64_t words = num_vectors * stride_for(block_len);
  if (words >= (uint64_t(1) << 32))
    throw InputError("constraint system too large to evaluate: " + std::to_string(num_vectors) + " live vectors");
  prog.block_len = block_len;
  prog.stride = stride_for(block_len);

  auto resolve = [&](const Sym& s) {
    const uint32_t vec = base[s.space] + (s.space == kScratchE ? 4 * s.index : s.index);
    return vec * prog.stride + s.shift;
  };
  prog.instrs.reserve(code.size());
  for (const SymInstr& in : code) prog.instrs.push_back(Instr{in.op, resolve(in.dst), resolve(in.a), resolve(in.b), in.aux});
  for (const Sym& s : output_syms) prog.outputs.push_back(resolve(s));
  return prog;
}

BlockRunner::BlockRunner(const BlockProgram& program, const BlockSources& sources)
    : program_(program),
      sources_(sources),
      kernels_(kernels_for(simd::active())),
      arena_(program.arena_words(), 0),
      rows_(sources.matrices.size() * (size_t(program.block_len) + program.next_shift)) {
  for (const auto& [vec, word] : program_.constant_fill)
    std::fill_n(arena_.data() + size_t(vec) * program_.stride, program_.stride, word);
}

void BlockRunner::load_columns(size_t first, size_t count) {
  const size_t per_matrix = size_t(program_.block_len) + program_.next_shift;
  const size_t num_matrices = sources_.matrices.size();
  // Row pointers of the block's points, for every matrix that is read.
  std::vector<uint8_t> used(num_matrices, 0);
  for (const ColumnSource& c : program_.columns) used[c.matrix] = 1;
  for (size_t p = 0; p < count; ++p) {
    const size_t i = (first + p) % sources_.domain_size;
    const size_t row = sources_.bit_reversed ? reverse_bits(i, sources_.row_bits) : i;
    for (size_t m = 0; m < num_matrices; ++m)
      if (used[m]) rows_[m * per_matrix + p] = sources_.matrices[m]->row(row);
  }
  const size_t len = align_up(count);
  for (size_t c = 0; c < program_.columns.size(); ++c) {
    const ColumnSource src = program_.columns[c];
    const uint32_t* const* rows = rows_.data() + src.matrix * per_matrix;
    uint32_t* dst = arena_.data() + c * program_.stride;
    for (size_t p = 0; p < count; ++p) dst[p] = rows[p][src.column];
    kernels_.to_montgomery(dst, dst, len);
  }
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
      case Op::Add: k.add(d, a, b, n); break;
      case Op::Sub: k.sub(d, a, b, n); break;
      case Op::Mul: k.mul(d, a, b, n); break;
      case Op::Neg: k.neg(d, a, n); break;
      case Op::AddConst: k.add_const(d, a, in.aux, n); break;
      case Op::SubConst: k.sub_const(d, a, in.aux, n); break;
      case Op::ConstSub: k.const_sub(d, a, in.aux, n); break;
      case Op::MulConst: k.mul_const(d, a, in.aux, n); break;
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
        if (in.op == Op::ExtAddBase) k.add(d, a, b, n);
        else k.sub(d, a, b, n);
        if (d != a)
          for (size_t e = 1; e < 4; ++e) std::memcpy(d + e * stride, a + e * stride, n * sizeof(uint32_t));
        break;
      case Op::BaseSubExt:
        k.sub(d, a, b, n);
        for (size_t e = 1; e < 4; ++e) k.neg(d + e * stride, b + e * stride, n);
        break;
      case Op::ExtMul: k.ext_mul(d, a, b, stride, n); break;
      case Op::ExtMulBase: k.ext_mul_base(d, a, b, stride, n); break;
      case Op::AccumulateBase: {
        const Ext4& c = program_.coeffs[in.aux];
        const uint32_t words[4] = {c.c[0].mont, c.c[1].mont, c.c[2].mont, c.c[3].mont};
        k.accumulate_base(d, a, words, stride, n);
        break;
      }
      case Op::AccumulateExt: {
        const Ext4& c = program_.coeffs[in.aux];
        const uint32_t words[4] = {c.c[0].mont, c.c[1].mont, c.c[2].mont, c.c[3].mont};
        k.accumulate_ext(d, a, words, stride, n);
        break;
      }
    }
  }
}

}  // namespace stark::air_detail
