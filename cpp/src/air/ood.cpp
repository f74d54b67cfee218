#include "stark/air/ood.hpp"

#include "kinds/kind_api.hpp"
#include "stark/field/matrix.hpp"
#include "stark/util/error.hpp"

namespace stark {
namespace {

[[noreturn]] void shape_error(const std::string& what) {
  throw VerificationError(VerifyErrorKind::InvalidProofShape, "out-of-domain openings: " + what);
}
[[noreturn]] void zero_denominator(const std::string& what) {
  throw VerificationError(VerifyErrorKind::OodEvaluationMismatch,
                          "out-of-domain check: " + what + " is zero");
}

void check_len(size_t got, size_t want, const std::string& what) {
  if (got != want)
    shape_error(what + " has " + std::to_string(got) + " values, expected " + std::to_string(want));
}

}  // namespace

Ext4 folded_constraints_at(const ConstraintSystem& cs, const OodInputs& in, const Ext4& alpha) {
  if (in.log_height > TWO_ADICITY) shape_error("log_height above the two-adicity");
  check_len(in.preprocessed_local.size(), cs.preprocessed_width, "preprocessed local row");
  check_len(in.preprocessed_next.size(), cs.preprocessed_width, "preprocessed next row");
  if (!cs.main_partition_count_matches(in.main_local.size(),
                                       in.main_local.empty() ? 0 : in.main_local.back().size()))
    check_len(in.main_local.size(), cs.num_main_partitions(), "main partitions (local)");
  check_len(in.main_next.size(), in.main_local.size(), "main partitions (next)");
  for (size_t p = 0; p < in.main_local.size(); ++p) {
    check_len(in.main_local[p].size(), cs.main_partition_width(p), "main local row");
    check_len(in.main_next[p].size(), cs.main_partition_width(p), "main next row");
  }
  check_len(in.after_challenge_local.size(), 4 * size_t(cs.after_challenge_width()),
            "after-challenge local row");
  check_len(in.after_challenge_next.size(), 4 * size_t(cs.after_challenge_width()),
            "after-challenge next row");
  check_len(in.public_values.size(), cs.num_public_values, "public values");
  for (uint32_t v : in.public_values)
    if (v >= P) shape_error("public value " + std::to_string(v) + " is not canonical");
  check_len(in.challenges.size(), cs.num_challenges(), "challenges");
  check_len(in.exposed.size(), cs.num_exposed_values(), "exposed values");

  // Every node at ζ (kinds/<kind>.hpp at_point): opened rows at ζ and ζ·ω, the unnormalized
  // selectors of H_n at ζ (docs/protocol.md §5.2), public values, challenges, the exposed values.
  air_detail::PointValues point;
  for (int o = 0; o < 2; ++o) {
    auto& rows = point.rows[o];
    rows.assign(air_detail::kFirstMain + in.main_local.size(), nullptr);
    rows[air_detail::kPreprocessed] = o ? &in.preprocessed_next : &in.preprocessed_local;
    rows[air_detail::kAfterChallenge] = o ? &in.after_challenge_next : &in.after_challenge_local;
    for (size_t p = 0; p < in.main_local.size(); ++p)
      rows[air_detail::kFirstMain + p] = o ? &in.main_next[p] : &in.main_local[p];
  }
  std::vector<Fp> public_values;
  for (uint32_t v : in.public_values) public_values.push_back(Fp::from_canonical(v));
  point.public_values = public_values;
  point.challenges = in.challenges;
  point.exposed = in.exposed;
  point.x = in.zeta;
  point.vanishing = in.zeta.pow(uint64_t(1) << in.log_height) - Fp::one();
  point.omega_inv = two_adic_generator(in.log_height).inverse();
  point.zero_denominator = [](const std::string& what) { zero_denominator(what); };

  std::vector<Ext4> val(cs.nodes.size());
  for (size_t v = 0; v < cs.nodes.size(); ++v) {
    const Node& nd = cs.nodes[v];
    if (is_known_kind(nd.kind))
      for_each_child(nd, [&](uint32_t c) {
        if (c >= v)
          throw InputError("out-of-domain fold: node " + std::to_string(v) + " reads node " +
                           std::to_string(c) +
                           ", not an earlier one (the constraint system was not validated)");
      });
    val[v] = air_detail::node_at_point(nd, point, val.data());
  }
  Ext4 acc = Ext4::zero();
  for (uint32_t c : cs.constraints) acc = acc * alpha + val[c];
  return acc;
}

Ext4 recombine_quotient_chunks(uint32_t log_height, uint32_t quotient_degree, const Ext4& zeta,
                               const std::vector<std::array<Ext4, 4>>& chunk_values) {
  const uint32_t q = quotient_degree;
  if (q == 0 || !is_power_of_two(q))
    shape_error("quotient degree " + std::to_string(q) + " is not a power of two");
  const uint32_t log_q = log2_exact(q);
  if (log_height + log_q > TWO_ADICITY) shape_error("log_height + log q above the two-adicity");
  check_len(chunk_values.size(), q, "quotient chunks");
  const uint64_t n = uint64_t(1) << log_height;

  // (ζ / s_u)^n = ζ^n · (g^n ω_q^u)^{-1}, since s_u = g ω_{k + log q}^u and ω_{k+log q}^n = ω_q.
  const Ext4 zeta_n = zeta.pow(n);
  const Fp g_n = generator().pow(n);
  const Fp omega_q = two_adic_generator(log_q);
  std::vector<Fp> s_n(q);
  {
    Fp w = Fp::one();
    for (uint32_t u = 0; u < q; ++u, w *= omega_q) s_n[u] = g_n * w;
  }
  std::vector<Ext4> z_at_zeta(q);
  for (uint32_t u = 0; u < q; ++u) z_at_zeta[u] = zeta_n * s_n[u].inverse() - Fp::one();

  const Fp x = Fp::from_canonical(constants::kExtensionW);
  Ext4 total = Ext4::zero();
  for (uint32_t t = 0; t < q; ++t) {
    // zp_t = Π_{u≠t} Z_u(ζ) / Z_u(s_t) with Z_u(s_t) = (s_t/s_u)^n - 1 = ω_q^{t-u} - 1.
    Ext4 num = Ext4::one();
    Fp den = Fp::one();
    for (uint32_t u = 0; u < q; ++u) {
      if (u == t) continue;
      num *= z_at_zeta[u];
      den *= s_n[t] * s_n[u].inverse() - Fp::one();
    }
    if (den.is_zero()) zero_denominator("a chunk-domain vanishing value Z_u(s_t)");
    // q_t(ζ) = Σ_e X^e v_{t,e}, by Horner in X.
    Ext4 qt = Ext4::zero();
    for (size_t e = 4; e-- > 0;) qt = Ext4(qt.c[3] * x, qt.c[0], qt.c[1], qt.c[2]) + chunk_values[t][e];
    total += num * den.inverse() * qt;
  }
  return total;
}

void check_ood(const ConstraintSystem& cs, const OodInputs& in, const Ext4& alpha,
               const std::vector<std::array<Ext4, 4>>& chunk_values, const std::string& air_name) {
  const Ext4 vanishing =
      in.zeta.pow(uint64_t(1) << std::min<uint32_t>(in.log_height, TWO_ADICITY)) - Fp::one();
  if (vanishing.is_zero())
    throw VerificationError(VerifyErrorKind::OodEvaluationMismatch,
                            "AIR '" + air_name + "': the out-of-domain point lies in the trace domain");
  const Ext4 fold = folded_constraints_at(cs, in, alpha);
  const Ext4 quotient = recombine_quotient_chunks(in.log_height, cs.quotient_degree, in.zeta, chunk_values);
  if (fold * vanishing.inverse() != quotient)
    throw VerificationError(
        VerifyErrorKind::OodEvaluationMismatch,
        "AIR '" + air_name + "': constraints at the out-of-domain point do not match the quotient");
}

}  // namespace stark
