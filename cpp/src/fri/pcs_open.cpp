// PCS opening and FRI prover (docs/protocol.md §10).
//
// Work per claim bucket h (all matrices whose LDE has 2^h rows):
//   x_r = g·ω_h^{rev_h(r)}                       the LDE points, bit-reversed like the rows
//   inv_z[r] = 1/(z − x_r)                       one batch inversion per distinct point z
// Opened values: y = (z^n − g^n)/(n·g^n) · Σ_{r<n} x_r·inv_z[r] · L[r]   (barycentric on the
// first n rows = g·H_n), evaluated for up to two points at once as a 4·#points × n by n × w
// product over the base field.
// Reduced openings: a matrix of width w contributes Σ_p α^{e+p·w}·(Σ_c α^c·y_{p,c} − S(x_r))·inv_p[r]
// where S(x_r) = Σ_c α^c·L[r][c] is computed once per row (the points only change the scalar
// factors), e being the bucket's running α-exponent.
#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>

#include "fri_kernels.hpp"
#include "fri_util.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/ntt/ntt.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "stark/util/timing.hpp"

namespace stark {
using fri_detail::prescale;

namespace {

constexpr uint32_t kMaxLog = TWO_ADICITY;

std::string where(size_t round, size_t matrix) {
  return "round " + std::to_string(round) + ", matrix " + std::to_string(matrix);
}

// One claim bucket: the LDE points of height 2^h and 1/(z − x) for each distinct point z.
struct Bucket {
  uint32_t log_height = 0;
  std::vector<Fp> points_bitrev;
  std::vector<Ext4> zs;
  std::vector<std::vector<Ext4>> inverse_denominators;  // parallel to zs
  std::vector<Ext4> reduced_opening;

