// The protocol end to end in C++: keygen → prove → verify on hand-built constraint systems
// (Fibonacci, a preprocessed selector, an AIR whose interactions balance within itself, a cached
// partition, heights 1 and 2, absent AIRs), proof / key encodings (round trips; truncation,
// extension and bit flips never crash and are always rejected), tampering with every part of a
// proof (each gives the error of the first check it breaks), prover input errors, keygen errors,
// trace-height constraints, FRI-parameter mismatch, and byte-identical proofs for 1 and 2 threads.
#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "constraint_builder.hpp"
#include "host_exec.hpp"
#include "prover/resident_session.hpp"
#include "stark/cuda/device.hpp"
#include "stark/keygen/keygen.hpp"
#include "stark/ntt/ntt.hpp"
#include "stark/protocol/keys.hpp"
#include "stark/protocol/layout.hpp"
#include "stark/protocol/proof.hpp"
#include "stark/prover/committed_trace.hpp"
#include "stark/prover/cpu_device.hpp"
#include "stark/prover/prover.hpp"
#include "stark/prover/subgroup_lde.hpp"
#include "stark/util/bytes.hpp"
#include "stark/util/parallel.hpp"
#include "stark/verifier/verifier.hpp"
#include "testing.hpp"

using namespace stark;

namespace {

// ---------------------------------------------------------------------------------------------
// Constraint systems built by hand
// ---------------------------------------------------------------------------------------------

using Dag = testing::ConstraintBuilder;

// The README's Fibonacci: columns (x, y), public values (a, b, out).
ConstraintSystem fibonacci_cs() {
  Dag d;
  d.cs.common_main_width = 2;
  d.cs.num_public_values = 3;
  const uint32_t x = d.main(0), y = d.main(1), xn = d.main(0, 1), yn = d.main(1, 1);
  const uint32_t a = d.var(NodeKind::Public, 0), b = d.var(NodeKind::Public, 1),
                 out = d.var(NodeKind::Public, 2);
  const uint32_t first = d.var(NodeKind::IsFirstRow), last = d.var(NodeKind::IsLastRow);
  const uint32_t trans = d.var(NodeKind::IsTransition);
  d.constrain(d.mul(first, d.sub(x, a)));
  d.constrain(d.mul(first, d.sub(y, b)));
  d.constrain(d.mul(trans, d.sub(xn, y)));
  d.constrain(d.mul(trans, d.sub(yn, d.add(x, y))));
  d.constrain(d.mul(last, d.sub(y, out)));
  return d.finish_with_quotient_degree(1);
}

RowMajorMatrix fibonacci_trace(size_t n, uint32_t a, uint32_t b, uint32_t& out) {
  RowMajorMatrix t(n, 2);
  Fp x = Fp::from_canonical(a), y = Fp::from_canonical(b);
  for (size_t i = 0; i < n; ++i) {
    t.row(i)[0] = x.canonical();
    t.row(i)[1] = y.canonical();
    const Fp s = x + y;
    x = y;
    y = s;
  }
  out = t.row(n - 1)[1];
  return t;
}

// Preprocessed column p; main column v with p·(v − 7) = 0 and (1 − p)·v = 0.
ConstraintSystem selector_cs() {
  Dag d;
  d.cs.preprocessed_width = 1;
  d.cs.preprocessed_height = 8;
  d.cs.common_main_width = 1;
  const uint32_t p = d.var(NodeKind::Preprocessed, 0), v = d.main(0);
  d.constrain(d.mul(p, d.sub(v, d.constant(7))));
  d.constrain(d.mul(d.sub(d.constant(1), p), v));
  return d.finish_with_quotient_degree(1);
}

// One AIR whose interactions cancel within itself: it sends (v) with count c and receives (v)
// with count c on `bus` (each with the given count weight). Main: [v, c] in the common main, or
// v in a cached partition and c in the common main. LogUp constraints of docs/protocol.md §7.5
// with both interactions in one chunk (fd = 1, cd = 1: num 2, den 2, degree 3 = max for
// log_blowup 1).
ConstraintSystem self_balanced_cs(bool cached, uint32_t bus, uint32_t count_weight, bool unbalanced = false) {
  Dag d;
  if (cached) {
    d.cs.cached_main_widths = {1};
    d.cs.common_main_width = 1;
  } else {
    d.cs.common_main_width = 2;
  }
  const uint32_t v = cached ? d.main(0, 0, 0) : d.main(0);
  const uint32_t c = cached ? d.main(0, 0, 1) : d.main(1);
  // Unbalanced variant: receive v + 1 instead of v.
  const uint32_t recv_msg = unbalanced ? d.add(v, d.constant(1)) : v;
  const uint32_t neg_c = d.bin(NodeKind::Sub, d.constant(0), c);
  d.cs.interactions.push_back(Interaction{bus, count_weight, {v}, c});
  d.cs.interactions.push_back(Interaction{bus, count_weight, {recv_msg}, neg_c});
  d.cs.interaction_chunks = {{0, 1}};
  const uint32_t alpha = d.var(NodeKind::Challenge, 0), beta = d.var(NodeKind::Challenge, 1);
  const uint32_t bus_term = d.mul(beta, d.constant(bus + 1));
  const uint32_t d0 = d.add(d.add(alpha, v), bus_term);
  const uint32_t d1 = d.add(d.add(alpha, recv_msg), bus_term);
  const uint32_t perm = d.var(NodeKind::Permutation, 0), perm_next = d.var(NodeKind::Permutation, 0, 1);
  const uint32_t phi = d.var(NodeKind::Permutation, 1), phi_next = d.var(NodeKind::Permutation, 1, 1);
  const uint32_t sum = d.var(NodeKind::Exposed, 0);
  d.constrain(d.sub(d.mul(perm, d.mul(d0, d1)), d.add(d.mul(c, d1), d.mul(neg_c, d0))));
  d.constrain(d.mul(d.var(NodeKind::IsTransition), d.sub(d.sub(phi_next, phi), perm_next)));
  d.constrain(d.mul(d.var(NodeKind::IsFirstRow), d.sub(phi, perm)));
  d.constrain(d.mul(d.var(NodeKind::IsLastRow), d.sub(phi, sum)));
  return d.finish_with_quotient_degree(2);
}

RowMajorMatrix random_matrix(size_t h, size_t w) {
  RowMajorMatrix m(h, w);
  for (uint32_t& v : m.values) v = testing::random_canonical();
  return m;
}

FriParameters test_params(uint32_t log_blowup = 1, uint32_t lfp = 0) {
  FriParameters p;
  p.log_blowup = log_blowup;
  p.log_final_poly_len = lfp;
  p.num_queries = 6;
  p.commit_proof_of_work_bits = 1;
  p.query_proof_of_work_bits = 1;
  return p;
}

// ---------------------------------------------------------------------------------------------
// A fixture with four AIRs: Fibonacci, selector (preprocessed, height 8), self-balanced
// interactions (common main), self-balanced interactions (cached + common main).
// ---------------------------------------------------------------------------------------------

struct Fixture {
  ProvingKey pk;
  RowMajorMatrix fib, sel_main, inter, inter_cached_v, inter_cached_c;
  std::vector<uint32_t> fib_pv;

  explicit Fixture(const FriParameters& fri = test_params(), size_t fib_n = 16, size_t inter_n = 4) {
    RowMajorMatrix prep(8, 1);
    for (size_t i = 0; i < 8; ++i) prep.row(i)[0] = (i % 3 == 0) ? 1 : 0;
    std::vector<AirKeygenInput> airs;
    airs.push_back({"Fib", fibonacci_cs(), std::nullopt});
    airs.push_back({"Selector", selector_cs(), prep});
    airs.push_back({"Inter", self_balanced_cs(false, 3, 1), std::nullopt});
    airs.push_back({"InterCached", self_balanced_cs(true, 5, 1), std::nullopt});
    pk = keygen(fri, std::move(airs));

    uint32_t out = 0;
    fib = fibonacci_trace(fib_n, 0, 1, out);
    fib_pv = {0, 1, out};
    sel_main = RowMajorMatrix(8, 1);
    for (size_t i = 0; i < 8; ++i) sel_main.row(i)[0] = (i % 3 == 0) ? 7 : 0;
    inter = random_matrix(inter_n, 2);
    inter_cached_v = random_matrix(8, 1);
    inter_cached_c = random_matrix(8, 1);
  }

