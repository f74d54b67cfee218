// Constraint systems: encoding round trips and malformed bytes; the quotient block interpreter
// against the scalar DAG walk of the out-of-domain evaluator; end-to-end consistency of quotient
// values, chunks, recombination and the OOD check on valid and invalid traces (with naive
// interpolation standing in for the LDE); the LogUp after-challenge trace against a direct
// computation; SIMD levels and thread counts give identical results.
#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "constraint_builder.hpp"
#include "stark/air/air.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

using namespace stark;

namespace {

// ---------------------------------------------------------------------------------------------
// Building systems by hand
// ---------------------------------------------------------------------------------------------

using Builder = testing::ConstraintBuilder;

// Fibonacci with public values (a0, b0, out), plus a degree-3 first-row constraint so that q = 2.
ConstraintSystem fibonacci_system() {
  Builder b;
  b.cs.common_main_width = 2;
  b.cs.num_public_values = 3;
  const uint32_t x = b.main(0), y = b.main(1), xn = b.main(0, 1), yn = b.main(1, 1);
  const uint32_t a0 = b.var(NodeKind::Public, 0), b0 = b.var(NodeKind::Public, 1),
                 out = b.var(NodeKind::Public, 2);
  const uint32_t first = b.leaf(NodeKind::IsFirstRow), last = b.leaf(NodeKind::IsLastRow);
  const uint32_t trans = b.leaf(NodeKind::IsTransition);
  b.constrain(b.mul(first, b.sub(x, a0)));
  b.constrain(b.mul(first, b.sub(y, b0)));
  b.constrain(b.mul(trans, b.sub(xn, y)));
  b.constrain(b.mul(trans, b.sub(yn, b.add(x, y))));
  b.constrain(b.mul(last, b.sub(y, out)));
  b.constrain(b.mul(first, b.mul(x, b.sub(x, a0))));         // degree 3
  b.constrain(b.mul(trans, b.neg(b.sub(b.add(x, y), yn))));  // duplicate meaning, other node
  b.constrain(b.mul(trans, b.sub(xn, y)));                   // same node id as constraint 2? no: new node
  b.cs.constraints.push_back(b.cs.constraints[0]);           // a repeated node id
  return b.finish();
}

// Three main columns (a, b, m) and a preprocessed column s; interactions on two buses, two chunks.
ConstraintSystem interaction_system() {
  Builder b;
  b.cs.preprocessed_width = 1;
  b.cs.preprocessed_height = 8;
  b.cs.cached_main_widths = {1};
  b.cs.common_main_width = 2;
  b.cs.num_public_values = 1;
  const uint32_t a = b.main(0, 0, 1), bb = b.main(1, 0, 1), m = b.main(0, 0, 0), an = b.main(0, 1, 1);
  const uint32_t s = b.var(NodeKind::Preprocessed, 0), pub = b.var(NodeKind::Public, 0);
  b.constrain(b.mul(b.leaf(NodeKind::IsTransition), b.sub(an, b.add(a, s))));  // a' = a + s
  b.cs.interactions.push_back({0, 1, {a}, m});
  b.cs.interactions.push_back({0, 1, {bb, b.add(a, b.constant(1))}, b.neg(m)});
  b.cs.interactions.push_back({3, 0, {b.mul(a, bb), pub, s}, b.constant(5)});
  b.cs.interactions.push_back({7, 2, {an}, s});
  b.cs.interaction_chunks = {{0, 1}, {2}, {3}};
  b.cs.num_air_constraints = uint32_t(b.cs.constraints.size());
  b.append_logup();
  return b.finish();
}

// ---------------------------------------------------------------------------------------------
// Naive polynomial helpers (small sizes only)
// ---------------------------------------------------------------------------------------------

// Value at z of the polynomial of degree < n taking values[j] at s·ω_n^j (barycentric form,
// z outside s·H_n): Σ_j v_j · L_j(z), L_j(z) = (z^n - s^n) · (sω^j) / (n s^n (z - sω^j)).
Ext4 eval_on_coset(const std::vector<Fp>& values, Fp s, const Ext4& z) {
  const size_t n = values.size();
  const Fp omega = two_adic_generator(log2_exact(n));
  const Fp s_n = s.pow(n);
  const Ext4 zn = z.pow(n) - s_n;
  Ext4 acc = Ext4::zero();
  Fp point = s;
  for (size_t j = 0; j < n; ++j, point *= omega) acc += (z - point).inverse() * (values[j] * point);
  return acc * zn * (Fp::from_u64(n) * s_n).inverse();
}

std::vector<Fp> column(const RowMajorMatrix& m, size_t c) {
  std::vector<Fp> out(m.height());
  for (size_t r = 0; r < m.height(); ++r) out[r] = Fp::from_canonical(m.row(r)[c]);
  return out;
}

// The committed LDE (docs/protocol.md §4): row r holds the trace polynomials at g·ω_N^{rev_N(r)}.
RowMajorMatrix naive_lde(const RowMajorMatrix& trace, uint32_t log_blowup) {
  const size_t n = trace.height(), big = n << log_blowup;
  const uint32_t bits = log2_exact(big);
  const Fp omega = two_adic_generator(bits);
  RowMajorMatrix out(big, trace.width);
  for (size_t c = 0; c < trace.width; ++c) {
    const std::vector<Fp> col = column(trace, c);
    for (size_t r = 0; r < big; ++r) {
      const Fp x = generator() * omega.pow(reverse_bits(r, bits));
      // x ∉ H, so the barycentric formula applies.
      out.row(r)[c] = eval_on_coset(col, Fp::one(), Ext4(x)).c[0].canonical();
    }
  }
  return out;
}

std::vector<Ext4> open_row(const RowMajorMatrix& trace, const Ext4& z) {
  std::vector<Ext4> out;
  for (size_t c = 0; c < trace.width; ++c) out.push_back(eval_on_coset(column(trace, c), Fp::one(), z));
  return out;
}

RowMajorMatrix random_matrix(size_t h, size_t w) {
  RowMajorMatrix m(h, w);
  for (auto& v : m.values) v = testing::random_canonical();
  return m;
}
Ext4 random_ext() {
  return Ext4(
      Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(testing::random_canonical()),
      Fp::from_canonical(testing::random_canonical()), Fp::from_canonical(testing::random_canonical()));
}

// A valid Fibonacci trace of height n starting at (a0, b0); returns the last y.
RowMajorMatrix fibonacci_trace(size_t n, uint32_t a0, uint32_t b0, uint32_t* out) {
  RowMajorMatrix t(n, 2);
  Fp x = Fp::from_canonical(a0), y = Fp::from_canonical(b0);
  for (size_t r = 0; r < n; ++r) {
    t.row(r)[0] = x.canonical();
    t.row(r)[1] = y.canonical();
    const Fp nx = y, ny = x + y;
    x = nx;
    y = ny;
  }
  *out = t.row(n - 1)[1];
  return t;
}

// Flattened chunk evaluations at ζ from the chunk matrices (chunk t on D_t = s_t·H_n).
std::vector<std::array<Ext4, 4>> open_chunks(const std::vector<RowMajorMatrix>& chunks, uint32_t log_n,
                                             uint32_t q, const Ext4& zeta) {
  std::vector<std::array<Ext4, 4>> out(q);
  const Fp w = two_adic_generator(log_n + log2_exact(q));
  for (uint32_t t = 0; t < q; ++t) {
    const Fp s = generator() * w.pow(t);
    for (size_t e = 0; e < 4; ++e) out[t][e] = eval_on_coset(column(chunks[t], e), s, zeta);
  }
  return out;
}

// Natural-order quotient-domain index i -> LDE row.
size_t lde_row(size_t i, uint32_t domain_bits) { return reverse_bits(i, domain_bits); }

// ---------------------------------------------------------------------------------------------
// Quotient vs the scalar evaluator at every point of the quotient domain
// ---------------------------------------------------------------------------------------------

struct Lde {
  std::optional<RowMajorMatrix> prep;
  std::vector<RowMajorMatrix> mains;
  std::optional<RowMajorMatrix> after;
};

QuotientInputs quotient_inputs(const Lde& lde, uint32_t log_n, uint32_t log_blowup,
                               const std::vector<uint32_t>& pv, const std::vector<Ext4>& challenges,
                               const std::vector<Ext4>& exposed) {
  QuotientInputs in;
  in.log_height = log_n;
  in.log_blowup = log_blowup;
  if (lde.prep) in.preprocessed = lde.prep->view();
  for (const auto& m : lde.mains) in.mains.push_back(m.view());
  if (lde.after) in.after_challenge = lde.after->view();
  in.public_values = pv;
  in.challenges = challenges;
  in.exposed = exposed;
  return in;
}

std::vector<Ext4> row_as_ext(const RowMajorMatrix& m, size_t r) {
  std::vector<Ext4> out;
  for (size_t c = 0; c < m.width; ++c) out.push_back(Ext4(Fp::from_canonical(m.row(r)[c])));
  return out;
}

// Q(x_i) from folded_constraints_at (scalar DAG walk) with x_i as the "out-of-domain" point.
void compare_with_scalar(const ConstraintSystem& cs, const QuotientInputs& in, const Lde& lde,
                         const Ext4& alpha, const std::vector<Ext4>& values) {
  const uint32_t q = cs.quotient_degree;
  const size_t n = size_t(1) << in.log_height;
  const uint32_t bits = in.log_height + log2_exact(q);
  const Fp omega = two_adic_generator(bits);
  CHECK_EQ(values.size(), n * q);
  size_t mismatches = 0;
  for (size_t i = 0; i < n * q; ++i) {
    const size_t local = lde_row(i, bits), next = lde_row((i + q) % (n * q), bits);
    OodInputs o;
    o.log_height = in.log_height;
    const Fp x = generator() * omega.pow(i);
    o.zeta = Ext4(x);
    if (lde.prep) {
      o.preprocessed_local = row_as_ext(*lde.prep, local);
      o.preprocessed_next = row_as_ext(*lde.prep, next);
    }
    for (const auto& m : lde.mains) {
      o.main_local.push_back(row_as_ext(m, local));
      o.main_next.push_back(row_as_ext(m, next));
    }
    if (lde.after) {
      o.after_challenge_local = row_as_ext(*lde.after, local);
      o.after_challenge_next = row_as_ext(*lde.after, next);
    }
    o.public_values = in.public_values;
    o.challenges = in.challenges;
    o.exposed = in.exposed;
    const Ext4 expect = folded_constraints_at(cs, o, alpha) * (x.pow(n) - Fp::one()).inverse();
    if (expect != values[i]) ++mismatches;
  }
  CHECK_EQ(mismatches, size_t(0));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

TEST(encoding_round_trip) {
  for (const ConstraintSystem& cs : {fibonacci_system(), interaction_system()}) {
    const std::vector<uint8_t> bytes = cs.to_bytes();
    const ConstraintSystem back = ConstraintSystem::from_bytes(bytes.data(), bytes.size());
    CHECK(back == cs);
    CHECK(back.to_bytes() == bytes);
    CHECK_EQ(back.node_degrees.size(), cs.nodes.size());
  }
  const ConstraintSystem fib = fibonacci_system();
  CHECK_EQ(fib.max_degree, 3u);
  CHECK_EQ(fib.quotient_degree, 2u);
  const ConstraintSystem inter = interaction_system();
  CHECK_EQ(inter.after_challenge_width(), 4u);
  CHECK_EQ(inter.quotient_degree, 2u);
  CHECK_EQ(quotient_degree_for(0), 1u);
  CHECK_EQ(quotient_degree_for(2), 1u);
  CHECK_EQ(quotient_degree_for(3), 2u);
  CHECK_EQ(quotient_degree_for(5), 4u);
  CHECK_EQ(quotient_degree_for(6), 8u);
}

TEST(decoding_rejects_every_truncation_and_trailing_bytes) {
  const std::vector<uint8_t> bytes = interaction_system().to_bytes();
  size_t rejected = 0;
  for (size_t len = 0; len < bytes.size(); ++len) {
    try {
      ConstraintSystem::from_bytes(bytes.data(), len);
    } catch (const ProofFormatError&) {
      ++rejected;
    }
  }
  CHECK_EQ(rejected, bytes.size());
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  CHECK_THROWS(ConstraintSystem::from_bytes(longer.data(), longer.size()), ProofFormatError);
}

namespace {

// Encodes a system whose nodes were edited without validation.
std::vector<uint8_t> raw_bytes(const ConstraintSystem& cs) { return cs.to_bytes(); }

bool rejects(const ConstraintSystem& cs) {
  const std::vector<uint8_t> b = raw_bytes(cs);
  try {
    ConstraintSystem::from_bytes(b.data(), b.size());
  } catch (const ProofFormatError&) {
    return true;
  }
  return false;
}

}  // namespace

TEST(decoding_rejects_malformed_content) {
  const ConstraintSystem fib = fibonacci_system();
  const ConstraintSystem inter = interaction_system();
  auto edit = [](ConstraintSystem cs, auto f) {
    f(cs);
    return cs;
  };
  auto first_of = [](const ConstraintSystem& cs, NodeKind k) {
    for (size_t v = 0; v < cs.nodes.size(); ++v)
      if (cs.nodes[v].kind == k) return v;
    return size_t(0);
  };
  // Child index not below the node's own id.
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) {
    const size_t v = first_of(cs, NodeKind::Mul);
    cs.nodes[v].rhs = uint32_t(v);
  })));
  // Variable indices out of range.
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Main)].index = 2; })));
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Main)].part = 2; })));
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Main)].offset = 2; })));
  CHECK(
      rejects(edit(fib, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Public)].index = 3; })));
  CHECK(rejects(
      edit(inter, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Preprocessed)].index = 1; })));
  CHECK(rejects(
      edit(inter, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Permutation)].index = 4; })));
  CHECK(rejects(
      edit(inter, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Challenge)].index = 2; })));
  CHECK(rejects(
      edit(inter, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Exposed)].index = 1; })));
  CHECK(
      rejects(edit(inter, [&](ConstraintSystem& cs) { cs.nodes[first_of(cs, NodeKind::Const)].value = P; })));
  // Unknown tag.
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) { cs.nodes[0].kind = NodeKind(14); })));
  // Challenge in a system without interactions.
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) {
    cs.nodes[first_of(cs, NodeKind::Public)].kind = NodeKind::Challenge;
    cs.nodes[first_of(cs, NodeKind::Challenge)].index = 0;
  })));
  // Constraint id out of range, AIR constraint count too large.
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) { cs.constraints[0] = uint32_t(cs.nodes.size()); })));
  CHECK(rejects(edit(
      fib, [&](ConstraintSystem& cs) { cs.num_air_constraints = uint32_t(cs.constraints.size() + 1); })));
  // Wrong quotient degree.
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) { cs.quotient_degree = 4; })));
  // Widths.
  CHECK(rejects(edit(fib, [&](ConstraintSystem& cs) { cs.common_main_width = 0; })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.preprocessed_height = 6; })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.preprocessed_height = 0; })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.cached_main_widths[0] = 0; })));
  // Interactions: selectors / after-challenge values in messages or counts, bus, lengths.
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) {
    cs.interactions[0].count = uint32_t(first_of(cs, NodeKind::IsFirstRow));
  })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) {
    cs.interactions[1].message[0] = uint32_t(first_of(cs, NodeKind::Permutation));
  })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.interactions[0].bus = 65536; })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.interactions[0].message.clear(); })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.interactions[0].message.assign(128, 0); })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) {
    cs.interactions[0].count_weight = UINT32_MAX;  // bus 0 total overflows u32
  })));
  // Chunks: not a partition.
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.interaction_chunks[0] = {0, 0}; })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.interaction_chunks[0] = {0}; })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.interaction_chunks[1] = {}; })));
  CHECK(rejects(edit(inter, [&](ConstraintSystem& cs) { cs.interaction_chunks[1] = {9}; })));
  // Absurd counts never allocate: a node count of 2^32 - 1 with a few bytes left.
  std::vector<uint8_t> b = fib.to_bytes();
  const size_t nodes_at = 4 + 4 + 4 + 4 + 4 + 4 + 4;  // magic .. num_public_values
  b[nodes_at] = b[nodes_at + 1] = b[nodes_at + 2] = b[nodes_at + 3] = 0xff;
  CHECK_THROWS(ConstraintSystem::from_bytes(b.data(), b.size()), ProofFormatError);
  // The error names the byte offset.
  try {
    ConstraintSystem::from_bytes(b.data(), b.size());
  } catch (const ProofFormatError& e) {
    CHECK(std::string(e.what()).find("byte offset") != std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// Quotient values
// ---------------------------------------------------------------------------------------------

TEST(quotient_matches_scalar_evaluation_on_random_traces) {
  const ConstraintSystem cs = fibonacci_system();
  for (uint32_t log_n : {0u, 1u, 3u, 6u}) {
    for (uint32_t log_blowup : {1u, 2u}) {
      const size_t big = size_t(1) << (log_n + log_blowup);
      Lde lde;
      lde.mains.push_back(random_matrix(big, 2));
      const std::vector<uint32_t> pv = {5, 7, 11};
      const QuotientInputs in = quotient_inputs(lde, log_n, log_blowup, pv, {}, {});
      const Ext4 alpha = random_ext();
      const std::vector<Ext4> values = quotient_values(cs, in, alpha);
      compare_with_scalar(cs, in, lde, alpha, values);
    }
  }
}

TEST(quotient_with_interactions_matches_scalar_evaluation) {
  const ConstraintSystem cs = interaction_system();
  const uint32_t log_n = 3, log_blowup = 1;
  const size_t big = size_t(1) << (log_n + log_blowup);
  Lde lde;
  lde.prep = random_matrix(big, 1);
  lde.mains.push_back(random_matrix(big, 1));
  lde.mains.push_back(random_matrix(big, 2));
  lde.after = random_matrix(big, 4 * cs.after_challenge_width());
  const QuotientInputs in =
      quotient_inputs(lde, log_n, log_blowup, {9}, {random_ext(), random_ext()}, {random_ext()});
  const Ext4 alpha = random_ext();
  compare_with_scalar(cs, in, lde, alpha, quotient_values(cs, in, alpha));
}

TEST(quotient_is_identical_for_every_simd_level_and_thread_count) {
  const ConstraintSystem cs = interaction_system();
  const uint32_t log_n = 9, log_blowup = 1;
  const size_t big = size_t(1) << (log_n + log_blowup);
  Lde lde;
  lde.prep = random_matrix(big, 1);
  lde.mains.push_back(random_matrix(big, 1));
  lde.mains.push_back(random_matrix(big, 2));
  lde.after = random_matrix(big, 4 * cs.after_challenge_width());
  const QuotientInputs in =
      quotient_inputs(lde, log_n, log_blowup, {9}, {random_ext(), random_ext()}, {random_ext()});
  const Ext4 alpha = random_ext();
  const simd::Level saved = simd::active();
  const int saved_threads = num_threads();
  simd::set_active(simd::Level::Scalar);
  set_num_threads(1);
  const std::vector<Ext4> reference = quotient_values(cs, in, alpha);
  for (simd::Level level : {simd::Level::Scalar, simd::Level::Avx2, simd::Level::Avx512}) {
    if (!simd::supported(level)) continue;
    simd::set_active(level);
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      CHECK(quotient_values(cs, in, alpha) == reference);
    }
  }
  simd::set_active(saved);
  set_num_threads(saved_threads);
}

namespace {

// A random DAG over every kind of leaf, exercising the interpreter's lowering: shared and
// single-use nodes, products of affine operands, x·x, cancellation (x - x), constant subtrees,
// scalings by ±1 and ±2, long single-use sums (beyond the inline limit and the delayed-reduction
// batch), bit compositions ±Σ 2^k·x_k (with and without a shift), and E-valued subexpressions.
ConstraintSystem random_system(uint64_t seed) {
  std::mt19937_64 rng(seed);
  Builder b;
  b.cs.preprocessed_width = 2;
  b.cs.preprocessed_height = 8;
  b.cs.cached_main_widths = {2};
  b.cs.common_main_width = 3;
  b.cs.num_public_values = 2;
  std::vector<uint32_t> pool;
  std::vector<uint32_t> deg;
  auto add_node = [&](uint32_t id, uint32_t d) {
    pool.push_back(id);
    if (deg.size() <= id) deg.resize(id + 1, 0);
    deg[id] = d;
  };
  for (uint8_t off = 0; off < 2; ++off) {
    for (uint32_t c = 0; c < 2; ++c) add_node(b.var(NodeKind::Preprocessed, c, off), 1);
    for (uint32_t c = 0; c < 2; ++c) add_node(b.main(c, off, 0), 1);
    for (uint32_t c = 0; c < 3; ++c) add_node(b.main(c, off, 1), 1);
    for (uint32_t c = 0; c < 2; ++c) add_node(b.var(NodeKind::Permutation, c, off), 1);
  }
  for (uint32_t i = 0; i < 2; ++i) add_node(b.var(NodeKind::Public, i), 0);
  for (uint32_t v : {0u, 1u, 2u, P - 1, P - 2, 7u, uint32_t(rng() % P)}) add_node(b.constant(v), 0);
  add_node(b.var(NodeKind::Challenge, 0), 0);
  add_node(b.var(NodeKind::Challenge, 1), 0);
  add_node(b.var(NodeKind::Exposed, 0), 0);
  add_node(b.leaf(NodeKind::IsFirstRow), 1);
  add_node(b.leaf(NodeKind::IsLastRow), 1);
  add_node(b.leaf(NodeKind::IsTransition), 0);
  const size_t num_leaves = pool.size();
  auto pick = [&]() { return pool[rng() % 3 == 0 ? rng() % num_leaves : rng() % pool.size()]; };
  for (int i = 0; i < 400; ++i) {
    const uint32_t l = pick(), r = pick();
    switch (rng() % 7) {
      case 0:
        add_node(b.add(l, r), std::max(deg[l], deg[r]));
        break;
      case 1:
        add_node(b.sub(l, r), std::max(deg[l], deg[r]));
        break;
      case 2:
        add_node(b.neg(l), deg[l]);
        break;
      case 3:
        add_node(b.sub(l, l), deg[l]);
        break;
      case 4: {  // scaling by a small constant
        const uint32_t c = b.constant(std::array<uint32_t, 4>{2, P - 2, P - 1, 3}[rng() % 4]);
        add_node(b.mul(c, l), deg[l]);
        break;
      }
      default:
        if (deg[l] + deg[r] <= 4)
          add_node(b.mul(l, r), deg[l] + deg[r]);
        else if (2 * deg[l] <= 4)
          add_node(b.mul(l, l), 2 * deg[l]);
        else
          add_node(b.add(l, r), std::max(deg[l], deg[r]));
    }
  }
  for (int k = 0; k < 40; ++k) b.constrain(pool[num_leaves + rng() % (pool.size() - num_leaves)]);
  // Σ 2^k·x_k over 20 single-use terms, minus a column.
  uint32_t acc = b.main(0, 0, 1);
  for (uint32_t k = 0; k < 20; ++k) acc = b.add(acc, b.mul(b.constant(1u << k), pick()));
  b.constrain(b.sub(acc, b.main(1, 0, 1)));
  // A column minus Σ_{k>=2} 2^k·x_k: a subtracted bit composition with a shift.
  uint32_t shifted = b.mul(b.constant(4), pick());
  for (uint32_t k = 3; k < 12; ++k) shifted = b.add(shifted, b.mul(b.constant(1u << k), pick()));
  b.constrain(b.sub(b.main(2, 1, 1), shifted));
  // A long single-use chain with varied coefficients (beyond 64 terms).
  uint32_t chain = b.constant(5);
  for (int k = 0; k < 90; ++k) chain = b.add(chain, b.mul(b.constant(uint32_t(rng() % P)), pick()));
  b.constrain(b.mul(b.leaf(NodeKind::IsTransition), chain));
  b.constrain(b.constant(9));  // a constant constraint
  b.cs.interactions.push_back({0, 1, {b.main(0, 0, 0)}, b.constant(1)});
  b.cs.interaction_chunks = {{0}};
  return b.finish();
}

}  // namespace

TEST(quotient_matches_scalar_evaluation_on_random_dags) {
  const simd::Level saved = simd::active();
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const ConstraintSystem cs = random_system(seed);
    const uint32_t log_n = 3;
    const uint32_t log_blowup = std::max<uint32_t>(1, log2_exact(cs.quotient_degree));
    const size_t big = size_t(1) << (log_n + log_blowup);
    Lde lde;
    lde.prep = random_matrix(big, 2);
    lde.mains.push_back(random_matrix(big, 2));
    lde.mains.push_back(random_matrix(big, 3));
    lde.after = random_matrix(big, 8);
    const QuotientInputs in = quotient_inputs(lde, log_n, log_blowup, {testing::random_canonical(), 4},
                                              {random_ext(), random_ext()}, {random_ext()});
    const Ext4 alpha = random_ext();
    for (simd::Level level : {simd::Level::Scalar, simd::Level::Avx2, simd::Level::Avx512}) {
      if (!simd::supported(level)) continue;
      simd::set_active(level);
      compare_with_scalar(cs, in, lde, alpha, quotient_values(cs, in, alpha));
    }
  }
  simd::set_active(saved);
}