  size_t point_index(const Ext4& z) const {
    for (size_t i = 0; i < zs.size(); ++i)
      if (zs[i] == z) return i;
    return SIZE_MAX;
  }
};

struct MatrixJob {
  size_t round = 0, index = 0;
  ConstMatrixView lde;
  uint32_t log_trace_height = 0, log_lde_height = 0;
  const std::vector<Ext4>* points = nullptr;
};

// Opened values of one matrix at all its points (values[point][column]).
std::vector<std::vector<Ext4>> evaluate_matrix(const MatrixJob& job, const Bucket& bucket) {
  const size_t n = size_t(1) << job.log_trace_height;
  const size_t w = job.lde.width;
  const size_t num_points = job.points->size();
  std::vector<std::vector<Ext4>> values(num_points, std::vector<Ext4>(w));
  // n·g^n: barycentric normalization on the coset g·H_n.
  const Fp g_n = generator().pow(n);
  const Fp inv_norm = (Fp::from_u64(n) * g_n).inverse();

  constexpr size_t kPointsPerPass = fri_detail::kMaxWeights / 4;
  for (size_t p0 = 0; p0 < num_points; p0 += kPointsPerPass) {
    const size_t np = std::min(kPointsPerPass, num_points - p0);
    const size_t J = 4 * np;
    std::vector<uint32_t> weights(n * J);
    for (size_t p = 0; p < np; ++p) {
      const Ext4& z = (*job.points)[p0 + p];
      const Ext4 scale = (z.pow(n) - g_n) * inv_norm;
      const std::vector<Ext4>& inv = bucket.inverse_denominators[bucket.point_index(z)];
      parallel_for_chunks(n, 4096, [&](size_t b, size_t e) {
        for (size_t r = b; r < e; ++r) {
          const Ext4 wgt = inv[r] * bucket.points_bitrev[r] * scale;
          for (int c = 0; c < 4; ++c) weights[r * J + 4 * p + c] = prescale(wgt.c[c]);
        }
      });
    }
    // Row chunks give independent partial sums (at most 64 of them, so the partial buffers stay
    // small). Inside a chunk the kernel walks blocks of 8 rows column-group by column-group:
    // 8 concurrent row streams keep the hardware prefetchers effective (measured: 32-row blocks
    // are 2-3x slower on wide traces) while the accumulators stay in L2.
    constexpr size_t kRowBlock = 8;
    const size_t chunk = std::max<size_t>(1024, n / 64);
    const size_t num_chunks = (n + chunk - 1) / chunk;
    std::vector<uint32_t> partial(num_chunks * J * w, 0);
    parallel_for(num_chunks, 1, [&](size_t t) {
      const size_t r0 = t * chunk, r1 = std::min(n, r0 + chunk);
      uint32_t* acc = partial.data() + t * J * w;
      for (size_t s = r0; s < r1; s += kRowBlock)
        fri_detail::weighted_column_sums(job.lde.data + s * w, w, std::min(kRowBlock, r1 - s), w,
                                         weights.data() + s * J, J, acc, w);
    });
    parallel_for_chunks(w, 256, [&](size_t cb, size_t ce) {
      for (size_t c = cb; c < ce; ++c)
        for (size_t j = 0; j < J; ++j) {
          uint32_t s = 0;
          for (size_t t = 0; t < num_chunks; ++t) s = detail::add_mod(s, partial[(t * J + j) * w + c]);
          values[p0 + j / 4][c].c[j % 4] = Fp::from_mont(s);
        }
    });
  }
  return values;
}

// α^c for c < max_width as four pre-scaled coefficient arrays (padded for the vector loads).
struct AlphaPowers {
  std::vector<Ext4> powers;
  std::array<std::vector<uint32_t>, 4> prescaled;
  AlphaPowers(const Ext4& alpha, size_t max_width) : powers(max_width) {
    Ext4 cur = Ext4::one();
    for (size_t c = 0; c < max_width; ++c) {
      powers[c] = cur;
      cur *= alpha;
    }
    for (int e = 0; e < 4; ++e) {
      prescaled[e].assign(max_width + fri_detail::kAlphaPadding, 0);
      for (size_t c = 0; c < max_width; ++c) prescaled[e][c] = prescale(powers[c].c[e]);
    }
  }
};

// Adds the matrix's claims to its bucket's reduced opening.
void accumulate_reduced_opening(const MatrixJob& job, const std::vector<std::vector<Ext4>>& values,
                                const AlphaPowers& alpha_powers, const Ext4& alpha_to_base, const Ext4& alpha,
                                Bucket& bucket) {
  const size_t w = job.lde.width;
  const size_t num_points = job.points->size();
  const Ext4 alpha_w = alpha.pow(w);
  std::vector<Ext4> coef(num_points), combined_claims(num_points);
  std::vector<const Ext4*> inv(num_points);
  Ext4 cur = alpha_to_base;
  for (size_t p = 0; p < num_points; ++p) {
    coef[p] = cur;
    cur *= alpha_w;
    Ext4 s;
    for (size_t c = 0; c < w; ++c) s += alpha_powers.powers[c] * values[p][c];
    combined_claims[p] = s;
    inv[p] = bucket.inverse_denominators[bucket.point_index((*job.points)[p])].data();
  }
  const uint32_t* alpha_arrays[4] = {alpha_powers.prescaled[0].data(), alpha_powers.prescaled[1].data(),
                                     alpha_powers.prescaled[2].data(), alpha_powers.prescaled[3].data()};
  const size_t rows = job.lde.height;
  Ext4* ro = bucket.reduced_opening.data();
  parallel_for_chunks(rows, 256, [&](size_t b, size_t e) {
    constexpr size_t kBlock = 64;
    uint32_t combos[4 * kBlock];
    for (size_t s = b; s < e; s += kBlock) {
      const size_t cnt = std::min(kBlock, e - s);
      fri_detail::row_combinations(job.lde.data + s * w, w, cnt, w, alpha_arrays, combos);
      for (size_t i = 0; i < cnt; ++i) {
        const Ext4 row_combo(Fp::from_mont(combos[4 * i]), Fp::from_mont(combos[4 * i + 1]),
                             Fp::from_mont(combos[4 * i + 2]), Fp::from_mont(combos[4 * i + 3]));
        const size_t r = s + i;
        Ext4 acc;
        for (size_t p = 0; p < num_points; ++p)
          acc += coef[p] * ((combined_claims[p] - row_combo) * inv[p][r]);
        ro[r] += acc;
      }
    }
  });
}

// f'[i] = (f[2i] + f[2i+1])/2 + β·(f[2i] − f[2i+1])/(2x),  x = ω_{log 2m}^{rev_{log m}(i)}.
std::vector<Ext4> fold_codeword(const std::vector<Ext4>& f, const Ext4& beta) {
  const size_t m = f.size() / 2;
  const uint32_t log_m = log2_exact(m);
  const Fp half = Fp::one().halve();
  // ω^{-j}/2 for j < m (natural), read at rev(i): 1/(2x) for pair i.
  const std::vector<Fp> half_inv_powers =
      fri_detail::geometric_powers(half, two_adic_generator(log_m + 1).inverse(), m);
  std::vector<Ext4> out(m);
  parallel_for_chunks(m, 4096, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      const Ext4& lo = f[2 * i];
      const Ext4& hi = f[2 * i + 1];
      const Fp inv_2x = half_inv_powers[fri_detail::reverse_low_bits(uint32_t(i), log_m)];
      out[i] = (lo + hi) * half + beta * ((lo - hi) * inv_2x);
    }
  });
  return out;
}

}  // namespace

