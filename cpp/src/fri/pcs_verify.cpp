// PCS / FRI verifier (docs/protocol.md §11.1 item 9 and §11.3).
//
// Per query index idx (lgmh bits) the verifier recomputes every reduced opening from the opened
// rows: a matrix of LDE height 2^h sits at x = g·ω_h^{rev_h(idx >> (lgmh − h))} and contributes
//     Σ_p α^{e + p·w} · (Σ_c α^c·y_{p,c} − Σ_c α^c·o_c) / (z_p − x)
// (the claim part Σ_c α^c·y_{p,c} is the same for every query and is computed once). It then
// walks the fold chain from the largest bucket, checking each pair against its fold commitment,
// rolling in smaller buckets with β², and compares the result with the final polynomial at
// ω_{b+lfp}^{rev(idx >> R)}. All sizes come from the verifier's data (the shape pass runs first);
// nothing from the proof sizes a loop before it has been checked.
//
// Cost (193 queries on a 2632-wide trace): almost all of it is Poseidon2, so the queries are
// never hashed one state at a time. Phase 1 hashes the opened rows of every query (index- and
// challenge-independent, the bulk of the work) in batches across queries on the thread pool,
// while one task replays the sequential transcript up to the query indices. Phase 2 checks the
// queries in about one chunk per thread: Merkle paths level by level across the chunk
// (verify_merkle_paths), Σ_c α^c·o_c with the row-combination kernel, the fold chains, then the
// fold-pair paths. Every query records its first failed check in the sequential order and the
// smallest failing query is reported, so errors do not depend on the thread count.
#include <algorithm>
#include <array>
#include <exception>
#include <string>

#include "fri_kernels.hpp"
#include "fri_util.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/merkle/merkle_tree.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"

namespace stark {
namespace {

constexpr uint32_t kMaxLog = TWO_ADICITY;

[[noreturn]] void shape_error(const std::string& msg) {
  throw VerificationError(VerifyErrorKind::InvalidProofShape, "FRI proof shape: " + msg);
}
[[noreturn]] void reject(const std::string& msg) {
  throw VerificationError(VerifyErrorKind::InvalidOpeningArgument, "FRI opening rejected: " + msg);
}

bool canonical_ext(const Ext4& e) {
  for (const Fp& c : e.c)
    if (c.mont >= P) return false;
  return true;
}

// Branch-free over the whole array so that it vectorizes (opened rows are thousands wide).
bool all_canonical(const uint32_t* v, size_t n) {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; ++i) bad |= uint32_t(v[i] >= P);
  return bad == 0;
}

bool valid_digests(const std::vector<Digest>& ds, const MerkleHasher& hasher) {
  return std::all_of(ds.begin(), ds.end(), [&](const Digest& d) { return hasher.digest_valid(d); });
}

std::string q_name(size_t q) { return "query " + std::to_string(q); }

}  // namespace

