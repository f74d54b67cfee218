// The FRI transcript driver (stark/fri/fri_prover.hpp, docs/protocol.md §10).
#include "stark/fri/fri_prover.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "fri_util.hpp"
#include "stark/field/matrix.hpp"
#include "stark/ntt/ntt.hpp"
#include "stark/util/error.hpp"
#include "stark/util/timing.hpp"

namespace stark {

namespace {

std::string where(size_t round, size_t matrix) {
  return "round " + std::to_string(round) + ", matrix " + std::to_string(matrix);
}

// A backend's results are checked against the shapes it was asked for: a device that returns
// the wrong number of values is a device bug, never a malformed proof.
void check_opened_shapes(const std::vector<FriOpenRound>& rounds, const OpenedValues& opened) {
  bool ok = opened.size() == rounds.size();
  for (size_t r = 0; ok && r < rounds.size(); ++r) {
    ok = opened[r].size() == rounds[r].matrices.size();
    for (size_t m = 0; ok && m < rounds[r].matrices.size(); ++m) {
      const FriOpenMatrix& mat = rounds[r].matrices[m];
      ok = opened[r][m].size() == mat.points.size();
      for (size_t p = 0; ok && p < mat.points.size(); ++p) ok = opened[r][m][p].size() == mat.width;
    }
  }
  if (!ok) throw DeviceError("pcs_open: the device returned opened values of the wrong shape");
}

}  // namespace

uint32_t fri_check_open_shapes(const FriParameters& params, const std::vector<FriOpenRound>& rounds) {
  params.validate();
  const uint32_t b = params.log_blowup;
  const uint32_t lfp = params.log_final_poly_len;
  if (rounds.empty()) throw InputError("pcs_open: at least one round is required");
  uint32_t lgmh = 0;
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    const FriOpenRound& round = rounds[ri];
    if (round.log_blowup != b)
      throw InputError("pcs_open: round " + std::to_string(ri) + " was committed with log_blowup " +
                       std::to_string(round.log_blowup) + ", parameters say " + std::to_string(b));
    if (round.matrices.empty()) throw InputError("pcs_open: round " + std::to_string(ri) + " has no matrix");
    for (size_t mi = 0; mi < round.matrices.size(); ++mi) {
      const FriOpenMatrix& m = round.matrices[mi];
      if (m.points.empty()) throw InputError("pcs_open: " + where(ri, mi) + " has no opening point");
      if (m.log_trace_height < lfp)
        throw InputError("pcs_open: " + where(ri, mi) + ": trace height 2^" +
                         std::to_string(m.log_trace_height) + " is below the final polynomial length 2^" +
                         std::to_string(lfp));
      if (m.log_trace_height + b > TWO_ADICITY)
        throw InputError("pcs_open: " + where(ri, mi) + ": LDE height 2^" +
                         std::to_string(m.log_trace_height + b) + " exceeds the two-adicity");
      lgmh = std::max(lgmh, m.log_trace_height + b);
    }
  }
  return lgmh;
}

std::pair<OpenedValues, FriProof> fri_prove(const FriParameters& params,
                                            const std::vector<FriOpenRound>& rounds,
                                            FriProverBackend& backend, Challenger& challenger,
                                            const GrindBackend* grinder) {
  const uint32_t lgmh = fri_check_open_shapes(params, rounds);
  const uint32_t b = params.log_blowup;
  const uint32_t lfp = params.log_final_poly_len;

  // Opened values, observed round → matrix → point → column; then α and the reduced openings.
  std::optional<PhaseScope> phase(std::in_place, "open.evaluate");
  OpenedValues opened = backend.open_values();
  check_opened_shapes(rounds, opened);
  for (const auto& round : opened)
    for (const auto& matrix : round)
      for (const auto& at_point : matrix)
        for (const Ext4& y : at_point) challenger.observe_ext(y);
  const Ext4 alpha = challenger.sample_ext();
  backend.reduce(alpha);

  // Commit phase: each folded codeword's root is observed, its PoW ground, then β sampled.
  phase.emplace("open.fri_fold");
  FriProof proof;
  const uint32_t num_rounds = lgmh - b - lfp;
  for (uint32_t rnd = 0; rnd < num_rounds; ++rnd) {
    const Digest root = backend.commit_layer();
    proof.commit_phase_commits.push_back(root);
    challenger.observe_digest(root);
    proof.commit_pow_witnesses.push_back(challenger.grind(params.commit_proof_of_work_bits, grinder));
    backend.fold(challenger.sample_ext());
  }

  // Final polynomial: the codeword's first 2^lfp entries are H_{2^lfp} in bit-reversed order.
  const size_t final_len = size_t(1) << lfp;
  const std::vector<Ext4> prefix = backend.codeword_prefix(final_len);
  if (prefix.size() != final_len)
    throw DeviceError("pcs_open: the device returned " + std::to_string(prefix.size()) +
                      " final codeword values, expected " + std::to_string(final_len));
  RowMajorMatrix final_evals(final_len, 4);
  for (size_t i = 0; i < final_len; ++i)
    prefix[fri_detail::reverse_low_bits(uint32_t(i), lfp)].to_canonical(final_evals.row(i));
  if (final_len > 1) ntt_batch(final_evals.view(), /*inverse=*/true);
  for (size_t i = 0; i < final_len; ++i) {
    proof.final_poly.push_back(fri_detail::ext_from_words(final_evals.row(i)));
    challenger.observe_ext(proof.final_poly.back());
  }

  // Query phase.
  phase.emplace("open.queries");
  proof.query_pow_witness = challenger.grind(params.query_proof_of_work_bits, grinder);
  std::vector<uint32_t> indices(params.num_queries);
  for (auto& idx : indices) idx = challenger.sample_bits(lgmh);
  proof.query_proofs = backend.query_proofs(indices);
  if (proof.query_proofs.size() != indices.size())
    throw DeviceError("pcs_open: the device returned " + std::to_string(proof.query_proofs.size()) +
                      " query proofs, expected " + std::to_string(indices.size()));
  return {std::move(opened), std::move(proof)};
}

}  // namespace stark
