// The codeword half of the PCS opening on committed data that stays in an executor's memory
// (host compiler only; the kernels' bodies are fri.cuh's).
//
// PlanFriProver<Exec> is a FriProverBackend (stark/fri/fri_prover.hpp): fri_prove drives the
// transcript on the host and asks it for the opened values, the reduced openings, each fold and
// layer commitment, the final codeword prefix and the query proofs. The LDEs, the 1/(z − x)
// tables, the reduced openings, the codewords and the layer trees live in executor memory; what
// is read back is the opened values (one copy), each layer root, the final prefix and the
// gathered query openings (one copy). It is the CPU backend of cpp/src/fri/pcs_open.cpp in other
// words, so the proofs are the CPU's byte for byte. The CUDA device runs it on CudaExec; the C++
// tests on the host executor (tests/cpp/test_cuda_resident_host.cpp, against pcs_open).
//
// Besides merkle_plan.hpp's, an executor provides (pointers are executor memory):
//   void zero(void* dst, size_t bytes);
//   void powers(uint32_t* out, size_t count, Fp base, Fp scale);          out[i] = scale·base^i
//   void coset_points(uint32_t* out, uint32_t log_h, Fp g, Fp omega);     2^log_h points
//   void inverse_denominators(const uint32_t* points, uint64_t n, Ext4 z, Ext4* inv, uint32_t* flag);
//   void opening_weights(const uint32_t* points, const Ext4* inv, Ext4 scale, uint64_t n, Ext4* w);
//   void weighted_column_sums(const uint32_t* lde, uint64_t width, uint64_t rows, uint64_t chunk_rows,
//                             uint64_t chunks, const Ext4* w, Ext4* partial);
//   void sum_chunks(const Ext4* partial, uint64_t chunks, uint64_t count, Ext4* out);
//   void reduce_rows(const uint32_t* lde, uint64_t width, uint64_t rows, const Ext4* alpha_powers,
//                    const ReduceTerm* terms, uint32_t num_terms, Ext4* ro);
//   void fold(const Ext4* f, Ext4* out, uint64_t m, Ext4 beta, Fp half, const uint32_t* half_inv_powers,
//             uint32_t log_m, const Ext4* roll_in, Ext4 beta_sq);
//   void canonical_words(const Ext4* f, uint64_t count, uint32_t* out);
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fri.cuh"
#include "merkle_plan.hpp"
#include "stark/field/extension.hpp"
#include "stark/fri/fri_prover.hpp"
#include "stark/fri/params.hpp"

