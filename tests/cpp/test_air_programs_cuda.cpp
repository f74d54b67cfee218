// The LogUp after-challenge trace and the quotient on the GPU (cuda/logup.hpp, cuda/quotient.hpp)
// against stark::after_challenge_trace and stark::quotient_chunks, bit for bit (built only with
// the CUDA units). Without a usable GPU each comparison prints "skipped: no GPU" and the entries
// are checked to raise DeviceError instead.
#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cuda_air_fixtures.hpp"
#include "logup.hpp"
#include "quotient.hpp"
#include "stark/air/logup.hpp"
#include "stark/air/quotient.hpp"
#include "stark/cuda/device.hpp"
#include "stark/util/error.hpp"
#include "testing.hpp"

using namespace stark;
using fixtures::random_ext;
using fixtures::random_matrix;

namespace {

bool skip_without_gpu(const char* test) {
  if (cuda::available()) return false;
  std::printf("  %s: skipped: no GPU (%s)\n", test, cuda::describe().c_str());
  return true;
}

void must(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw DeviceError(std::string(what) + ": " + cudaGetErrorString(err));
}

/// A device copy of a host matrix (or an output buffer of `words` words).
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t words) : words_(words) {
    must(cudaMalloc(&data_, (words == 0 ? 1 : words) * sizeof(uint32_t)), "cudaMalloc");
  }
  explicit DeviceBuffer(const RowMajorMatrix& m) : DeviceBuffer(m.values.size()) {
    must(cudaMemcpy(data_, m.values.data(), m.values.size() * sizeof(uint32_t), cudaMemcpyHostToDevice),
         "cudaMemcpy");
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { (void)cudaFree(data_); }
  uint32_t* data() const { return static_cast<uint32_t*>(data_); }
  std::vector<uint32_t> read() const {
    std::vector<uint32_t> out(words_);
    must(cudaMemcpy(out.data(), data_, words_ * sizeof(uint32_t), cudaMemcpyDeviceToHost), "cudaMemcpy");
    return out;
  }

 private:
  void* data_ = nullptr;
  size_t words_;
};

struct Stream {
  cudaStream_t s = nullptr;
  Stream() { must(cudaStreamCreate(&s), "cudaStreamCreate"); }
  ~Stream() { (void)cudaStreamDestroy(s); }
};

/// Host matrices and their device copies, by the CPU's roles.
struct Mats {
  std::optional<RowMajorMatrix> prep, after;
  std::vector<RowMajorMatrix> mains;
  std::vector<std::unique_ptr<DeviceBuffer>> device;

  cuda::MatrixRef up(const RowMajorMatrix& m) {
    device.push_back(std::make_unique<DeviceBuffer>(m));
    return {device.back()->data(), m.height(), m.width};
  }
};

Mats random_mats(const ConstraintSystem& cs, size_t rows, bool with_after) {
  Mats m;
  if (cs.preprocessed_width > 0) m.prep = random_matrix(rows, cs.preprocessed_width);
  for (size_t p = 0; p < cs.num_main_partitions(); ++p)
    m.mains.push_back(random_matrix(rows, cs.main_partition_width(p)));
  if (with_after && cs.after_challenge_width() > 0)
    m.after = random_matrix(rows, 4 * cs.after_challenge_width());
  return m;
}

AfterChallengeTrace cpu_trace(const ConstraintSystem& cs, const Mats& t, const std::vector<uint32_t>& pv,
                              const Ext4& alpha, const Ext4& beta) {
  std::vector<ConstMatrixView> mains;
  for (const auto& m : t.mains) mains.push_back(m.view());
  return after_challenge_trace(cs, t.prep ? std::optional<ConstMatrixView>(t.prep->view()) : std::nullopt,
                               mains, pv, alpha, beta);
}

/// The device trace; `lend_scratch` passes a caller buffer of after_challenge_scratch_bytes().
AfterChallengeTrace gpu_trace(cuda::DeviceProgramCache& cache, const ConstraintSystem& cs, Mats& t,
                              const std::vector<uint32_t>& pv, const Ext4& alpha, const Ext4& beta,
                              bool lend_scratch) {
  const size_t n = t.prep ? t.prep->height() : t.mains[0].height();
  std::optional<cuda::MatrixRef> prep;
  if (t.prep) prep = t.up(*t.prep);
  std::vector<cuda::MatrixRef> mains;
  for (const auto& m : t.mains) mains.push_back(t.up(m));
  const size_t width = 4 * (cs.interaction_chunks.size() + 1);
  DeviceBuffer flattened(n * width);
  Stream stream;
  std::unique_ptr<DeviceBuffer> scratch;
  cuda::DeviceScratch lent;
  if (lend_scratch) {
    const cuda::PreparedLogup p = cuda::prepare_after_challenge_trace(cs, prep, mains, pv, alpha, beta);
    const size_t bytes = cuda::after_challenge_scratch_bytes(p.image.host_view(), n);
    scratch = std::make_unique<DeviceBuffer>(bytes / 4);
    lent = {scratch->data(), bytes};
  }
  AfterChallengeTrace out;
  out.cumulative_sum = cuda::after_challenge_trace_on_device(cache, cs, prep, mains, pv, alpha, beta,
                                                             flattened.data(), stream.s, lent);
  out.flattened = RowMajorMatrix(flattened.read(), width);
  return out;
}