TEST(quotient_chunks_split_with_stride_q) {
  std::vector<Ext4> values;
  for (int i = 0; i < 16; ++i) values.push_back(random_ext());
  const auto chunks = quotient_chunks(values, 4);
  CHECK_EQ(chunks.size(), size_t(4));
  for (size_t t = 0; t < 4; ++t)
    for (size_t j = 0; j < 4; ++j) {
      uint32_t flat[4];
      values[t + 4 * j].to_canonical(flat);
      for (size_t e = 0; e < 4; ++e) CHECK_EQ(chunks[t].row(j)[e], flat[e]);
    }
  CHECK_THROWS(quotient_chunks(values, 3), InputError);
}

TEST(inputs_that_do_not_match_the_system_are_refused) {
  const ConstraintSystem cs = fibonacci_system();
  Lde lde;
  lde.mains.push_back(random_matrix(16, 2));
  QuotientInputs in = quotient_inputs(lde, 3, 1, {1, 2, 3}, {}, {});
  in.log_blowup = 0;  // q = 2 > blowup 1
  CHECK_THROWS(quotient_values(cs, in, Ext4::one()), InputError);
  in = quotient_inputs(lde, 3, 1, {1, 2}, {}, {});
  CHECK_THROWS(quotient_values(cs, in, Ext4::one()), InputError);
  in = quotient_inputs(lde, 2, 1, {1, 2, 3}, {}, {});
  CHECK_THROWS(quotient_values(cs, in, Ext4::one()), InputError);
  in = quotient_inputs(lde, 3, 1, {1, 2, 3}, {Ext4::one(), Ext4::one()}, {});
  CHECK_THROWS(quotient_values(cs, in, Ext4::one()), InputError);
}