namespace stark::cuda {

/// One commitment being opened: its tree (whose matrices are the round's LDEs, in order: matrix m
/// has 2^(log_trace_heights[m] + log_blowup) bit-reversed rows on g·H) and the points per matrix.
template <class Exec>
struct PlanFriRound {
  const PlanMerkleTree<Exec>* tree = nullptr;
  uint32_t log_blowup = 0;
  std::vector<uint32_t> log_trace_heights;
  std::vector<std::vector<Ext4>> points;
};

/// The shapes fri_prove checks, of plan rounds (InputError as pcs_open_shapes').
template <class Exec>
std::vector<FriOpenRound> plan_open_shapes(const std::vector<PlanFriRound<Exec>>& rounds) {
  std::vector<FriOpenRound> shapes;
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    const PlanFriRound<Exec>& r = rounds[ri];
    if (r.tree == nullptr) throw InputError("pcs_open: round " + std::to_string(ri) + " has no commitment");
    const size_t count = r.tree->num_matrices();
    if (r.points.size() != count || r.log_trace_heights.size() != count)
      throw InputError("pcs_open: round " + std::to_string(ri) + " has " + std::to_string(count) +
                       " matrices but " + std::to_string(r.points.size()) + " point lists");
    FriOpenRound shape{r.log_blowup, {}};
    for (size_t mi = 0; mi < count; ++mi) {
      const MatrixRef& lde = r.tree->matrix(mi);
      if (lde.height != (size_t(1) << (r.log_trace_heights[mi] + r.log_blowup)))
        throw InputError("pcs_open: round " + std::to_string(ri) + " matrix " + std::to_string(mi) + " has " +
                         std::to_string(lde.height) + " LDE rows, expected 2^" +
                         std::to_string(r.log_trace_heights[mi] + r.log_blowup));
      shape.matrices.push_back(FriOpenMatrix{r.log_trace_heights[mi], lde.width, r.points[mi]});
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

template <class Exec>
class PlanFriProver final : public FriProverBackend {
  template <class T>
  using Buffer = typename Exec::template Buffer<T>;

 public:
  /// Checks the shapes like fri_prove (InputError). `ex` and the rounds' trees outlive the prover.
  PlanFriProver(Exec& ex, const FriParameters& params, std::vector<PlanFriRound<Exec>> rounds)
      : ex_(ex), rounds_(std::move(rounds)) {
    const std::vector<FriOpenRound> shapes = plan_open_shapes(rounds_);
    lgmh_ = fri_check_open_shapes(params, shapes);
    for (size_t ri = 0; ri < rounds_.size(); ++ri)
      for (size_t mi = 0; mi < shapes[ri].matrices.size(); ++mi) {
        Job job{ri,
                mi,
                rounds_[ri].tree->matrix(mi),
                shapes[ri].matrices[mi].log_trace_height,
                shapes[ri].matrices[mi].log_trace_height + params.log_blowup,
                &rounds_[ri].points[mi]};
        max_width_ = std::max(max_width_, job.lde.width);
        Bucket& b = buckets_[job.log_lde_height];
        b.used = true;
        for (const Ext4& z : *job.points)
          if (b.point_index(z) == SIZE_MAX) b.zs.push_back(z);
        jobs_.push_back(job);
      }
  }

  OpenedValues open_values() override {
    // 1/(z − x) per bucket and distinct point; one zero flag per bucket, read back once.
    auto flags = ex_.template alloc<uint32_t>(buckets_.size(), "pcs_open zero flags");
    ex_.zero(flags.data(), flags.bytes());
    for (uint32_t h = 0; h < buckets_.size(); ++h) {
      Bucket& b = buckets_[h];
      if (!b.used) continue;
      const uint64_t rows = uint64_t(1) << h;
      b.points = ex_.template alloc<uint32_t>(rows, "pcs_open LDE points");
      ex_.coset_points(b.points.data(), h, generator(), two_adic_generator(h));
      for (const Ext4& z : b.zs) {
        b.inverse_denominators.push_back(ex_.template alloc<Ext4>(rows, "pcs_open 1/(z - x)"));
        ex_.inverse_denominators(b.points.data(), rows, z, b.inverse_denominators.back().data(),
                                 flags.data() + h);
      }
    }
    std::vector<uint32_t> flag_host(buckets_.size());
    ex_.download(flag_host.data(), flags.data(), flags.bytes());
    for (uint32_t h = 0; h < buckets_.size(); ++h)
      if (flag_host[h] != 0)
        throw InputError("pcs_open: an opening point lies on the LDE coset g·H_{2^" + std::to_string(h) +
                         "} (zero denominator z − x)");

    // Every matrix at every point: weights, per-chunk column sums, then the chunk sums into one
    // buffer of all the values, read back with one copy.
    uint64_t total = 0, max_rows = 0, max_partial = 0;
    for (const Job& job : jobs_) {
      const uint64_t n = uint64_t(1) << job.log_trace_height;
      total += job.points->size() * job.lde.width;
      max_rows = std::max(max_rows, n);
      max_partial = std::max(max_partial, chunk_count(n, job.lde.width) * job.lde.width);
    }
    auto weights = ex_.template alloc<Ext4>(max_rows, "pcs_open weights");
    auto partial = ex_.template alloc<Ext4>(max_partial, "pcs_open partial sums");
    auto values = ex_.template alloc<Ext4>(total, "pcs_open opened values");
    uint64_t at = 0;
    for (const Job& job : jobs_) {
      const Bucket& b = buckets_[job.log_lde_height];
      const uint64_t n = uint64_t(1) << job.log_trace_height, w = job.lde.width;
      const uint64_t chunks = chunk_count(n, w), chunk_rows = (n + chunks - 1) / chunks;
      const Fp g_n = generator().pow(n);
      const Fp inv_norm = (Fp::from_u64(n) * g_n).inverse();
      for (const Ext4& z : *job.points) {
        const Ext4 scale = (z.pow(n) - g_n) * inv_norm;
        ex_.opening_weights(b.points.data(), b.inverse_denominators[b.point_index(z)].data(), scale, n,
                            weights.data());
        ex_.weighted_column_sums(job.lde.data, w, n, chunk_rows, chunks, weights.data(), partial.data());
        ex_.sum_chunks(partial.data(), chunks, w, values.data() + at);
        at += w;
      }
    }
    std::vector<Ext4> host(total);
    if (total != 0) ex_.download(host.data(), values.data(), total * sizeof(Ext4));
    opened_.assign(rounds_.size(), {});
    for (size_t ri = 0; ri < rounds_.size(); ++ri) opened_[ri].resize(rounds_[ri].tree->num_matrices());
    at = 0;
    for (const Job& job : jobs_) {
      auto& v = opened_[job.round][job.index];
      for (size_t p = 0; p < job.points->size(); ++p, at += job.lde.width)
        v.emplace_back(host.begin() + at, host.begin() + at + job.lde.width);
    }
    return opened_;
  }

  void reduce(const Ext4& alpha) override {
    std::vector<Ext4> powers(max_width_);
    Ext4 cur = Ext4::one();
    for (Ext4& p : powers) {
      p = cur;
      cur *= alpha;
    }
    const auto alpha_powers = upload_vector(ex_, powers, "pcs_open alpha powers");
    std::array<uint64_t, TWO_ADICITY + 1> exponent{};  // running α-exponent of each bucket
    for (const Job& job : jobs_) {
      Bucket& b = buckets_[job.log_lde_height];
      const uint64_t rows = uint64_t(1) << job.log_lde_height, w = job.lde.width;
      if (b.reduced_opening.size() == 0) {
        b.reduced_opening = ex_.template alloc<Ext4>(rows, "pcs_open reduced opening");
        ex_.zero(b.reduced_opening.data(), b.reduced_opening.bytes());
      }
      const Ext4 alpha_w = alpha.pow(w);
      Ext4 coef = alpha.pow(exponent[job.log_lde_height]);
      std::vector<kernels::ReduceTerm> terms;
      const auto& values = opened_[job.round][job.index];
      for (size_t p = 0; p < job.points->size(); ++p) {
        Ext4 claim;
        for (size_t c = 0; c < w; ++c) claim += powers[c] * values[p][c];
        terms.push_back({coef, claim, b.inverse_denominators[b.point_index((*job.points)[p])].data()});
        coef *= alpha_w;
      }
      const auto table = upload_vector(ex_, terms, "pcs_open reduce terms");
      ex_.reduce_rows(job.lde.data, w, rows, alpha_powers.data(), table.data(), uint32_t(terms.size()),
                      b.reduced_opening.data());
      exponent[job.log_lde_height] += uint64_t(job.points->size()) * w;
    }
    for (Bucket& b : buckets_) {
      b.points = Buffer<uint32_t>();
      b.inverse_denominators.clear();
    }
    opened_ = {};
    f_ = std::move(buckets_[lgmh_].reduced_opening);
    f_len_ = uint64_t(1) << lgmh_;
  }

  Digest commit_layer() override {
    const uint64_t m = f_len_ / 2;
    Layer layer;
    layer.pairs = ex_.template alloc<uint32_t>(8 * m, "fri layer leaves");
    ex_.canonical_words(f_.data(), 2 * m, layer.pairs.data());
    layer.tree = std::make_unique<PlanMerkleTree<Exec>>(
        ex_, std::vector<MatrixRef>{MatrixRef{layer.pairs.data(), size_t(m), 8}});
    layers_.push_back(std::move(layer));
    return layers_.back().tree->root();
  }

  void fold(const Ext4& beta) override {
    const uint64_t m = f_len_ / 2;
    const uint32_t log_m = log2_exact(m);
    auto half_inv_powers = ex_.template alloc<uint32_t>(m, "fri fold 1/(2x)");
    const Fp half = Fp::one().halve();
    ex_.powers(half_inv_powers.data(), m, two_adic_generator(log_m + 1).inverse(), half);
    auto out = ex_.template alloc<Ext4>(m, "fri codeword");
    Bucket& roll = buckets_[log_m];
    const Ext4* roll_in = roll.reduced_opening.size() != 0 ? roll.reduced_opening.data() : nullptr;
    ex_.fold(f_.data(), out.data(), m, beta, half, half_inv_powers.data(), log_m, roll_in, beta.square());
    roll.reduced_opening = Buffer<Ext4>();
    f_ = std::move(out);
    f_len_ = m;
  }

  std::vector<Ext4> codeword_prefix(size_t len) override {
    std::vector<Ext4> out(std::min<uint64_t>(len, f_len_));
    if (!out.empty()) ex_.download(out.data(), f_.data(), out.size() * sizeof(Ext4));
    return out;
  }

  std::vector<FriQueryProof> query_proofs(const std::vector<uint32_t>& indices) override {
    std::vector<kernels::GatherSpan> spans;
    uint64_t at = 0;
    for (uint32_t idx : indices) {
      for (const PlanFriRound<Exec>& round : rounds_)
        round.tree->opening_spans(idx >> (lgmh_ - round.tree->log_height()), spans, at);
      for (size_t rnd = 0; rnd < layers_.size(); ++rnd) {
        const size_t j = size_t(idx) >> rnd;
        spans.push_back({layers_[rnd].pairs.data() + 8 * (j >> 1) + 4 * ((j & 1) ^ 1), 4, at});
        at += 4;
        layers_[rnd].tree->sibling_spans(j >> 1, spans, at);
      }
    }
    const std::vector<uint32_t> words = gather_to_host(ex_, spans, at, "fri query openings");
    std::vector<FriQueryProof> proofs(indices.size());
    const uint32_t* p = words.data();
    for (FriQueryProof& qp : proofs) {
      for (const PlanFriRound<Exec>& round : rounds_) {
        MerkleOpening o = round.tree->unpack_opening(p);
        p += round.tree->opening_words();
        qp.input_proof.push_back(FriInputOpening{std::move(o.rows), std::move(o.siblings)});
      }
      for (const Layer& layer : layers_) {
        FriCommitPhaseOpening co;
        co.sibling_value = Ext4::from_canonical(p);
        p += 4;
        co.siblings = layer.tree->unpack_siblings(p);
        p += 8 * layer.tree->log_height();
        qp.commit_phase_openings.push_back(std::move(co));
      }
    }
    return proofs;
  }

 private:
  struct Job {
    size_t round = 0, index = 0;
    MatrixRef lde;
    uint32_t log_trace_height = 0, log_lde_height = 0;
    const std::vector<Ext4>* points = nullptr;
  };
  struct Bucket {
    bool used = false;
    std::vector<Ext4> zs;
    Buffer<uint32_t> points;
    std::vector<Buffer<Ext4>> inverse_denominators;  // parallel to zs
    Buffer<Ext4> reduced_opening;
    size_t point_index(const Ext4& z) const {
      for (size_t i = 0; i < zs.size(); ++i)
        if (zs[i] == z) return i;
      return SIZE_MAX;
    }
  };
  struct Layer {
    Buffer<uint32_t> pairs;  // m x 8 canonical words: the layer's leaves
    std::unique_ptr<PlanMerkleTree<Exec>> tree;
  };

  /// Row chunks of the column sums for an n-row, w-column matrix: enough threads to fill a GPU
  /// (about 2^17), at least 16 rows each.
  static uint64_t chunk_count(uint64_t n, uint64_t w) {
    const uint64_t want = ((uint64_t(1) << 17) + w - 1) / w;
    return std::max<uint64_t>(1, std::min<uint64_t>(want, n / 16));
  }

  Exec& ex_;
  const std::vector<PlanFriRound<Exec>> rounds_;
  uint32_t lgmh_ = 0;
  size_t max_width_ = 0;
  std::vector<Job> jobs_;
  std::array<Bucket, TWO_ADICITY + 1> buckets_;
  OpenedValues opened_;
  Buffer<Ext4> f_;  // the current FRI codeword
  uint64_t f_len_ = 0;
  std::vector<Layer> layers_;
};

}  // namespace stark::cuda