void fri_check_shape(const FriParameters& params, const std::vector<PcsVerifyRound>& rounds,
                     const FriProof& proof, const MerkleHasher& hasher) {
  try {
    params.validate();
  } catch (const InputError& e) {
    shape_error(std::string("invalid FRI parameters: ") + e.what());
  }
  const uint32_t b = params.log_blowup;
  const uint32_t lfp = params.log_final_poly_len;
  if (rounds.empty()) shape_error("no opening rounds");
  uint32_t lgmh = 0;
  std::vector<uint32_t> round_log_max(rounds.size(), 0);
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    const PcsVerifyRound& round = rounds[ri];
    const std::string rn = "round " + std::to_string(ri);
    if (round.matrices.empty()) shape_error(rn + " has no matrix");
    if (!hasher.digest_valid(round.commitment))
      shape_error(rn + " commitment is not " + hasher.digest_description());
    for (size_t mi = 0; mi < round.matrices.size(); ++mi) {
      const PcsVerifyMatrix& mat = round.matrices[mi];
      const std::string mn = rn + ", matrix " + std::to_string(mi);
      if (mat.log_trace_height > kMaxLog - b)
        shape_error(mn + ": log trace height " + std::to_string(mat.log_trace_height) + " + log_blowup " +
                    std::to_string(b) + " exceeds 27");
      if (mat.log_trace_height < lfp)
        shape_error(mn + ": log trace height " + std::to_string(mat.log_trace_height) +
                    " is below log_final_poly_len " + std::to_string(lfp));
      if (mat.width == 0) shape_error(mn + ": width 0");
      if (mat.points.empty()) shape_error(mn + ": no opening point");
      if (mat.values.size() != mat.points.size())
        shape_error(mn + ": " + std::to_string(mat.values.size()) + " opened-value lists for " +
                    std::to_string(mat.points.size()) + " points");
      for (size_t p = 0; p < mat.values.size(); ++p) {
        if (mat.values[p].size() != mat.width)
          shape_error(mn + ", point " + std::to_string(p) + ": " + std::to_string(mat.values[p].size()) +
                      " opened values for width " + std::to_string(mat.width));
        for (const Ext4& y : mat.values[p])
          if (!canonical_ext(y))
            shape_error(mn + ", point " + std::to_string(p) + ": non-canonical opened value");
      }
      const uint32_t h = mat.log_trace_height + b;
      round_log_max[ri] = std::max(round_log_max[ri], h);
      lgmh = std::max(lgmh, h);
    }
  }
  const size_t num_folds = lgmh - b - lfp;  // ≥ 0: every h ≥ b + lfp
  if (proof.commit_phase_commits.size() != num_folds)
    shape_error(std::to_string(proof.commit_phase_commits.size()) + " commit-phase commitments, expected " +
                std::to_string(num_folds));
  if (proof.commit_pow_witnesses.size() != num_folds)
    shape_error(std::to_string(proof.commit_pow_witnesses.size()) + " commit-phase PoW witnesses, expected " +
                std::to_string(num_folds));
  for (size_t i = 0; i < num_folds; ++i) {
    if (!hasher.digest_valid(proof.commit_phase_commits[i]))
      shape_error("commit-phase commitment " + std::to_string(i) + " is not " + hasher.digest_description());
    if (proof.commit_pow_witnesses[i] >= P)
      shape_error("commit-phase PoW witness " + std::to_string(i) + " is not canonical");
  }
  if (proof.final_poly.size() != (size_t(1) << lfp))
    shape_error("final polynomial has " + std::to_string(proof.final_poly.size()) +
                " coefficients, expected " + std::to_string(size_t(1) << lfp));
  for (const Ext4& c : proof.final_poly)
    if (!canonical_ext(c)) shape_error("non-canonical final polynomial coefficient");
  if (proof.query_pow_witness >= P) shape_error("query PoW witness is not canonical");
  if (proof.query_proofs.size() != params.num_queries)
    shape_error(std::to_string(proof.query_proofs.size()) + " query proofs, expected " +
                std::to_string(params.num_queries));
  for (size_t q = 0; q < proof.query_proofs.size(); ++q) {
    const FriQueryProof& qp = proof.query_proofs[q];
    if (qp.input_proof.size() != rounds.size())
      shape_error(q_name(q) + ": " + std::to_string(qp.input_proof.size()) + " input openings, expected " +
                  std::to_string(rounds.size()));
    for (size_t ri = 0; ri < rounds.size(); ++ri) {
      const FriInputOpening& in = qp.input_proof[ri];
      // Names are built only on failure: this loop runs for every query and round.
      auto rn = [&] { return q_name(q) + ", round " + std::to_string(ri); };
      if (in.opened_rows.size() != rounds[ri].matrices.size())
        shape_error(rn() + ": " + std::to_string(in.opened_rows.size()) + " opened rows, expected " +
                    std::to_string(rounds[ri].matrices.size()));
      for (size_t mi = 0; mi < in.opened_rows.size(); ++mi) {
        const auto& row = in.opened_rows[mi];
        if (row.size() != rounds[ri].matrices[mi].width)
          shape_error(rn() + ", matrix " + std::to_string(mi) + ": opened row has " +
                      std::to_string(row.size()) + " elements, expected " +
                      std::to_string(rounds[ri].matrices[mi].width));
        if (!all_canonical(row.data(), row.size()))
          shape_error(rn() + ", matrix " + std::to_string(mi) + ": non-canonical opened element");
      }
      if (in.siblings.size() != round_log_max[ri])
        shape_error(rn() + ": Merkle proof has " + std::to_string(in.siblings.size()) +
                    " siblings, expected " + std::to_string(round_log_max[ri]));
      if (!valid_digests(in.siblings, hasher))
        shape_error(rn() + ": a Merkle sibling is not " + hasher.digest_description());
    }
    if (qp.commit_phase_openings.size() != num_folds)
      shape_error(q_name(q) + ": " + std::to_string(qp.commit_phase_openings.size()) +
                  " commit-phase openings, expected " + std::to_string(num_folds));
    for (size_t rnd = 0; rnd < qp.commit_phase_openings.size(); ++rnd) {
      const FriCommitPhaseOpening& co = qp.commit_phase_openings[rnd];
      auto rn = [&] { return q_name(q) + ", fold round " + std::to_string(rnd); };
      const size_t want = lgmh - 1 - rnd;
      if (co.siblings.size() != want)
        shape_error(rn() + ": Merkle proof has " + std::to_string(co.siblings.size()) +
                    " siblings, expected " + std::to_string(want));
      if (!canonical_ext(co.sibling_value)) shape_error(rn() + ": non-canonical sibling value");
      if (!valid_digests(co.siblings, hasher))
        shape_error(rn() + ": a Merkle sibling is not " + hasher.digest_description());
    }
  }
}

