// The allocate pass of the block compiler (compile_passes.hpp): values -> arena locations.
//
// Consumes the LoweredProgram (what each value is) and the Schedule (when it is referenced and
// read); produces an Allocation. A value gets its location on first reference: trace columns
// have fixed vectors, constants and selectors get one vector (four for E constants) each in
// order of first reference, computed values take a scratch vector (F) or group of four (E)
// from a free list when they are defined. A scratch value is released at its last read (an F
// sink's read is its fold batch's flush), before the step's result takes its vector, so a
// result may reuse an operand's vector (kernels load each lane group before storing it);
// outputs are never released.
#include <string>

#include "compile_passes.hpp"
#include "stark/util/error.hpp"

namespace stark::air_detail {
namespace {

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

}  // namespace

Allocation allocate(const LoweredProgram& lp, const Schedule& sch) {
  const size_t num_values = lp.values.size();
  constexpr size_t kNeverRead = SIZE_MAX - 1;  // e.g. a product whose coefficient cancelled
  constexpr size_t kForever = SIZE_MAX;
  std::vector<size_t> last_read(num_values, kNeverRead);
  for (size_t s = 0; s < sch.steps.size(); ++s)
    for (uint32_t r = sch.steps[s].reads_begin; r < sch.steps[s].reads_end; ++r) last_read[sch.reads[r]] = s;
  for (uint32_t x : lp.outputs) last_read[x] = kForever;

  Allocation out;
  out.where.resize(num_values);
  std::vector<uint8_t> located(num_values, 0), in_scratch(num_values, 0);
  SlotPool pool_f, pool_e;
  uint32_t selector_slot[kNumNodeKinds];
  std::fill_n(selector_slot, kNumNodeKinds, UINT32_MAX);

  auto locate = [&](uint32_t x) {
    if (located[x]) return;
    const Value& val = lp.values[x];
    Sym s;
    switch (val.kind) {
      case ValKind::Column:
      case ValKind::ColumnE:
        s = Sym{kColumns, val.index, val.shift};
        break;
      case ValKind::Selector:
        if (selector_slot[val.index] == UINT32_MAX) {
          selector_slot[val.index] = uint32_t(out.selectors.size());
          out.selectors.push_back(NodeKind(val.index));
        }
        s = Sym{kSelectors, selector_slot[val.index], 0};
        break;
      case ValKind::ConstF:
      case ValKind::ConstE: {
        s = Sym{kConstants, out.num_constant_vectors, 0};
        const int comps = val.kind == ValKind::ConstE ? 4 : 1;
        for (int e = 0; e < comps; ++e)
          out.constant_fill.push_back({out.num_constant_vectors + e, val.constant.c[e].mont});
        out.num_constant_vectors += comps;
        break;
      }
      case ValKind::ComputedF:
      case ValKind::ComputedE:
        throw InputError("block program: value " + std::to_string(x) +
                         " is read before it is computed (the node order is not topological)");
    }
    out.where[x] = s;
    located[x] = 1;
  };
  auto release = [&](uint32_t x) {
    if (!in_scratch[x]) return;
    in_scratch[x] = 0;
    if (out.where[x].space == kScratchF)
      pool_f.give(out.where[x].index);
    else
      pool_e.give(out.where[x].index);
  };

  for (size_t s = 0; s < sch.steps.size(); ++s) {
    const Step& st = sch.steps[s];
    for (uint32_t o = st.operands_begin; o < st.operands_end; ++o) locate(sch.operands[o].value);
    for (uint32_t r = st.reads_begin; r < st.reads_end; ++r)
      if (last_read[sch.reads[r]] == s) release(sch.reads[r]);
    if (st.kind != StepKind::Compute) continue;
    const bool ext_result = lp.values[st.dst].kind == ValKind::ComputedE;
    out.where[st.dst] = ext_result ? Sym{kScratchE, pool_e.take(), 0} : Sym{kScratchF, pool_f.take(), 0};
    located[st.dst] = 1;
    in_scratch[st.dst] = 1;
    if (last_read[st.dst] == kNeverRead) release(st.dst);
  }
  for (uint32_t x : lp.outputs) {
    locate(x);
    out.outputs.push_back(out.where[x]);
  }
  out.num_scratch_f = pool_f.count();
  out.num_scratch_e = pool_e.count();
  return out;
}

}  // namespace stark::air_detail
