// The LogUp after-challenge kernels' per-row bodies and their plan (cuda/logup.cuh) run on the
// CPU, against stark::after_challenge_trace, bit for bit: the flattened trace, the cumulative sum,
// and the zero-denominator error (row, interaction, bus).
//
// The host executor runs every step of kernels::plan::after_challenge_trace as a loop over its
// thread indices, in both directions, with fewer arena lanes than rows, a poisoned workspace, and
// segments and inversion groups that do not divide the height. Systems: one with a preprocessed
// column, two main partitions, four interactions on three buses in three chunks, and random ones
// with up to ten interactions over every trace source, next-row fields, computed counts and
// random chunkings. What this cannot check is the CUDA glue of logup.cu.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "air_program_host.hpp"
#include "cuda_air_fixtures.hpp"
#include "logup.hpp"
#include "stark/air/logup.hpp"
#include "testing.hpp"

using namespace stark;
namespace k = stark::cuda::kernels;
using fixtures::random_ext;
using fixtures::random_matrix;

namespace {

struct HostLogupExec {
  k::LogupProgramView lp;
  k::MatrixSet mats;
  uint32_t* arena;
  uint64_t lanes;
  uint64_t height;
  bool backwards;

  template <class F>
  void each(uint64_t total, F&& f) {
    fixtures::each_thread(total, backwards, f);
  }
  void reset_status(unsigned long long* status) { *status = k::kNoZeroDenominator; }
  void eval_rows(uint64_t first, uint64_t count, uint32_t* den, uint32_t* cnt, unsigned long long* status) {
    each(count, [&](uint64_t r) {
      const k::StridedArena ar{arena + r % lanes, lanes};
      k::logup_eval_row_body(lp, mats, ar, height, first, r, den, cnt, status);
    });
  }
  void invert(const uint32_t* den, uint32_t* inv, uint64_t count, uint64_t group) {
    each((count + group - 1) / group,
         [&](uint64_t g) { k::batch_inverse_ext_body(den, inv, count, group, g); });
  }
  void rows(uint64_t first, uint64_t count, const uint32_t* inv, const uint32_t* cnt, uint32_t* flattened,
            uint32_t* sums) {
    each(count, [&](uint64_t r) { k::logup_row_body(lp, inv, cnt, first, r, flattened, sums); });
  }
  void scan_tiles(uint32_t* data, uint64_t count, uint32_t* totals) {
    each((count + k::kScanTile - 1) / k::kScanTile,
         [&](uint64_t t) { k::scan_tile_body(data, count, totals, t); });
  }
  void scan_add(uint32_t* data, uint64_t count, const uint32_t* totals) {
    each(count, [&](uint64_t i) { k::scan_add_body(data, totals, i); });
  }
  void finalize(uint64_t n, const uint32_t* sums, uint32_t* flattened, uint32_t* cumulative) {
    each(n, [&](uint64_t row) {
      k::logup_finalize_body(lp.lu.num_chunks, n, sums, flattened, cumulative, row);
    });
  }
};

struct Traces {
  std::optional<RowMajorMatrix> prep;
  std::vector<RowMajorMatrix> mains;
};

Traces random_traces(const ConstraintSystem& cs, size_t n) {
  Traces t;
  if (cs.preprocessed_width > 0) t.prep = random_matrix(n, cs.preprocessed_width);
  for (size_t p = 0; p < cs.num_main_partitions(); ++p)
    t.mains.push_back(random_matrix(n, cs.main_partition_width(p)));
  return t;
}

AfterChallengeTrace cpu_trace(const ConstraintSystem& cs, const Traces& t, const std::vector<uint32_t>& pv,
                              const Ext4& alpha, const Ext4& beta) {
  std::vector<ConstMatrixView> mains;
  for (const auto& m : t.mains) mains.push_back(m.view());
  return after_challenge_trace(cs, t.prep ? std::optional<ConstMatrixView>(t.prep->view()) : std::nullopt,
                               mains, pv, alpha, beta);
}

struct DeviceConfig {
  uint64_t segment_rows, group_rows, lanes;
  bool backwards;
};

std::vector<cuda::MatrixRef> main_refs(const Traces& t) {
  std::vector<cuda::MatrixRef> refs;
  for (const auto& m : t.mains) refs.push_back({m.values.data(), m.height(), m.width});
  return refs;
}

std::optional<cuda::MatrixRef> prep_ref(const Traces& t) {
  if (!t.prep) return std::nullopt;
  return cuda::MatrixRef{t.prep->values.data(), t.prep->height(), t.prep->width};
}

/// What logup.hpp's after_challenge_trace_on_device does, with the plan on the host: the CPU's
/// checks (prepare_after_challenge_trace), the plan over a poisoned workspace, the status word
/// and S read from the workspace's result words, check_logup_status.
AfterChallengeTrace host_trace(const ConstraintSystem& cs, const Traces& t, const std::vector<uint32_t>& pv,
                               const Ext4& alpha, const Ext4& beta, const DeviceConfig& cfg) {
  const cuda::PreparedLogup prep =
      cuda::prepare_after_challenge_trace(cs, prep_ref(t), main_refs(t), pv, alpha, beta);
  const size_t n = prep.height;
  const k::LogupProgramView view = prep.image.host_view();
  const k::LogupLayout layout = k::logup_layout(view, n, cfg.segment_rows, cfg.group_rows, cfg.lanes);
  std::vector<uint64_t> ws_storage((layout.total_words + 1) / 2, 0xdeadbeefdeadbeefull);  // 8-byte aligned
  uint32_t* ws = reinterpret_cast<uint32_t*>(ws_storage.data());
  HostLogupExec ex{view, prep.mats, ws + layout.arena_at, cfg.lanes, n, cfg.backwards};
  const size_t width = 4 * (cs.interaction_chunks.size() + 1);
  AfterChallengeTrace out;
  out.flattened = RowMajorMatrix(std::vector<uint32_t>(n * width, 0xdeadbeefu), width);
  k::plan::after_challenge_trace(ex, view, layout, ws, out.flattened.values.data(),
                                 ws + layout.cumulative_at);
  CHECK_EQ(layout.cumulative_at, layout.status_at + 2);
  cuda::check_logup_status(prep.image, *reinterpret_cast<const unsigned long long*>(ws + layout.status_at));
  out.cumulative_sum = Ext4::from_canonical(ws + layout.cumulative_at);
  return out;
}

void check_against_cpu(const ConstraintSystem& cs, size_t n, const std::vector<uint32_t>& pv) {
  const Traces t = random_traces(cs, n);
  const Ext4 alpha = random_ext(), beta = random_ext();
  const AfterChallengeTrace expect = cpu_trace(cs, t, pv, alpha, beta);
  for (const DeviceConfig& cfg : {DeviceConfig{n, 1, n, false}, DeviceConfig{3, 4, 1, true},
                                  DeviceConfig{7, 5, 3, false}, DeviceConfig{1 << 20, 2, 2, true}}) {
    const AfterChallengeTrace got = host_trace(cs, t, pv, alpha, beta, cfg);
    CHECK(got.flattened.values == expect.flattened.values);
    CHECK(got.cumulative_sum == expect.cumulative_sum);
  }
}

/// Random interactions over preprocessed, cached and common columns (local and next rows),
/// public values and constants; counts are columns, constants or computed; chunks are a random
/// partition of the interactions.
ConstraintSystem random_interaction_system(uint64_t seed) {
  std::mt19937_64 rng(seed);
  testing::ConstraintBuilder b;
  b.cs.preprocessed_width = 2;
  b.cs.preprocessed_height = 8;
  b.cs.cached_main_widths = {2, 1};
  b.cs.common_main_width = 3;
  b.cs.num_public_values = 2;
  std::vector<uint32_t> pool;
  for (uint8_t off = 0; off < 2; ++off) {
    for (uint32_t c = 0; c < 2; ++c) pool.push_back(b.var(NodeKind::Preprocessed, c, off));
    for (uint32_t c = 0; c < 2; ++c) pool.push_back(b.main(c, off, 0));
    pool.push_back(b.main(0, off, 1));
    for (uint32_t c = 0; c < 3; ++c) pool.push_back(b.main(c, off, 2));
  }
  for (uint32_t i = 0; i < 2; ++i) pool.push_back(b.var(NodeKind::Public, i));
  for (uint32_t v : {0u, 1u, 2u, P - 1, uint32_t(rng() % P)}) pool.push_back(b.constant(v));
  auto pick = [&]() { return pool[rng() % pool.size()]; };
  for (int i = 0; i < 60; ++i) {
    const uint32_t l = pick(), r = pick();
    switch (rng() % 4) {
      case 0:
        pool.push_back(b.add(l, r));
        break;
      case 1:
        pool.push_back(b.sub(l, r));
        break;
      case 2:
        pool.push_back(b.mul(l, r));
        break;
      default:
        pool.push_back(b.neg(l));
    }
  }
  const uint32_t num = uint32_t(2 + rng() % 9);
  const uint32_t buses[] = {0, 1, 2, 5, 65535};
  for (uint32_t i = 0; i < num; ++i) {
    Interaction it;
    it.bus = buses[rng() % 5];
    it.count_weight = uint32_t(rng() % 3);
    const size_t fields = 1 + rng() % 5;
    for (size_t j = 0; j < fields; ++j) it.message.push_back(pick());
    it.count = rng() % 3 == 0 ? b.constant(uint32_t(rng() % 4)) : pick();
    b.cs.interactions.push_back(it);
  }
  std::vector<uint32_t> order(num);
  for (uint32_t i = 0; i < num; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (uint32_t i = 0; i < num;) {
    const uint32_t len = std::min<uint32_t>(num - i, uint32_t(1 + rng() % 3));
    b.cs.interaction_chunks.emplace_back(order.begin() + i, order.begin() + i + len);
    i += len;
  }
  b.append_logup();
  return b.finish();
}

}  // namespace

TEST(after_challenge_trace_matches_the_cpu) {
  const ConstraintSystem cs = fixtures::interaction_system();
  for (size_t n : {size_t(1), size_t(2), size_t(8), size_t(64), size_t(1024), size_t(1) << 14})
    check_against_cpu(cs, n, {17});
}

TEST(the_launchers_default_layout_matches_the_cpu) {
  const ConstraintSystem cs = fixtures::interaction_system();
  for (size_t n : {size_t(4), size_t(2048)}) {
    const Traces t = random_traces(cs, n);
    const Ext4 alpha = random_ext(), beta = random_ext();
    const k::LogupImage img = cuda::build_logup_program(cs, {17}, alpha, beta);
    const k::LogupLayout l = k::default_logup_layout(img.host_view(), n);
    CHECK(l.lanes % 256 == 0 && l.lanes >= 256);
    CHECK(l.segment_rows >= 1 && l.segment_rows <= n);
    CHECK_EQ(l.status_at % 2, size_t(0));
    const AfterChallengeTrace expect = cpu_trace(cs, t, {17}, alpha, beta);
    const AfterChallengeTrace got =
        host_trace(cs, t, {17}, alpha, beta, DeviceConfig{l.segment_rows, l.group_rows, l.lanes, false});
    CHECK(got.flattened.values == expect.flattened.values);
    CHECK(got.cumulative_sum == expect.cumulative_sum);
  }
}

TEST(random_interactions_match_the_cpu) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const ConstraintSystem cs = random_interaction_system(seed);
    check_against_cpu(cs, size_t(1) << (seed % 8), {testing::random_canonical(), 3});
  }
}

