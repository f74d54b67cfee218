// The block interpreter shared by the quotient evaluator and the LogUp trace builder (private
// to the AIR layer).
//
// A constraint DAG is compiled once into a straight-line program over vectors of one block of
// points. Every value lives in a per-thread arena of equal-length vectors (stride words each):
//   [trace columns][materialized constants][selectors][accumulators][scratch]
// - trace columns: the block's rows of every referenced column, transposed and converted to
//   Montgomery form; the next-row value of point p is at position p + next_shift of the same
//   vector (the block loads next_shift extra points), so variables cost nothing at run time;
// - nodes whose value is the same at every point (built from constants, public values,
//   challenges, exposed values) are folded at compile time; when a varying operation needs one
//   as a vector it is broadcast once per arena;
// - F-valued nodes are lowered to linear combinations c0 + Σ c_i·v_i + Σ c_j·(x_j·y_j): sums,
//   differences, negations and products by constants of single-use nodes are flattened into
//   their consumer (forms c0 + k·u into every consumer: the scaling lands in a coefficient), a
//   product of two affine single-term operands is distributed,
//   (a0 + a·u)(b0 + b·w) = a0 b0 + a0 b·w + b0 a·u + ab·(u·w),
//   so 1 - x or 2·x never needs a vector of its own, and a product read by only one linear
//   combination is evaluated inside it; each combination is one instruction (unrolled kernels
//   for the small shapes, a generic one with delayed reduction for the scaled terms);
// - nodes that depend on challenges, permutation columns or exposed values are E-valued (four
//   consecutive vectors); all others stay in F;
// - "sinks" add coeff·value of a node into an E accumulator (the constraint fold, the LogUp
//   fingerprints); F-valued sinks are batched and summed with one delayed reduction per
//   batch, so constraint roots stay alive only until their batch is flushed;
// - scratch vectors are recycled after a value's last reader, keeping the arena small.
//
// compile_block_program runs four passes (compile_passes.hpp): lower (DAG -> values and virtual
// instructions), schedule (execution order, fold batches, linear-combination shapes), allocate
// (vectors and lifetimes) and emit (arena layout, block length, the program). What each node
// kind contributes is in kinds/<kind>.hpp (kinds/kind_api.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "block_kernels.hpp"
#include "stark/air/constraint_system.hpp"
#include "stark/field/extension.hpp"
#include "stark/field/matrix.hpp"

namespace stark::air_detail {

/// Trace matrices a program reads, by id.
enum MatrixId : uint32_t { kPreprocessed = 0, kAfterChallenge = 1, kFirstMain = 2 };

struct ColumnSource {
  uint32_t matrix;  // MatrixId, kFirstMain + part for main partitions
  uint32_t column;
  bool operator<(const ColumnSource& o) const {
    return matrix != o.matrix ? matrix < o.matrix : column < o.column;
  }
  bool operator==(const ColumnSource& o) const = default;
};

enum class Op : uint8_t {
  Mul,      // F x F
  LinComb,  // F: the linear combination lin_headers[a]
  ExtAdd,
  ExtAddBase,
  ExtSub,
  ExtSubBase,
  BaseSubExt,
  ExtMul,
  ExtMulBase,
  ExtNeg,
  AccumulateExt,        // accumulator (dst) += coeffs[aux] · a (E)
  AccumulateBaseBatch,  // accumulator (dst) += Σ batch_terms[a .. a + b) (F values)
};

struct Instr {
  Op op;
  uint32_t dst;  // element offsets into the arena (see Op for the exceptions)
  uint32_t a;
  uint32_t b;
  uint32_t aux;
  uint32_t aux2;
};

/// acc[accumulator] += coeff · value(node).
struct Sink {
  uint32_t node;
  uint32_t accumulator;
  Ext4 coeff;
};

/// Values of the point-independent leaves.
struct UniformEnv {
  std::vector<Fp> public_values;
  std::vector<Ext4> challenges;
  std::vector<Ext4> exposed;
};

/// The arena vector holding the values of one selector kind.
struct SelectorVector {
  NodeKind kind;
  uint32_t vector;
};

struct BlockProgram {
  uint32_t block_len = 0;   // points per block (multiple of kBlockAlign)
  uint32_t next_shift = 0;  // q on the quotient domain, 1 on the trace
  uint32_t stride = 0;      // words per arena vector (>= block_len + next_shift, aligned)
  uint32_t num_vectors = 0;