void pcs_verify(const FriParameters& params, const std::vector<PcsVerifyRound>& rounds, const FriProof& proof,
                Challenger& challenger, bool shape_checked, const std::function<void()>& side_work,
                const MerkleHasher& hasher) {
  if (!shape_checked) fri_check_shape(params, rounds, proof, hasher);
  const uint32_t b = params.log_blowup;
  const uint32_t lfp = params.log_final_poly_len;
  const size_t num_queries = proof.query_proofs.size();
  const size_t num_folds = proof.commit_phase_commits.size();

  // ---- shapes (verifier data only) -----------------------------------------------------------
  uint32_t lgmh = 0;
  size_t max_width = 0;
  std::vector<std::vector<size_t>> heights(rounds.size()), widths(rounds.size());
  std::vector<uint32_t> round_log_max(rounds.size(), 0);
  std::vector<size_t> matrix_base(rounds.size() + 1, 0);  // flat index of each round's first matrix
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    for (const PcsVerifyMatrix& mat : rounds[ri].matrices) {
      const uint32_t h = mat.log_trace_height + b;
      heights[ri].push_back(size_t(1) << h);
      widths[ri].push_back(mat.width);
      round_log_max[ri] = std::max(round_log_max[ri], h);
      max_width = std::max(max_width, mat.width);
    }
    lgmh = std::max(lgmh, round_log_max[ri]);
    matrix_base[ri + 1] = matrix_base[ri] + rounds[ri].matrices.size();
  }

  // ---- transcript, overlapped with the index-independent hashing --------------------------------
  // The Merkle leaf (and injection) digests of the opened rows depend on neither the challenges
  // nor the query indices, and they are most of the hashing: they are computed on the pool while
  // one task replays the (inherently sequential) transcript. Opened rows are gathered into one
  // (queries x width) matrix per PCS matrix, which the row-combination kernel reuses below.
  std::vector<std::vector<uint32_t>> gathered(matrix_base.back());
  for (size_t ri = 0; ri < rounds.size(); ++ri)
    for (size_t mi = 0; mi < widths[ri].size(); ++mi)
      gathered[matrix_base[ri] + mi].resize(num_queries * widths[ri][mi]);
  // level_digests[ri][l]: num_queries x 8 digests of the rows at height 2^(round_log_max − l),
  // empty where the round has no matrix of that height.
  std::vector<std::vector<std::vector<uint32_t>>> level_digests(rounds.size());
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    level_digests[ri].resize(round_log_max[ri] + 1);
    for (size_t h : heights[ri])
      level_digests[ri][round_log_max[ri] - log2_exact(h)].resize(num_queries * kDigestElems);
  }
  auto hash_openings = [&](size_t q_begin, size_t q_end) {
    const size_t n = q_end - q_begin;
    std::vector<ConstMatrixView> views;
    std::vector<uint32_t*> outs;
    for (size_t ri = 0; ri < rounds.size(); ++ri) {
      views.clear();
      for (size_t mi = 0; mi < widths[ri].size(); ++mi) {
        const size_t w = widths[ri][mi];
        uint32_t* dst = gathered[matrix_base[ri] + mi].data() + q_begin * w;
        for (size_t q = q_begin; q < q_end; ++q)
          std::copy_n(proof.query_proofs[q].input_proof[ri].opened_rows[mi].data(), w,
                      dst + (q - q_begin) * w);
        views.push_back(ConstMatrixView{dst, n, w});
      }
      outs.clear();
      for (auto& level : level_digests[ri])
        outs.push_back(level.empty() ? nullptr : level.data() + q_begin * kDigestElems);
      hash_opened_levels(heights[ri], views, outs, hasher);
    }
  };

  Ext4 alpha;
  std::vector<Ext4> betas(num_folds);
  std::vector<uint32_t> indices(num_queries);
  std::exception_ptr transcript_error;
  auto replay_transcript = [&] {
    try {
      for (const PcsVerifyRound& round : rounds)
        for (const PcsVerifyMatrix& mat : round.matrices)
          for (const auto& at_point : mat.values)
            for (const Ext4& y : at_point) challenger.observe_ext(y);
      alpha = challenger.sample_ext();
      for (size_t rnd = 0; rnd < num_folds; ++rnd) {
        challenger.observe_digest(proof.commit_phase_commits[rnd]);
        if (!challenger.check_witness(params.commit_proof_of_work_bits, proof.commit_pow_witnesses[rnd]))
          reject("proof-of-work witness of fold round " + std::to_string(rnd) + " is invalid");
        betas[rnd] = challenger.sample_ext();
      }
      for (const Ext4& c : proof.final_poly) challenger.observe_ext(c);
      if (!challenger.check_witness(params.query_proof_of_work_bits, proof.query_pow_witness))
        reject("query proof-of-work witness is invalid");
      // Every query index is sampled here: nothing is observed between them.
      for (uint32_t& idx : indices) idx = challenger.sample_bits(lgmh);
    } catch (...) {
      transcript_error = std::current_exception();
    }
  };
  {
    // Task 0 is the transcript, task 1 the caller's side work; tasks 2..H+1 hash query ranges
    // cut at multiples of 16 openings (two AVX2 groups of 8, what the kernels keep in flight).
    // With one thread everything runs in turn.
    constexpr size_t kQueryGroup = 16;
    const size_t threads = size_t(std::max(1, num_threads()));
    const size_t groups = (num_queries + kQueryGroup - 1) / kQueryGroup;
    const size_t hash_tasks = threads == 1 ? 1 : std::max<size_t>(1, std::min(groups, 4 * threads - 2));
    parallel_for(2 + hash_tasks, 1, [&](size_t task) {
      if (task == 0) return replay_transcript();
      if (task == 1) {
        if (side_work) side_work();
        return;
      }
      const size_t t = task - 2;
      const size_t qb = std::min(num_queries, (groups * t / hash_tasks) * kQueryGroup);
      const size_t qe = std::min(num_queries, (groups * (t + 1) / hash_tasks) * kQueryGroup);
      if (qb < qe) hash_openings(qb, qe);
    });
  }
  if (transcript_error) std::rethrow_exception(transcript_error);

  // ---- query-independent data -----------------------------------------------------------------
  std::vector<Ext4> alpha_pow(max_width);
  {
    Ext4 cur = Ext4::one();
    for (auto& a : alpha_pow) {
      a = cur;
      cur *= alpha;
    }
  }
  // α^c per extension coefficient, pre-scaled for the row-combination kernel (which computes
  // Σ_c α^c·o_c for the opened rows of a whole batch of queries at once).
  std::array<std::vector<uint32_t>, 4> alpha_scaled;
  for (size_t e = 0; e < 4; ++e) {
    alpha_scaled[e].assign(max_width + fri_detail::kAlphaPadding, 0);
    for (size_t c = 0; c < max_width; ++c) alpha_scaled[e][c] = fri_detail::prescale(alpha_pow[c].c[e]);
  }
  const uint32_t* const alpha_cols[4] = {alpha_scaled[0].data(), alpha_scaled[1].data(),
                                         alpha_scaled[2].data(), alpha_scaled[3].data()};
  struct MatrixClaims {
    uint32_t log_height;
    std::vector<Ext4> coef;          // α^{e + p·w} per point
    std::vector<Ext4> claim_combos;  // Σ_c α^c·y_{p,c} per point
  };
  std::vector<std::vector<MatrixClaims>> claims(rounds.size());
  std::array<uint64_t, kMaxLog + 1> exponent{};
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    for (const PcsVerifyMatrix& mat : rounds[ri].matrices) {
      MatrixClaims mc;
      mc.log_height = mat.log_trace_height + b;
      Ext4 cur = alpha.pow(exponent[mc.log_height]);
      const Ext4 alpha_w = alpha.pow(mat.width);
      for (const auto& at_point : mat.values) {
        mc.coef.push_back(cur);
        cur *= alpha_w;
        Ext4 s;
        for (size_t c = 0; c < mat.width; ++c) s += alpha_pow[c] * at_point[c];
        mc.claim_combos.push_back(s);
      }
      exponent[mc.log_height] += uint64_t(mat.points.size()) * mat.width;
      claims[ri].push_back(std::move(mc));
    }
  }
  const Fp half = Fp::one().halve();
  const uint32_t log_final_domain = b + lfp;

  // ---- queries --------------------------------------------------------------------------------
  // The queries are checked in parallel chunks; within a chunk the Merkle paths of all its queries
  // are compressed together, level by level, in the batched SIMD kernels. Each query records its
  // first failure in the sequential check order, and the failure of the smallest query index is
  // reported, so the error does not depend on the thread count.
  std::vector<std::string> errors(num_queries);
  std::vector<uint8_t> failed(num_queries, 0);

  auto check_queries = [&](size_t q_begin, size_t q_end) {
    const size_t n = q_end - q_begin;
    auto fail = [&](size_t k, const std::string& msg) {
      const size_t q = q_begin + k;
      failed[q] = 1;
      errors[q] = q_name(q) + " (index " + std::to_string(indices[q]) + "): " + msg;
    };
    std::vector<size_t> merkle_index(n);
    std::vector<const Digest*> merkle_siblings(n);
    std::vector<const uint32_t*> levels;

    // Input rounds: Merkle paths (ok per round and query) and the row combinations Σ_c α^c·o_c
    // (Montgomery words, 4 per query, per matrix in flat order).
    std::vector<uint8_t> input_ok(rounds.size() * n);
    std::vector<uint32_t> row_combos(matrix_base.back() * n * 4);
    for (size_t ri = 0; ri < rounds.size(); ++ri) {
      levels.clear();
      for (const auto& level : level_digests[ri])
        levels.push_back(level.empty() ? nullptr : level.data() + q_begin * kDigestElems);
      for (size_t k = 0; k < n; ++k) {
        merkle_index[k] = indices[q_begin + k] >> (lgmh - round_log_max[ri]);
        merkle_siblings[k] = proof.query_proofs[q_begin + k].input_proof[ri].siblings.data();
      }
      verify_merkle_paths(rounds[ri].commitment, levels, merkle_index, merkle_siblings,
                          input_ok.data() + ri * n, hasher);
      for (size_t mi = 0; mi < widths[ri].size(); ++mi) {
        const size_t w = widths[ri][mi];
        const size_t flat = matrix_base[ri] + mi;
        fri_detail::row_combinations(gathered[flat].data() + q_begin * w, w, n, w, alpha_cols,
                                     row_combos.data() + flat * n * 4);
      }
    }

    // Reduced openings and the fold chain per query. The fold pairs (n x 8 per fold round) are
    // Merkle-checked in batches afterwards; a query's fold values do not depend on those checks.
    std::vector<uint32_t> fold_pairs(num_folds * n * 8, 0);
    std::vector<std::string> late_error(n);  // unconsumed bucket / final polynomial
    std::vector<uint8_t> late_failed(n, 0);
    for (size_t k = 0; k < n; ++k) {
      const FriQueryProof& qp = proof.query_proofs[q_begin + k];
      const uint32_t idx = indices[q_begin + k];
      std::array<Ext4, kMaxLog + 1> ro{};
      std::array<bool, kMaxLog + 1> present{}, consumed{};
      bool ok = true;
      for (size_t ri = 0; ri < rounds.size() && ok; ++ri) {
        if (!input_ok[ri * n + k]) {
          fail(k, "opening of round " + std::to_string(ri) +
                      " does not match its commitment: recomputed root does not match the commitment");
          ok = false;
          break;
        }
        for (size_t mi = 0; mi < rounds[ri].matrices.size() && ok; ++mi) {
          const PcsVerifyMatrix& mat = rounds[ri].matrices[mi];
          const MatrixClaims& mc = claims[ri][mi];
          const uint32_t h = mc.log_height;
          const uint32_t pos = fri_detail::reverse_low_bits(idx >> (lgmh - h), h);
          const Fp x = generator() * two_adic_generator(h).pow(pos);
          const uint32_t* rc = row_combos.data() + ((matrix_base[ri] + mi) * n + k) * 4;
          const Ext4 row_combo(Fp::from_mont(rc[0]), Fp::from_mont(rc[1]), Fp::from_mont(rc[2]),
                               Fp::from_mont(rc[3]));
          for (size_t p = 0; p < mat.points.size(); ++p) {
            const Ext4 den = mat.points[p] - x;
            if (den.is_zero()) {
              fail(k, "round " + std::to_string(ri) + ", matrix " + std::to_string(mi) + ", point " +
                          std::to_string(p) + " equals the queried domain point (zero denominator)");
              ok = false;
              break;
            }
            ro[h] += mc.coef[p] * ((mc.claim_combos[p] - row_combo) * den.inverse());
          }
          present[h] = true;
        }
        // A height-1 trace is constant: its quotients (y − P(x))/(z − x) must all vanish (P6).
        if (ok && present[b] && !ro[b].is_zero()) {
          fail(k, "reduced opening of the height-1 bucket is non-zero after round " + std::to_string(ri));
          ok = false;
        }
      }
      if (!ok) continue;
      if (!present[lgmh]) {
        fail(k, "no reduced opening at the largest height");
        continue;
      }
      Ext4 v = ro[lgmh];
      consumed[lgmh] = true;
      size_t j = idx;
      for (size_t rnd = 0; rnd < num_folds; ++rnd) {
        const uint32_t lh = lgmh - 1 - uint32_t(rnd);
        const FriCommitPhaseOpening& co = qp.commit_phase_openings[rnd];
        const Ext4 e0 = (j & 1) == 0 ? v : co.sibling_value;
        const Ext4 e1 = (j & 1) == 0 ? co.sibling_value : v;
        uint32_t* pair = fold_pairs.data() + (rnd * n + k) * 8;
        e0.to_canonical(pair);
        e1.to_canonical(pair + 4);
        j >>= 1;
        const Fp x = two_adic_generator(lh + 1).pow(fri_detail::reverse_low_bits(uint32_t(j), lh));
        v = (e0 + e1) * half + betas[rnd] * ((e0 - e1) * (x + x).inverse());
        if (present[lh]) {
          v += betas[rnd].square() * ro[lh];
          consumed[lh] = true;
        }
      }
      for (uint32_t h = 0; h <= kMaxLog && !late_failed[k]; ++h) {
        if (present[h] && !consumed[h]) {
          late_failed[k] = 1;
          late_error[k] = "reduced opening of LDE height 2^" + std::to_string(h) + " was never folded in";
        }
      }
      if (late_failed[k]) continue;
      const Fp x_final = two_adic_generator(log_final_domain)
                             .pow(fri_detail::reverse_low_bits(uint32_t(j), log_final_domain));
      Ext4 eval;
      for (size_t i = proof.final_poly.size(); i-- > 0;) eval = eval * x_final + proof.final_poly[i];
      if (eval != v) {
        late_failed[k] = 1;
        late_error[k] = "folded value does not match the final polynomial";
      }
    }

    // Fold rounds: batched Merkle checks, then each query's first failure in sequential order.
    std::vector<uint8_t> fold_ok(num_folds * n);
    std::vector<uint32_t> leaf_digests(n * kDigestElems);
    for (size_t rnd = 0; rnd < num_folds; ++rnd) {
      const ConstMatrixView pairs{fold_pairs.data() + rnd * n * 8, n, 8};
      hasher.hash_rows({pairs}, leaf_digests.data());
      const uint32_t lh = lgmh - 1 - uint32_t(rnd);
      levels.assign(lh + 1, nullptr);
      levels[0] = leaf_digests.data();
      for (size_t k = 0; k < n; ++k) {
        merkle_index[k] = indices[q_begin + k] >> (rnd + 1);
        merkle_siblings[k] = proof.query_proofs[q_begin + k].commit_phase_openings[rnd].siblings.data();
      }
      verify_merkle_paths(proof.commit_phase_commits[rnd], levels, merkle_index, merkle_siblings,
                          fold_ok.data() + rnd * n, hasher);
    }
    for (size_t k = 0; k < n; ++k) {
      if (failed[q_begin + k]) continue;
      bool fold_failed = false;
      for (size_t rnd = 0; rnd < num_folds; ++rnd) {
        if (!fold_ok[rnd * n + k]) {
          fail(k, "fold round " + std::to_string(rnd) +
                      " pair does not match its commitment: recomputed root does not match the commitment");
          fold_failed = true;
          break;
        }
      }
      if (!fold_failed && late_failed[k]) fail(k, late_error[k]);
    }
  };
  // About one chunk per thread: batches stay as wide as possible for the vector kernels.
  const size_t threads = size_t(std::max(1, num_threads()));
  parallel_for_chunks(num_queries, std::max<size_t>(1, (num_queries + threads - 1) / threads), check_queries);
  for (size_t q = 0; q < num_queries; ++q)
    if (failed[q]) reject(errors[q]);
}

}  // namespace stark
