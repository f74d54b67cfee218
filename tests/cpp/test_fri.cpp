// Tests of the two-adic FRI PCS (stark/fri): parameters, commitment layout, opened values against
// direct polynomial evaluation, prover/verifier agreement, determinism across thread counts and
// SIMD levels, rejection of every tampered field, shape errors, and the proof encoding.
#include <functional>
#include <string>
#include <vector>

#include "stark/challenger/challenger.hpp"
#include "stark/field/simd.hpp"
#include "stark/fri/pcs.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

using namespace stark;

namespace {

Fp rand_fp() { return Fp::from_canonical(testing::random_canonical()); }
Ext4 rand_ext() { return Ext4(rand_fp(), rand_fp(), rand_fp(), rand_fp()); }

/// Coefficients of w random polynomials of degree < n: coeffs[c][i].
using Coeffs = std::vector<std::vector<Fp>>;

Coeffs random_coeffs(size_t n, size_t w) {
  Coeffs c(w, std::vector<Fp>(n));
  for (auto& col : c)
    for (auto& v : col) v = rand_fp();
  return c;
}

Ext4 eval_poly(const std::vector<Fp>& coeffs, const Ext4& z) {
  Ext4 acc;
  for (size_t i = coeffs.size(); i-- > 0;) acc = acc * z + coeffs[i];
  return acc;
}
Fp eval_poly(const std::vector<Fp>& coeffs, Fp x) {
  Fp acc;
  for (size_t i = coeffs.size(); i-- > 0;) acc = acc * x + coeffs[i];
  return acc;
}

/// Evaluations of the polynomials on shift·H_n, natural order (naive, for small n).
RowMajorMatrix evaluate_on_coset(const Coeffs& coeffs, size_t n, Fp shift) {
  const size_t w = coeffs.size();
  RowMajorMatrix m(n, w);
  const Fp omega = two_adic_generator(log2_exact(n));
  Fp x = shift;
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < w; ++c) m.row(i)[c] = eval_poly(coeffs[c], x).canonical();
    x *= omega;
  }
  return m;
}

/// One test matrix: its polynomials, domain shift, and opening points.
struct TestMatrix {
  Coeffs coeffs;
  size_t n;
  Fp shift;
  std::vector<Ext4> points;
};

struct TestRound {
  std::vector<TestMatrix> matrices;
};

struct Instance {
  FriParameters params;
  std::vector<TestRound> rounds;
  std::vector<PcsCommitted> committed;
  OpenedValues opened;
  FriProof proof;
  Challenger prover_after;
  std::vector<PcsVerifyRound> verify_rounds;
};

/// A challenger with some prior transcript, as in the STARK (the PCS runs mid-transcript).
Challenger seeded_challenger() {
  Challenger ch;
  for (uint32_t i = 0; i < 5; ++i) ch.observe(1000 + i);
  return ch;
}

/// Commits and opens `rounds` at the given points; fills verifier rounds from the opened values.
void prove_instance(Instance& inst) {
  inst.committed.clear();
  for (const TestRound& r : inst.rounds) {
    std::vector<PcsMatrixInput> inputs;
    for (const TestMatrix& m : r.matrices)
      inputs.push_back({evaluate_on_coset(m.coeffs, m.n, m.shift), m.shift});
    inst.committed.push_back(pcs_commit(inst.params, std::move(inputs)));
  }
  std::vector<PcsOpenRound> open_rounds;
  for (size_t ri = 0; ri < inst.rounds.size(); ++ri) {
    PcsOpenRound o{&inst.committed[ri], {}};
    for (const TestMatrix& m : inst.rounds[ri].matrices) o.points.push_back(m.points);
    open_rounds.push_back(std::move(o));
  }
  Challenger ch = seeded_challenger();
  auto [opened, proof] = pcs_open(inst.params, open_rounds, ch);
  inst.opened = std::move(opened);
  inst.proof = std::move(proof);
  inst.prover_after = ch;
  inst.verify_rounds.clear();
  for (size_t ri = 0; ri < inst.rounds.size(); ++ri) {
    PcsVerifyRound vr;
    vr.commitment = inst.committed[ri].root();
    for (size_t mi = 0; mi < inst.rounds[ri].matrices.size(); ++mi) {
      const TestMatrix& m = inst.rounds[ri].matrices[mi];
      vr.matrices.push_back(
          PcsVerifyMatrix{log2_exact(m.n), m.shift, m.coeffs.size(), m.points, inst.opened[ri][mi]});
    }
    inst.verify_rounds.push_back(std::move(vr));
  }
}

void verify_instance(const Instance& inst, const std::vector<PcsVerifyRound>& rounds, const FriProof& proof) {
  Challenger ch = seeded_challenger();
  pcs_verify(inst.params, rounds, proof, ch);
}

/// A trace matrix of AIR height n opened at ζ and ζ·ω_k (both ζ when n = 1).
TestMatrix trace_matrix(size_t n, size_t w, const Ext4& zeta) {
  const Ext4 next = zeta * two_adic_generator(log2_exact(n));
  return TestMatrix{random_coeffs(n, w), n, Fp::one(), {zeta, next}};
}

