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
#include "stark/fri/fri_prover.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/ntt/ntt.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "stark/util/timing.hpp"

namespace stark {
using fri_detail::prescale;

namespace {

constexpr uint32_t kMaxLog = TWO_ADICITY;

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

// The CPU's FriProverBackend: codewords in host memory, the kernels above.
class CpuFriProver final : public FriProverBackend {
 public:
  CpuFriProver(std::vector<PcsOpenRound> rounds, uint32_t log_blowup, uint32_t lgmh,
               const MerkleHasher& hasher)
      : rounds_(std::move(rounds)), lgmh_(lgmh), hasher_(hasher) {
    for (size_t ri = 0; ri < rounds_.size(); ++ri) {
      const PcsCommitted* c = rounds_[ri].committed;
      for (size_t mi = 0; mi < c->num_matrices(); ++mi) {
        MatrixJob job;
        job.round = ri;
        job.index = mi;
        job.lde = c->lde(mi);
        job.log_trace_height = c->log_trace_height(mi);
        job.log_lde_height = job.log_trace_height + log_blowup;
        job.points = &rounds_[ri].points[mi];
        max_width_ = std::max(max_width_, job.lde.width);
        auto& bucket = buckets_[job.log_lde_height];
        if (!bucket) {
          bucket = std::make_unique<Bucket>();
          bucket->log_height = job.log_lde_height;
        }
        for (const Ext4& z : *job.points)
          if (bucket->point_index(z) == SIZE_MAX) bucket->zs.push_back(z);
        jobs_.push_back(job);
      }
    }
  }