TEST(an_empty_common_main_partition_may_be_passed_or_omitted) {
  Builder b;
  b.cs.cached_main_widths = {2};
  const uint32_t x = b.main(0), y = b.main(1, 1);
  b.constrain(b.mul(b.leaf(NodeKind::IsTransition), b.sub(y, b.mul(x, x))));
  const ConstraintSystem cs = b.finish();
  Lde lde;
  lde.mains.push_back(random_matrix(16, 2));
  QuotientInputs in = quotient_inputs(lde, 3, 1, {}, {}, {});
  const Ext4 alpha = random_ext();
  const std::vector<Ext4> without = quotient_values(cs, in, alpha);
  in.mains.push_back(ConstMatrixView{nullptr, 16, 0});
  CHECK(quotient_values(cs, in, alpha) == without);
  in.mains.back().width = 1;
  CHECK_THROWS(quotient_values(cs, in, alpha), InputError);
}

// ---------------------------------------------------------------------------------------------
// End to end: quotient -> chunks -> openings at ζ -> recombination and the OOD check
// ---------------------------------------------------------------------------------------------

namespace {

// Runs the prover's quotient and the verifier's OOD check on naive LDEs/openings; returns whether
// the check passed.
bool ood_round_trip(const ConstraintSystem& cs, const std::optional<RowMajorMatrix>& prep,
                    const std::vector<RowMajorMatrix>& mains, const std::optional<RowMajorMatrix>& after,
                    const std::vector<uint32_t>& pv, const std::vector<Ext4>& challenges,
                    const std::vector<Ext4>& exposed, uint32_t log_blowup) {
  const size_t n = mains[0].height();
  const uint32_t log_n = log2_exact(n);
  Lde lde;
  if (prep) lde.prep = naive_lde(*prep, log_blowup);
  for (const auto& m : mains) lde.mains.push_back(naive_lde(m, log_blowup));
  if (after) lde.after = naive_lde(*after, log_blowup);
  const Ext4 alpha = random_ext();
  const QuotientInputs in = quotient_inputs(lde, log_n, log_blowup, pv, challenges, exposed);
  const std::vector<Ext4> values = quotient_values(cs, in, alpha);
  const auto chunks = quotient_chunks(values, cs.quotient_degree);

  const Ext4 zeta = random_ext();
  const Ext4 zeta_next = zeta * two_adic_generator(log_n);
  OodInputs o;
  o.log_height = log_n;
  o.zeta = zeta;
  if (prep) {
    o.preprocessed_local = open_row(*prep, zeta);
    o.preprocessed_next = open_row(*prep, zeta_next);
  }
  for (const auto& m : mains) {
    o.main_local.push_back(open_row(m, zeta));
    o.main_next.push_back(open_row(m, zeta_next));
  }
  if (after) {
    o.after_challenge_local = open_row(*after, zeta);
    o.after_challenge_next = open_row(*after, zeta_next);
  }
  o.public_values = pv;
  o.challenges = challenges;
  o.exposed = exposed;
  const auto opened = open_chunks(chunks, log_n, cs.quotient_degree, zeta);
  try {
    check_ood(cs, o, alpha, opened, "test");
    return true;
  } catch (const VerificationError& e) {
    CHECK(e.kind == VerifyErrorKind::OodEvaluationMismatch);
    CHECK(std::string(e.what()).find("'test'") != std::string::npos);
    return false;
  }
}

}  // namespace