/// Quotient-like chunks: q chunks of height n on D_t = g·ω_{k+log q}^t·H_n, opened at ζ.
std::vector<TestMatrix> quotient_chunks(size_t n, size_t q, const Ext4& zeta) {
  std::vector<TestMatrix> out;
  const uint32_t k = log2_exact(n), lq = log2_exact(q);
  for (size_t t = 0; t < q; ++t) {
    const Fp shift = generator() * two_adic_generator(k + lq).pow(t);
    out.push_back(TestMatrix{random_coeffs(n, 4), n, shift, {zeta}});
  }
  return out;
}

/// Several rounds and heights for the given parameters; heights below 2^lfp are skipped.
Instance make_instance(const FriParameters& params, bool include_tiny) {
  Instance inst;
  inst.params = params;
  const Ext4 zeta = rand_ext();
  const size_t min_n = size_t(1) << params.log_final_poly_len;
  auto ok = [&](size_t n) { return n >= min_n; };
  TestRound r0, r1, r2;
  for (size_t n : {size_t(16), size_t(4)})
    if (ok(n)) r0.matrices.push_back(trace_matrix(n, 3, zeta));
  if (include_tiny)
    for (size_t n : {size_t(1), size_t(2)})
      if (ok(n)) r0.matrices.push_back(trace_matrix(n, 2, zeta));
  r1.matrices.push_back(trace_matrix(8, 5, zeta));
  const size_t q = size_t(1) << std::min<uint32_t>(params.log_blowup, 2);
  for (auto& m : quotient_chunks(16, q, zeta)) r2.matrices.push_back(std::move(m));
  for (auto& m : quotient_chunks(4, 2, zeta)) r2.matrices.push_back(std::move(m));
  inst.rounds = {r0, r1, r2};
  return inst;
}

FriParameters test_params(uint32_t b, uint32_t lfp, uint32_t queries = 4, uint32_t commit_pow = 2,
                          uint32_t query_pow = 3) {
  return FriParameters{b, lfp, queries, commit_pow, query_pow};
}

