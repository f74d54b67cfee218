// The emit pass of the block compiler (compile_passes.hpp): locations -> the block program.
//
// Consumes the LoweredProgram, the Schedule and the Allocation; produces the BlockProgram. The
// arena regions are laid out in the order [columns][constants][selectors][accumulators]
// [scratch F][scratch E]; the block length is halved (down to kBlockAlign) while one block's
// arena would exceed kArenaBudgetBytes; every location becomes an arena word offset
// (vector · stride + row shift) and every step its instruction.
#include <algorithm>
#include <string>

#include "compile_passes.hpp"
#include "stark/util/error.hpp"

namespace stark::air_detail {
namespace {

// Arena memory per runner above which blocks are made shorter.
constexpr size_t kArenaBudgetBytes = size_t(24) << 20;

}  // namespace

BlockProgram emit(const LoweredProgram& lp, const Schedule& sch, const Allocation& al,
                  uint32_t max_block_len) {
  BlockProgram prog;
  prog.next_shift = lp.next_shift;
  prog.columns = lp.columns;
  prog.accumulator_init = lp.accumulator_init;

  // Layout.
  const uint32_t num_accumulators = lp.num_accumulators;
  uint32_t base[kNumSpaces];
  base[kColumns] = 0;
  base[kConstants] = base[kColumns] + uint32_t(lp.columns.size());
  base[kSelectors] = base[kConstants] + al.num_constant_vectors;
  base[kAccumulators] = base[kSelectors] + uint32_t(al.selectors.size());
  base[kScratchF] = base[kAccumulators] + 4 * num_accumulators;
  base[kScratchE] = base[kScratchF] + al.num_scratch_f;
  const uint64_t num_vectors = uint64_t(base[kScratchE]) + 4 * uint64_t(al.num_scratch_e);
  prog.num_vectors = uint32_t(num_vectors);
  prog.accumulator_vector = base[kAccumulators];
  for (uint32_t slot = 0; slot < al.selectors.size(); ++slot)
    prog.selectors.push_back({al.selectors[slot], base[kSelectors] + slot});
  for (const auto& [vec, word] : al.constant_fill)
    prog.constant_fill.push_back({base[kConstants] + vec, word});

  uint32_t block_len = uint32_t(std::max<size_t>(kBlockAlign, max_block_len / kBlockAlign * kBlockAlign));
  auto stride_for = [&](uint32_t bl) { return uint32_t(align_up(size_t(bl) + lp.next_shift)); };
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
  auto at = [&](uint32_t operand) { return resolve(al.where[sch.operands[operand].value]); };
  auto accumulator = [&](uint32_t acc) { return resolve(Sym{kAccumulators, 4 * acc, 0}); };
  const uint32_t none = resolve(Sym{});  // unused operand fields

  prog.instrs.reserve(sch.steps.size());
  for (const Step& st : sch.steps) {
    switch (st.kind) {
      case StepKind::Hold:
        break;
      case StepKind::AccumulateExt:
        prog.instrs.push_back(Instr{Op::AccumulateExt, accumulator(st.acc), at(st.operands_begin), none,
                                    uint32_t(prog.coeffs.size()), 0});
        prog.coeffs.push_back(sch.coeffs[st.coeff]);
        break;
      case StepKind::AccumulateBatch: {
        const uint32_t first = uint32_t(prog.batch_terms.size());
        for (uint32_t o = st.operands_begin; o < st.operands_end; ++o) {
          const Ext4& c = sch.coeffs[st.coeff + (o - st.operands_begin)];
          prog.batch_terms.push_back(BatchTerm{
              at(o),
              {centered(c.c[0].mont), centered(c.c[1].mont), centered(c.c[2].mont), centered(c.c[3].mont)}});
        }
        prog.instrs.push_back(Instr{Op::AccumulateBaseBatch, accumulator(st.acc), first,
                                    st.operands_end - st.operands_begin, 0, 0});
        break;
      }
      case StepKind::Compute:
        if (st.op == Op::LinComb) {
          const LinShape& h = sch.lin_shapes[st.lin];
          LinHeader out{
              h.c0, uint32_t(prog.lin_terms.size()), {}, h.chain_length, h.chain_shift, h.chain_negative};
          for (int group = 0; group < 6; ++group) out.count[group] = h.count[group];
          for (uint32_t o = st.operands_begin; o < st.operands_end; ++o)
            prog.lin_terms.push_back({at(o), sch.operands[o].coeff});
          // aux: the unrolled kernel's index + 1 (0: the generic kernel).
          prog.instrs.push_back(Instr{Op::LinComb, resolve(al.where[st.dst]),
                                      uint32_t(prog.lin_headers.size()), 0,
                                      uint32_t(fixed_lin_shape(out) + 1), 0});
          prog.lin_headers.push_back(out);
        } else {
          const bool binary = st.operands_end - st.operands_begin == 2;
          prog.instrs.push_back(Instr{st.op, resolve(al.where[st.dst]), at(st.operands_begin),
                                      binary ? at(st.operands_begin + 1) : none, 0, 0});
        }
        break;
    }
  }
  for (const Sym& s : al.outputs) prog.outputs.push_back(resolve(s));
  return prog;
}

}  // namespace stark::air_detail