TEST(valid_fibonacci_trace_passes_the_ood_check_and_invalid_ones_fail) {
  for (uint32_t log_n : {1u, 2u, 4u}) {
    for (uint32_t log_blowup : {1u, 2u}) {
      uint32_t out = 0;
      const RowMajorMatrix trace = fibonacci_trace(size_t(1) << log_n, 1, 1, &out);
      const ConstraintSystem cs = fibonacci_system();
      CHECK(ood_round_trip(cs, std::nullopt, {trace}, std::nullopt, {1, 1, out}, {}, {}, log_blowup));
      // Wrong public output, and a corrupted cell.
      CHECK(!ood_round_trip(cs, std::nullopt, {trace}, std::nullopt, {1, 1, out + 1}, {}, {}, log_blowup));
      RowMajorMatrix bad = trace;
      bad.row(bad.height() / 2)[0] ^= 1;
      CHECK(!ood_round_trip(cs, std::nullopt, {bad}, std::nullopt, {1, 1, out}, {}, {}, log_blowup));
    }
  }
}

TEST(height_one_traces_work) {
  // n = 1: ω = 1, is_first_row = is_last_row = 1, is_transition = x - 1.
  Builder b;
  b.cs.common_main_width = 1;
  b.cs.num_public_values = 1;
  const uint32_t x = b.main(0), xn = b.main(0, 1), pub = b.var(NodeKind::Public, 0);
  b.constrain(b.mul(b.leaf(NodeKind::IsFirstRow), b.sub(x, pub)));
  b.constrain(b.mul(b.leaf(NodeKind::IsLastRow), b.mul(b.sub(x, pub), x)));
  b.constrain(b.mul(b.leaf(NodeKind::IsTransition), b.sub(xn, x)));
  const ConstraintSystem cs = b.finish();
  RowMajorMatrix t(1, 1);
  t.values[0] = 42;
  CHECK(ood_round_trip(cs, std::nullopt, {t}, std::nullopt, {42}, {}, {}, 1));
  CHECK(!ood_round_trip(cs, std::nullopt, {t}, std::nullopt, {41}, {}, {}, 1));
}