std::vector<uint32_t> cpu_chunks(const ConstraintSystem& cs, const Mats& l, uint32_t log_n,
                                 uint32_t log_blowup, const std::vector<uint32_t>& pv,
                                 const std::vector<Ext4>& challenges, const std::vector<Ext4>& exposed,
                                 const Ext4& alpha) {
  QuotientInputs in;
  in.log_height = log_n;
  in.log_blowup = log_blowup;
  if (l.prep) in.preprocessed = l.prep->view();
  for (const auto& m : l.mains) in.mains.push_back(m.view());
  if (l.after) in.after_challenge = l.after->view();
  in.public_values = pv;
  in.challenges = challenges;
  in.exposed = exposed;
  std::vector<uint32_t> out;
  for (const RowMajorMatrix& c : quotient_chunks(quotient_values(cs, in, alpha), cs.quotient_degree))
    out.insert(out.end(), c.values.begin(), c.values.end());
  return out;
}

std::vector<uint32_t> gpu_chunks(cuda::DeviceProgramCache& cache, const ConstraintSystem& cs, Mats& l,
                                 uint32_t log_n, uint32_t log_blowup, const std::vector<uint32_t>& pv,
                                 const std::vector<Ext4>& challenges, const std::vector<Ext4>& exposed,
                                 const Ext4& alpha) {
  cuda::QuotientLdes in;
  in.log_height = log_n;
  in.log_blowup = log_blowup;
  if (l.prep) in.preprocessed = l.up(*l.prep);
  for (const auto& m : l.mains) in.mains.push_back(l.up(m));
  if (l.after) in.after_challenge = l.up(*l.after);
  DeviceBuffer chunks((size_t(4) << log_n) * cs.quotient_degree);
  Stream stream;
  cuda::quotient_chunks_on_device(cache, cs, in, pv, challenges, exposed, alpha, chunks.data(), stream.s);
  must(cudaStreamSynchronize(stream.s), "cudaStreamSynchronize");
  return chunks.read();
}

}  // namespace

TEST(entries_raise_device_error_without_gpu) {
  if (cuda::available()) return;  // the comparisons below cover this machine
  const ConstraintSystem cs = fixtures::interaction_system();
  Mats t = random_mats(cs, 4, false);
  std::vector<cuda::MatrixRef> mains;
  for (const auto& m : t.mains) mains.push_back({m.values.data(), m.height(), m.width});
  const cuda::MatrixRef prep{t.prep->values.data(), 4, t.prep->width};
  std::vector<uint32_t> out(4 * 4 * (cs.interaction_chunks.size() + 1));
  cuda::DeviceProgramCache cache;
  CHECK_THROWS(cuda::after_challenge_trace_on_device(cache, cs, prep, mains, {17}, random_ext(), random_ext(),
                                                     out.data(), nullptr),
               DeviceError);
  // Input errors come first, as on the CPU.
  CHECK_THROWS(cuda::after_challenge_trace_on_device(cache, cs, prep, mains, {}, random_ext(), random_ext(),
                                                     out.data(), nullptr),
               InputError);
}

TEST(after_challenge_trace_matches_the_cpu_on_the_gpu) {
  if (skip_without_gpu("after_challenge_trace_matches_the_cpu_on_the_gpu")) return;
  cuda::DeviceProgramCache cache;
  const ConstraintSystem cs = fixtures::interaction_system();
  for (size_t n : {size_t(1), size_t(2), size_t(64), size_t(1000 + 24), size_t(1) << 16})
    for (bool lend : {false, true}) {
      Mats t = random_mats(cs, n, false);
      const Ext4 alpha = random_ext(), beta = random_ext();
      const AfterChallengeTrace want = cpu_trace(cs, t, {17}, alpha, beta);
      const AfterChallengeTrace got = gpu_trace(cache, cs, t, {17}, alpha, beta, lend);
      CHECK(got.flattened.values == want.flattened.values);
      CHECK(got.cumulative_sum == want.cumulative_sum);
    }
  CHECK_EQ(cache.size(), size_t(1));
}