  AirProvingInput fib_input() const { return {0, {}, fib.view(), fib_pv}; }
  AirProvingInput sel_input() const { return {1, {}, sel_main.view(), {}}; }
  AirProvingInput inter_input() const { return {2, {}, inter.view(), {}}; }
  AirProvingInput cached_input() const { return {3, {inter_cached_v.view()}, inter_cached_c.view(), {}}; }
  std::vector<AirProvingInput> all() const {
    return {cached_input(), fib_input(), inter_input(), sel_input()};
  }
};

template <class F>
std::optional<VerifyErrorKind> verify_kind(F&& fn) {
  try {
    fn();
  } catch (const VerificationError& e) {
    return e.kind;
  }
  return std::nullopt;
}

bool kind_in(std::optional<VerifyErrorKind> k, const std::vector<VerifyErrorKind>& allowed) {
  if (!k) return false;
  return std::find(allowed.begin(), allowed.end(), *k) != allowed.end();
}

std::string kind_str(std::optional<VerifyErrorKind> k) {
  return k ? verify_error_class_name(*k) : "accepted";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Happy paths
// ---------------------------------------------------------------------------------------------

TEST(all_airs_prove_and_verify) {
  Fixture f;
  const Proof proof = prove(f.pk, f.all());
  CHECK_EQ(proof.per_air.size(), size_t(4));
  for (size_t i = 0; i < 4; ++i) CHECK_EQ(proof.per_air[i].air_id, uint32_t(i));  // sorted
  CHECK_EQ(proof.main_commits.size(), size_t(2));  // one cached partition + the common mains
  CHECK_EQ(proof.after_challenge_commits.size(), size_t(1));
  CHECK(proof.logup_pow_witness.has_value());
  verify(f.pk.vk, proof);
  verify(f.pk.vk, f.pk.vk.fri, proof);
}

TEST(any_subset_of_airs) {
  Fixture f;
  const std::vector<std::vector<AirProvingInput>> subsets = {{f.fib_input()},
                                                             {f.sel_input()},
                                                             {f.inter_input()},
                                                             {f.cached_input()},
                                                             {f.fib_input(), f.sel_input()},
                                                             {f.inter_input(), f.fib_input()},
                                                             {f.cached_input(), f.sel_input()}};
  for (const auto& s : subsets) {
    const Proof proof = prove(f.pk, s);
    const auto k = verify_kind([&] { verify(f.pk.vk, proof); });
    if (k) std::fprintf(stderr, "  subset of %zu AIRs: %s\n", s.size(), kind_str(k).c_str());
    CHECK(!k);
    // Without interactions there is no LogUp phase at all.
    const bool inter =
        std::any_of(s.begin(), s.end(), [](const AirProvingInput& in) { return in.air_id >= 2; });
    CHECK_EQ(proof.logup_pow_witness.has_value(), inter);
  }
}

TEST(heights_one_and_two_and_larger) {
  for (size_t n : {1, 2, 4, 64}) {
    Fixture f(test_params(), n, n);
    const Proof proof = prove(f.pk, {f.fib_input(), f.inter_input()});
    CHECK(!verify_kind([&] { verify(f.pk.vk, proof); }));
  }
}

TEST(higher_blowup_and_final_poly) {
  for (auto [b, lfp] : {std::pair<uint32_t, uint32_t>{2, 0}, {2, 1}, {3, 2}}) {
    Fixture f(test_params(b, lfp), 16, 16);
    std::vector<AirProvingInput> in = f.all();
    const Proof proof = prove(f.pk, in);
    CHECK(!verify_kind([&] { verify(f.pk.vk, proof); }));
    CHECK_EQ(proof.fri.final_poly.size(), size_t(1) << lfp);
  }
}

TEST(proof_bytes_round_trip) {
  Fixture f;
  const Proof proof = prove(f.pk, f.all());
  const std::vector<uint8_t> bytes = proof_to_bytes(proof);
  const Proof back = proof_from_bytes(bytes.data(), bytes.size());
  CHECK(proof_to_bytes(back) == bytes);
  verify(f.pk.vk, back);
}

TEST(key_bytes_round_trip) {
  Fixture f;
  const std::vector<uint8_t> vk_bytes = f.pk.vk.to_bytes();
  const VerifyingKey vk = VerifyingKey::from_bytes(vk_bytes.data(), vk_bytes.size());
  CHECK(vk.to_bytes() == vk_bytes);
  CHECK(vk.pre_hash == f.pk.vk.pre_hash);
  const std::vector<uint8_t> pk_bytes = f.pk.to_bytes();
  const ProvingKey pk = ProvingKey::from_bytes(pk_bytes.data(), pk_bytes.size());
  CHECK(pk.to_bytes() == pk_bytes);
  // A decoded key proves byte-identically and verifies against the original.
  CHECK(proof_to_bytes(prove(pk, f.all())) == proof_to_bytes(prove(f.pk, f.all())));
  verify(vk, prove(pk, f.all()));
}

TEST(pre_hash_is_the_pcs_commitment_of_the_key_bytes) {
  for (uint32_t b : {1u, 3u}) {
    Fixture f(test_params(b));
    const std::vector<uint8_t> bytes = f.pk.vk.bytes_without_pre_hash();
    std::vector<PcsMatrixInput> one;
    one.push_back(PcsMatrixInput{
        RowMajorMatrix(std::vector<uint32_t>(bytes.begin(), bytes.end()), bytes.size()), Fp::one()});
    CHECK(pcs_commit(f.pk.vk.fri, std::move(one)).root() == f.pk.vk.pre_hash);
  }
}

TEST(trace_height_constraints_layout) {
  Fixture f;
  const auto& c = f.pk.vk.trace_height_constraints;
  // Buses 3 and 5 (ascending), then the interaction count.
  CHECK_EQ(c.size(), size_t(3));
  CHECK(c[0].coefficients == std::vector<uint32_t>({0, 0, 2, 0}));
  CHECK(c[1].coefficients == std::vector<uint32_t>({0, 0, 0, 2}));
  CHECK(c[2].coefficients == std::vector<uint32_t>({0, 0, 2, 2}));
  for (const auto& lc : c) CHECK_EQ(lc.threshold, uint64_t(P));
}

TEST(deterministic_across_thread_counts) {
  Fixture f(test_params(), 256, 128);
  const int saved = num_threads();
  set_num_threads(1);
  const std::vector<uint8_t> one = proof_to_bytes(prove(f.pk, f.all()));
  set_num_threads(2);
  const std::vector<uint8_t> two = proof_to_bytes(prove(f.pk, f.all()));
  set_num_threads(4);
  const std::vector<uint8_t> four = proof_to_bytes(prove(f.pk, f.all()));
  set_num_threads(saved);
  CHECK(one == two);
  CHECK(one == four);
}

// ---------------------------------------------------------------------------------------------
// Wrong statements
// ---------------------------------------------------------------------------------------------

TEST(wrong_public_value_is_an_ood_mismatch) {
  Fixture f;
  AirProvingInput in = f.fib_input();
  in.public_values[2] = (in.public_values[2] + 1) % P;
  const Proof proof = prove(f.pk, {in});
  CHECK_EQ(kind_str(verify_kind([&] { verify(f.pk.vk, proof); })), std::string("OodEvaluationMismatch"));
}

TEST(violated_constraint_is_an_ood_mismatch) {
  Fixture f;
  f.sel_main.row(4)[0] = 1;  // the selector is 0 on row 4, so (1 − p)·v = 1 there
  const Proof proof = prove(f.pk, {f.sel_input()});
  CHECK_EQ(kind_str(verify_kind([&] { verify(f.pk.vk, proof); })), std::string("OodEvaluationMismatch"));
}

TEST(unbalanced_bus_is_a_challenge_phase_error) {
  std::vector<AirKeygenInput> airs;
  airs.push_back({"Unbalanced", self_balanced_cs(false, 0, 1, true), std::nullopt});
  const ProvingKey pk = keygen(test_params(), std::move(airs));
  const RowMajorMatrix t = random_matrix(8, 2);
  const Proof proof = prove(pk, {{0, {}, t.view(), {}}});
  CHECK_EQ(kind_str(verify_kind([&] { verify(pk.vk, proof); })), std::string("ChallengePhaseError"));
}

TEST(trace_height_constraint_violation) {
  // Two interactions of weight 2^30 on one bus: 2^31 · n ≥ p already for n = 1.
  std::vector<AirKeygenInput> airs;
  airs.push_back({"Heavy", self_balanced_cs(false, 0, 1u << 30), std::nullopt});
  airs.push_back({"Fib", fibonacci_cs(), std::nullopt});
  const ProvingKey pk = keygen(test_params(), std::move(airs));
  const RowMajorMatrix t = random_matrix(1, 2);
  const Proof proof = prove(pk, {{0, {}, t.view(), {}}});
  CHECK_EQ(kind_str(verify_kind([&] { verify(pk.vk, proof); })),
           std::string("TraceHeightConstraintViolation"));
  // Without the heavy AIR, the constraint holds.
  uint32_t out = 0;
  const RowMajorMatrix fib = fibonacci_trace(4, 0, 1, out);
  CHECK(!verify_kind([&] { verify(pk.vk, prove(pk, {{1, {}, fib.view(), {0, 1, out}}})); }));
}

TEST(key_for_other_fri_parameters_is_a_shape_error) {
  Fixture f;
  const Proof proof = prove(f.pk, {f.fib_input()});
  FriParameters other = f.pk.vk.fri;
  other.num_queries += 1;
  CHECK_EQ(kind_str(verify_kind([&] { verify(f.pk.vk, other, proof); })), std::string("InvalidProofShape"));
}

// ---------------------------------------------------------------------------------------------
// Tampering: each part of the proof
// ---------------------------------------------------------------------------------------------

TEST(tampering_with_every_part) {
  Fixture f;
  const Proof good = prove(f.pk, f.all());
  const VerifyingKey& vk = f.pk.vk;
  using K = VerifyErrorKind;
  // Anything observed before the LogUp challenges makes the 18-bit LogUp PoW fail (all four
  // AIRs present, two with interactions).
  const std::vector<K> pre_logup = {K::ChallengePhaseError};
  // Observed after the LogUp challenges but before ζ: the DEEP PoW (5 bits) or, if it happens to
  // pass, the openings / OOD check at a different ζ.
  const std::vector<K> pre_zeta = {K::InvalidPowWitness, K::InvalidOpeningArgument, K::OodEvaluationMismatch};
  const std::vector<K> opening = {K::InvalidOpeningArgument};
  const std::vector<K> shape = {K::InvalidProofShape};

  struct Case {
    const char* name;
    std::function<void(Proof&)> mutate;
    std::vector<K> expected;
  };
  const Fp one = Fp::one();
  auto bump = [&](uint32_t& v) { v = (v + 1) % P; };
  auto bump_ext = [&](Ext4& e) { e = e + one; };
  const std::vector<Case> cases = {
      {"unknown air id", [](Proof& p) { p.per_air[0].air_id = 17; }, shape},
      {"duplicate air id", [](Proof& p) { p.per_air[1].air_id = 0; }, std::vector<K>{K::DuplicateAirs}},
      {"descending air ids", [](Proof& p) { std::swap(p.per_air[0].air_id, p.per_air[1].air_id); }, shape},
      {"no AIRs", [](Proof& p) { p.per_air.clear(); }, shape},
      {"height not a power of two", [](Proof& p) { p.per_air[0].height = 12; }, shape},
      {"height zero", [](Proof& p) { p.per_air[0].height = 0; }, shape},
      {"height differs from preprocessed", [](Proof& p) { p.per_air[1].height = 16; }, shape},
      {"height doubled (largest AIR)", [](Proof& p) { p.per_air[0].height *= 2; }, shape},  // FRI rounds
      // Its cached round's Merkle paths no longer have the expected length.
      {"height halved (smaller AIR)", [](Proof& p) { p.per_air[3].height /= 2; }, shape},
      {"public value", [&](Proof& p) { bump(p.per_air[0].public_values[1]); }, pre_logup},
      {"public value count", [](Proof& p) { p.per_air[0].public_values.pop_back(); }, shape},
      {"missing exposed value", [](Proof& p) { p.per_air[2].exposed_values.clear(); }, shape},
      {"extra exposed value", [](Proof& p) { p.per_air[0].exposed_values.push_back(Ext4()); }, shape},
      {"cumulative sum", [&](Proof& p) { bump_ext(p.per_air[2].exposed_values[0]); }, pre_zeta},
      {"cumulative sums shifted but balanced",
       [&](Proof& p) {
         bump_ext(p.per_air[2].exposed_values[0]);
         p.per_air[3].exposed_values[0] = p.per_air[3].exposed_values[0] - Ext4(one);
       },
       pre_zeta},
      {"cached main commitment", [&](Proof& p) { bump(p.main_commits[0][0]); }, pre_logup},
      {"common main commitment", [&](Proof& p) { bump(p.main_commits[1][7]); }, pre_logup},
      {"missing main commitment", [](Proof& p) { p.main_commits.pop_back(); }, shape},
      {"after-challenge commitment", [&](Proof& p) { bump(p.after_challenge_commits[0][3]); }, pre_zeta},
      {"missing after-challenge commitment", [](Proof& p) { p.after_challenge_commits.clear(); }, shape},
      {"quotient commitment", [&](Proof& p) { bump(p.quotient_commit[0]); }, pre_zeta},
      {"LogUp PoW witness", [&](Proof& p) { bump(*p.logup_pow_witness); },
       std::vector<K>{K::ChallengePhaseError}},
      {"missing LogUp PoW witness", [](Proof& p) { p.logup_pow_witness.reset(); }, shape},
      {"DEEP PoW witness", [&](Proof& p) { bump(p.deep_pow_witness); }, pre_zeta},
      {"preprocessed opening", [&](Proof& p) { bump_ext(p.opened.preprocessed[0].local[0]); }, opening},
      {"cached main opening", [&](Proof& p) { bump_ext(p.opened.main[0][0].next[0]); }, opening},
      {"common main opening", [&](Proof& p) { bump_ext(p.opened.main[1][2].local[1]); }, opening},
      {"after-challenge opening", [&](Proof& p) { bump_ext(p.opened.after_challenge[0][1].next[5]); },
       opening},
      {"quotient opening", [&](Proof& p) { bump_ext(p.opened.quotient[3][1][2]); }, opening},
      {"opened width", [](Proof& p) { p.opened.main[1][0].local.pop_back(); }, shape},
      {"quotient chunk count", [](Proof& p) { p.opened.quotient[2].pop_back(); }, shape},
      {"FRI commit-phase commitment", [&](Proof& p) { bump(p.fri.commit_phase_commits[1][2]); }, opening},
      {"FRI commit PoW witness", [&](Proof& p) { bump(p.fri.commit_pow_witnesses[0]); }, opening},
      {"FRI final polynomial", [&](Proof& p) { bump_ext(p.fri.final_poly[0]); }, opening},
      {"FRI query PoW witness", [&](Proof& p) { bump(p.fri.query_pow_witness); }, opening},
      {"FRI input opening row",
       [&](Proof& p) { bump(p.fri.query_proofs[2].input_proof[1].opened_rows[0][0]); }, opening},
      {"FRI input Merkle path", [&](Proof& p) { bump(p.fri.query_proofs[0].input_proof[0].siblings[0][0]); },
       opening},
      {"FRI fold sibling value",
       [&](Proof& p) { bump_ext(p.fri.query_proofs[1].commit_phase_openings[0].sibling_value); }, opening},
      {"FRI fold Merkle path",
       [&](Proof& p) { bump(p.fri.query_proofs[3].commit_phase_openings[1].siblings[0][5]); }, opening},
      {"FRI query count", [](Proof& p) { p.fri.query_proofs.pop_back(); }, shape},
      {"FRI fold count", [](Proof& p) { p.fri.commit_phase_commits.pop_back(); }, shape},
  };
  for (const Case& c : cases) {
    Proof p = good;
    c.mutate(p);
    const auto k = verify_kind([&] { verify(vk, p); });
    if (!kind_in(k, c.expected)) {
      std::fprintf(stderr, "  %s: got %s\n", c.name, kind_str(k).c_str());
      CHECK(false);
    }
    // The tampered proof also survives its own byte encoding (or is refused by the decoder
    // for fields the format pins down) without crashing.
    const std::vector<uint8_t> bytes = proof_to_bytes(p);
    try {
      const Proof q = proof_from_bytes(bytes.data(), bytes.size());
      CHECK(kind_in(verify_kind([&] { verify(vk, q); }), c.expected));
    } catch (const ProofFormatError&) {
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Malformed bytes
// ---------------------------------------------------------------------------------------------

TEST(proof_bytes_truncated_extended_flipped) {
  Fixture f(test_params(), 4, 2);
  const Proof proof = prove(f.pk, {f.fib_input(), f.inter_input()});
  const std::vector<uint8_t> bytes = proof_to_bytes(proof);
  for (size_t len = 0; len < bytes.size(); len += 1 + len / 64) {
    CHECK_THROWS(proof_from_bytes(bytes.data(), len), ProofFormatError);
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  CHECK_THROWS(proof_from_bytes(longer.data(), longer.size()), ProofFormatError);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> b = bytes;
    const size_t pos = testing::rng()() % b.size();
    b[pos] ^= uint8_t(1u << (testing::rng()() % 8));
    bool rejected = false;
    try {
      const Proof q = proof_from_bytes(b.data(), b.size());
      verify(f.pk.vk, q);
    } catch (const ProofFormatError&) {
      rejected = true;
    } catch (const VerificationError&) {
      rejected = true;
    }
    if (!rejected) std::fprintf(stderr, "  bit flip at byte %zu accepted\n", pos);
    CHECK(rejected);
  }
}

TEST(key_bytes_truncated_extended_flipped) {
  Fixture f;
  const std::vector<uint8_t> vk_bytes = f.pk.vk.to_bytes();
  const std::vector<uint8_t> pk_bytes = f.pk.to_bytes();
  for (size_t len = 0; len < vk_bytes.size(); len += 1 + len / 32) {
    CHECK_THROWS(VerifyingKey::from_bytes(vk_bytes.data(), len), ProofFormatError);
  }
  for (size_t len = 0; len < pk_bytes.size(); len += 1 + len / 32) {
    CHECK_THROWS(ProvingKey::from_bytes(pk_bytes.data(), len), ProofFormatError);
  }
  std::vector<uint8_t> longer = vk_bytes;
  longer.push_back(1);
  CHECK_THROWS(VerifyingKey::from_bytes(longer.data(), longer.size()), ProofFormatError);
  longer = pk_bytes;
  longer.push_back(1);
  CHECK_THROWS(ProvingKey::from_bytes(longer.data(), longer.size()), ProofFormatError);
  // Every single-bit change of a verifying key changes its contents or its pre_hash.
  for (size_t pos = 0; pos < vk_bytes.size(); pos += 3) {
    std::vector<uint8_t> b = vk_bytes;
    b[pos] ^= uint8_t(1u << (pos % 8));
    CHECK_THROWS(VerifyingKey::from_bytes(b.data(), b.size()), ProofFormatError);
  }
  // A change in a preprocessed trace no longer matches the key's commitment.
  std::vector<uint8_t> b = pk_bytes;
  b[b.size() - 4 * 3] ^= 1;
  CHECK_THROWS(ProvingKey::from_bytes(b.data(), b.size()), ProofFormatError);
}

TEST(utf8_validation_is_strict) {
  auto error_at = [](std::initializer_list<int> bytes) {
    const std::vector<uint8_t> b(bytes.begin(), bytes.end());
    return utf8_error_at(b.data(), b.size());
  };
  // Valid: ASCII, 2-, 3- and 4-byte forms, the edges around the surrogates and U+10FFFF.
  CHECK_EQ(error_at({'a', 'b'}), size_t(2));
  CHECK_EQ(error_at({0xC3, 0xA9}), size_t(2));
  CHECK_EQ(error_at({0xE2, 0x82, 0xAC}), size_t(3));
  CHECK_EQ(error_at({0xED, 0x9F, 0xBF}), size_t(3));  // U+D7FF
  CHECK_EQ(error_at({0xEE, 0x80, 0x80}), size_t(3));  // U+E000
  CHECK_EQ(error_at({0xF0, 0x9F, 0x98, 0x80}), size_t(4));
  CHECK_EQ(error_at({0xF4, 0x8F, 0xBF, 0xBF}), size_t(4));  // U+10FFFF
  CHECK_EQ(error_at({0x00}), size_t(1));
  // Invalid, with the index of the byte that starts the bad sequence.
  CHECK_EQ(error_at({'a', 0x80}), size_t(1));               // lone continuation byte
  CHECK_EQ(error_at({0xC0, 0x80}), size_t(0));              // overlong NUL
  CHECK_EQ(error_at({0xC1, 0xBF}), size_t(0));              // overlong U+007F
  CHECK_EQ(error_at({0xE0, 0x9F, 0xBF}), size_t(0));        // overlong U+07FF
  CHECK_EQ(error_at({0xF0, 0x8F, 0xBF, 0xBF}), size_t(0));  // overlong U+FFFF
  CHECK_EQ(error_at({0xED, 0xA0, 0x80}), size_t(0));        // surrogate U+D800
  CHECK_EQ(error_at({'x', 0xED, 0xBF, 0xBF}), size_t(1));   // surrogate U+DFFF
  CHECK_EQ(error_at({0xF4, 0x90, 0x80, 0x80}), size_t(0));  // U+110000
  CHECK_EQ(error_at({0xF5, 0x80, 0x80, 0x80}), size_t(0));
  CHECK_EQ(error_at({0xF8, 0x88, 0x80, 0x80, 0x80}), size_t(0));
  CHECK_EQ(error_at({0xFF}), size_t(0));
  CHECK_EQ(error_at({'a', 'b', 0xE2, 0x82}), size_t(2));  // truncated sequence
  CHECK_EQ(error_at({0xE2, 0x28, 0xA1}), size_t(0));      // bad continuation byte
}

// A key whose AIR name is not UTF-8 (with a pre_hash that matches, as a crafted key would have)
// is refused when decoded, naming the byte: before, it decoded and the name later failed in
// Python with a bare UnicodeDecodeError.
TEST(key_with_an_invalid_utf8_air_name_is_a_format_error) {
  Fixture f;
  VerifyingKey vk = f.pk.vk;
  vk.airs[0].name = std::string("Fib\xed\xa0\x80", 6);  // a UTF-16 surrogate, U+D800
  vk.pre_hash = compute_pre_hash(vk);
  const std::vector<uint8_t> vk_bytes = vk.to_bytes();
  // magic 4, version 4, configuration 4, FRI parameters 20, PoW bits 8, AIR count 4, name length
  // 4, "Fib" 3.
  const size_t bad_byte = 4 + 4 + 4 + 20 + 8 + 4 + 4 + 3;
  CHECK_EQ(int(vk_bytes[bad_byte]), 0xED);
  std::string message;
  try {
    VerifyingKey::from_bytes(vk_bytes.data(), vk_bytes.size());
  } catch (const ProofFormatError& e) {
    message = e.what();
  }
  CHECK(message.find("name of AIR 0 at byte offset " + std::to_string(bad_byte)) != std::string::npos);
  CHECK(message.find("invalid UTF-8") != std::string::npos);

  // Inside a proving key the offset is counted from the start of the proving key's bytes.
  ProvingKey pk = f.pk;
  pk.vk = vk;
  const std::vector<uint8_t> pk_bytes = pk.to_bytes();
  message.clear();
  try {
    ProvingKey::from_bytes(pk_bytes.data(), pk_bytes.size());
  } catch (const ProofFormatError& e) {
    message = e.what();
  }
  const size_t vk_start = 4 + 4 + 4;  // magic, version, VK length
  CHECK(message.find("name of AIR 0 at byte offset " + std::to_string(vk_start + bad_byte)) !=
        std::string::npos);

  // Valid UTF-8 beyond ASCII round-trips.
  VerifyingKey named = f.pk.vk;
  named.airs[0].name = "Fib \xc3\xa9\xf0\x9f\x98\x80";
  named.pre_hash = compute_pre_hash(named);
  const std::vector<uint8_t> named_bytes = named.to_bytes();
  CHECK(VerifyingKey::from_bytes(named_bytes.data(), named_bytes.size()).airs[0].name == named.airs[0].name);
}

// ---------------------------------------------------------------------------------------------
// Bad prover input and keygen errors
// ---------------------------------------------------------------------------------------------

TEST(prover_input_errors) {
  Fixture f;
  CHECK_THROWS(prove(f.pk, {}), InputError);
  CHECK_THROWS(prove(f.pk, {{9, {}, f.fib.view(), f.fib_pv}}), InputError);  // unknown id
  CHECK_THROWS(prove(f.pk, {f.fib_input(), f.fib_input()}), InputError);     // repeated id
  AirProvingInput in = f.fib_input();
  in.public_values.pop_back();
  CHECK_THROWS(prove(f.pk, {in}), InputError);
  in = f.fib_input();
  in.public_values[0] = P;
  CHECK_THROWS(prove(f.pk, {in}), InputError);
  RowMajorMatrix three(3, 2);
  CHECK_THROWS(prove(f.pk, {{0, {}, three.view(), f.fib_pv}}), InputError);  // height 3
  RowMajorMatrix wide(4, 3);
  CHECK_THROWS(prove(f.pk, {{0, {}, wide.view(), f.fib_pv}}), InputError);  // width 3
  RowMajorMatrix bad = f.fib;
  bad.row(2)[1] = P;
  try {
    prove(f.pk, {{0, {}, bad.view(), f.fib_pv}});
    CHECK(false);
  } catch (const InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("'Fib'") != std::string::npos);
    CHECK(msg.find("row 2, column 1") != std::string::npos);
  }
  RowMajorMatrix sel16(16, 1);  // preprocessed height is 8
  CHECK_THROWS(prove(f.pk, {{1, {}, sel16.view(), {}}}), InputError);
  CHECK_THROWS(prove(f.pk, {{3, {}, f.inter_cached_c.view(), {}}}), InputError);  // cached part missing
  RowMajorMatrix c4(4, 1);
  CHECK_THROWS(prove(f.pk, {{3, {f.inter_cached_v.view()}, c4.view(), {}}}), InputError);  // heights differ
  CHECK_THROWS(prove(f.pk, {{0, {}, std::nullopt, f.fib_pv}}), InputError);  // common main missing
}

TEST(log_final_poly_len_needs_taller_traces) {
  Fixture f(test_params(1, 2), 4, 8);
  CHECK_THROWS(prove(f.pk, {f.fib_input()}), InputError);  // 4 ≤ 2^2
  CHECK(!verify_kind([&] { verify(f.pk.vk, prove(f.pk, {f.inter_input()})); }));
}

TEST(keygen_errors) {
  CHECK_THROWS(keygen(test_params(), {}), KeygenError);
  // Degree 4 > max_constraint_degree 3 at log_blowup 1 (fine at log_blowup 2).
  Dag d;
  d.cs.common_main_width = 1;
  const uint32_t x = d.main(0);
  d.constrain(d.mul(d.mul(x, x), d.mul(x, x)));
  const ConstraintSystem quartic = d.finish_with_quotient_degree(4);
  {
    std::vector<AirKeygenInput> airs;
    airs.push_back({"Quartic", quartic, std::nullopt});
    CHECK_THROWS(keygen(test_params(1), std::move(airs)), KeygenError);
  }
  {
    std::vector<AirKeygenInput> airs;
    airs.push_back({"Quartic", quartic, std::nullopt});
    const ProvingKey pk = keygen(test_params(2), std::move(airs));
    RowMajorMatrix zeros(8, 1);
    CHECK(!verify_kind([&] { verify(pk.vk, prove(pk, {{0, {}, zeros.view(), {}}})); }));
  }
  // Preprocessed trace missing, unexpected, of the wrong width or height, or non-canonical.
  auto try_prep = [](std::optional<RowMajorMatrix> prep, ConstraintSystem cs) {
    std::vector<AirKeygenInput> airs;
    airs.push_back({"P", std::move(cs), std::move(prep)});
    return keygen(test_params(), std::move(airs));
  };
  CHECK_THROWS(try_prep(std::nullopt, selector_cs()), KeygenError);
  CHECK_THROWS(try_prep(RowMajorMatrix(4, 1), fibonacci_cs()), KeygenError);
  CHECK_THROWS(try_prep(RowMajorMatrix(4, 2), selector_cs()), KeygenError);
  CHECK_THROWS(try_prep(RowMajorMatrix(6, 1), selector_cs()), KeygenError);
  RowMajorMatrix noncanon(4, 1);
  noncanon.values[3] = P;
  CHECK_THROWS(try_prep(noncanon, selector_cs()), KeygenError);
  // Malformed constraint-system bytes are a KeygenError naming the AIR.
  const std::vector<uint8_t> junk = {1, 2, 3};
  CHECK_THROWS(decode_constraint_system("Junk", junk), KeygenError);
}

// ---------------------------------------------------------------------------------------------
// The device seam: a device with handle types of its own (its "device memory" is a copy made on
// upload, its commitments are built through commit_with_subgroup_lde, as a GPU device that
// writes LDEs to host memory would) gives the CPU device's bytes. The coordinator reaches the
// device's data only through the handles.
// ---------------------------------------------------------------------------------------------

namespace {

struct StagedMatrix final : DeviceMatrix {
  explicit StagedMatrix(RowMajorMatrix m) : DeviceMatrix(m.height(), m.width), data(std::move(m)) {}
  RowMajorMatrix data;
};

struct StagedCommitment final : DeviceCommitment {
  explicit StagedCommitment(std::shared_ptr<const PcsCommitted> c) : committed(std::move(c)) {}
  std::shared_ptr<const PcsCommitted> committed;
  const Digest& root() const override { return committed->root(); }
  uint32_t log_blowup() const override { return committed->log_blowup(); }
  size_t num_matrices() const override { return committed->num_matrices(); }
  uint32_t log_trace_height(size_t m) const override { return committed->log_trace_height(m); }
  Fp domain_shift(size_t m) const override { return committed->domain_shift(m); }
  size_t width(size_t m) const override { return committed->width(m); }
};

const RowMajorMatrix& staged(const DeviceMatrix* m) { return dynamic_cast<const StagedMatrix&>(*m).data; }
const PcsCommitted& staged(const DeviceCommitment* c) {
  return *dynamic_cast<const StagedCommitment&>(*c).committed;
}

struct StagingCounts {
  int sessions = 0, uploads = 0, resident_matrices = 0, resident_commitments = 0, finished = 0;
};

class StagingSession final : public ProverSession {
 public:
  StagingSession(const ProverDevice& device, StagingCounts& counts)
      : ProverSession(device), counts_(counts) {}
  std::shared_ptr<const DeviceMatrix> upload(ConstMatrixView host) override {
    ++counts_.uploads;
    return std::make_shared<const StagedMatrix>(
        RowMajorMatrix(FieldVector(host.data, host.data + host.height * host.width), host.width));
  }
  std::shared_ptr<const DeviceMatrix> resident_matrix(
      const std::shared_ptr<const RowMajorMatrix>& host) override {
    ++counts_.resident_matrices;
    return std::make_shared<const StagedMatrix>(*host);
  }
  std::shared_ptr<const DeviceCommitment> resident_commitment(
      const std::shared_ptr<const PcsCommitted>& host) override {
    ++counts_.resident_commitments;
    return std::make_shared<const StagedCommitment>(host);
  }
  std::shared_ptr<const DeviceCommitment> commit(const FriParameters& params,
                                                 const std::vector<DeviceCommitInput>& matrices) override {
    const SubgroupLde lde = [](ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out) {
      coset_lde_bitrev(in, log_blowup, shift, out);
    };
    std::vector<PcsMatrixInput> inputs;
    for (const DeviceCommitInput& m : matrices)
      inputs.push_back(PcsMatrixInput::borrow(staged(m.matrix.get()).view(), m.domain_shift));
    return std::make_shared<const StagedCommitment>(
        commit_with_subgroup_lde(params, std::move(inputs), lde, cpu_merkle_hasher()));
  }
  DeviceLogupTrace logup_trace(const ConstraintSystem& cs, const DeviceMatrix* prep,
                               const std::vector<const DeviceMatrix*>& mains, const std::vector<uint32_t>& pv,
                               const Ext4& a, const Ext4& b) override {
    std::optional<ConstMatrixView> p;
    if (prep != nullptr) p = staged(prep).view();
    std::vector<ConstMatrixView> views;
    for (const DeviceMatrix* m : mains) views.push_back(staged(m).view());
    AfterChallengeTrace ac = after_challenge_trace(cs, p, views, pv, a, b);
    return {std::make_shared<const StagedMatrix>(std::move(ac.flattened)), ac.cumulative_sum};
  }
  std::vector<std::shared_ptr<const DeviceMatrix>> quotient_chunks(const ConstraintSystem& cs,
                                                                   const DeviceQuotientInputs& in,
                                                                   const Ext4& alpha) override {
    auto lde = [](const DeviceLde& l) { return staged(l.commitment).lde(l.matrix); };
    QuotientInputs q;
    q.log_height = in.log_height;
    q.log_blowup = in.log_blowup;
    if (in.preprocessed) q.preprocessed = lde(*in.preprocessed);
    for (const DeviceLde& m : in.mains) q.mains.push_back(lde(m));
    if (in.after_challenge) q.after_challenge = lde(*in.after_challenge);
    q.public_values = in.public_values;
    q.challenges = in.challenges;
    q.exposed = in.exposed;
    std::vector<std::shared_ptr<const DeviceMatrix>> out;
    for (RowMajorMatrix& c : stark::quotient_chunks(quotient_values(cs, q, alpha), cs.quotient_degree))
      out.push_back(std::make_shared<const StagedMatrix>(std::move(c)));
    return out;
  }
  std::unique_ptr<FriProverBackend> fri_prover(const FriParameters& params,
                                               const std::vector<DeviceOpenRound>& rounds) override {
    std::vector<PcsOpenRound> host;
    for (const DeviceOpenRound& r : rounds) host.push_back(PcsOpenRound{&staged(r.commitment), r.points});
    return cpu_fri_prover(params, std::move(host));
  }
  void finish() override { ++counts_.finished; }

 private:
  StagingCounts& counts_;
};

class StagingDevice final : public ProverDevice {
 public:
  mutable StagingCounts counts;
  std::string name() const override { return "staging"; }
  std::unique_ptr<ProverSession> begin_proof(
      const stark::StarkConfig& /*config*/ = stark::default_config()) const override {
    ++counts.sessions;
    return std::make_unique<StagingSession>(*this, counts);
  }
};

}  // namespace

TEST(subgroup_lde_commit_matches_pcs_commit) {
  const FriParameters fri = test_params(2);
  const Fp s1 = generator() * two_adic_generator(5).pow(3);
  std::vector<PcsMatrixInput> a, b;
  for (auto [h, w, shift] : {std::tuple<size_t, size_t, Fp>{8, 3, Fp::one()}, {16, 2, s1}, {1, 4, s1}}) {
    RowMajorMatrix m = random_matrix(h, w);
    a.push_back(PcsMatrixInput{m, shift});
    b.push_back(PcsMatrixInput{m, shift});
  }
  const PcsCommitted reference = pcs_commit(fri, std::move(a));
  const SubgroupLde lde = [](ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out) {
    coset_lde_bitrev(in, log_blowup, shift, out);
  };
  const auto assembled = commit_with_subgroup_lde(fri, std::move(b), lde, cpu_merkle_hasher());
  CHECK(assembled->root() == reference.root());
  for (size_t m = 0; m < 3; ++m) {
    const ConstMatrixView x = assembled->lde(m), y = reference.lde(m);
    CHECK(std::equal(x.data, x.data + x.height * x.width, y.data));
  }
  std::vector<PcsMatrixInput> bad;
  bad.push_back(PcsMatrixInput{RowMajorMatrix(3, 1), Fp::one()});
  CHECK_THROWS(commit_with_subgroup_lde(fri, std::move(bad), lde, cpu_merkle_hasher()), InputError);
}

TEST(device_seam_gives_identical_proofs) {
  Fixture f;
  const StagingDevice device;
  const std::vector<AirProvingInput> inputs = f.all();
  CHECK(proof_to_bytes(prove(f.pk, inputs, device)) == proof_to_bytes(prove(f.pk, inputs)));
  // Every main partition went up once; the key's preprocessed data came from the resident calls.
  size_t partitions = 0, with_preprocessed = 0;
  for (const AirProvingInput& in : inputs) {
    partitions += in.cached_mains.size() + (in.common_main ? 1 : 0);
    if (f.pk.preprocessed[size_t(in.air_id)]) ++with_preprocessed;
  }
  CHECK_EQ(device.counts.sessions, 1);
  CHECK_EQ(device.counts.finished, 1);
  CHECK_EQ(size_t(device.counts.uploads), partitions);
  CHECK_EQ(size_t(device.counts.resident_commitments), with_preprocessed);
  CHECK(size_t(device.counts.resident_matrices) <= with_preprocessed);
  // A CPU device refuses another device's handles with a DeviceError naming the phase.
  const RowMajorMatrix m = random_matrix(4, 2);
  const std::vector<DeviceCommitInput> foreign = {DeviceCommitInput{device.begin_proof()->upload(m.view())}};
  try {
    cpu_prover_device().begin_proof()->commit(f.pk.vk.fri, foreign);
    CHECK(false);
  } catch (const DeviceError& e) {
    CHECK(std::string(e.what()).find("commit: a matrix of another device") != std::string::npos);
  }
  CHECK_EQ(prover_device("cpu").name(), std::string("cpu"));
  CHECK_THROWS(prover_device("tpu"), InputError);
  if (!cuda::available()) {
    CHECK_THROWS(prover_device("cuda"), DeviceError);
    CHECK_EQ(prover_device("auto").name(), std::string("cpu"));
  }
}

// The device-resident session of the CUDA device (cuda/prover/resident_session.hpp) on the host
// executor: the whole proof runs through the resident plans (device LDEs, device Merkle trees,
// PlanFriProver, resident key data) with the kernels' bodies, and must give the CPU's bytes.
namespace {

class HostResidentDevice final : public ProverDevice {
 public:
  explicit HostResidentDevice(bool backwards = false) : backwards_(backwards) {}
  std::string name() const override { return "host-resident"; }
  std::unique_ptr<ProverSession> begin_proof(
      const stark::StarkConfig& /*config*/ = stark::default_config()) const override {
    testing::HostExec ex;
    ex.backwards = backwards_;
    ex.record = &last;
    return std::make_unique<cuda::ResidentSession<testing::HostExec>>(*this, ex, cache);
  }
  mutable cuda::ResidentCache cache;
  mutable testing::HostExec::Record last;  // of the last proof that finished

 private:
  bool backwards_;
};

}  // namespace

TEST(resident_session_gives_identical_proofs) {
  for (bool backwards : {false, true}) {
    const HostResidentDevice device(backwards);
    for (const auto& [fri, fib_n] :
         {std::pair{test_params(), size_t(16)}, std::pair{test_params(2, 1), size_t(32)}}) {
      Fixture f(fri, fib_n);
      const std::vector<AirProvingInput> inputs = f.all();
      const std::vector<uint8_t> cpu = proof_to_bytes(prove(f.pk, inputs));
      CHECK(proof_to_bytes(prove(f.pk, inputs, device)) == cpu);
      // Some AIRs only, and the same key again: its preprocessed data comes from the cache.
      const std::vector<AirProvingInput> some = {f.sel_input(), f.fib_input()};
      CHECK(proof_to_bytes(prove(f.pk, some, device)) == proof_to_bytes(prove(f.pk, some)));
      CHECK(proof_to_bytes(prove(f.pk, inputs, device)) == cpu);
      size_t trace_bytes = 0;
      for (const AirProvingInput& in : inputs) {
        for (const ConstMatrixView& c : in.cached_mains) trace_bytes += 4 * c.height * c.width;
        if (in.common_main) trace_bytes += 4 * in.common_main->height * in.common_main->width;
      }
      CHECK_EQ(device.last.host_to_device_bytes, uint64_t(trace_bytes));  // the key's data stayed resident
      CHECK(std::count(device.last.spans.begin(), device.last.spans.end(), std::string("lde")) > 0);
    }
  }
}

TEST(resident_session_adopts_device_traces_and_checks_them) {
  Fixture f;
  const HostResidentDevice device;
  std::vector<AirProvingInput> inputs = f.all();
  for (AirProvingInput& in : inputs) in.memory = TraceMemory::Cuda;  // host memory stands in for it
  prove(f.pk, f.all(), device);  // the key's preprocessed data goes up with the first proof
  CHECK(proof_to_bytes(prove(f.pk, inputs, device)) == proof_to_bytes(prove(f.pk, f.all())));
  CHECK_EQ(device.last.host_to_device_bytes, uint64_t(0));  // adopted in place
  RowMajorMatrix bad = f.fib;
  bad.row(3)[1] = stark::P;
  std::vector<AirProvingInput> wrong = {AirProvingInput{0, {}, bad.view(), f.fib_pv}};
  wrong[0].memory = TraceMemory::Cuda;
  try {
    prove(f.pk, wrong, device);
    CHECK(false);
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.find("row 3") != std::string::npos && what.find("column 1") != std::string::npos);
  }
  // Another device's handles are refused by name.
  const std::vector<DeviceCommitInput> foreign = {
      DeviceCommitInput{cpu_prover_device().begin_proof()->upload(f.fib.view())}};
  try {
    device.begin_proof()->commit(f.pk.vk.fri, foreign);
    CHECK(false);
  } catch (const DeviceError& e) {
    CHECK(std::string(e.what()).find(
              "commit: a matrix of another device was given to the host-resident device") !=
          std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// The proof layout (stark/protocol/layout.hpp): one description of the rounds, their matrices
// and the opened-value sections, which the prover fills and the verifier checks.
// ---------------------------------------------------------------------------------------------

namespace {

// The message of the exception `fn` throws as E ("" if it throws nothing).
template <class E, class F>
std::string message_of(F&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(layout_rounds_in_transcript_order) {
  Fixture f;  // Fib 16 rows, Selector 8 (preprocessed), Inter 4, InterCached 8 (one cached part)
  const ProofLayout layout(f.pk.vk, {{0, 4}, {1, 3}, {2, 2}, {3, 3}});
  const auto& rounds = layout.rounds();
  CHECK_EQ(rounds.size(), size_t(5));
  const std::vector<LayoutSection> sections = {LayoutSection::Preprocessed, LayoutSection::CachedMain,
                                               LayoutSection::CommonMain, LayoutSection::AfterChallenge,
                                               LayoutSection::Quotient};
  for (size_t r = 0; r < rounds.size(); ++r) CHECK(rounds[r].section == sections[r]);
  CHECK_EQ(layout.num_preprocessed_rounds(), size_t(1));
  CHECK_EQ(layout.num_main_commits(), size_t(2));
  CHECK(layout.has_after_challenge());
  // Matrices per round: the selector's preprocessed column; the cached partition; the four common
  // mains; the two after-challenge traces; q = 1, 1, 2, 2 quotient chunks.
  CHECK_EQ(rounds[0].matrices.size(), size_t(1));
  CHECK_EQ(rounds[0].matrices[0].air, size_t(1));
  CHECK_EQ(rounds[1].matrices.size(), size_t(1));
  CHECK_EQ(rounds[1].matrices[0].air, size_t(3));
  CHECK_EQ(rounds[1].index, size_t(0));
  CHECK_EQ(rounds[2].matrices.size(), size_t(4));
  CHECK_EQ(rounds[2].index, size_t(1));
  CHECK_EQ(rounds[3].matrices.size(), size_t(2));
  CHECK_EQ(rounds[4].matrices.size(), size_t(6));
  const std::vector<size_t> common_widths = {2, 1, 2, 1};
  for (size_t m = 0; m < 4; ++m) {
    CHECK_EQ(rounds[2].matrices[m].width, common_widths[m]);
    CHECK_EQ(rounds[2].matrices[m].num_points(), size_t(2));
  }
  for (const LayoutMatrix& m : rounds[4].matrices) {
    CHECK_EQ(m.width, size_t(4));
    CHECK_EQ(m.num_points(), size_t(1));
  }
  // Chunk t of an AIR with q = 2 and k = 2 lies on g·ω_3^t·H_4.
  const LayoutAir& inter = layout.airs()[2];
  CHECK_EQ(inter.label, std::string("AIR 'Inter' (id 2)"));
  CHECK_EQ(inter.quotient_chunks.size(), size_t(2));
  CHECK(layout.matrix(inter.quotient_chunks[0]).domain_shift == generator());
  CHECK(layout.matrix(inter.quotient_chunks[1]).domain_shift == generator() * two_adic_generator(3));
  CHECK(layout.matrix(inter.common_main).section == LayoutSection::CommonMain);
  CHECK(!inter.preprocessed.present());
  CHECK(layout.points(layout.matrix(inter.common_main), Ext4::one())[1] == Ext4(two_adic_generator(2)));
  // Ids must be ascending and known.
  CHECK_THROWS(ProofLayout(f.pk.vk, {{1, 3}, {0, 4}}), InputError);
  CHECK_THROWS(ProofLayout(f.pk.vk, {{4, 3}}), InputError);
  CHECK_THROWS(ProofLayout(f.pk.vk, {}), InputError);
}

TEST(layout_describes_the_proofs_prover_makes) {
  Fixture f;
  const std::vector<std::vector<AirProvingInput>> subsets = {
      f.all(), {f.fib_input()}, {f.sel_input(), f.cached_input()}, {f.inter_input()}};
  for (const auto& inputs : subsets) {
    const Proof proof = prove(f.pk, inputs);
    std::vector<PresentAir> present;
    for (const AirProofData& a : proof.per_air) present.push_back({a.air_id, log2_exact(a.height)});
    const ProofLayout layout(f.pk.vk, present);
    layout.check_proof_shape(proof);
    // Re-filling the opened values from the PCS rounds gives the proof's.
    const std::vector<PcsVerifyRound> rounds = layout.verify_rounds(proof);
    OpenedValues values;
    for (const PcsVerifyRound& round : rounds) {
      values.emplace_back();
      for (const PcsVerifyMatrix& m : round.matrices) values.back().push_back(m.values);
    }
    const OpenedProofValues refilled = layout.opened_values(values);
    Proof copy = proof;
    copy.opened = refilled;
    CHECK(proof_to_bytes(copy) == proof_to_bytes(proof));
    CHECK_EQ(proof.main_commits.size(), layout.num_main_commits());
  }
}

TEST(layout_shape_errors_name_the_air_and_section) {
  Fixture f;
  const Proof proof = prove(f.pk, f.all());
  auto shape_error = [&](const std::function<void(Proof&)>& edit) {
    Proof p = proof;
    edit(p);
    std::string msg;
    try {
      verify(f.pk.vk, p);
    } catch (const VerificationError& e) {
      if (e.kind == VerifyErrorKind::InvalidProofShape) msg = e.what();
    }
    return msg;
  };
  CHECK(
      contains(shape_error([](Proof& p) { p.opened.main[1][2].local.pop_back(); }),
               "AIR 'Inter' (id 2): common main opening: 1 values at zeta and 2 at zeta*omega, expected 2"));
  CHECK(contains(shape_error([](Proof& p) { p.opened.main[0][0].next.push_back(Ext4()); }),
                 "AIR 'InterCached' (id 3): cached main 0 opening"));
  CHECK(contains(shape_error([](Proof& p) { p.opened.main[0].push_back(p.opened.main[0][0]); }),
                 "cached main 0 opening: 2 matrices, expected 1"));
  CHECK(contains(shape_error([](Proof& p) { p.opened.main[1].pop_back(); }),
                 "common main opening: 3 matrices, expected 4"));
  CHECK(contains(shape_error([](Proof& p) { p.opened.preprocessed[0].local.push_back(Ext4()); }),
                 "AIR 'Selector' (id 1): preprocessed opening"));
  CHECK(contains(shape_error([](Proof& p) { p.opened.after_challenge[0][1].local.clear(); }),
                 "AIR 'InterCached' (id 3): after-challenge opening"));
  CHECK(contains(shape_error([](Proof& p) { p.opened.quotient[3].pop_back(); }),
                 "AIR 'InterCached' (id 3): 1 quotient chunks opened, expected 2"));
  CHECK(contains(shape_error([](Proof& p) { p.opened.quotient[0][0].pop_back(); }),
                 "AIR 'Fib' (id 0): quotient chunk 0 has 3 opened values, expected 4"));
  CHECK(contains(shape_error([](Proof& p) { p.opened.after_challenge.clear(); }),
                 "0 after-challenge opening rounds, expected 1"));
  CHECK(contains(shape_error([](Proof& p) { p.main_commits.pop_back(); }),
                 "1 main trace commitments, expected 2"));
  CHECK(contains(shape_error([](Proof& p) { p.per_air[2].exposed_values.clear(); }),
                 "AIR 'Inter' (id 2): 0 exposed values, expected 1"));
}

// ---------------------------------------------------------------------------------------------
// The prover's validator (stark/prover/validate.hpp) and its messages
// ---------------------------------------------------------------------------------------------

TEST(validator_messages_name_the_context) {
  Fixture f;
  CHECK(contains(
      message_of<InputError>([&] { validate_inputs(f.pk, {f.sel_input(), f.fib_input(), f.fib_input()}); }),
      "AIR 'Fib' (id 0) appears in contexts[1] and contexts[2]"));
  CHECK(contains(
      message_of<InputError>([&] { validate_inputs(f.pk, {f.fib_input(), {-1, {}, f.fib.view(), {}}}); }),
      "contexts[1]: unknown air id -1 (the key has 4 AIRs)"));
  RowMajorMatrix bad = f.fib;
  bad.row(3)[0] = P + 5;
  CHECK(contains(
      message_of<InputError>([&] { validate_inputs(f.pk, {f.sel_input(), {0, {}, bad.view(), f.fib_pv}}); }),
      "AIR 'Fib' (id 0) in contexts[1]: common main trace: value 2013265926 at row 3, column 0"));
  RowMajorMatrix sel16(16, 1);
  CHECK(contains(message_of<InputError>([&] { validate_inputs(f.pk, {{1, {}, sel16.view(), {}}}); }),
                 "differs from the preprocessed trace height 8"));
  RowMajorMatrix c4(4, 1);
  CHECK(contains(
      message_of<InputError>([&] { validate_inputs(f.pk, {{3, {f.inter_cached_v.view()}, c4.view(), {}}}); }),
      "common main trace has height 4, but AIR 'InterCached' (id 3) in contexts[0]: cached main trace 0 has "
      "height 8"));
  // The first bad context in the order given is the one named, whatever its id.
  RowMajorMatrix three(3, 2);
  CHECK(contains(message_of<InputError>([&] {
                   validate_inputs(f.pk, {{0, {}, three.view(), f.fib_pv}, {9, {}, f.fib.view(), {}}});
                 }),
                 "contexts[0]: trace height 3 is not a power of two"));
  // Valid inputs come back in ascending id with their log heights.
  const std::vector<ValidatedAir> ok = validate_inputs(f.pk, f.all());
  CHECK_EQ(ok.size(), size_t(4));
  for (size_t a = 0; a < ok.size(); ++a) CHECK_EQ(ok[a].air_id, uint32_t(a));
  CHECK_EQ(ok[0].log_height, 4u);
  CHECK_EQ(ok[0].context, size_t(1));
  CHECK_EQ(ok[3].mains.size(), size_t(2));
}

namespace {

struct DerivedInputError : InputError {
  using InputError::InputError;
};

// The CPU device, but its LogUp trace throws `Thrown`.
template <class Thrown>
class ThrowingLogupSession final : public CpuProverSession {
 public:
  using CpuProverSession::CpuProverSession;
  DeviceLogupTrace logup_trace(const ConstraintSystem&, const DeviceMatrix*,
                               const std::vector<const DeviceMatrix*>&, const std::vector<uint32_t>&,
                               const Ext4&, const Ext4&) override {
    if constexpr (std::is_same_v<Thrown, VerificationError>) {
      throw VerificationError(VerifyErrorKind::ChallengePhaseError, "zero denominator");
    } else {
      throw Thrown("zero denominator");
    }
  }
};

template <class Thrown>
class ThrowingLogupDevice final : public ProverDevice {
 public:
  std::string name() const override { return "throwing"; }
  std::unique_ptr<ProverSession> begin_proof(
      const stark::StarkConfig& /*config*/ = stark::default_config()) const override {
    return std::make_unique<ThrowingLogupSession<Thrown>>(*this);
  }
};

template <class Thrown>
std::string logup_failure(const Fixture& f) {
  const ThrowingLogupDevice<Thrown> device;
  return message_of<Thrown>([&] { prove(f.pk, {f.fib_input(), f.inter_input()}, device); });
}

}  // namespace

TEST(device_errors_keep_their_class_and_gain_the_air_label) {
  Fixture f;
  const std::string label = "AIR 'Inter' (id 2) in contexts[1]: zero denominator";
  CHECK_EQ(logup_failure<InputError>(f), label);
  CHECK_EQ(logup_failure<ProofFormatError>(f), label);
  CHECK_EQ(logup_failure<KeygenError>(f), label);
  CHECK_EQ(logup_failure<DeviceError>(f), label);
  CHECK_EQ(logup_failure<VerificationError>(f), label);
  CHECK_EQ(logup_failure<InternalError>(f), label);
  CHECK_EQ(logup_failure<ResourceError>(f), label);
  // A plain standard exception from inside the core is a bug: it becomes an InternalError
  // (never a bare std::runtime_error crossing the binding), still with the AIR label.
  {
    const ThrowingLogupDevice<std::runtime_error> device;
    CHECK_EQ(message_of<InternalError>([&] { prove(f.pk, {f.fib_input(), f.inter_input()}, device); }),
             label);
  }
  {
    const ThrowingLogupDevice<VerificationError> device;
    try {
      prove(f.pk, {f.inter_input()}, device);
      CHECK(false);
    } catch (const VerificationError& e) {
      CHECK(e.kind == VerifyErrorKind::ChallengePhaseError);
    }
  }
  // A class the prover does not know is never sliced to its base: it passes unchanged.
  CHECK_EQ(logup_failure<DerivedInputError>(f), std::string("zero denominator"));
}

// ---------------------------------------------------------------------------------------------
// The device registry
// ---------------------------------------------------------------------------------------------

// Traces in GPU memory: the validator checks shapes without reading the data (the pointer here is
// not even host memory), and a device that proves host traces says so, naming the partition.
TEST(gpu_resident_traces_on_a_host_device) {
  Fixture f;
  const auto* nowhere = reinterpret_cast<const uint32_t*>(uintptr_t(64));
  AirProvingInput in = f.cached_input();
  in.memory = TraceMemory::Cuda;
  in.cached_mains[0].data = nowhere;
  in.common_main->data = nowhere;
  CHECK_EQ(validate_inputs(f.pk, {in}).size(), size_t(1));
  const std::string msg = message_of<InputError>([&] { prove(f.pk, {in}, cpu_prover_device()); });
  CHECK(contains(
      msg, "in contexts[0]: cached main trace 0 is in GPU memory, but device 'cpu' proves host traces"));
  in.common_main->height = 3;  // shapes are still checked
  CHECK(contains(message_of<InputError>([&] { validate_inputs(f.pk, {in}); }), "has height 3"));
}

TEST(device_registry) {
  std::vector<std::string> names;
  for (const ProverDeviceEntry* e : prover_devices()) names.push_back(e->name);
  CHECK(names == std::vector<std::string>({"cpu", "cuda"}));
  CHECK(!prover_devices()[0]->accelerator);
  CHECK(prover_devices()[1]->accelerator);
  CHECK(prover_devices()[0]->unavailable_reason().empty());
  CHECK_EQ(prover_devices()[1]->unavailable_reason().empty(), cuda::available());
  const std::string unknown = message_of<InputError>([] { prover_device("tpu"); });
  CHECK(contains(unknown, "unknown prover device 'tpu'"));
  CHECK(contains(unknown, "'cpu', 'cuda', or 'auto'"));
  CHECK_EQ(prover_device("auto").name(), std::string(cuda::available() ? "cuda" : "cpu"));
  if (!cuda::available()) {
    CHECK(contains(message_of<DeviceError>([] { prover_device("cuda"); }), "no usable CUDA GPU"));
  }
}

// ---------------------------------------------------------------------------------------------
// Cached partitions committed ahead; proof section sizes
// ---------------------------------------------------------------------------------------------

TEST(committed_cached_partition_gives_the_inline_proof) {
  Fixture f;
  const Proof inline_proof = prove(f.pk, f.all());
  const auto committed = commit_cached_trace(f.pk, 3, 0, f.inter_cached_v.view());
  CHECK_EQ(committed->height(), f.inter_cached_v.height());
  for (int rep = 0; rep < 2; ++rep) {  // reused
    std::vector<AirProvingInput> inputs = f.all();
    inputs[0].committed_cached = {committed};
    inputs[0].cached_mains[0] = committed->trace->view();
    const Proof proof = prove(f.pk, inputs);
    CHECK(proof_to_bytes(proof) == proof_to_bytes(inline_proof));
    // The CUDA device's resident session (on the host executor) keeps it resident, same bytes.
    const HostResidentDevice resident;
    CHECK(proof_to_bytes(prove(f.pk, inputs, resident)) == proof_to_bytes(inline_proof));
  }
  // Errors name the AIR and the partition.
  CHECK(contains(message_of<InputError>([&] { commit_cached_trace(f.pk, 0, 0, f.fib.view()); }),
                 "has no cached main partitions"));
  CHECK(contains(message_of<InputError>([&] { commit_cached_trace(f.pk, 3, 1, f.inter_cached_v.view()); }),
                 "not partition 1"));
  CHECK(contains(message_of<InputError>([&] { commit_cached_trace(f.pk, 9, 0, f.inter_cached_v.view()); }),
                 "unknown air id 9"));
  RowMajorMatrix bad = f.inter_cached_v;
  bad.row(2)[0] = P;
  CHECK(contains(message_of<InputError>([&] { commit_cached_trace(f.pk, 3, 0, bad.view()); }),
                 "row 2, column 0"));
  // Another key's commitment.
  FriParameters other_fri = test_params();
  other_fri.log_blowup += 1;
  Fixture other(other_fri);
  std::vector<AirProvingInput> inputs = {other.cached_input()};
  inputs[0].committed_cached = {committed};
  CHECK(contains(message_of<InputError>([&] { prove(other.pk, inputs); }), "another proving key"));
}

TEST(proof_section_sizes_add_up) {
  Fixture f;
  const Proof proof = prove(f.pk, f.all());
  size_t total = 0;
  for (const auto& [name, bytes] : proof_section_sizes(proof)) total += bytes;
  CHECK_EQ(total, proof_to_bytes(proof).size());
}