TEST(recombination_rejects_wrong_chunk_counts_and_the_ood_check_rejects_zeta_in_h) {
  std::vector<std::array<Ext4, 4>> chunks(2);
  try {
    recombine_quotient_chunks(3, 4, random_ext(), chunks);
    CHECK(false);
  } catch (const VerificationError& e) {
    CHECK(e.kind == VerifyErrorKind::InvalidProofShape);
  }
  const ConstraintSystem cs = fibonacci_system();
  OodInputs o;
  o.log_height = 3;
  o.zeta = Ext4(two_adic_generator(3).pow(5));  // a point of H
  o.main_local.assign(1, std::vector<Ext4>(2));
  o.main_next.assign(1, std::vector<Ext4>(2));
  o.public_values = {1, 2, 3};
  try {
    check_ood(cs, o, Ext4::one(), chunks, "fib");
    CHECK(false);
  } catch (const VerificationError& e) {
    CHECK(e.kind == VerifyErrorKind::OodEvaluationMismatch);
  }
  o.zeta = Ext4::one();  // ζ - 1 = 0: the selector denominators vanish
  CHECK_THROWS(folded_constraints_at(cs, o, Ext4::one()), VerificationError);
  o.main_local[0].pop_back();
  try {
    folded_constraints_at(cs, o, Ext4::one());
    CHECK(false);
  } catch (const VerificationError& e) {
    CHECK(e.kind == VerifyErrorKind::InvalidProofShape);
  }
}