TEST(the_zero_denominator_message_is_the_cpus_on_the_gpu) {
  if (skip_without_gpu("the_zero_denominator_message_is_the_cpus_on_the_gpu")) return;
  cuda::DeviceProgramCache cache;
  const ConstraintSystem cs = fixtures::interaction_system();
  Mats t = random_mats(cs, 512, false);
  const Ext4 beta = random_ext();
  const Ext4 alpha = -(Ext4(Fp::from_canonical(t.mains[1].row(300)[0])) + beta);
  std::string want = "no error", got = "no error";
  try {
    cpu_trace(cs, t, {17}, alpha, beta);
  } catch (const InputError& e) {
    want = e.what();
  }
  try {
    gpu_trace(cache, cs, t, {17}, alpha, beta, false);
  } catch (const InputError& e) {
    got = e.what();
  }
  CHECK(want != "no error");
  CHECK_EQ(got, want);
}

TEST(quotient_chunks_match_the_cpu_on_the_gpu) {
  if (skip_without_gpu("quotient_chunks_match_the_cpu_on_the_gpu")) return;
  cuda::DeviceProgramCache cache;
  {
    const ConstraintSystem cs = fixtures::fibonacci_system();
    for (uint32_t log_n : {0u, 1u, 5u, 14u})
      for (uint32_t log_blowup : {1u, 3u}) {
        Mats l = random_mats(cs, size_t(1) << (log_n + log_blowup), true);
        const Ext4 alpha = random_ext();
        CHECK(gpu_chunks(cache, cs, l, log_n, log_blowup, {1, 2, 3}, {}, {}, alpha) ==
              cpu_chunks(cs, l, log_n, log_blowup, {1, 2, 3}, {}, {}, alpha));
      }
  }
  {
    const ConstraintSystem cs = fixtures::interaction_system();
    const uint32_t log_blowup = std::max<uint32_t>(1, log2_exact(cs.quotient_degree));
    for (uint32_t log_n : {1u, 4u, 12u}) {
      Mats l = random_mats(cs, size_t(1) << (log_n + log_blowup), true);
      const std::vector<Ext4> ch{random_ext(), random_ext()}, ex{random_ext()};
      const Ext4 alpha = random_ext();
      CHECK(gpu_chunks(cache, cs, l, log_n, log_blowup, {9}, ch, ex, alpha) ==
            cpu_chunks(cs, l, log_n, log_blowup, {9}, ch, ex, alpha));
    }
  }
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const ConstraintSystem cs = fixtures::random_system(seed, uint32_t(2 + seed % 3));
    const uint32_t log_n = uint32_t(3 + seed),
                   log_blowup = std::max<uint32_t>(1, log2_exact(cs.quotient_degree));
    Mats l = random_mats(cs, size_t(1) << (log_n + log_blowup), true);
    const std::vector<Ext4> ch{random_ext(), random_ext()}, ex{random_ext()};
    const std::vector<uint32_t> pv{testing::random_canonical(), 4};
    const Ext4 alpha = random_ext();
    CHECK(gpu_chunks(cache, cs, l, log_n, log_blowup, pv, ch, ex, alpha) ==
          cpu_chunks(cs, l, log_n, log_blowup, pv, ch, ex, alpha));
  }
}

TEST(the_program_cache_uploads_only_changed_programs) {
  if (skip_without_gpu("the_program_cache_uploads_only_changed_programs")) return;
  cuda::DeviceProgramCache cache;
  const ConstraintSystem cs = fixtures::fibonacci_system();
  Mats l = random_mats(cs, 32, true);
  const Ext4 alpha = random_ext();
  const std::vector<uint32_t> want = cpu_chunks(cs, l, 4, 1, {1, 2, 3}, {}, {}, alpha);
  CHECK(gpu_chunks(cache, cs, l, 4, 1, {1, 2, 3}, {}, {}, alpha) == want);
  CHECK_EQ(cache.copies(), size_t(1));
  CHECK(gpu_chunks(cache, cs, l, 4, 1, {1, 2, 3}, {}, {}, alpha) == want);  // same proof inputs
  CHECK_EQ(cache.copies(), size_t(1));
  const Ext4 other = random_ext();  // the next proof's α: same buffer, new words
  CHECK(gpu_chunks(cache, cs, l, 4, 1, {1, 2, 3}, {}, {}, other) ==
        cpu_chunks(cs, l, 4, 1, {1, 2, 3}, {}, {}, other));
  CHECK_EQ(cache.copies(), size_t(2));
  CHECK_EQ(cache.size(), size_t(1));
  cache.clear();
  CHECK_EQ(cache.size(), size_t(0));
}
