#include "block_program.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "compile_passes.hpp"
#include "stark/util/error.hpp"

namespace stark::air_detail {

BlockProgram compile_block_program(const ConstraintSystem& cs, const UniformEnv& env,
                                   const std::vector<Sink>& sinks, uint32_t num_accumulators,
                                   const std::vector<uint32_t>& output_nodes, uint32_t next_shift,
                                   uint32_t max_block_len) {
  const LoweredProgram lowered = lower(cs, env, sinks, num_accumulators, output_nodes, next_shift);
  const Schedule scheduled = schedule(lowered);
  const Allocation allocation = allocate(lowered, scheduled);
  return emit(lowered, scheduled, allocation, max_block_len);
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
    if (c.matrix >= sources_.matrices.size() || sources_.matrices[c.matrix] == nullptr)
      throw InputError("block program: reads column " + std::to_string(c.column) + " of " +
                       (c.matrix == kPreprocessed ? std::string("the preprocessed trace")
                        : c.matrix == kAfterChallenge
                            ? std::string("the after-challenge trace")
                            : "main partition " + std::to_string(c.matrix - kFirstMain)) +
                       ", which is not given");
    if (c.column >= sources_.matrices[c.matrix]->width)
      throw InputError("block program: reads column " + std::to_string(c.column) + " of a matrix of width " +
                       std::to_string(sources_.matrices[c.matrix]->width));
    matrix_used_[c.matrix] = 1;
    if (!runs_.empty() && runs_.back().matrix == c.matrix &&
        runs_.back().first_column + runs_.back().count == c.column)
      ++runs_.back().count;
    else
      runs_.push_back({c.matrix, c.column, v, 1});
  }
  for (const SelectorVector& s : program_.selectors)
    selector_slots_.push_back({s.kind, arena_.data() + size_t(s.vector) * program_.stride});
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

void BlockRunner::run(size_t first, size_t count, const SelectorFill& selectors) {
  const size_t stride = program_.stride;
  const size_t n = align_up(count);
  uint32_t* arena = arena_.data();
  load_columns(first, count + program_.next_shift);
  if (!selector_slots_.empty()) selectors(first, count, selector_slots_);
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