// ---------------------------------------------------------------------------------------------
// LogUp after-challenge trace
// ---------------------------------------------------------------------------------------------

namespace {

struct Traces {
  RowMajorMatrix prep, cached, common;
};

Traces interaction_traces(size_t n) {
  Traces t{random_matrix(n, 1), random_matrix(n, 1), RowMajorMatrix(n, 2)};
  // a' = a + s (the AIR constraint), b random.
  Fp a = Fp::from_canonical(3);
  for (size_t r = 0; r < n; ++r) {
    t.common.row(r)[0] = a.canonical();
    t.common.row(r)[1] = testing::random_canonical();
    a += Fp::from_canonical(t.prep.row(r)[0]);
  }
  return t;
}

// Direct evaluation of docs/protocol.md §7.3–7.4 with the scalar OOD evaluator's field ops.
AfterChallengeTrace naive_after_challenge(const ConstraintSystem& cs, const Traces& t, uint32_t pub,
                                          const Ext4& alpha, const Ext4& beta) {
  const size_t n = t.common.height();
  const size_t chunks = cs.interaction_chunks.size();
  AfterChallengeTrace out;
  out.flattened = RowMajorMatrix(n, 4 * (chunks + 1));
  Ext4 phi = Ext4::zero();
  for (size_t r = 0; r < n; ++r) {
    const size_t rn = (r + 1) % n;
    std::vector<Fp> val(cs.nodes.size());
    for (size_t v = 0; v < cs.nodes.size(); ++v) {
      const Node& nd = cs.nodes[v];
      const size_t row = nd.offset ? rn : r;
      switch (nd.kind) {
        case NodeKind::Preprocessed:
          val[v] = Fp::from_canonical(t.prep.row(row)[nd.index]);
          break;
        case NodeKind::Main:
          val[v] = Fp::from_canonical((nd.part == 0 ? t.cached : t.common).row(row)[nd.index]);
          break;
        case NodeKind::Public:
          val[v] = Fp::from_canonical(pub);
          break;
        case NodeKind::Const:
          val[v] = Fp::from_canonical(nd.value);
          break;
        case NodeKind::Add:
          val[v] = val[nd.lhs] + val[nd.rhs];
          break;
        case NodeKind::Sub:
          val[v] = val[nd.lhs] - val[nd.rhs];
          break;
        case NodeKind::Neg:
          val[v] = -val[nd.lhs];
          break;
        case NodeKind::Mul:
          val[v] = val[nd.lhs] * val[nd.rhs];
          break;
        default:
          break;  // not used by interactions
      }
    }
    for (size_t c = 0; c < chunks; ++c) {
      Ext4 s = Ext4::zero();
      for (uint32_t i : cs.interaction_chunks[c]) {
        const Interaction& it = cs.interactions[i];
        Ext4 d = alpha, power = Ext4::one();
        for (uint32_t f : it.message) {
          d += power * val[f];
          power *= beta;
        }
        d += power * Fp::from_canonical(it.bus + 1);
        s += d.inverse() * val[it.count];
      }
      s.to_canonical(out.flattened.row(r) + 4 * c);
      phi += s;
    }
    phi.to_canonical(out.flattened.row(r) + 4 * chunks);
  }
  out.cumulative_sum = phi;
  return out;
}

}  // namespace

