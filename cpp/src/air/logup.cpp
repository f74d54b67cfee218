#include "stark/air/logup.hpp"

#include <string>

#include "block_program.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"

namespace stark {
namespace {

using air_detail::BlockProgram;
using air_detail::BlockRunner;
using air_detail::BlockSources;

constexpr uint32_t kRowBlock = 256;

void check_trace(const ConstMatrixView& m, size_t height, size_t width, const char* what) {
  if (m.height != height || m.width != width)
    throw InputError(std::string("after-challenge trace: ") + what + " trace is " + std::to_string(m.height) +
                     " x " + std::to_string(m.width) + ", expected " + std::to_string(height) + " x " +
                     std::to_string(width));
}

// In-place inversion of non-zero extension elements (Montgomery's trick): prefix products, one
// inversion, a backward sweep.
void batch_inverse_ext(std::vector<Ext4>& v, std::vector<Ext4>& prefix) {
  const size_t n = v.size();
  if (n == 0) return;
  prefix.resize(n);
  Ext4 acc = Ext4::one();
  for (size_t i = 0; i < n; ++i) {
    prefix[i] = acc;
    acc *= v[i];
  }
  Ext4 inv = acc.inverse();
  for (size_t i = n; i-- > 0;) {
    const Ext4 vi = v[i];
    v[i] = inv * prefix[i];
    inv *= vi;
  }
}

}  // namespace

AfterChallengeTrace after_challenge_trace(const ConstraintSystem& cs,
                                          std::optional<ConstMatrixView> preprocessed,
                                          const std::vector<ConstMatrixView>& mains,
                                          const std::vector<uint32_t>& public_values, const Ext4& alpha_lu,
                                          const Ext4& beta_lu) {
  if (cs.interactions.empty()) throw InputError("after-challenge trace: the AIR has no interactions");
  if (preprocessed.has_value() != (cs.preprocessed_width > 0))
    throw InputError(
        "after-challenge trace: preprocessed trace presence does not match the constraint system");
  if (!cs.main_partition_count_matches(mains.size(), mains.empty() ? 0 : mains.back().width))
    throw InputError("after-challenge trace: " + std::to_string(mains.size()) +
                     " main partitions given, expected " + std::to_string(cs.num_main_partitions()));
  const size_t n = preprocessed ? preprocessed->height : mains.empty() ? 0 : mains[0].height;
  if (n == 0 || !is_power_of_two(n)) throw InputError("after-challenge trace: height must be a power of two");
  if (preprocessed) check_trace(*preprocessed, n, cs.preprocessed_width, "preprocessed");
  for (size_t p = 0; p < mains.size(); ++p) check_trace(mains[p], n, cs.main_partition_width(p), "main");
  if (public_values.size() != cs.num_public_values)
    throw InputError("after-challenge trace: " + std::to_string(public_values.size()) +
                     " public values given, expected " + std::to_string(cs.num_public_values));

  air_detail::UniformEnv env;
  for (uint32_t v : public_values) {
    if (v >= P)
      throw InputError("after-challenge trace: public value " + std::to_string(v) + " is not below p");
    env.public_values.push_back(Fp::from_canonical(v));
  }

  // d_i = α + Σ_j β^j σ_{i,j} + β^ℓ (bus + 1): accumulator i gets β^j·σ_{i,j}, its initial value
  // the constant part.
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
  BlockProgram program =
      air_detail::compile_block_program(cs, env, sinks, num_interactions, count_nodes, 1, kRowBlock);
  for (uint32_t i = 0; i < num_interactions; ++i) {
    const Interaction& it = cs.interactions[i];
    program.accumulator_init[i] += alpha_lu + beta_powers[it.message.size()] * Fp::from_canonical(it.bus + 1);
  }

  BlockSources sources;
  sources.matrices.assign(air_detail::kFirstMain + mains.size(), nullptr);
  if (preprocessed) sources.matrices[air_detail::kPreprocessed] = &*preprocessed;
  for (size_t p = 0; p < mains.size(); ++p) sources.matrices[air_detail::kFirstMain + p] = &mains[p];
  sources.domain_size = n;

  const size_t num_chunks = cs.interaction_chunks.size();
  const size_t width = 4 * (num_chunks + 1);
  AfterChallengeTrace out;
  out.flattened = RowMajorMatrix(n, width);
  const size_t block = program.block_len;
  const size_t num_blocks = (n + block - 1) / block;
  std::vector<Ext4> block_totals(num_blocks);
  // First zero denominator of each block, as row * I + interaction (SIZE_MAX if none).
  std::vector<size_t> first_zero(num_blocks, SIZE_MAX);
  // Decoding a constraint system already refuses selectors in interactions (docs/protocol.md §7.1):
  // only a system built in C++ without validation gets here.
  auto no_selectors = [](size_t, size_t, std::span<const air_detail::SelectorSlot>) {
    throw InputError(
        "after-challenge trace: an interaction expression uses a selector (the constraint "
        "system is invalid: interactions may only use trace columns, public values and "
        "constants)");
  };

  parallel_for_chunks(num_blocks, 1, [&](size_t b0, size_t b1) {
    BlockRunner runner(program, sources);
    std::vector<Ext4> inv, prefix;
    for (size_t blk = b0; blk < b1; ++blk) {
      const size_t first = blk * block;
      const size_t count = std::min(block, n - first);
      runner.run(first, count, no_selectors);
      inv.resize(count * num_interactions);
      for (size_t p = 0; p < count; ++p)
        for (uint32_t i = 0; i < num_interactions; ++i) {
          Ext4& d = inv[p * num_interactions + i];
          for (uint32_t e = 0; e < 4; ++e) d.c[e] = Fp::from_mont(runner.accumulator_word(i, e, p));
          if (d.is_zero() && first_zero[blk] == SIZE_MAX)
            first_zero[blk] = (first + p) * num_interactions + i;
        }
      if (first_zero[blk] != SIZE_MAX) continue;
      batch_inverse_ext(inv, prefix);
      Ext4 running = Ext4::zero();
      for (size_t p = 0; p < count; ++p) {
        uint32_t* row = out.flattened.row(first + p);
        Ext4 row_sum = Ext4::zero();
        for (size_t c = 0; c < num_chunks; ++c) {
          Ext4 s = Ext4::zero();
          for (uint32_t i : cs.interaction_chunks[c])
            s += inv[p * num_interactions + i] * Fp::from_mont(runner.output(i)[p]);
          s.to_canonical(row + 4 * c);
          row_sum += s;
        }
        running += row_sum;
        running.to_canonical(row + 4 * num_chunks);
      }
      block_totals[blk] = running;
    }
  });
  size_t zero_at = SIZE_MAX;
  for (size_t z : first_zero) zero_at = std::min(zero_at, z);
  if (zero_at != SIZE_MAX) {
    // An InputError: the prover cannot go on with this trace under the sampled challenges
    // (nothing in the core is broken). For an honest trace it happens with probability about
    // rows * interactions / |E|; the prover adds the AIR's name to the message.
    const size_t row = zero_at / num_interactions, interaction = zero_at % num_interactions;
    throw InputError("LogUp denominator is zero at row " + std::to_string(row) + ", interaction " +
                     std::to_string(interaction) + " (bus " +
                     std::to_string(cs.interactions[interaction].bus) +
                     "): the message's fingerprint vanishes at the sampled LogUp challenges");
  }

  // Running sum across blocks: block b adds the totals of the blocks before it.
  std::vector<Ext4> offsets(num_blocks);
  Ext4 total = Ext4::zero();
  for (size_t b = 0; b < num_blocks; ++b) {
    offsets[b] = total;
    total += block_totals[b];
  }
  out.cumulative_sum = total;
  parallel_for_chunks(num_blocks, 1, [&](size_t b0, size_t b1) {
    for (size_t blk = b0; blk < b1; ++blk) {
      if (offsets[blk].is_zero()) continue;
      const size_t first = blk * block;
      const size_t count = std::min(block, n - first);
      for (size_t p = 0; p < count; ++p) {
        uint32_t* phi = out.flattened.row(first + p) + 4 * num_chunks;
        const Ext4 v = Ext4::from_canonical(phi) + offsets[blk];
        v.to_canonical(phi);
      }
    }
  });
  return out;
}

}  // namespace stark