TEST(scan_is_an_inclusive_prefix_sum_at_every_size) {
  struct ScanExec {
    void scan_tiles(uint32_t* data, uint64_t count, uint32_t* totals) {
      for (uint64_t t = (count + k::kScanTile - 1) / k::kScanTile; t-- > 0;)
        k::scan_tile_body(data, count, totals, t);
    }
    void scan_add(uint32_t* data, uint64_t count, const uint32_t* totals) {
      for (uint64_t i = count; i-- > 0;) k::scan_add_body(data, totals, i);
    }
  } ex;
  for (uint64_t count : {1ull, 2ull, 63ull, 64ull, 65ull, 4096ull, 4097ull, 300000ull}) {
    std::vector<Ext4> values(count);
    std::vector<uint32_t> words(4 * count);
    for (uint64_t i = 0; i < count; ++i) {
      values[i] = random_ext();
      for (int e = 0; e < 4; ++e) words[4 * i + e] = values[i].c[e].mont;
    }
    std::vector<uint32_t> totals = fixtures::poisoned(k::scan_workspace_words(count));
    k::plan::inclusive_scan_ext(ex, words.data(), count, totals.data());
    Ext4 acc = Ext4::zero();
    bool same = true;
    for (uint64_t i = 0; i < count; ++i) {
      acc += values[i];
      for (int e = 0; e < 4; ++e) same = same && words[4 * i + e] == acc.c[e].mont;
    }
    CHECK(same);
  }
}