  OpenedValues open_values() override {
    // 1/(z − x) per bucket and distinct point.
    for (auto& bucket : buckets_) {
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
    opened_.assign(rounds_.size(), {});
    for (size_t ri = 0; ri < rounds_.size(); ++ri) opened_[ri].resize(rounds_[ri].committed->num_matrices());
    for (const MatrixJob& job : jobs_)
      opened_[job.round][job.index] = evaluate_matrix(job, *buckets_[job.log_lde_height]);
    return opened_;
  }

  void reduce(const Ext4& alpha) override {
    const AlphaPowers alpha_powers(alpha, max_width_);
    std::array<uint64_t, kMaxLog + 1> exponent{};  // running α-exponent of each bucket
    for (const MatrixJob& job : jobs_) {
      Bucket& bucket = *buckets_[job.log_lde_height];
      if (bucket.reduced_opening.empty())
        bucket.reduced_opening.assign(size_t(1) << bucket.log_height, Ext4());
      accumulate_reduced_opening(job, opened_[job.round][job.index], alpha_powers,
                                 alpha.pow(exponent[job.log_lde_height]), alpha, bucket);
      exponent[job.log_lde_height] += uint64_t(job.points->size()) * job.lde.width;
    }
    for (auto& bucket : buckets_)
      if (bucket) {
        bucket->points_bitrev = {};
        bucket->inverse_denominators = {};
      }
    opened_ = {};
    f_ = std::move(buckets_[lgmh_]->reduced_opening);
  }

  Digest commit_layer() override {
    const size_t m = f_.size() / 2;
    RowMajorMatrix pairs(m, 8);
    parallel_for_chunks(2 * m, 4096, [&](size_t lo, size_t hi) {
      for (size_t i = lo; i < hi; ++i) f_[i].to_canonical(pairs.values.data() + 4 * i);
    });
    std::vector<RowMajorMatrix> leaves;
    leaves.push_back(std::move(pairs));
    fold_trees_.push_back(std::make_unique<MerkleTree>(std::move(leaves), hasher_));
    return fold_trees_.back()->root();
  }

  void fold(const Ext4& beta) override {
    const size_t m = f_.size() / 2;
    f_ = fold_codeword(f_, beta);
    const uint32_t log_m = log2_exact(m);
    if (buckets_[log_m]) {
      const Ext4 beta_sq = beta.square();
      const std::vector<Ext4>& ro = buckets_[log_m]->reduced_opening;
      parallel_for_chunks(m, 4096, [&](size_t lo, size_t hi) {
        for (size_t i = lo; i < hi; ++i) f_[i] += beta_sq * ro[i];
      });
      buckets_[log_m]->reduced_opening = {};
    }
  }

  std::vector<Ext4> codeword_prefix(size_t len) override {
    return std::vector<Ext4>(f_.begin(), f_.begin() + std::min(len, f_.size()));
  }

  std::vector<FriQueryProof> query_proofs(const std::vector<uint32_t>& indices) override {
    std::vector<FriQueryProof> proofs(indices.size());
    parallel_for(indices.size(), 4, [&](size_t q) {
      const uint32_t idx = indices[q];
      FriQueryProof& qp = proofs[q];
      qp.input_proof.reserve(rounds_.size());
      for (const PcsOpenRound& round : rounds_) {
        const MerkleTree& tree = round.committed->tree();
        MerkleOpening o = tree.open(idx >> (lgmh_ - tree.log_height()));
        qp.input_proof.push_back(FriInputOpening{std::move(o.rows), std::move(o.siblings)});
      }
      qp.commit_phase_openings.reserve(fold_trees_.size());
      for (size_t rnd = 0; rnd < fold_trees_.size(); ++rnd) {
        const size_t j = idx >> rnd;
        const MerkleTree& tree = *fold_trees_[rnd];
        const uint32_t* pair = tree.matrix(0).row(j >> 1);
        FriCommitPhaseOpening co;
        co.sibling_value = fri_detail::ext_from_words(pair + 4 * ((j & 1) ^ 1));
        co.siblings = tree.open(j >> 1).siblings;
        qp.commit_phase_openings.push_back(std::move(co));
      }
    });
    return proofs;
  }

 private:
  const std::vector<PcsOpenRound> rounds_;
  uint32_t lgmh_;
  size_t max_width_ = 0;
  std::vector<MatrixJob> jobs_;
  std::array<std::unique_ptr<Bucket>, kMaxLog + 1> buckets_;
  OpenedValues opened_;
  std::vector<Ext4> f_;  // the current FRI codeword
  std::vector<std::unique_ptr<MerkleTree>> fold_trees_;
  const MerkleHasher& hasher_;  // the commitments' (fold layers are committed the same way)
};

}  // namespace

std::vector<FriOpenRound> pcs_open_shapes(const std::vector<PcsOpenRound>& rounds) {
  std::vector<FriOpenRound> shapes;
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    const PcsCommitted* c = rounds[ri].committed;
    if (c == nullptr) throw InputError("pcs_open: round " + std::to_string(ri) + " has no commitment");
    if (rounds[ri].points.size() != c->num_matrices())
      throw InputError("pcs_open: round " + std::to_string(ri) + " has " + std::to_string(c->num_matrices()) +
                       " matrices but " + std::to_string(rounds[ri].points.size()) + " point lists");
    FriOpenRound shape{c->log_blowup(), {}};
    for (size_t mi = 0; mi < c->num_matrices(); ++mi)
      shape.matrices.push_back(FriOpenMatrix{c->log_trace_height(mi), c->width(mi), rounds[ri].points[mi]});
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

std::pair<OpenedValues, FriProof> pcs_open(const FriParameters& params,
                                           const std::vector<PcsOpenRound>& rounds, Challenger& challenger,
                                           const GrindBackend* grinder, const MerkleHasher& hasher) {
  const std::vector<FriOpenRound> shapes = pcs_open_shapes(rounds);
  const std::unique_ptr<FriProverBackend> backend = cpu_fri_prover(params, rounds, hasher);
  return fri_prove(params, shapes, *backend, challenger, grinder);
}

std::unique_ptr<FriProverBackend> cpu_fri_prover(const FriParameters& params,
                                                 std::vector<PcsOpenRound> rounds,
                                                 const MerkleHasher& hasher) {
  const uint32_t lgmh = fri_check_open_shapes(params, pcs_open_shapes(rounds));
  return std::make_unique<CpuFriProver>(std::move(rounds), params.log_blowup, lgmh, hasher);
}

}  // namespace stark