std::pair<OpenedValues, FriProof> pcs_open(const FriParameters& params,
                                           const std::vector<PcsOpenRound>& rounds, Challenger& challenger) {
  params.validate();
  const uint32_t b = params.log_blowup;
  const uint32_t lfp = params.log_final_poly_len;
  if (rounds.empty()) throw InputError("pcs_open: at least one round is required");

  // ---- shapes and buckets ------------------------------------------------------------------
  std::vector<MatrixJob> jobs;
  std::array<std::unique_ptr<Bucket>, kMaxLog + 1> buckets;
  uint32_t lgmh = 0;
  size_t max_width = 0;
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    const PcsCommitted* c = rounds[ri].committed;
    if (c == nullptr) throw InputError("pcs_open: round " + std::to_string(ri) + " has no commitment");
    if (c->log_blowup() != b)
      throw InputError("pcs_open: round " + std::to_string(ri) + " was committed with log_blowup " +
                       std::to_string(c->log_blowup()) + ", parameters say " + std::to_string(b));
    if (rounds[ri].points.size() != c->num_matrices())
      throw InputError("pcs_open: round " + std::to_string(ri) + " has " + std::to_string(c->num_matrices()) +
                       " matrices but " + std::to_string(rounds[ri].points.size()) + " point lists");
    for (size_t mi = 0; mi < c->num_matrices(); ++mi) {
      MatrixJob job;
      job.round = ri;
      job.index = mi;
      job.lde = c->lde(mi);
      job.log_trace_height = c->log_trace_height(mi);
      job.log_lde_height = job.log_trace_height + b;
      job.points = &rounds[ri].points[mi];
      if (job.points->empty()) throw InputError("pcs_open: " + where(ri, mi) + " has no opening point");
      if (job.log_lde_height < b + lfp)
        throw InputError("pcs_open: " + where(ri, mi) + ": trace height 2^" +
                         std::to_string(job.log_trace_height) + " is below the final polynomial length 2^" +
                         std::to_string(lfp));
      lgmh = std::max(lgmh, job.log_lde_height);
      max_width = std::max(max_width, job.lde.width);
      auto& bucket = buckets[job.log_lde_height];
      if (!bucket) {
        bucket = std::make_unique<Bucket>();
        bucket->log_height = job.log_lde_height;
      }
      for (const Ext4& z : *job.points)
        if (bucket->point_index(z) == SIZE_MAX) bucket->zs.push_back(z);
      jobs.push_back(job);
    }
  }

  // ---- 1/(z − x) per bucket and distinct point -----------------------------------------------
  std::optional<PhaseScope> phase(std::in_place, "open.evaluate");
  for (auto& bucket : buckets) {
    if (!bucket) continue;
    bucket->points_bitrev = fri_detail::coset_points_bitrev(bucket->log_height);
    const size_t n = bucket->points_bitrev.size();
    for (const Ext4& z : bucket->zs) {
      std::vector<Ext4> den(n);
      parallel_for_chunks(n, 4096, [&](size_t lo, size_t hi) {
        for (size_t r = lo; r < hi; ++r) den[r] = z - bucket->points_bitrev[r];
      });
      if (!fri_detail::ext_batch_inverse(den))
        throw InputError("pcs_open: an opening point lies on the LDE coset g·H_{2^" +
                         std::to_string(bucket->log_height) + "} (zero denominator z − x)");
      bucket->inverse_denominators.push_back(std::move(den));
    }
  }

  // ---- opened values, observed round → matrix → point → column --------------------------------
  OpenedValues opened(rounds.size());
  for (size_t ri = 0; ri < rounds.size(); ++ri) opened[ri].resize(rounds[ri].committed->num_matrices());
  for (const MatrixJob& job : jobs) {
    opened[job.round][job.index] = evaluate_matrix(job, *buckets[job.log_lde_height]);
    for (const auto& at_point : opened[job.round][job.index])
      for (const Ext4& y : at_point) challenger.observe_ext(y);
  }
  const Ext4 alpha = challenger.sample_ext();

  // ---- reduced openings ----------------------------------------------------------------------
  const AlphaPowers alpha_powers(alpha, max_width);
  std::array<uint64_t, kMaxLog + 1> exponent{};  // running α-exponent of each bucket
  for (const MatrixJob& job : jobs) {
    Bucket& bucket = *buckets[job.log_lde_height];
    if (bucket.reduced_opening.empty()) bucket.reduced_opening.assign(size_t(1) << bucket.log_height, Ext4());
    accumulate_reduced_opening(job, opened[job.round][job.index], alpha_powers,
                               alpha.pow(exponent[job.log_lde_height]), alpha, bucket);
    exponent[job.log_lde_height] += uint64_t(job.points->size()) * job.lde.width;
  }
  for (auto& bucket : buckets)
    if (bucket) {
      bucket->points_bitrev = {};
      bucket->inverse_denominators = {};
    }

  // ---- commit phase --------------------------------------------------------------------------
  phase.emplace("open.fri_fold");
  FriProof proof;
  const uint32_t num_rounds = lgmh - b - lfp;
  std::vector<std::unique_ptr<MerkleTree>> fold_trees;
  std::vector<Ext4> f = std::move(buckets[lgmh]->reduced_opening);
  for (uint32_t rnd = 0; rnd < num_rounds; ++rnd) {
    const size_t m = f.size() / 2;
    RowMajorMatrix pairs(m, 8);
    parallel_for_chunks(2 * m, 4096, [&](size_t lo, size_t hi) {
      for (size_t i = lo; i < hi; ++i) f[i].to_canonical(pairs.values.data() + 4 * i);
    });
    std::vector<RowMajorMatrix> leaves;
    leaves.push_back(std::move(pairs));
    auto tree = std::make_unique<MerkleTree>(std::move(leaves));
    proof.commit_phase_commits.push_back(tree->root());
    challenger.observe_digest(tree->root());
    proof.commit_pow_witnesses.push_back(challenger.grind(params.commit_proof_of_work_bits));
    const Ext4 beta = challenger.sample_ext();
    f = fold_codeword(f, beta);
    const uint32_t log_m = log2_exact(m);
    if (buckets[log_m]) {
      const Ext4 beta_sq = beta.square();
      const std::vector<Ext4>& ro = buckets[log_m]->reduced_opening;
      parallel_for_chunks(m, 4096, [&](size_t lo, size_t hi) {
        for (size_t i = lo; i < hi; ++i) f[i] += beta_sq * ro[i];
      });
      buckets[log_m]->reduced_opening = {};
    }
    fold_trees.push_back(std::move(tree));
  }

  // ---- final polynomial: the first 2^lfp entries are H_{2^lfp} in bit-reversed order ----------
  const size_t final_len = size_t(1) << lfp;
  RowMajorMatrix final_evals(final_len, 4);
  for (size_t i = 0; i < final_len; ++i)
    f[fri_detail::reverse_low_bits(uint32_t(i), lfp)].to_canonical(final_evals.row(i));
  if (final_len > 1) ntt_batch(final_evals.view(), /*inverse=*/true);
  for (size_t i = 0; i < final_len; ++i) {
    proof.final_poly.push_back(fri_detail::ext_from_words(final_evals.row(i)));
    challenger.observe_ext(proof.final_poly.back());
  }

  // ---- query phase ---------------------------------------------------------------------------
  phase.emplace("open.queries");
  proof.query_pow_witness = challenger.grind(params.query_proof_of_work_bits);
  std::vector<uint32_t> indices(params.num_queries);
  for (auto& idx : indices) idx = challenger.sample_bits(lgmh);
  proof.query_proofs.resize(indices.size());
  parallel_for(indices.size(), 4, [&](size_t q) {
    const uint32_t idx = indices[q];
    FriQueryProof& qp = proof.query_proofs[q];
    qp.input_proof.reserve(rounds.size());
    for (const PcsOpenRound& round : rounds) {
      const MerkleTree& tree = round.committed->tree();
      MerkleOpening o = tree.open(idx >> (lgmh - tree.log_height()));
      qp.input_proof.push_back(FriInputOpening{std::move(o.rows), std::move(o.siblings)});
    }
    qp.commit_phase_openings.reserve(num_rounds);
    for (uint32_t rnd = 0; rnd < num_rounds; ++rnd) {
      const size_t j = idx >> rnd;
      const MerkleTree& tree = *fold_trees[rnd];
      const uint32_t* pair = tree.matrix(0).row(j >> 1);
      FriCommitPhaseOpening co;
      co.sibling_value = fri_detail::ext_from_words(pair + 4 * ((j & 1) ^ 1));
      co.siblings = tree.open(j >> 1).siblings;
      qp.commit_phase_openings.push_back(std::move(co));
    }
  });
  return {std::move(opened), std::move(proof)};
}

}  // namespace stark