TEST(batch_inversion_matches_the_cpu_for_every_group_length) {
  const size_t count = 37;
  std::vector<uint32_t> den(4 * count);
  std::vector<Ext4> values(count);
  for (size_t i = 0; i < count; ++i) {
    values[i] = random_ext();
    for (int e = 0; e < 4; ++e) den[4 * i + e] = values[i].c[e].mont;
  }
  for (uint64_t group : {1ull, 2ull, 8ull, 37ull, 100ull}) {
    std::vector<uint32_t> inv = fixtures::poisoned(4 * count);
    for (uint64_t g = 0; g < (count + group - 1) / group; ++g)
      k::batch_inverse_ext_body(den.data(), inv.data(), count, group, g);
    bool same = true;
    for (size_t i = 0; i < count; ++i) {
      const Ext4 want = values[i].inverse();
      for (int e = 0; e < 4; ++e) same = same && inv[4 * i + e] == want.c[e].mont;
    }
    CHECK(same);
  }
}

TEST(the_first_zero_denominator_is_reported_as_the_cpu_does) {
  const ConstraintSystem cs = fixtures::interaction_system();
  const size_t n = 512;
  const Traces t = random_traces(cs, n);
  const Ext4 beta = random_ext();
  // d_0(r) = α + a(r) + β·(bus 0 + 1), a = common column 0: vanishes at row 300.
  const Fp a300 = Fp::from_canonical(t.mains[1].row(300)[0]);
  const Ext4 alpha = -(Ext4(a300) + beta);
  std::string cpu_message;
  try {
    cpu_trace(cs, t, {17}, alpha, beta);
  } catch (const InputError& e) {
    cpu_message = e.what();
  }
  CHECK(cpu_message.rfind("LogUp denominator is zero at row 300, interaction 0 (bus 0)", 0) == 0);
  for (const DeviceConfig& cfg : {DeviceConfig{n, 4, 7, false}, DeviceConfig{100, 3, 2, true}}) {
    std::string device_message;
    try {
      host_trace(cs, t, {17}, alpha, beta, cfg);
    } catch (const InputError& e) {
      device_message = e.what();
    }
    CHECK_EQ(device_message, cpu_message);
  }
  // A zero of a later interaction on a later bus: the smallest (row, interaction) wins, and the
  // bus is interaction 3's.
  const Fp an = Fp::from_canonical(t.mains[1].row(101)[0]);  // interaction 3 reads a at row 100 + 1
  const Ext4 alpha3 = -(Ext4(an) + beta * Fp::from_canonical(8));
  try {
    cpu_trace(cs, t, {17}, alpha3, beta);
    CHECK(false);
  } catch (const InputError& e) {
    cpu_message = e.what();
  }
  try {
    host_trace(cs, t, {17}, alpha3, beta, DeviceConfig{64, 5, 3, true});
    CHECK(false);
  } catch (const InputError& e) {
    CHECK_EQ(std::string(e.what()), cpu_message);
  }
  CHECK(cpu_message.find("(bus 7)") != std::string::npos);
}