TEST(after_challenge_trace_matches_direct_computation) {
  const ConstraintSystem cs = interaction_system();
  for (size_t n : {size_t(1), size_t(2), size_t(8), size_t(1024)}) {
    const Traces t = interaction_traces(n);
    const Ext4 alpha = random_ext(), beta = random_ext();
    const AfterChallengeTrace expect = naive_after_challenge(cs, t, 17, alpha, beta);
    const int saved_threads = num_threads();
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      const AfterChallengeTrace got =
          after_challenge_trace(cs, t.prep.view(), {t.cached.view(), t.common.view()}, {17}, alpha, beta);
      CHECK(got.flattened.values == expect.flattened.values);
      CHECK(got.cumulative_sum == expect.cumulative_sum);
    }
    set_num_threads(saved_threads);
  }
}

TEST(after_challenge_trace_satisfies_the_logup_constraints) {
  const ConstraintSystem cs = interaction_system();
  const size_t n = 8;
  const Traces t = interaction_traces(n);
  const Ext4 alpha = random_ext(), beta = random_ext();
  const AfterChallengeTrace ac =
      after_challenge_trace(cs, t.prep.view(), {t.cached.view(), t.common.view()}, {17}, alpha, beta);
  CHECK(ood_round_trip(cs, t.prep, {t.cached, t.common}, ac.flattened, {17}, {alpha, beta},
                       {ac.cumulative_sum}, 1));
  // A wrong cumulative sum, or a corrupted running-sum cell, is caught.
  CHECK(!ood_round_trip(cs, t.prep, {t.cached, t.common}, ac.flattened, {17}, {alpha, beta},
                        {ac.cumulative_sum + Ext4::one()}, 1));
  RowMajorMatrix bad = ac.flattened;
  bad.row(3)[4 * 3 + 1] ^= 1;
  CHECK(!ood_round_trip(cs, t.prep, {t.cached, t.common}, bad, {17}, {alpha, beta}, {ac.cumulative_sum}, 1));
}

