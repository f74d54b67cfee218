// Host side of the device constraint programs (host compiler only; not included by the .cu files,
// so nvcc never parses the CPU's private AIR headers).
//
// to_device_program() translates the CPU's compiled BlockProgram (cpp/src/air/block_program.hpp)
// into the flat ProgramImage of air_program.cuh: arena offsets (vector · stride + row shift)
// become slots, next-row column reads get the slots next_base + column, and each table becomes a
// range of words. build_quotient_program() and build_logup_program() compile the same programs as
// stark::quotient_values and stark::after_challenge_trace (same sinks, accumulators, outputs and
// row shifts, from the same inputs, with the same input checks and messages) and add what the
// kernels need besides (the quotient domain's constants; the chunks and buses).
// check_matrix_set() checks the matrices a launch will read against a program.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "../cpp/src/air/block_program.hpp"
#include "air_program.cuh"
#include "logup.cuh"
#include "matrix_ref.hpp"
#include "quotient.cuh"
#include "stark/air/constraint_system.hpp"
#include "stark/field/matrix.hpp"
#include "stark/util/error.hpp"

namespace stark::cuda {

namespace host_detail {

/// The CPU's size check of a trace or LDE ("<who>: <what> <noun> is h x w, expected ..."), and
/// "<who>: <what> has no data" for a null pointer to a non-empty matrix.
inline void check_ref(const MatrixRef& m, size_t height, size_t width, const char* who, const char* what,
                      const char* noun) {
  if (m.height != height || m.width != width)
    throw InputError(std::string(who) + ": " + what + " " + noun + " is " + std::to_string(m.height) + " x " +
                     std::to_string(m.width) + ", expected " + std::to_string(height) + " x " +
                     std::to_string(width));
  if (m.data == nullptr && height * width > 0)
    throw InputError(std::string(who) + ": " + what + " has no data");
}

/// The matrices by the CPU's MatrixId (block_program.hpp): preprocessed, after-challenge, mains.
inline kernels::MatrixSet matrix_set(const std::optional<MatrixRef>& preprocessed,
                                     const std::vector<MatrixRef>& mains,
                                     const std::optional<MatrixRef>& after_challenge) {
  if (air_detail::kFirstMain + mains.size() > kernels::kMaxMatrices)
    throw InputError("device program: " + std::to_string(mains.size()) +
                     " main partitions exceed the device limit");
  kernels::MatrixSet m;
  m.count = uint32_t(air_detail::kFirstMain + mains.size());
  auto put = [&](uint32_t id, const MatrixRef& r) {
    m.data[id] = r.data;
    m.width[id] = uint32_t(r.width);
  };
  if (preprocessed) put(air_detail::kPreprocessed, *preprocessed);
  if (after_challenge) put(air_detail::kAfterChallenge, *after_challenge);
  for (size_t p = 0; p < mains.size(); ++p) put(uint32_t(air_detail::kFirstMain + p), mains[p]);
  return m;
}

/// Appends `count` entries of `entry_words` words; returns the first word's offset.
inline uint32_t append_table(std::vector<uint32_t>& words, size_t count, uint32_t entry_words) {
  const size_t at = words.size();
  words.resize(at + count * entry_words, 0);
  if (words.size() >= (size_t(1) << 32)) throw InputError("device program: too large");
  return uint32_t(at);
}

inline kernels::DeviceOp device_op(air_detail::Op op) {
  using air_detail::Op;
  using kernels::DeviceOp;
  switch (op) {
    case Op::Mul:
      return DeviceOp::Mul;
    case Op::LinComb:
      return DeviceOp::LinComb;
    case Op::ExtAdd:
      return DeviceOp::ExtAdd;
    case Op::ExtAddBase:
      return DeviceOp::ExtAddBase;
    case Op::ExtSub:
      return DeviceOp::ExtSub;
    case Op::ExtSubBase:
      return DeviceOp::ExtSubBase;
    case Op::BaseSubExt:
      return DeviceOp::BaseSubExt;
    case Op::ExtMul:
      return DeviceOp::ExtMul;
    case Op::ExtMulBase:
      return DeviceOp::ExtMulBase;
    case Op::ExtNeg:
      return DeviceOp::ExtNeg;
    case Op::AccumulateExt:
      return DeviceOp::AccumulateExt;
    case Op::AccumulateBaseBatch:
      return DeviceOp::AccumulateBaseBatch;
  }
  throw InternalError("device program: unknown block-program op " + std::to_string(int(op)));
}

inline kernels::DeviceSelector device_selector(NodeKind k) {
  switch (k) {
    case NodeKind::IsFirstRow:
      return kernels::DeviceSelector::IsFirstRow;
    case NodeKind::IsLastRow:
      return kernels::DeviceSelector::IsLastRow;
    case NodeKind::IsTransition:
      return kernels::DeviceSelector::IsTransition;
    default:
      throw InternalError("device program: selector kind " + std::to_string(int(k)) +
                          " has no device evaluation");
  }
}

/// BatchTerm coefficients are stored centered (int32 bits of the representative in (-p/2, p/2)).
inline uint32_t uncentered(uint32_t c) { return c >= P ? c + P : c; }

}  // namespace host_detail

/// The device image of a compiled block program (any block length: the slots do not depend on it).
inline kernels::ProgramImage to_device_program(const air_detail::BlockProgram& bp) {
  using kernels::DeviceOp;
  kernels::ProgramImage img;
  kernels::ProgramHeader& h = img.header;
  std::vector<uint32_t>& w = img.words;
  const uint32_t stride = bp.stride, shift = bp.next_shift;
  const uint32_t num_columns = uint32_t(bp.columns.size());
  h.num_columns = num_columns;
  h.next_base = bp.num_vectors;
  h.next_shift = shift;
  h.num_slots = std::max<uint32_t>(1, bp.num_vectors + num_columns);
  std::vector<uint32_t> flags(num_columns, 0);

  // Arena offset of a `width`-vector value -> its first slot (the others follow it).
  auto slot = [&](uint32_t offset, uint32_t width) {
    uint32_t first = 0;
    for (uint32_t e = 0; e < width; ++e) {
      const uint32_t off = offset + e * stride;
      const uint32_t vec = off / stride, row_shift = off % stride;
      uint32_t s;
      if (row_shift == 0) {
        if (vec >= bp.num_vectors) throw InternalError("device program: offset past the arena");
        if (vec < num_columns) flags[vec] |= kernels::kReadLocal;
        s = vec;
      } else if (row_shift == shift && vec < num_columns) {
        flags[vec] |= kernels::kReadNext;
        s = h.next_base + vec;
      } else {
        throw InternalError("device program: offset " + std::to_string(off) +
                            " is not a vector or a next-row column");
      }
      if (e == 0) first = s;
      if (s != first + e) throw InternalError("device program: extension value in non-consecutive slots");
    }
    return first;
  };

  h.num_instrs = uint32_t(bp.instrs.size());
  h.instrs_at = host_detail::append_table(w, bp.instrs.size(), kernels::kInstrWords);
  for (size_t k = 0; k < bp.instrs.size(); ++k) {
    const air_detail::Instr& in = bp.instrs[k];
    const DeviceOp op = host_detail::device_op(in.op);
    uint32_t dst = 0, a = 0, b = 0, aux = 0;
    switch (op) {
      case DeviceOp::Mul:
        dst = slot(in.dst, 1), a = slot(in.a, 1), b = slot(in.b, 1);
        break;
      case DeviceOp::LinComb:
        dst = slot(in.dst, 1), a = in.a;
        break;
      case DeviceOp::ExtAdd:
      case DeviceOp::ExtSub:
      case DeviceOp::ExtMul:
        dst = slot(in.dst, 4), a = slot(in.a, 4), b = slot(in.b, 4);
        break;
      case DeviceOp::ExtAddBase:
      case DeviceOp::ExtSubBase:
      case DeviceOp::ExtMulBase:
        dst = slot(in.dst, 4), a = slot(in.a, 4), b = slot(in.b, 1);
        break;
      case DeviceOp::BaseSubExt:
        dst = slot(in.dst, 4), a = slot(in.a, 1), b = slot(in.b, 4);
        break;
      case DeviceOp::ExtNeg:
        dst = slot(in.dst, 4), a = slot(in.a, 4);
        break;
      case DeviceOp::AccumulateExt:
        dst = slot(in.dst, 4), a = slot(in.a, 4), aux = in.aux;
        break;
      case DeviceOp::AccumulateBaseBatch:
        dst = slot(in.dst, 4), a = in.a, b = in.b;
        break;
    }
    uint32_t* out = w.data() + h.instrs_at + k * kernels::kInstrWords;
    out[0] = uint32_t(op), out[1] = dst, out[2] = a, out[3] = b, out[4] = aux;
  }

  h.lin_headers_at = host_detail::append_table(w, bp.lin_headers.size(), kernels::kLinHeaderWords);
  for (size_t k = 0; k < bp.lin_headers.size(); ++k) {
    const air_detail::LinHeader& lh = bp.lin_headers[k];
    uint32_t* out = w.data() + h.lin_headers_at + k * kernels::kLinHeaderWords;
    out[0] = lh.c0, out[1] = lh.first;
    for (int g = 0; g < 6; ++g) out[2 + g] = lh.count[g];
    out[8] = lh.chain_length, out[9] = lh.chain_shift, out[10] = lh.chain_negative;
  }
  h.lin_terms_at = host_detail::append_table(w, bp.lin_terms.size(), kernels::kLinTermWords);
  for (size_t k = 0; k < bp.lin_terms.size(); ++k) {
    const uint32_t s = slot(bp.lin_terms[k].offset, 1);
    w[h.lin_terms_at + 2 * k] = s;
    w[h.lin_terms_at + 2 * k + 1] = bp.lin_terms[k].coeff;
  }
  h.batch_terms_at = host_detail::append_table(w, bp.batch_terms.size(), kernels::kBatchTermWords);
  for (size_t k = 0; k < bp.batch_terms.size(); ++k) {
    const uint32_t s = slot(bp.batch_terms[k].offset, 1);
    uint32_t* out = w.data() + h.batch_terms_at + k * kernels::kBatchTermWords;
    out[0] = s;
    for (int e = 0; e < 4; ++e) out[1 + e] = host_detail::uncentered(bp.batch_terms[k].coeff[e]);
  }
  h.coeffs_at = host_detail::append_table(w, bp.coeffs.size(), 4);
  for (size_t k = 0; k < bp.coeffs.size(); ++k)
    for (int e = 0; e < 4; ++e) w[h.coeffs_at + 4 * k + e] = bp.coeffs[k].c[e].mont;

  h.num_outputs = uint32_t(bp.outputs.size());
  h.outputs_at = host_detail::append_table(w, bp.outputs.size(), 1);
  for (size_t k = 0; k < bp.outputs.size(); ++k) {
    const uint32_t s = slot(bp.outputs[k], 1);
    w[h.outputs_at + k] = s;
  }
  h.num_constants = uint32_t(bp.constant_fill.size());
  h.constants_at = host_detail::append_table(w, bp.constant_fill.size(), kernels::kConstantWords);
  for (size_t k = 0; k < bp.constant_fill.size(); ++k) {
    w[h.constants_at + 2 * k] = bp.constant_fill[k].first;
    w[h.constants_at + 2 * k + 1] = bp.constant_fill[k].second;
  }
  h.num_selectors = uint32_t(bp.selectors.size());
  h.selectors_at = host_detail::append_table(w, bp.selectors.size(), kernels::kSelectorWords);
  for (size_t k = 0; k < bp.selectors.size(); ++k) {
    w[h.selectors_at + 2 * k] = uint32_t(host_detail::device_selector(bp.selectors[k].kind));
    w[h.selectors_at + 2 * k + 1] = bp.selectors[k].vector;
  }
  h.num_accumulators = uint32_t(bp.accumulator_init.size());
  h.accumulator_slot = bp.accumulator_vector;
  h.accumulator_init_at = host_detail::append_table(w, bp.accumulator_init.size(), 4);
  for (size_t k = 0; k < bp.accumulator_init.size(); ++k)
    for (int e = 0; e < 4; ++e) w[h.accumulator_init_at + 4 * k + e] = bp.accumulator_init[k].c[e].mont;

  // Last: every operand above has set its column's flags.
  h.columns_at = host_detail::append_table(w, num_columns, kernels::kColumnWords);
  for (uint32_t v = 0; v < num_columns; ++v) {
    uint32_t* out = w.data() + h.columns_at + v * kernels::kColumnWords;
    out[0] = bp.columns[v].matrix, out[1] = bp.columns[v].column, out[2] = flags[v];
  }
  h.num_words = uint32_t(w.size());
  return img;
}

namespace host_detail {

inline std::vector<Fp> public_values_for(const ConstraintSystem& cs, const std::vector<uint32_t>& values,
                                         const char* who) {
  if (values.size() != cs.num_public_values)
    throw InputError(std::string(who) + ": " + std::to_string(values.size()) +
                     " public values given, expected " + std::to_string(cs.num_public_values));
  std::vector<Fp> out;
  for (uint32_t v : values) {
    if (v >= P)
      throw InputError(std::string(who) + ": public value " + std::to_string(v) + " is not below p");
    out.push_back(Fp::from_canonical(v));
  }
  return out;
}

inline void check_matrix_count(const ConstraintSystem& cs) {
  if (air_detail::kFirstMain + cs.num_main_partitions() + 1 > kernels::kMaxMatrices)
    throw InputError("device program: " + std::to_string(cs.num_main_partitions()) +
                     " main partitions exceed the device limit");
}

}  // namespace host_detail

/// The quotient program of stark::quotient_values(cs, in, alpha) for an AIR of height
/// 2^log_height whose LDEs have blowup 2^log_blowup: the same checks on the sizes and the
/// uniform inputs (the matrices are check_matrix_set's), the same fold.
inline kernels::QuotientImage build_quotient_program(const ConstraintSystem& cs, uint32_t log_height,
                                                     uint32_t log_blowup,
                                                     const std::vector<uint32_t>& public_values,
                                                     const std::vector<Ext4>& challenges,
                                                     const std::vector<Ext4>& exposed, const Ext4& alpha) {
  constexpr uint32_t kQuotientBlock = 128;  // quotient.cpp's (the slots do not depend on it)
  const uint32_t q = cs.quotient_degree;
  const uint32_t log_q = log2_exact(q);
  if (log_height + log_blowup > TWO_ADICITY)
    throw InputError("quotient: log_height + log_blowup exceeds the two-adicity 27");
  if (q > (1u << log_blowup))
    throw InputError("quotient: quotient degree " + std::to_string(q) + " exceeds the blowup 2^" +
                     std::to_string(log_blowup));
  if (public_values.size() != cs.num_public_values)
    throw InputError("quotient: " + std::to_string(public_values.size()) + " public values given, expected " +
                     std::to_string(cs.num_public_values));
  if (challenges.size() != cs.num_challenges() || exposed.size() != cs.num_exposed_values())
    throw InputError("quotient: wrong number of challenges or exposed values");
  air_detail::UniformEnv env;
  env.public_values = host_detail::public_values_for(cs, public_values, "quotient");
  env.challenges = challenges;
  env.exposed = exposed;
  host_detail::check_matrix_count(cs);

  std::vector<air_detail::Sink> sinks;
  Ext4 power = Ext4::one();
  for (size_t k = cs.constraints.size(); k-- > 0;) {
    sinks.push_back({cs.constraints[k], 0, power});
    power *= alpha;
  }
  const air_detail::BlockProgram bp =
      air_detail::compile_block_program(cs, env, sinks, 1, {}, q, kQuotientBlock);

  kernels::QuotientImage out;
  out.image = to_device_program(bp);
  kernels::QuotientHeader& h = out.q;
  h.log_height = log_height;
  h.log_q = log_q;
  h.domain_bits = log_height + log_q;
  const Fp g = generator();
  h.shift = g.mont;
  h.omega_domain = two_adic_generator(h.domain_bits).mont;
  h.omega_trace_inv = two_adic_generator(log_height).inverse().mont;
  std::vector<Fp> vanishing(q), inv_vanishing(q);
  const Fp g_n = g.pow(uint64_t(1) << log_height), omega_q = two_adic_generator(log_q);
  Fp wq = Fp::one();
  for (uint32_t t = 0; t < q; ++t, wq *= omega_q) vanishing[t] = g_n * wq - Fp::one();
  inv_vanishing = vanishing;
  batch_inverse(inv_vanishing.data(), q);
  std::vector<uint32_t>& w = out.image.words;
  h.vanishing_at = host_detail::append_table(w, q, 1);
  h.inv_vanishing_at = host_detail::append_table(w, q, 1);
  for (uint32_t t = 0; t < q; ++t) {
    w[h.vanishing_at + t] = vanishing[t].mont;
    w[h.inv_vanishing_at + t] = inv_vanishing[t].mont;
  }
  out.image.header.num_words = uint32_t(w.size());
  return out;
}

/// The LogUp program of stark::after_challenge_trace(cs, ..., public_values, alpha_lu, beta_lu):
/// accumulator i = d_i (its constant part α + β^ℓ·(bus + 1) in the initial value), output i = m_i.
/// The same checks on the system and the public values (the traces are check_matrix_set's).
inline kernels::LogupImage build_logup_program(const ConstraintSystem& cs,
                                               const std::vector<uint32_t>& public_values,
                                               const Ext4& alpha_lu, const Ext4& beta_lu) {
  constexpr uint32_t kRowBlock = 256;  // logup.cpp's
  if (cs.interactions.empty()) throw InputError("after-challenge trace: the AIR has no interactions");
  air_detail::UniformEnv env;
  env.public_values = host_detail::public_values_for(cs, public_values, "after-challenge trace");
  host_detail::check_matrix_count(cs);

  const uint32_t num_interactions = uint32_t(cs.interactions.size());
  std::vector<air_detail::Sink> sinks;
  std::vector<uint32_t> count_nodes;
  std::vector<Ext4> beta_powers{Ext4::one()};
  for (const Interaction& it : cs.interactions)
    while (beta_powers.size() <= it.message.size()) beta_powers.push_back(beta_powers.back() * beta_lu);
  for (uint32_t i = 0; i < num_interactions; ++i) {
    const Interaction& it = cs.interactions[i];
    for (size_t j = 0; j < it.message.size(); ++j) sinks.push_back({it.message[j], i, beta_powers[j]});
    count_nodes.push_back(it.count);
  }
  air_detail::BlockProgram bp =
      air_detail::compile_block_program(cs, env, sinks, num_interactions, count_nodes, 1, kRowBlock);
  for (uint32_t i = 0; i < num_interactions; ++i) {
    const Interaction& it = cs.interactions[i];
    bp.accumulator_init[i] += alpha_lu + beta_powers[it.message.size()] * Fp::from_canonical(it.bus + 1);
  }
  if (!bp.selectors.empty())
    throw InputError(
        "after-challenge trace: an interaction expression uses a selector (the constraint "
        "system is invalid: interactions may only use trace columns, public values and "
        "constants)");

  kernels::LogupImage out;
  out.image = to_device_program(bp);
  kernels::LogupHeader& lu = out.lu;
  std::vector<uint32_t>& w = out.image.words;
  lu.num_interactions = num_interactions;
  lu.num_chunks = uint32_t(cs.interaction_chunks.size());
  lu.chunk_offsets_at = host_detail::append_table(w, lu.num_chunks + 1, 1);
  uint32_t members = 0;
  for (uint32_t c = 0; c < lu.num_chunks; ++c) {
    w[lu.chunk_offsets_at + c] = members;
    members += uint32_t(cs.interaction_chunks[c].size());
  }
  w[lu.chunk_offsets_at + lu.num_chunks] = members;
  lu.chunk_members_at = host_detail::append_table(w, members, 1);
  uint32_t m = 0;
  for (const auto& chunk : cs.interaction_chunks)
    for (uint32_t i : chunk) w[lu.chunk_members_at + m++] = i;
  lu.buses_at = host_detail::append_table(w, num_interactions, 1);
  for (uint32_t i = 0; i < num_interactions; ++i) w[lu.buses_at + i] = cs.interactions[i].bus;
  out.image.header.num_words = uint32_t(w.size());
  return out;
}

/// Checks that `mats` provides every matrix `image` reads, wide enough, with data (InputError
/// naming the matrix otherwise; the CPU's BlockRunner check). Heights are the caller's.
inline void check_matrix_set(const kernels::ProgramImage& image, const kernels::MatrixSet& mats) {
  const kernels::ProgramHeader& h = image.header;
  for (uint32_t v = 0; v < h.num_columns; ++v) {
    const uint32_t* c = image.words.data() + h.columns_at + v * kernels::kColumnWords;
    const uint32_t m = c[0], col = c[1];
    const std::string name = m == air_detail::kPreprocessed ? std::string("the preprocessed trace")
                             : m == air_detail::kAfterChallenge
                                 ? std::string("the after-challenge trace")
                                 : "main partition " + std::to_string(m - air_detail::kFirstMain);
    if (m >= mats.count || m >= kernels::kMaxMatrices || mats.data[m] == nullptr)
      throw InputError("device program: reads column " + std::to_string(col) + " of " + name +
                       ", which is not given");
    if (col >= mats.width[m])
      throw InputError("device program: reads column " + std::to_string(col) + " of a matrix of width " +
                       std::to_string(mats.width[m]));
  }
}

/// Throws the CPU's InputError when the status word of a LogUp run reports a zero denominator.
inline void check_logup_status(const kernels::LogupImage& image, unsigned long long status) {
  if (status == kernels::kNoZeroDenominator) return;
  const uint32_t num = image.lu.num_interactions;
  const uint32_t i = uint32_t(status % num);
  throw InputError(
      kernels::logup_zero_denominator_message(status / num, i, image.image.words[image.lu.buses_at + i]));
}

}  // namespace stark::cuda