TEST(systems_the_cpu_refuses_are_refused) {
  CHECK_THROWS(cuda::build_logup_program(fixtures::fibonacci_system(), {1, 2, 3}, Ext4::one(), Ext4::one()),
               InputError);  // no interactions
  const ConstraintSystem cs = fixtures::interaction_system();
  CHECK_THROWS(cuda::build_logup_program(cs, {}, Ext4::one(), Ext4::one()), InputError);
  CHECK_THROWS(cuda::build_logup_program(cs, {P}, Ext4::one(), Ext4::one()), InputError);
  const k::LogupImage img = cuda::build_logup_program(cs, {17}, Ext4::one(), Ext4::one());
  k::MatrixSet without_prep;
  without_prep.count = 4;
  const RowMajorMatrix m = random_matrix(8, 2);
  without_prep.data[2] = without_prep.data[3] = m.values.data();
  without_prep.width[2] = 1, without_prep.width[3] = 2;
  CHECK_THROWS(cuda::check_matrix_set(img.image, without_prep), InputError);
}

TEST(mismatched_traces_get_the_cpus_messages) {
  const ConstraintSystem cs = fixtures::interaction_system();
  const Traces good = random_traces(cs, 8);
  const Ext4 alpha = random_ext(), beta = random_ext();
  auto cpu_message = [&](const Traces& t, const std::vector<uint32_t>& pv) {
    try {
      cpu_trace(cs, t, pv, alpha, beta);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto device_message = [&](const Traces& t, const std::vector<uint32_t>& pv) {
    try {
      cuda::prepare_after_challenge_trace(cs, prep_ref(t), main_refs(t), pv, alpha, beta);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::vector<std::pair<Traces, std::vector<uint32_t>>> cases;
  cases.push_back({good, {17}});  // accepted by both
  {
    Traces t = good;
    t.prep.reset();
    cases.push_back({t, {17}});
  }
  {
    Traces t = good;
    t.mains.pop_back();
    cases.push_back({t, {17}});
  }
  {
    Traces t = good;
    t.mains[1] = random_matrix(8, cs.main_partition_width(1) + 1);
    cases.push_back({t, {17}});
  }
  {
    Traces t = good;
    t.mains[0] = random_matrix(4, cs.main_partition_width(0));
    cases.push_back({t, {17}});
  }
  cases.push_back({random_traces(cs, 6), {17}});
  cases.push_back({good, {}});
  cases.push_back({good, {P}});
  for (size_t c = 0; c < cases.size(); ++c) {
    const std::string want = cpu_message(cases[c].first, cases[c].second);
    CHECK_EQ(device_message(cases[c].first, cases[c].second), want);
    CHECK_EQ(want == "no error", c == 0);  // every other case is refused
  }
  CHECK_EQ(device_message(good, {17}), std::string("no error"));
}