  std::vector<ColumnSource> columns;                         // vectors [0, columns.size())
  std::vector<std::pair<uint32_t, uint32_t>> constant_fill;  // (vector, Montgomery word)
  std::vector<SelectorVector> selectors;  // each selector the program reads, filled per block
  uint32_t accumulator_vector = 0;        // accumulator k = vectors accumulator_vector + 4k .. + 3
  std::vector<Ext4> accumulator_init;
  std::vector<uint32_t> outputs;  // arena offsets of the requested F values (valid after run)
  std::vector<Ext4> coeffs;
  std::vector<BatchTerm> batch_terms;
  std::vector<LinHeader> lin_headers;
  std::vector<LinTerm> lin_terms;
  std::vector<Instr> instrs;

  size_t arena_words() const { return size_t(num_vectors) * stride; }
  uint32_t accumulator_offset(uint32_t k) const { return (accumulator_vector + 4 * k) * stride; }
};

/// Compiles the program computing `sinks` into `num_accumulators` accumulators and the F values
/// of `output_nodes` (which must be F-valued). `max_block_len` is lowered (down to kBlockAlign)
/// when the arena of one block would exceed a fixed memory budget. The system must be validated
/// (decoded, or finalize()d); InputError names the node or sink when it is not consistent with
/// the arguments.
BlockProgram compile_block_program(const ConstraintSystem& cs, const UniformEnv& env,
                                   const std::vector<Sink>& sinks, uint32_t num_accumulators,
                                   const std::vector<uint32_t>& output_nodes, uint32_t next_shift,
                                   uint32_t max_block_len);

/// Where the rows of each matrix come from and how point indices map to rows.
struct BlockSources {
  std::vector<const ConstMatrixView*> matrices;  // indexed by MatrixId (null if absent)
  size_t domain_size = 0;                        // points; point index wraps modulo this
  uint32_t row_bits = 0;                         // row of point i = rev_{row_bits}(i) ...
  bool bit_reversed = false;                     // ... when set, else row = i
};

/// Where the values of one selector go for the current block (Montgomery words, one per point).
struct SelectorSlot {
  NodeKind kind;
  uint32_t* values;
};
/// Fills the selector vectors of the block [first, first + count) (called only when the program
/// reads selectors).
using SelectorFill = std::function<void(size_t first, size_t count, std::span<const SelectorSlot> slots)>;

/// Per-thread evaluation state: the arena and the kernel table of the active SIMD level.
class BlockRunner {
 public:
  /// InputError when the program reads a matrix that `sources` does not provide.
  BlockRunner(const BlockProgram& program, const BlockSources& sources);

  /// Evaluates points [first, first + count), count <= block_len.
  void run(size_t first, size_t count, const SelectorFill& selectors);

  const uint32_t* arena() const { return arena_.data(); }
  /// Coefficient e of accumulator k at point p of the last block (Montgomery word).
  uint32_t accumulator_word(uint32_t k, uint32_t e, size_t p) const {
    return arena_[program_.accumulator_offset(k) + e * program_.stride + p];
  }
  const uint32_t* output(size_t k) const { return arena_.data() + program_.outputs[k]; }

 private:
  void load_columns(size_t first, size_t count);

  // Consecutive columns of one matrix land in consecutive vectors: one transposition each.
  struct ColumnRun {
    uint32_t matrix, first_column, first_vector, count;
  };

  const BlockProgram& program_;
  const BlockSources& sources_;
  const BlockKernels& kernels_;
  std::vector<uint32_t> arena_;
  std::vector<ColumnRun> runs_;
  std::vector<uint8_t> matrix_used_;
  std::vector<const uint32_t*> rows_;  // per matrix, per loaded point
  std::vector<SelectorSlot> selector_slots_;
};

/// Round n up to a multiple of kBlockAlign.
inline size_t align_up(size_t n) { return (n + kBlockAlign - 1) / kBlockAlign * kBlockAlign; }

}  // namespace stark::air_detail