bool rejected_with(VerifyErrorKind kind, const std::function<void()>& f, std::string* msg = nullptr) {
  try {
    f();
  } catch (const VerificationError& e) {
    if (msg) *msg = e.what();
    return e.kind == kind;
  } catch (...) {
    return false;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

TEST(params_standard_sets) {
  const FriParameters fast = FriParameters::standard_fast();
  CHECK(fast == (FriParameters{1, 0, 193, 20, 20}));
  CHECK(FriParameters::standard_with_100_bits_security(2) == (FriParameters{2, 0, 118, 16, 20}));
  CHECK(FriParameters::standard_with_100_bits_security(3) == (FriParameters{3, 0, 97, 16, 20}));
  CHECK(FriParameters::standard_with_100_bits_security(4) == (FriParameters{4, 0, 88, 16, 20}));
  CHECK_THROWS(FriParameters::standard_with_100_bits_security(0), InputError);
  CHECK_THROWS(FriParameters::standard_with_100_bits_security(5), InputError);
  CHECK_EQ(fast.max_constraint_degree(), 3u);
  CHECK_EQ(FriParameters::standard_with_100_bits_security(3).max_constraint_degree(), 9u);
  CHECK_EQ(fast.conjectured_security_bits(), 124u);  // 213, capped at the challenge field
  for (uint32_t b = 1; b <= 4; ++b)
    CHECK(FriParameters::standard_with_100_bits_security(b).conjectured_security_bits() >= 100.0);
}

TEST(params_validate_and_encoding) {
  FriParameters{1, 0, 1, 0, 0}.validate();
  FriParameters{7, 20, 1u << 16, 30, 30}.validate();
  CHECK_THROWS((FriParameters{0, 0, 1, 0, 0}.validate()), InputError);
  CHECK_THROWS((FriParameters{8, 0, 1, 0, 0}.validate()), InputError);
  CHECK_THROWS((FriParameters{7, 21, 1, 0, 0}.validate()), InputError);
  CHECK_THROWS((FriParameters{1, 0, 0, 0, 0}.validate()), InputError);
  CHECK_THROWS((FriParameters{1, 0, (1u << 16) + 1, 0, 0}.validate()), InputError);
  CHECK_THROWS((FriParameters{1, 0, 1, 31, 0}.validate()), InputError);
  CHECK_THROWS((FriParameters{1, 0, 1, 0, 31}.validate()), InputError);

  const FriParameters p{3, 2, 97, 16, 20};
  FieldWriter w;
  p.write(w);
  CHECK_EQ(w.size(), size_t(20));
  FieldReader r(w.data().data(), w.size(), "params");
  CHECK(FriParameters::read(r) == p);
  r.expect_end();

  FieldWriter bad;
  FriParameters{9, 0, 1, 0, 0}.write(bad);
  FieldReader rb(bad.data().data(), bad.size(), "params");
  CHECK_THROWS(FriParameters::read(rb), ProofFormatError);
  FieldReader rt(w.data().data(), 19, "params");
  CHECK_THROWS(FriParameters::read(rt), ProofFormatError);
}

TEST(params_security_figures) {
  // Unique decoding: num_queries · log2(2 / (1 + 2^-b)) + query PoW, floored, capped at 124.
  CHECK_EQ((FriParameters{1, 0, 100, 0, 0}.security_bits()), 41u);  // 100 · log2(4/3) = 41.5
  CHECK_EQ((FriParameters{1, 0, 200, 0, 0}.security_bits()), 83u);
  CHECK_EQ((FriParameters{1, 0, 100, 0, 16}.security_bits()), 57u);
  CHECK_EQ((FriParameters{2, 0, 100, 0, 0}.security_bits()), 67u);  // 100 · log2(8/5) = 67.8
  CHECK_EQ((FriParameters{1, 0, 1000, 0, 0}.security_bits()), 124u);
  for (uint32_t b = 1; b <= 4; ++b)
    CHECK_EQ(FriParameters::standard_with_100_bits_security(b).security_bits(), 100u);
  // Conjectured: b · num_queries + query PoW, capped at 124.
  CHECK_EQ((FriParameters{1, 0, 100, 0, 0}.conjectured_security_bits()), 100u);
  CHECK_EQ((FriParameters{7, 0, 1u << 16, 0, 30}.conjectured_security_bits()), 124u);
}

TEST(params_from_integers_names_the_field_and_range) {
  CHECK((FriParameters::from_integers(2, 1, 40, 3, 4) == FriParameters{2, 1, 40, 3, 4}));
  auto message = [](int64_t lb, int64_t lfp, int64_t nq, int64_t cp, int64_t qp) {
    try {
      FriParameters::from_integers(lb, lfp, nq, cp, qp);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_EQ(message(-1, 0, 8, 0, 0), std::string("FriParameters.log_blowup: -1 is outside [1, 7]"));
  CHECK_EQ(message(1, 0, int64_t(1) << 40, 0, 0),
           std::string("FriParameters.num_queries: 1099511627776 is outside [1, 65536]"));
  CHECK_EQ(message(1, 0, 8, 0, -3),
           std::string("FriParameters.query_proof_of_work_bits: -3 is outside [0, 30]"));
  CHECK_EQ(message(1, 0, 8, int64_t(1) << 32, 0),
           std::string("FriParameters.commit_proof_of_work_bits: 4294967296 is outside [0, 30]"));
  CHECK(message(2, 26, 8, 0, 0).find("two-adicity") != std::string::npos);
  CHECK_THROWS(FriParameters::standard_with_100_bits_security(-1), InputError);
  CHECK_THROWS(FriParameters::standard_with_100_bits_security(int64_t(1) << 33), InputError);
}

// ---------------------------------------------------------------------------------------------
// Commitment
// ---------------------------------------------------------------------------------------------

TEST(commit_lde_layout) {
  for (uint32_t b = 1; b <= 3; ++b)
    for (size_t n : {size_t(1), size_t(2), size_t(4), size_t(16)})
      for (int shifted = 0; shifted < 2; ++shifted) {
        const Fp shift = shifted ? generator() * two_adic_generator(log2_exact(n) + 1) : Fp::one();
        const Coeffs coeffs = random_coeffs(n, 3);
        std::vector<PcsMatrixInput> in;
        in.push_back({evaluate_on_coset(coeffs, n, shift), shift});
        const PcsCommitted c = pcs_commit(test_params(b, 0), std::move(in));
        CHECK_EQ(c.num_matrices(), size_t(1));
        CHECK_EQ(c.log_trace_height(0), log2_exact(n));
        CHECK(c.domain_shift(0) == shift);
        CHECK_EQ(c.width(0), size_t(3));
        const ConstMatrixView lde = c.lde(0);
        const uint32_t h = log2_exact(n) + b;
        CHECK_EQ(lde.height, size_t(1) << h);
        bool all_ok = true;
        for (size_t r = 0; r < lde.height; ++r) {
          const Fp x = generator() * two_adic_generator(h).pow(reverse_bits(r, h));
          for (size_t col = 0; col < 3; ++col)
            if (lde.row(r)[col] != eval_poly(coeffs[col], x).canonical()) all_ok = false;
        }
        CHECK(all_ok);
        CHECK(c.root() == c.tree().root());
        CHECK(c.root() == merkle_root({lde}));
      }
}

TEST(commit_input_errors) {
  const FriParameters p = test_params(1, 0);
  CHECK_THROWS(pcs_commit(p, {}), InputError);
  {
    std::vector<PcsMatrixInput> in;
    in.push_back({RowMajorMatrix(3, 2), Fp::one()});
    CHECK_THROWS(pcs_commit(p, std::move(in)), InputError);
  }
  {
    std::vector<PcsMatrixInput> in;
    in.push_back({RowMajorMatrix(std::vector<uint32_t>{}, 0), Fp::one()});
    CHECK_THROWS(pcs_commit(p, std::move(in)), InputError);
  }
  {
    std::vector<PcsMatrixInput> in;
    RowMajorMatrix m(4, 2);
    m.row(2)[1] = P;
    in.push_back({std::move(m), Fp::one()});
    std::string msg;
    try {
      pcs_commit(p, std::move(in));
    } catch (const InputError& e) {
      msg = e.what();
    }
    CHECK(msg.find("row 2, column 1") != std::string::npos);
  }
  {
    std::vector<PcsMatrixInput> in;
    in.push_back({RowMajorMatrix(4, 2), Fp::zero()});
    CHECK_THROWS(pcs_commit(p, std::move(in)), InputError);
  }
  {
    std::vector<PcsMatrixInput> in;
    in.push_back({RowMajorMatrix(4, 2), Fp::one()});
    CHECK_THROWS(pcs_commit(FriParameters{0, 0, 1, 0, 0}, std::move(in)), InputError);
  }
  // k + b > 27 is refused before anything is allocated.
  CHECK_THROWS(PcsCommitted(1, {27}, {Fp::one()}, {std::make_shared<RowMajorMatrix>(1, 1)}), InputError);
  CHECK_THROWS(PcsCommitted(1, {1}, {Fp::one()}, {std::make_shared<RowMajorMatrix>(3, 1)}), InputError);
  CHECK_THROWS(PcsCommitted(1, {1, 2}, {Fp::one()}, {std::make_shared<RowMajorMatrix>(4, 1)}), InputError);
}

// ---------------------------------------------------------------------------------------------
// Opening and verification
// ---------------------------------------------------------------------------------------------

TEST(open_values_match_direct_evaluation_and_verify) {
  for (uint32_t b = 1; b <= 3; ++b)
    for (uint32_t lfp = 0; lfp <= 2; ++lfp) {
      Instance inst = make_instance(test_params(b, lfp), /*include_tiny=*/true);
      prove_instance(inst);
      bool values_ok = true;
      for (size_t ri = 0; ri < inst.rounds.size(); ++ri)
        for (size_t mi = 0; mi < inst.rounds[ri].matrices.size(); ++mi) {
          const TestMatrix& m = inst.rounds[ri].matrices[mi];
          const auto& got = inst.opened[ri][mi];
          if (got.size() != m.points.size()) {
            values_ok = false;
            continue;
          }
          for (size_t p = 0; p < m.points.size(); ++p)
            for (size_t c = 0; c < m.coeffs.size(); ++c)
              if (got[p][c] != eval_poly(m.coeffs[c], m.points[p])) values_ok = false;
        }
      CHECK(values_ok);
      const uint32_t lgmh = 4 + b;  // tallest trace height 16
      CHECK_EQ(inst.proof.commit_phase_commits.size(), size_t(lgmh - b - lfp));
      CHECK_EQ(inst.proof.final_poly.size(), size_t(1) << lfp);
      Challenger ch = seeded_challenger();
      try {
        pcs_verify(inst.params, inst.verify_rounds, inst.proof, ch);
        CHECK(ch == inst.prover_after);  // both transcripts end in the same state
      } catch (const std::exception& e) {
        testing::report(__FILE__, __LINE__,
                        "b=" + std::to_string(b) + " lfp=" + std::to_string(lfp) + ": " + e.what());
      }
    }
}

TEST(open_single_matrix_heights_one_and_two) {
  // Only tiny traces: lgmh = b or b + 1 (R = 0 or 1 folds), exercising the height-1 bucket.
  for (uint32_t b = 1; b <= 2; ++b)
    for (size_t n : {size_t(1), size_t(2)}) {
      Instance inst;
      inst.params = test_params(b, 0, 6, 1, 1);
      const Ext4 zeta = rand_ext();
      TestRound r;
      r.matrices.push_back(trace_matrix(n, 3, zeta));
      r.matrices.push_back(trace_matrix(1, 2, zeta));
      inst.rounds = {r};
      prove_instance(inst);
      CHECK(inst.opened[0][1][0] == inst.opened[0][1][1]);  // n = 1: both points are ζ
      try {
        verify_instance(inst, inst.verify_rounds, inst.proof);
      } catch (const std::exception& e) {
        testing::report(__FILE__, __LINE__, std::string("n=") + std::to_string(n) + ": " + e.what());
      }
    }
}

TEST(height_one_bucket_must_vanish) {
  // A "height-1 trace" whose committed LDE is not constant (2 different rows at b = 1). The prover
  // runs honestly on it, so every Merkle path is valid; a query that lands on row 1 sees
  // (y − o)/(z − x) ≠ 0 in the height-1 bucket and must be rejected by that rule (P6).
  const FriParameters p = test_params(1, 0, 8, 0, 0);
  auto lde = std::make_shared<RowMajorMatrix>(2, 2);
  for (auto& v : lde->values) v = testing::random_canonical();
  const PcsCommitted fake(1, {0}, {Fp::one()}, {lde});
  const Ext4 zeta = rand_ext();
  Challenger pch = seeded_challenger();
  auto [opened, proof] = pcs_open(p, {PcsOpenRound{&fake, {{zeta, zeta}}}}, pch);
  const std::vector<PcsVerifyRound> rounds{
      PcsVerifyRound{fake.root(), {PcsVerifyMatrix{0, Fp::one(), 2, {zeta, zeta}, opened[0][0]}}}};
  std::string msg;
  Challenger vch = seeded_challenger();
  CHECK(rejected_with(
      VerifyErrorKind::InvalidOpeningArgument, [&] { pcs_verify(p, rounds, proof, vch); }, &msg));
  if (msg.find("height-1") == std::string::npos) testing::report(__FILE__, __LINE__, "message: " + msg);
}

TEST(deterministic_across_threads_and_simd) {
  std::vector<uint8_t> reference;
  const auto run = [&]() {
    testing::rng().seed(77);
    Instance inst = make_instance(test_params(2, 1, 5, 4, 4), true);
    prove_instance(inst);
    return fri_proof_to_bytes(inst.proof);
  };
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    const auto bytes = run();
    if (reference.empty())
      reference = bytes;
    else
      CHECK(bytes == reference);
  }
  set_num_threads(0);
  const simd::Level best = simd::detected();
  for (int lvl = 0; lvl <= int(best); ++lvl) {
    simd::set_active(simd::Level(lvl));
    CHECK(run() == reference);
  }
  simd::set_active(best);
}

TEST(wide_matrix_kernels_all_simd_levels) {
  // Widths around the vector tails (8/16 lanes, 4-vector groups) and odd point counts.
  const simd::Level best = simd::detected();
  for (size_t w : {size_t(1), size_t(7), size_t(37), size_t(70)}) {
    const Ext4 zeta = rand_ext();
    TestRound r;
    TestMatrix m = trace_matrix(64, w, zeta);
    m.points.push_back(rand_ext());  // three points: one pass of two, one of one
    r.matrices.push_back(std::move(m));
    std::vector<uint8_t> reference;
    for (int lvl = 0; lvl <= int(best); ++lvl) {
      simd::set_active(simd::Level(lvl));
      Instance inst;
      inst.params = test_params(1, 0, 3, 0, 0);
      inst.rounds = {r};
      prove_instance(inst);
      bool ok = true;
      for (size_t p = 0; p < 3; ++p)
        for (size_t c = 0; c < w; ++c)
          if (inst.opened[0][0][p][c] != eval_poly(r.matrices[0].coeffs[c], r.matrices[0].points[p]))
            ok = false;
      CHECK(ok);
      const auto bytes = fri_proof_to_bytes(inst.proof);
      if (reference.empty())
        reference = bytes;
      else
        CHECK(bytes == reference);
      try {
        verify_instance(inst, inst.verify_rounds, inst.proof);
      } catch (const std::exception& e) {
        testing::report(__FILE__, __LINE__, e.what());
      }
    }
    simd::set_active(best);
  }
}

TEST(open_input_errors) {
  const FriParameters p = test_params(1, 1);
  std::vector<PcsMatrixInput> in;
  in.push_back({evaluate_on_coset(random_coeffs(1, 2), 1, Fp::one()), Fp::one()});
  const PcsCommitted tiny = pcs_commit(p, std::move(in));
  const Ext4 zeta = rand_ext();
  Challenger ch;
  // n = 1 < 2^lfp: its bucket could never be rolled in.
  CHECK_THROWS(pcs_open(p, {PcsOpenRound{&tiny, {{zeta, zeta}}}}, ch), InputError);
  const FriParameters p0 = test_params(1, 0);
  CHECK_THROWS(pcs_open(p0, {}, ch), InputError);
  CHECK_THROWS(pcs_open(p0, {PcsOpenRound{nullptr, {}}}, ch), InputError);
  CHECK_THROWS(pcs_open(p0, {PcsOpenRound{&tiny, {}}}, ch), InputError);
  CHECK_THROWS(pcs_open(p0, {PcsOpenRound{&tiny, {{}}}}, ch), InputError);
  CHECK_THROWS(pcs_open(test_params(2, 0), {PcsOpenRound{&tiny, {{zeta}}}}, ch), InputError);
  // A point on the LDE coset g·H_2 has a zero denominator.
  CHECK_THROWS(pcs_open(p0, {PcsOpenRound{&tiny, {{Ext4(generator())}}}}, ch), InputError);
}

// ---------------------------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------------------------

namespace {
// Two rounds (a 16-row and a 4-row trace matrix; two quotient chunks), proved.
Instance two_round_instance(uint32_t seed, const FriParameters& params) {
  testing::rng().seed(seed);
  Instance inst;
  inst.params = params;
  const Ext4 zeta = rand_ext();
  TestRound r0, r1;
  r0.matrices.push_back(trace_matrix(16, 3, zeta));
  r0.matrices.push_back(trace_matrix(4, 2, zeta));
  for (auto& m : quotient_chunks(16, 2, zeta)) r1.matrices.push_back(std::move(m));
  inst.rounds = {r0, r1};
  prove_instance(inst);
  return inst;
}

Instance tamper_instance() { return two_round_instance(4242, test_params(1, 1, 3, 6, 6)); }

uint32_t bump(uint32_t v) { return v + 1 == P ? 0 : v + 1; }
Ext4 bump(const Ext4& e) { return e + Ext4(Fp::zero(), Fp::one(), Fp::zero(), Fp::zero()); }
}  // namespace

TEST(honest_tamper_instance_verifies) {
  const Instance inst = tamper_instance();
  verify_instance(inst, inst.verify_rounds, inst.proof);
}

TEST(tampering_any_field_is_rejected) {
  const Instance inst = tamper_instance();
  int cases = 0, rejected = 0;
  auto expect_reject = [&](const std::string& what, const std::vector<PcsVerifyRound>& rounds,
                           const FriProof& proof) {
    ++cases;
    std::string msg;
    if (rejected_with(
            VerifyErrorKind::InvalidOpeningArgument, [&] { verify_instance(inst, rounds, proof); }, &msg))
      ++rejected;
    else
      testing::report(__FILE__, __LINE__,
                      "tampered " + what + " not rejected as InvalidOpeningArgument: " + msg);
  };
  const FriProof& good = inst.proof;
  for (size_t i = 0; i < good.commit_phase_commits.size(); ++i) {
    FriProof t = good;
    t.commit_phase_commits[i][i % 8] = bump(t.commit_phase_commits[i][i % 8]);
    expect_reject("commit_phase_commits[" + std::to_string(i) + "]", inst.verify_rounds, t);
  }
  for (size_t i = 0; i < good.commit_pow_witnesses.size(); ++i) {
    FriProof t = good;
    t.commit_pow_witnesses[i] = bump(t.commit_pow_witnesses[i]);
    expect_reject("commit_pow_witnesses[" + std::to_string(i) + "]", inst.verify_rounds, t);
  }
  {
    FriProof t = good;
    t.query_pow_witness = bump(t.query_pow_witness);
    expect_reject("query_pow_witness", inst.verify_rounds, t);
  }
  for (size_t i = 0; i < good.final_poly.size(); ++i) {
    FriProof t = good;
    t.final_poly[i] = bump(t.final_poly[i]);
    expect_reject("final_poly[" + std::to_string(i) + "]", inst.verify_rounds, t);
  }
  for (size_t q = 0; q < good.query_proofs.size(); ++q) {
    const FriQueryProof& qp = good.query_proofs[q];
    for (size_t ri = 0; ri < qp.input_proof.size(); ++ri) {
      for (size_t mi = 0; mi < qp.input_proof[ri].opened_rows.size(); ++mi)
        for (size_t c = 0; c < qp.input_proof[ri].opened_rows[mi].size(); ++c) {
          FriProof t = good;
          auto& v = t.query_proofs[q].input_proof[ri].opened_rows[mi][c];
          v = bump(v);
          expect_reject("opened row element", inst.verify_rounds, t);
        }
      for (size_t s = 0; s < qp.input_proof[ri].siblings.size(); ++s) {
        FriProof t = good;
        auto& d = t.query_proofs[q].input_proof[ri].siblings[s];
        d[s % 8] = bump(d[s % 8]);
        expect_reject("input sibling", inst.verify_rounds, t);
      }
    }
    for (size_t rnd = 0; rnd < qp.commit_phase_openings.size(); ++rnd) {
      {
        FriProof t = good;
        auto& sv = t.query_proofs[q].commit_phase_openings[rnd].sibling_value;
        sv = bump(sv);
        expect_reject("sibling_value", inst.verify_rounds, t);
      }
      for (size_t s = 0; s < qp.commit_phase_openings[rnd].siblings.size(); ++s) {
        FriProof t = good;
        auto& d = t.query_proofs[q].commit_phase_openings[rnd].siblings[s];
        d[0] = bump(d[0]);
        expect_reject("commit-phase sibling", inst.verify_rounds, t);
      }
    }
  }
  for (size_t ri = 0; ri < inst.verify_rounds.size(); ++ri)
    for (size_t mi = 0; mi < inst.verify_rounds[ri].matrices.size(); ++mi)
      for (size_t p = 0; p < inst.verify_rounds[ri].matrices[mi].values.size(); ++p)
        for (size_t c = 0; c < inst.verify_rounds[ri].matrices[mi].width; ++c) {
          auto rounds = inst.verify_rounds;
          rounds[ri].matrices[mi].values[p][c] = bump(rounds[ri].matrices[mi].values[p][c]);
          expect_reject("claimed value", rounds, good);
        }
  {
    auto rounds = inst.verify_rounds;
    rounds[1].commitment[3] = bump(rounds[1].commitment[3]);
    expect_reject("round commitment", rounds, good);
  }
  {
    auto rounds = inst.verify_rounds;
    rounds[0].matrices[0].points[1] = bump(rounds[0].matrices[0].points[1]);
    expect_reject("opening point", rounds, good);
  }
  CHECK(cases > 50);
  CHECK_EQ(rejected, cases);
}

TEST(first_failing_query_is_reported_for_every_thread_count) {
  // Queries are checked in parallel batches; the reported failure must be the one of the smallest
  // failing query, with the message of its first failing check, whatever the thread count.
  Instance inst = two_round_instance(777, test_params(1, 1, 24, 2, 3));
  auto msg_for = [&](const FriProof& proof) {
    std::string msg;
    CHECK(rejected_with(
        VerifyErrorKind::InvalidOpeningArgument, [&] { verify_instance(inst, inst.verify_rounds, proof); },
        &msg));
    return msg;
  };
  FriProof t = inst.proof;
  auto& late = t.query_proofs[17].input_proof[0].opened_rows[0][1];  // query 17: input round 0
  late = bump(late);
  auto& fold = t.query_proofs[9].commit_phase_openings[1].sibling_value;  // query 9: fold round 1
  fold = bump(fold);
  auto& sib = t.query_proofs[9].commit_phase_openings[2].siblings[0];  // query 9: fold round 2 too
  sib[0] = bump(sib[0]);
  auto& in1 = t.query_proofs[20].input_proof[1].siblings[2];  // query 20: input round 1
  in1[5] = bump(in1[5]);
  std::string expected;
  for (int threads : {1, 2, 3, 5}) {
    set_num_threads(threads);
    const std::string msg = msg_for(t);
    if (threads == 1) expected = msg;
    CHECK(msg == expected);
    CHECK(msg.find("query 9 (index ") != std::string::npos);
    CHECK(msg.find("fold round 1 pair does not match its commitment") != std::string::npos);
  }
  // Without query 9's tampering, query 17's input opening is the first failure.
  t.query_proofs[9] = inst.proof.query_proofs[9];
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    const std::string msg = msg_for(t);
    CHECK(msg.find("query 17 (index ") != std::string::npos);
    CHECK(msg.find("opening of round 0 does not match its commitment") != std::string::npos);
  }
  set_num_threads(0);
}

TEST(non_low_degree_codeword_is_rejected) {
  // A "commitment" whose rows are random, not the LDE of a degree < n polynomial. The prover runs
  // honestly on it (opened values are the interpolation of the first n rows), but FRI must fail.
  for (uint32_t b = 1; b <= 2; ++b) {
    const FriParameters p = test_params(b, 0, 20, 0, 0);
    const uint32_t k = 5;
    auto lde = std::make_shared<RowMajorMatrix>(size_t(1) << (k + b), 3);
    for (auto& v : lde->values) v = testing::random_canonical();
    const PcsCommitted fake(b, {k}, {Fp::one()}, {lde});
    const Ext4 zeta = rand_ext();
    const std::vector<Ext4> points{zeta, zeta * two_adic_generator(k)};
    Challenger pch = seeded_challenger();
    auto [opened, proof] = pcs_open(p, {PcsOpenRound{&fake, {points}}}, pch);
    std::vector<PcsVerifyRound> rounds{
        PcsVerifyRound{fake.root(), {PcsVerifyMatrix{k, Fp::one(), 3, points, opened[0][0]}}}};
    Challenger vch = seeded_challenger();
    CHECK(rejected_with(VerifyErrorKind::InvalidOpeningArgument, [&] { pcs_verify(p, rounds, proof, vch); }));
    // Claiming the values of a genuine low-degree polynomial instead does not help either.
    std::vector<std::vector<Ext4>> wrong(2, std::vector<Ext4>(3));
    for (auto& at : wrong)
      for (auto& y : at) y = rand_ext();
    rounds[0].matrices[0].values = wrong;
    Challenger vch2 = seeded_challenger();
    CHECK(
        rejected_with(VerifyErrorKind::InvalidOpeningArgument, [&] { pcs_verify(p, rounds, proof, vch2); }));
  }
}

TEST(zero_denominator_is_rejected_not_crashing) {
  // Height-1 matrix, b = 1: LDE points {g, −g}. Claiming the opening point g makes z − x = 0 at
  // every query that lands on row 0.
  Instance inst;
  inst.params = test_params(1, 0, 8, 0, 0);
  const Ext4 zeta = rand_ext();
  TestRound r;
  r.matrices.push_back(TestMatrix{random_coeffs(1, 2), 1, Fp::one(), {zeta}});
  inst.rounds = {r};
  prove_instance(inst);
  auto rounds = inst.verify_rounds;
  rounds[0].matrices[0].points[0] = Ext4(generator());
  CHECK(rejected_with(VerifyErrorKind::InvalidOpeningArgument,
                      [&] { verify_instance(inst, rounds, inst.proof); }));
}

TEST(wrong_shapes_are_invalid_proof_shape) {
  const Instance inst = tamper_instance();
  const auto& vr = inst.verify_rounds;
  int cases = 0, ok = 0;
  auto expect_shape = [&](const std::string& what, const std::vector<PcsVerifyRound>& rounds,
                          const FriProof& proof, const FriParameters& params) {
    ++cases;
    std::string msg;
    const bool a = rejected_with(
        VerifyErrorKind::InvalidProofShape, [&] { fri_check_shape(params, rounds, proof); }, &msg);
    Challenger ch = seeded_challenger();
    const bool b =
        rejected_with(VerifyErrorKind::InvalidProofShape, [&] { pcs_verify(params, rounds, proof, ch); });
    if (a && b)
      ++ok;
    else
      testing::report(__FILE__, __LINE__, "shape case '" + what + "' not InvalidProofShape: " + msg);
  };
  const FriProof& g = inst.proof;
  const FriParameters& P0 = inst.params;
  fri_check_shape(P0, vr, g);
  {
    FriProof t = g;
    t.commit_phase_commits.pop_back();
    expect_shape("commits -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.commit_phase_commits.push_back({});
    expect_shape("commits +1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.commit_pow_witnesses.push_back(0);
    expect_shape("witnesses +1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.final_poly.pop_back();
    expect_shape("final poly -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.final_poly.push_back(Ext4());
    expect_shape("final poly +1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs.pop_back();
    expect_shape("queries -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs.push_back(g.query_proofs[0]);
    expect_shape("queries +1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[1].input_proof.pop_back();
    expect_shape("input rounds -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[0].input_proof[0].opened_rows.pop_back();
    expect_shape("rows -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[0].input_proof[1].opened_rows[0].push_back(1);
    expect_shape("row +1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[0].input_proof[0].opened_rows[1].pop_back();
    expect_shape("row -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[0].input_proof[0].opened_rows[1][0] = P;
    expect_shape("row non-canonical", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[2].input_proof[0].siblings.pop_back();
    expect_shape("siblings -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[2].input_proof[1].siblings.push_back({});
    expect_shape("siblings +1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[0].commit_phase_openings.pop_back();
    expect_shape("fold openings -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[0].commit_phase_openings[1].siblings.pop_back();
    expect_shape("fold siblings -1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_proofs[0].commit_phase_openings[0].siblings.push_back({});
    expect_shape("fold siblings +1", vr, t, P0);
  }
  {
    FriProof t = g;
    t.commit_phase_commits[0][0] = P + 5;
    expect_shape("commit non-canonical", vr, t, P0);
  }
  {
    FriProof t = g;
    t.query_pow_witness = P;
    expect_shape("pow non-canonical", vr, t, P0);
  }
  {
    auto rounds = vr;
    rounds[0].matrices[0].values[0].pop_back();
    expect_shape("claimed values width", rounds, g, P0);
  }
  {
    auto rounds = vr;
    rounds[0].matrices[1].values.pop_back();
    expect_shape("claimed values points", rounds, g, P0);
  }
  {
    auto rounds = vr;
    rounds[1].matrices[0].width = 5;
    expect_shape("matrix width vs rows", rounds, g, P0);
  }
  {
    auto rounds = vr;
    rounds[0].matrices[1].log_trace_height = 0;  // below lfp = 1
    expect_shape("height below final poly", rounds, g, P0);
  }
  {
    auto rounds = vr;
    rounds[0].matrices[0].log_trace_height = 27;  // k + b > 27
    expect_shape("height too large", rounds, g, P0);
  }
  {
    auto rounds = vr;
    rounds[0].matrices[0].log_trace_height = 5;  // one fold more than the proof has
    expect_shape("different lgmh", rounds, g, P0);
  }
  {
    auto rounds = vr;
    rounds.pop_back();
    expect_shape("rounds -1", rounds, g, P0);
  }
  expect_shape("no rounds", {}, g, P0);
  {
    FriParameters p = P0;
    p.num_queries = 4;
    expect_shape("num_queries differs", vr, g, p);
  }
  {
    FriParameters p = P0;
    p.log_final_poly_len = 0;
    expect_shape("lfp differs", vr, g, p);
  }
  {
    FriParameters p = P0;
    p.log_blowup = 0;
    expect_shape("invalid params", vr, g, p);
  }
  CHECK_EQ(ok, cases);
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

TEST(bulk_field_element_reads_fail_like_single_ones) {
  // FieldReader::felts (used for opened rows and digests) must report the first non-canonical
  // element, or the first missing one, exactly as element-wise felt() calls do.
  auto encode = [](const std::vector<uint32_t>& words) {
    std::vector<uint8_t> b;
    for (uint32_t w : words)
      for (int i = 0; i < 4; ++i) b.push_back(uint8_t(w >> (8 * i)));
    return b;
  };
  auto error_of = [](const std::vector<uint8_t>& bytes, size_t n, bool bulk) {
    FieldReader r(bytes.data(), bytes.size(), "test");
    std::vector<uint32_t> out(n);
    try {
      if (bulk) {
        r.felts(out.data(), n, "row");
      } else {
        for (auto& v : out) v = r.felt("row");
      }
    } catch (const ProofFormatError& e) {
      return std::string(e.what());
    }
    return std::string("ok ") + std::to_string(r.offset()) + " " +
           std::to_string(out.empty() ? 0 : out.back());
  };
  const std::vector<uint8_t> good = encode({1, 2, P - 1, 3});
  const std::vector<uint8_t> bad = encode({1, 2, P, 3, P + 5});
  CHECK(error_of(good, 4, true) == error_of(good, 4, false));
  CHECK(error_of(good, 4, true) == "ok 16 3");
  CHECK(error_of(bad, 5, true) == error_of(bad, 5, false));
  CHECK(error_of(bad, 5, true).find("at byte offset 8") != std::string::npos);
  std::vector<uint8_t> truncated = good;
  truncated.pop_back();
  CHECK(error_of(truncated, 4, true) == error_of(truncated, 4, false));
  CHECK(error_of(truncated, 4, true).find("truncated") != std::string::npos);
}

TEST(proof_encoding_round_trip_and_truncation) {
  const Instance inst = tamper_instance();
  const std::vector<uint8_t> bytes = fri_proof_to_bytes(inst.proof);
  const FriProof back = fri_proof_from_bytes(bytes.data(), bytes.size());
  CHECK(back == inst.proof);
  CHECK(fri_proof_to_bytes(back) == bytes);
  verify_instance(inst, inst.verify_rounds, back);

  // Embedded in a larger stream: read_fri_proof stops at its end.
  FieldWriter w;
  w.u32(7);
  write_fri_proof(w, inst.proof);
  w.u32(9);
  FieldReader r(w.data().data(), w.size(), "stream");
  CHECK_EQ(r.u32("head"), 7u);
  CHECK(read_fri_proof(r) == inst.proof);
  CHECK_EQ(r.u32("tail"), 9u);

  size_t failures = 0;
  for (size_t len = 0; len < bytes.size(); ++len) {
    try {
      fri_proof_from_bytes(bytes.data(), len);
    } catch (const ProofFormatError&) {
      ++failures;
    }
  }
  CHECK_EQ(failures, bytes.size());
  std::vector<uint8_t> extended = bytes;
  extended.push_back(0);
  CHECK_THROWS(fri_proof_from_bytes(extended.data(), extended.size()), ProofFormatError);

  // A non-canonical field element (first commit digest word) and an absurd length.
  std::vector<uint8_t> bad = bytes;
  bad[4] = 0xff, bad[5] = 0xff, bad[6] = 0xff, bad[7] = 0x7f;
  CHECK_THROWS(fri_proof_from_bytes(bad.data(), bad.size()), ProofFormatError);
  std::vector<uint8_t> huge = bytes;
  huge[0] = 0xff, huge[1] = 0xff, huge[2] = 0xff, huge[3] = 0x0f;
  std::string msg;
  try {
    fri_proof_from_bytes(huge.data(), huge.size());
  } catch (const ProofFormatError& e) {
    msg = e.what();
  }
  CHECK(msg.find("byte offset 0") != std::string::npos);
}
