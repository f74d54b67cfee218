// The passes of compile_block_program and the data between them (private to the AIR layer).
//
//   lower     ConstraintSystem + sinks + outputs -> LoweredProgram
//             which nodes are needed, their value classes (base/extension field, uniform or
//             point-dependent), folding of uniform nodes, the trace columns read, and virtual
//             instructions over program values in node order (linear forms for F nodes, one
//             extension op per E node, sinks); products read once by a linear form are marked
//             to be evaluated inside it.
//   schedule  LoweredProgram -> Schedule
//             the execution order as concrete VM steps: linear-combination shapes (term groups
//             and bit-composition chains), extension sinks, and F sinks gathered into fold
//             batches; for each step the values it references (in location order) and the
//             values it reads (in release order).
//   allocate  LoweredProgram + Schedule -> Allocation
//             a location (arena region, vector, row shift) for every value: trace columns,
//             constants and selectors on first reference, scratch vectors from free lists,
//             released after the value's last read.
//   emit      everything -> BlockProgram
//             the arena layout (region bases), the block length within the memory budget, and
//             the program with every location resolved to an arena offset.
//
// Each pass only reads what its predecessors produced, so each can be read (and tested) alone.
#pragma once

#include <cstdint>
#include <vector>

#include "block_program.hpp"
#include "kinds/kind_api.hpp"

namespace stark::air_detail {

inline constexpr uint32_t kNoValue = UINT32_MAX;

// ---------------------------------------------------------------------------------------------
// lower -> LoweredProgram
// ---------------------------------------------------------------------------------------------

enum class ValKind : uint8_t { Column, ColumnE, Selector, ConstF, ConstE, ComputedF, ComputedE };

/// One value of the program: a vector (or four, for E values) of one block.
struct Value {
  ValKind kind;
  uint32_t index;  // Column/ColumnE: column vector (first of four for ColumnE); Selector: NodeKind
  uint32_t shift;  // Column/ColumnE: 0, or next_shift for next-row values
  Ext4 constant;   // ConstF (coefficient 0) / ConstE
  explicit Value(ValKind k, uint32_t i = 0, uint32_t s = 0, Ext4 c = Ext4())
      : kind(k), index(i), shift(s), constant(c) {}
};
inline bool is_ext_value(ValKind k) {
  return k == ValKind::ColumnE || k == ValKind::ConstE || k == ValKind::ComputedE;
}

/// A virtual instruction: a computation (Op::Mul, Op::LinComb, or an extension op) or a sink.
struct VInstr {
  bool sink = false;     // acc[acc] += coeff · a
  Op op = Op::Mul;       // computations
  bool removed = false;  // a product evaluated inside its only reader
  uint32_t dst = 0;      // defined value (computations)
  uint32_t a = 0, b = 0;
  uint32_t form = 0;  // LinComb: index into LoweredProgram::forms
  uint32_t acc = 0;   // sink: accumulator
  Ext4 coeff;         // sink: weight
};

struct LoweredProgram {
  uint32_t next_shift = 0;
  uint32_t num_accumulators = 0;
  std::vector<ColumnSource> columns;   // sorted, unique: the column vectors
  std::vector<Ext4> accumulator_init;  // uniform sinks, folded
  std::vector<Value> values;
  std::vector<VInstr> code;             // in node order (topological)
  std::vector<Form> forms;              // normalized: terms sorted by value, merged, non-zero
  std::vector<uint32_t> product_instr;  // per value: its Mul instruction, or kNoValue
  std::vector<uint32_t> outputs;        // per output node: its value

  /// Whether value x is a product evaluated inside the linear form that reads it.
  bool inline_product(uint32_t x) const {
    return product_instr[x] != kNoValue && code[product_instr[x]].removed;
  }
};

LoweredProgram lower(const ConstraintSystem& cs, const UniformEnv& env, const std::vector<Sink>& sinks,
                     uint32_t num_accumulators, const std::vector<uint32_t>& output_nodes,
                     uint32_t next_shift);

// ---------------------------------------------------------------------------------------------
// schedule -> Schedule
// ---------------------------------------------------------------------------------------------

enum class StepKind : uint8_t {
  Compute,          // dst = op(operands)
  Hold,             // an F sink joins its accumulator's fold batch (references its value)
  AccumulateExt,    // acc += coeffs[coeff] · operands[0] (E)
  AccumulateBatch,  // acc += Σ_t coeffs[coeff + t] · operands[t] (F values): a batch's flush
};

/// An operand reference: a value, and for linear-combination terms the Montgomery coefficient
/// word (a product term takes two entries: x with the coefficient, then y with 0).
struct Operand {
  uint32_t value;
  uint32_t coeff;
};

/// A linear combination's kernel shape (LinHeader without the arena locations).
struct LinShape {
  uint32_t c0;
  uint16_t count[6];
  uint16_t chain_length;
  uint8_t chain_shift;
  uint8_t chain_negative;
};

struct Step {
  StepKind kind;
  Op op = Op::Mul;                                // Compute
  uint32_t dst = 0;                               // Compute: the defined value
  uint32_t acc = 0;                               // accumulations
  uint32_t lin = 0;                               // Compute LinComb: index into Schedule::lin_shapes
  uint32_t coeff = 0;                             // accumulations: first index into Schedule::coeffs
  uint32_t operands_begin = 0, operands_end = 0;  // Schedule::operands, in location order
  uint32_t reads_begin = 0, reads_end = 0;        // Schedule::reads, in release order
};

struct Schedule {
  std::vector<Step> steps;
  std::vector<Operand> operands;
  std::vector<uint32_t> reads;  // a value whose last read is a step is released there, at its first entry
  std::vector<LinShape> lin_shapes;
  std::vector<Ext4> coeffs;
};

Schedule schedule(const LoweredProgram& lowered);

// ---------------------------------------------------------------------------------------------
// allocate -> Allocation
// ---------------------------------------------------------------------------------------------

/// Arena regions, in layout order.
enum Space : uint8_t { kColumns, kConstants, kSelectors, kAccumulators, kScratchF, kScratchE, kNumSpaces };

/// A location before the arena layout is known: a vector of a region plus a row shift.
struct Sym {
  Space space = kColumns;
  uint32_t index = 0;  // vector index within the region (kScratchE: group of 4 vectors)
  uint32_t shift = 0;  // 0, or next_shift for next-row trace values
};

struct Allocation {
  std::vector<Sym> where;                                    // per value (meaningful once located)
  std::vector<std::pair<uint32_t, uint32_t>> constant_fill;  // (vector within kConstants, word)
  uint32_t num_constant_vectors = 0;
  std::vector<NodeKind> selectors;  // selector kinds in slot order (kSelectors)
  uint32_t num_scratch_f = 0;       // vectors
  uint32_t num_scratch_e = 0;       // groups of four vectors
  std::vector<Sym> outputs;
};

Allocation allocate(const LoweredProgram& lowered, const Schedule& schedule);

// ---------------------------------------------------------------------------------------------
// emit -> BlockProgram
// ---------------------------------------------------------------------------------------------

BlockProgram emit(const LoweredProgram& lowered, const Schedule& schedule, const Allocation& allocation,
                  uint32_t max_block_len);

}  // namespace stark::air_detail