TEST(after_challenge_trace_reports_the_first_zero_denominator) {
  const ConstraintSystem cs = interaction_system();
  const size_t n = 512;
  const Traces t = interaction_traces(n);
  const Ext4 beta = random_ext();
  // d_0(r) = α + a(r) + β·(bus 0 + 1): choose α so that it vanishes at row 300.
  const Fp a300 = Fp::from_canonical(t.common.row(300)[0]);
  const Ext4 alpha = -(Ext4(a300) + beta);
  try {
    after_challenge_trace(cs, t.prep.view(), {t.cached.view(), t.common.view()}, {17}, alpha, beta);
    CHECK(false);
  } catch (const InputError& e) {  // typed: before, a std::runtime_error reached Python as RuntimeError
    const std::string msg = e.what();
    CHECK(msg.rfind("LogUp denominator is zero at row 300, interaction 0 (bus 0)", 0) == 0);
  }
}

TEST(after_challenge_trace_refuses_mismatched_inputs) {
  const ConstraintSystem cs = interaction_system();
  const Traces t = interaction_traces(8);
  CHECK_THROWS(after_challenge_trace(cs, std::nullopt, {t.cached.view(), t.common.view()}, {17}, Ext4::one(),
                                     Ext4::one()),
               InputError);
  CHECK_THROWS(after_challenge_trace(cs, t.prep.view(), {t.common.view()}, {17}, Ext4::one(), Ext4::one()),
               InputError);
  CHECK_THROWS(after_challenge_trace(cs, t.prep.view(), {t.cached.view(), t.common.view()}, {}, Ext4::one(),
                                     Ext4::one()),
               InputError);
  CHECK_THROWS(after_challenge_trace(fibonacci_system(), std::nullopt, {t.common.view()}, {1, 2, 3},
                                     Ext4::one(), Ext4::one()),
               InputError);
}
