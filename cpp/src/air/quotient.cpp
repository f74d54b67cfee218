#include "stark/air/quotient.hpp"

#include <string>

#include "block_program.hpp"
#include "kinds/kind_api.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"

namespace stark {
namespace {

using air_detail::BlockProgram;
using air_detail::BlockRunner;
using air_detail::BlockSources;

// Points per block: long enough to amortize instruction dispatch, short enough that the
// transposed trace columns of a block stay near the core's caches.
constexpr uint32_t kQuotientBlock = 128;

void check_matrix(const ConstMatrixView& m, size_t height, size_t width, const char* what) {
  if (m.height != height || m.width != width)
    throw InputError(std::string("quotient: ") + what + " LDE is " + std::to_string(m.height) + " x " +
                     std::to_string(m.width) + ", expected " + std::to_string(height) + " x " +
                     std::to_string(width));
  if (m.data == nullptr && height * width > 0)
    throw InputError(std::string("quotient: ") + what + " has no data");
}

}  // namespace

std::vector<Ext4> quotient_values(const ConstraintSystem& cs, const QuotientInputs& in, const Ext4& alpha) {
  const uint32_t q = cs.quotient_degree;
  const uint32_t log_q = log2_exact(q);
  if (in.log_height + in.log_blowup > TWO_ADICITY)
    throw InputError("quotient: log_height + log_blowup exceeds the two-adicity 27");
  if (q > (1u << in.log_blowup))
    throw InputError("quotient: quotient degree " + std::to_string(q) + " exceeds the blowup 2^" +
                     std::to_string(in.log_blowup));
  const size_t n = size_t(1) << in.log_height;
  const size_t lde_height = n << in.log_blowup;
  if (in.preprocessed.has_value() != (cs.preprocessed_width > 0))
    throw InputError("quotient: preprocessed LDE presence does not match the constraint system");
  if (in.preprocessed) check_matrix(*in.preprocessed, lde_height, cs.preprocessed_width, "preprocessed");
  if (!cs.main_partition_count_matches(in.mains.size(), in.mains.empty() ? 0 : in.mains.back().width))
    throw InputError("quotient: " + std::to_string(in.mains.size()) + " main partitions given, expected " +
                     std::to_string(cs.num_main_partitions()));
  for (size_t p = 0; p < in.mains.size(); ++p)
    check_matrix(in.mains[p], lde_height, cs.main_partition_width(p), "main");
  if (in.after_challenge.has_value() != (cs.after_challenge_width() > 0))
    throw InputError("quotient: after-challenge LDE presence does not match the constraint system");
  if (in.after_challenge)
    check_matrix(*in.after_challenge, lde_height, 4 * size_t(cs.after_challenge_width()), "after-challenge");
  if (in.public_values.size() != cs.num_public_values)
    throw InputError("quotient: " + std::to_string(in.public_values.size()) +
                     " public values given, expected " + std::to_string(cs.num_public_values));
  if (in.challenges.size() != cs.num_challenges() || in.exposed.size() != cs.num_exposed_values())
    throw InputError("quotient: wrong number of challenges or exposed values");

  air_detail::UniformEnv env;
  for (uint32_t v : in.public_values) {
    if (v >= P) throw InputError("quotient: public value " + std::to_string(v) + " is not below p");
    env.public_values.push_back(Fp::from_canonical(v));
  }
  env.challenges = in.challenges;
  env.exposed = in.exposed;

  // fold = Σ_k α^{K-1-k} C_k: constraint k is weighted by α^{K-1-k}.
  std::vector<air_detail::Sink> sinks;
  sinks.reserve(cs.constraints.size());
  Ext4 power = Ext4::one();
  for (size_t k = cs.constraints.size(); k-- > 0;) {
    sinks.push_back({cs.constraints[k], 0, power});
    power *= alpha;
  }
  const BlockProgram program = air_detail::compile_block_program(cs, env, sinks, 1, {}, q, kQuotientBlock);

  const size_t domain = n * q;
  const uint32_t domain_bits = in.log_height + log_q;
  BlockSources sources;
  sources.matrices.assign(air_detail::kFirstMain + in.mains.size(), nullptr);
  if (in.preprocessed) sources.matrices[air_detail::kPreprocessed] = &*in.preprocessed;
  if (in.after_challenge) sources.matrices[air_detail::kAfterChallenge] = &*in.after_challenge;
  for (size_t p = 0; p < in.mains.size(); ++p) sources.matrices[air_detail::kFirstMain + p] = &in.mains[p];
  sources.domain_size = domain;
  sources.row_bits = domain_bits;
  sources.bit_reversed = true;

  // Z(x_i) = (g ω_L^i)^n - 1 = g^n ω_q^{i mod q} - 1 (L = log(n q)): q values, all non-zero
  // because the coset g·H is disjoint from H.
  const Fp g = generator();
  const Fp g_n = g.pow(n);
  const Fp omega_q = two_adic_generator(log_q);
  std::vector<Fp> vanishing(q), inv_vanishing(q);
  {
    Fp w = Fp::one();
    for (uint32_t t = 0; t < q; ++t, w *= omega_q) vanishing[t] = g_n * w - Fp::one();
    inv_vanishing = vanishing;
    batch_inverse(inv_vanishing.data(), q);
  }
  const Fp omega_domain = two_adic_generator(domain_bits);
  const Fp omega_trace_inv = two_adic_generator(in.log_height).inverse();

  // Selectors of the block [first, first + count) (kinds/<kind>.hpp on_quotient_domain) at the
  // points x_p = g ω_L^{first + p}, where Z_H(x_p) = vanishing[(first + p) mod q].
  auto selectors = [&](size_t first, size_t count, std::span<const air_detail::SelectorSlot> slots) {
    std::vector<Fp> x(count), z(count);
    Fp xp = g * omega_domain.pow(first);
    for (size_t p = 0; p < count; ++p, xp *= omega_domain) {
      x[p] = xp;
      z[p] = vanishing[(first + p) % q];
    }
    const air_detail::QuotientPoints points{count, x.data(), z.data(), omega_trace_inv};
    for (const air_detail::SelectorSlot& slot : slots)
      air_detail::fill_selector(slot.kind, points, slot.values);
  };

  std::vector<Ext4> values(domain);
  const size_t block = program.block_len;
  const size_t num_blocks = (domain + block - 1) / block;
  parallel_for_chunks(num_blocks, 1, [&](size_t b0, size_t b1) {
    BlockRunner runner(program, sources);
    for (size_t blk = b0; blk < b1; ++blk) {
      const size_t first = blk * block;
      const size_t count = std::min(block, domain - first);
      runner.run(first, count, selectors);
      for (size_t p = 0; p < count; ++p) {
        const Ext4 fold(
            Fp::from_mont(runner.accumulator_word(0, 0, p)), Fp::from_mont(runner.accumulator_word(0, 1, p)),
            Fp::from_mont(runner.accumulator_word(0, 2, p)), Fp::from_mont(runner.accumulator_word(0, 3, p)));
        values[first + p] = fold * inv_vanishing[(first + p) % q];
      }
    }
  });
  return values;
}

std::vector<RowMajorMatrix> quotient_chunks(const std::vector<Ext4>& values, uint32_t quotient_degree) {
  if (quotient_degree == 0 || !is_power_of_two(quotient_degree) || values.size() % quotient_degree != 0)
    throw InputError("quotient_chunks: " + std::to_string(values.size()) + " values cannot be split into " +
                     std::to_string(quotient_degree) + " chunks");
  const size_t q = quotient_degree;
  const size_t n = values.size() / q;
  std::vector<RowMajorMatrix> chunks;
  chunks.reserve(q);
  for (size_t t = 0; t < q; ++t) chunks.emplace_back(n, 4);
  parallel_for_chunks(n, 4096, [&](size_t j0, size_t j1) {
    for (size_t t = 0; t < q; ++t)
      for (size_t j = j0; j < j1; ++j) values[t + j * q].to_canonical(chunks[t].row(j));
  });
  return chunks;
}

}  // namespace stark
