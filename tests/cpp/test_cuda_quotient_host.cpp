// The quotient kernels' per-point bodies (cuda/quotient.cuh) run on the CPU, against
// stark::quotient_values and stark::quotient_chunks, bit for bit.
//
// The device program is built from the CPU's compiled block program (cuda/air_program_host.hpp);
// each "launch" is a host loop over the points in both directions, with fewer arena lanes than
// points (lanes are reused, as the kernel's grid-stride loop does) and the arena poisoned with a
// non-canonical word. Systems: Fibonacci (selectors, public values, q = 2), an AIR with a
// preprocessed column, two main partitions, four interactions on three buses in three chunks and
// its LogUp constraints (after-challenge columns, challenges, exposed value), and random DAGs over
// every leaf kind and instruction shape, for q = 1, 2, 4 and blowups above q. What this cannot
// check is the CUDA glue of quotient.cu (grid, lanes, launches).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "air_program_host.hpp"
#include "cuda_air_fixtures.hpp"
#include "quotient.hpp"
#include "stark/air/quotient.hpp"
#include "testing.hpp"

using namespace stark;
namespace k = stark::cuda::kernels;
using fixtures::random_ext;
using fixtures::random_matrix;

namespace {

struct Lde {
  std::optional<RowMajorMatrix> prep;
  std::vector<RowMajorMatrix> mains;
  std::optional<RowMajorMatrix> after;
};

/// Random LDEs of the system's widths (the quotient only reads them; they need not be low-degree).
Lde random_lde(const ConstraintSystem& cs, size_t rows) {
  Lde lde;
  if (cs.preprocessed_width > 0) lde.prep = random_matrix(rows, cs.preprocessed_width);
  for (size_t p = 0; p < cs.num_main_partitions(); ++p)
    lde.mains.push_back(random_matrix(rows, cs.main_partition_width(p)));
  if (cs.after_challenge_width() > 0) lde.after = random_matrix(rows, 4 * cs.after_challenge_width());
  return lde;
}

QuotientInputs inputs_of(const Lde& lde, uint32_t log_n, uint32_t log_blowup, const std::vector<uint32_t>& pv,
                         const std::vector<Ext4>& challenges, const std::vector<Ext4>& exposed) {
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

cuda::MatrixRef ref(const RowMajorMatrix& m) { return {m.values.data(), m.height(), m.width}; }

cuda::QuotientLdes ldes_of(const Lde& lde, uint32_t log_n, uint32_t log_blowup) {
  cuda::QuotientLdes in;
  in.log_height = log_n;
  in.log_blowup = log_blowup;
  if (lde.prep) in.preprocessed = ref(*lde.prep);
  for (const auto& m : lde.mains) in.mains.push_back(ref(m));
  if (lde.after) in.after_challenge = ref(*lde.after);
  return in;
}

/// The quotient "kernel" on the host: one call of quotient_point_body per point.
std::vector<uint32_t> run_quotient(const k::QuotientImage& img, const k::MatrixSet& mats, uint64_t lanes,
                                   bool backwards, bool chunked) {
  const uint64_t points = uint64_t(1) << img.q.domain_bits;
  std::vector<uint32_t> arena = fixtures::poisoned(size_t(img.image.header.num_slots) * lanes);
  std::vector<uint32_t> out = fixtures::poisoned(4 * points);
  const k::QuotientProgramView view = img.host_view();
  fixtures::each_thread(points, backwards, [&](uint64_t i) {
    const k::StridedArena ar{arena.data() + i % lanes, lanes};
    k::quotient_point_body(view, mats, ar, i, out.data(), chunked);
  });
  return out;
}

/// Runs the device bodies in every configuration and compares with the CPU.
void check_against_cpu(const ConstraintSystem& cs, uint32_t log_n, uint32_t log_blowup,
                       const std::vector<uint32_t>& pv, const std::vector<Ext4>& challenges,
                       const std::vector<Ext4>& exposed) {
  const Lde lde = random_lde(cs, size_t(1) << (log_n + log_blowup));
  const QuotientInputs in = inputs_of(lde, log_n, log_blowup, pv, challenges, exposed);
  const Ext4 alpha = random_ext();
  const std::vector<Ext4> cpu = quotient_values(cs, in, alpha);
  const std::vector<uint32_t> expect = fixtures::canonical_words(cpu);
  std::vector<uint32_t> expect_chunks;
  for (const RowMajorMatrix& c : quotient_chunks(cpu, cs.quotient_degree))
    expect_chunks.insert(expect_chunks.end(), c.values.begin(), c.values.end());

  // What quotient.hpp's quotient_chunks_on_device prepares (the CPU's checks, the program, the
  // matrix set), run by the host "kernel".
  const cuda::PreparedQuotient prep =
      cuda::prepare_quotient(cs, ldes_of(lde, log_n, log_blowup), pv, challenges, exposed, alpha);
  const k::QuotientImage& img = prep.image;
  const k::MatrixSet& mats = prep.mats;
  const uint64_t points = cpu.size();
  // 1 and 5 lanes: reused many times; the launcher's quotient_lanes(): at least one 256-thread block.
  for (uint64_t lanes : {uint64_t(1), uint64_t(5), points, cuda::quotient_lanes(img.host_view())}) {
    for (bool backwards : {false, true}) {
      CHECK(run_quotient(img, mats, lanes, backwards, false) == expect);
      CHECK(run_quotient(img, mats, lanes, backwards, true) == expect_chunks);
    }
  }
  // The standalone chunk split.
  std::vector<uint32_t> chunks = fixtures::poisoned(expect.size());
  fixtures::each_thread(points, true, [&](uint64_t i) {
    k::quotient_chunk_body(expect.data(), img.q.log_height, img.q.log_q, chunks.data(), i);
  });
  CHECK(chunks == expect_chunks);
}

}  // namespace

TEST(ext_inverse_matches_the_cpu) {
  CHECK(k::ext_inverse(Ext4::zero()) == Ext4::zero());
  CHECK(k::ext_inverse(Ext4::one()) == Ext4::one());
  for (int trial = 0; trial < 200; ++trial) {
    Ext4 a = random_ext();
    if (trial % 4 == 1) a.c[1] = a.c[2] = a.c[3] = Fp::zero();  // base-field elements
    if (trial % 4 == 2) a.c[0] = Fp::zero();
    CHECK(k::ext_inverse(a) == a.inverse());
  }
}

TEST(fibonacci_quotient_matches_the_cpu) {
  const ConstraintSystem cs = fixtures::fibonacci_system();
  CHECK_EQ(cs.quotient_degree, 2u);
  for (uint32_t log_n : {0u, 1u, 3u, 5u, 11u})
    for (uint32_t log_blowup : {1u, 2u}) check_against_cpu(cs, log_n, log_blowup, {1, 2, 3}, {}, {});
}

TEST(quotient_with_preprocessed_partitions_and_logup_matches_the_cpu) {
  const ConstraintSystem cs = fixtures::interaction_system();
  for (uint32_t log_n : {0u, 1u, 3u, 4u, 10u})
    check_against_cpu(cs, log_n, std::max<uint32_t>(1, log2_exact(cs.quotient_degree)) + (log_n & 1), {9},
                      {random_ext(), random_ext()}, {random_ext()});
}

TEST(quotient_of_random_dags_matches_the_cpu) {
  std::vector<int> ops_seen(12, 0);
  bool chain_seen = false, long_sum_seen = false;
  for (uint64_t seed = 1; seed <= 9; ++seed) {
    const uint32_t max_degree = uint32_t(2 + seed % 3);  // q = 1, 2, 4
    const ConstraintSystem cs = fixtures::random_system(seed, max_degree);
    const uint32_t log_q = log2_exact(cs.quotient_degree);
    const uint32_t log_n = uint32_t(seed % 4 + 1);
    check_against_cpu(cs, log_n, std::max<uint32_t>(1, log_q) + uint32_t(seed % 2),
                      {testing::random_canonical(), 4}, {random_ext(), random_ext()}, {random_ext()});
    const k::QuotientImage img =
        cuda::build_quotient_program(cs, log_n, std::max<uint32_t>(1, log_q), {1, 4},
                                     {random_ext(), random_ext()}, {random_ext()}, Ext4::one());
    const k::ProgramHeader& h = img.image.header;
    for (uint32_t i = 0; i < h.num_instrs; ++i) {
      const uint32_t* in = img.image.words.data() + h.instrs_at + i * k::kInstrWords;
      ++ops_seen[in[0]];
      if (k::DeviceOp(in[0]) != k::DeviceOp::LinComb) continue;
      const uint32_t* lh = img.image.words.data() + h.lin_headers_at + in[2] * k::kLinHeaderWords;
      chain_seen = chain_seen || lh[8] != 0;
      long_sum_seen = long_sum_seen || lh[6] > 8;  // past one delayed-reduction batch on the CPU
    }
  }
  // The systems exercise every instruction, bit compositions and long scaled sums.
  for (size_t op = 0; op < ops_seen.size(); ++op) CHECK(ops_seen[op] > 0);
  CHECK(chain_seen);
  CHECK(long_sum_seen);
}

TEST(the_device_program_reads_only_what_the_cpu_program_reads) {
  // Next-row slots exist only for columns read at the next row, and the image's tables lie in
  // its words.
  const ConstraintSystem cs = fixtures::fibonacci_system();
  const k::QuotientImage img = cuda::build_quotient_program(cs, 3, 1, {1, 2, 3}, {}, {}, Ext4::one());
  const k::ProgramHeader& h = img.image.header;
  CHECK_EQ(h.num_columns, 2u);
  CHECK_EQ(h.next_shift, 2u);
  CHECK_EQ(h.num_words, uint32_t(img.image.words.size()));
  CHECK_EQ(h.num_accumulators, 1u);
  for (uint32_t v = 0; v < h.num_columns; ++v)
    CHECK_EQ(img.image.words[h.columns_at + 3 * v + 2], k::kReadLocal | k::kReadNext);
}

TEST(inputs_that_do_not_match_are_refused) {
  const ConstraintSystem cs = fixtures::fibonacci_system();
  CHECK_THROWS(cuda::build_quotient_program(cs, 3, 0, {1, 2, 3}, {}, {}, Ext4::one()),
               InputError);  // q > blowup
  CHECK_THROWS(cuda::build_quotient_program(cs, 3, 1, {1, 2}, {}, {}, Ext4::one()), InputError);
  CHECK_THROWS(cuda::build_quotient_program(cs, 3, 1, {1, 2, P}, {}, {}, Ext4::one()), InputError);
  CHECK_THROWS(cuda::build_quotient_program(cs, 3, 1, {1, 2, 3}, {Ext4::one(), Ext4::one()}, {}, Ext4::one()),
               InputError);
  CHECK_THROWS(cuda::build_quotient_program(cs, 26, 2, {1, 2, 3}, {}, {}, Ext4::one()), InputError);
  const k::QuotientImage img = cuda::build_quotient_program(cs, 3, 1, {1, 2, 3}, {}, {}, Ext4::one());
  k::MatrixSet none;
  none.count = 3;
  CHECK_THROWS(cuda::check_matrix_set(img.image, none), InputError);
  const RowMajorMatrix narrow = random_matrix(16, 1);
  k::MatrixSet thin = none;
  thin.data[2] = narrow.values.data();
  thin.width[2] = 1;
  CHECK_THROWS(cuda::check_matrix_set(img.image, thin), InputError);
}

TEST(mismatched_ldes_get_the_cpus_messages) {
  const ConstraintSystem cs = fixtures::interaction_system();
  const uint32_t log_n = 2, log_blowup = std::max<uint32_t>(1, log2_exact(cs.quotient_degree));
  const Lde good = random_lde(cs, size_t(1) << (log_n + log_blowup));
  const std::vector<Ext4> challenges{random_ext(), random_ext()}, exposed{random_ext()};
  const Ext4 alpha = random_ext();
  struct Case {
    Lde lde;
    uint32_t log_blowup;
    std::vector<uint32_t> pv;
    std::vector<Ext4> challenges, exposed;
  };
  std::vector<Case> cases;
  cases.push_back({good, log_blowup, {9}, challenges, exposed});  // accepted by both
  cases.push_back({good, 0, {9}, challenges, exposed});
  cases.push_back({good, 27, {9}, challenges, exposed});
  {
    Lde l = good;
    l.prep.reset();
    cases.push_back({l, log_blowup, {9}, challenges, exposed});
  }
  {
    Lde l = good;
    l.mains.pop_back();
    cases.push_back({l, log_blowup, {9}, challenges, exposed});
  }
  {
    Lde l = good;
    l.mains[0] = random_matrix(good.mains[0].height() / 2, good.mains[0].width);
    cases.push_back({l, log_blowup, {9}, challenges, exposed});
  }
  {
    Lde l = good;
    l.after = random_matrix(good.after->height(), good.after->width - 4);
    cases.push_back({l, log_blowup, {9}, challenges, exposed});
  }
  {
    Lde l = good;
    l.after.reset();
    cases.push_back({l, log_blowup, {9}, challenges, exposed});
  }
  cases.push_back({good, log_blowup, {}, challenges, exposed});
  cases.push_back({good, log_blowup, {P}, challenges, exposed});
  cases.push_back({good, log_blowup, {P}, {}, exposed});  // two faults: the CPU's first
  cases.push_back({good, log_blowup, {9}, challenges, {}});
  for (const Case& c : cases) {
    std::string want = "no error", got = "no error";
    try {
      quotient_values(cs, inputs_of(c.lde, log_n, c.log_blowup, c.pv, c.challenges, c.exposed), alpha);
    } catch (const InputError& e) {
      want = e.what();
    }
    try {
      cuda::prepare_quotient(cs, ldes_of(c.lde, log_n, c.log_blowup), c.pv, c.challenges, c.exposed, alpha);
    } catch (const InputError& e) {
      got = e.what();
    }
    CHECK_EQ(got, want);
    CHECK_EQ(want == "no error", &c == &cases.front());  // every other case is refused
  }
}
