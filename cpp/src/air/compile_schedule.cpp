// The schedule pass of the block compiler (compile_passes.hpp): virtual instructions -> VM steps.
//
// Consumes a LoweredProgram; produces a Schedule: the steps in execution order (node order, as
// lowered), each with the values it references and reads. Decisions made here:
//  - linear combinations get their kernel shape: terms grouped as plus, minus, plus product,
//    minus product, scaled, scaled product (products evaluated inside the combination take two
//    operands), then the longest bit composition ±2^s·Σ_j 2^j·z_j, evaluated by Horner's rule;
//  - E sinks accumulate at once; F sinks join their accumulator's fold batch (a Hold step,
//    where the value is referenced) and are summed with one delayed reduction when the batch
//    holds kFoldBatch terms or at the end (an AccumulateBatch step, where they are read), so
//    constraint roots stay alive only until their batch is flushed.
#include <vector>

#include "compile_passes.hpp"

namespace stark::air_detail {
namespace {

// F-valued fold terms are gathered into batches of this many before one delayed-reduction
// accumulation (their vectors stay alive until then).
constexpr size_t kFoldBatch = 24;

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

class Scheduler {
 public:
  explicit Scheduler(const LoweredProgram& lp) : lp_(lp), batch_(lp.num_accumulators) {}

  Schedule run() {
    for (const VInstr& in : lp_.code) {
      if (in.removed) continue;
      if (in.sink)
        sink(in);
      else if (in.op == Op::LinComb)
        lincomb(in);
      else
        compute(in);
    }
    for (uint32_t acc = 0; acc < lp_.num_accumulators; ++acc) flush(acc);
    return std::move(s_);
  }

 private:
  Step open(StepKind kind) {
    Step st{kind};
    st.operands_begin = uint32_t(s_.operands.size());
    st.reads_begin = uint32_t(s_.reads.size());
    return st;
  }
  void close(Step st) {
    st.operands_end = uint32_t(s_.operands.size());
    st.reads_end = uint32_t(s_.reads.size());
    s_.steps.push_back(st);
  }

  void sink(const VInstr& in) {
    if (is_ext_value(lp_.values[in.a].kind)) {
      Step st = open(StepKind::AccumulateExt);
      st.acc = in.acc;
      st.coeff = uint32_t(s_.coeffs.size());
      s_.coeffs.push_back(in.coeff);
      s_.operands.push_back({in.a, 0});
      s_.reads.push_back(in.a);
      close(st);
      return;
    }
    Step st = open(StepKind::Hold);
    st.acc = in.acc;
    s_.operands.push_back({in.a, 0});
    close(st);
    batch_[in.acc].push_back({in.a, in.coeff});
    if (batch_[in.acc].size() == kFoldBatch) flush(in.acc);
  }

  void flush(uint32_t acc) {
    auto& items = batch_[acc];
    if (items.empty()) return;
    Step st = open(StepKind::AccumulateBatch);
    st.acc = acc;
    st.coeff = uint32_t(s_.coeffs.size());
    for (const auto& [x, coeff] : items) {
      s_.operands.push_back({x, 0});
      s_.coeffs.push_back(coeff);
    }
    // A value held twice is released at its last entry.
    for (size_t t = 0; t < items.size(); ++t) {
      bool last = true;
      for (size_t u = t + 1; u < items.size() && last; ++u) last = items[u].first != items[t].first;
      if (last) s_.reads.push_back(items[t].first);
    }
    close(st);
    items.clear();
  }

  void compute(const VInstr& in) {
    Step st = open(StepKind::Compute);
    st.op = in.op;
    st.dst = in.dst;
    s_.operands.push_back({in.a, 0});
    s_.reads.push_back(in.a);
    if (in.op != Op::ExtNeg) {
      s_.operands.push_back({in.b, 0});
      s_.reads.push_back(in.b);
    }
    close(st);
  }

  void lincomb(const VInstr& in) {
    Step st = open(StepKind::Compute);
    st.op = Op::LinComb;
    st.dst = in.dst;
    const Form& f = lp_.forms[in.form];
    auto inline_product = [&](uint32_t x) { return lp_.inline_product(x); };
    LinShape h{f.c0.mont, {0, 0, 0, 0, 0, 0}, 0, 0, 0};
    const BinaryChain chain = find_binary_chain(f, inline_product);
    std::vector<uint8_t> in_chain(f.terms.size(), 0);
    for (uint32_t t : chain.terms) in_chain[t] = 1;
    auto group_of = [&](const Term& t) {
      const int unit = t.coeff == Fp::one() ? 0 : t.coeff == -Fp::one() ? 1 : 2;
      const bool prod = inline_product(t.value);
      return unit == 2 ? (prod ? 5 : 4) : (prod ? 2 + unit : unit);
    };
    for (int group = 0; group < 6; ++group)
      for (size_t ti = 0; ti < f.terms.size(); ++ti) {
        const Term& t = f.terms[ti];
        if (in_chain[ti] || group_of(t) != group) continue;
        if (inline_product(t.value)) {
          const VInstr& mul = lp_.code[lp_.product_instr[t.value]];
          s_.operands.push_back({mul.a, t.coeff.mont});
          s_.operands.push_back({mul.b, 0});
        } else {
          s_.operands.push_back({t.value, t.coeff.mont});
        }
        ++h.count[group];
      }
    for (uint32_t t : chain.terms) s_.operands.push_back({f.terms[t].value, 0});
    h.chain_length = uint16_t(chain.terms.size());
    h.chain_shift = uint8_t(chain.shift);
    h.chain_negative = chain.negative;
    // Reads in the form's (value) order.
    for (const Term& t : f.terms) {
      if (inline_product(t.value)) {
        const VInstr& mul = lp_.code[lp_.product_instr[t.value]];
        s_.reads.push_back(mul.a);
        s_.reads.push_back(mul.b);
      } else {
        s_.reads.push_back(t.value);
      }
    }
    st.lin = uint32_t(s_.lin_shapes.size());
    s_.lin_shapes.push_back(h);
    close(st);
  }

  const LoweredProgram& lp_;
  Schedule s_;
  std::vector<std::vector<std::pair<uint32_t, Ext4>>> batch_;  // per accumulator: (value, coeff)
};

}  // namespace

Schedule schedule(const LoweredProgram& lowered) { return Scheduler(lowered).run(); }

}  // namespace stark::air_detail
