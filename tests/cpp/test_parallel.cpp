#include <algorithm>
#include <atomic>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "testing.hpp"

TEST(parallel_for_covers_every_index_once) {
  for (int threads : {1, 2, 3, 8}) {
    stark::set_num_threads(threads);
    std::vector<int> hits(10007, 0);
    stark::parallel_for(hits.size(), 16, [&](size_t i) { hits[i] += 1; });
    CHECK(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }));
  }
  stark::set_num_threads(0);
}

TEST(parallel_for_rethrows_chunk_errors) {
  stark::set_num_threads(2);
  CHECK_THROWS(stark::parallel_for(1000, 1,
                                   [](size_t i) {
                                     if (i == 777) throw std::runtime_error("x");
                                   }),
               std::runtime_error);
  // the pool is still usable afterwards
  std::atomic<size_t> sum{0};
  stark::parallel_for(100, 1, [&](size_t i) { sum += i; });
  CHECK_EQ(sum.load(), size_t(4950));
  stark::set_num_threads(0);
}

TEST(nested_parallel_for_runs_serially) {
  std::atomic<size_t> count{0};
  stark::parallel_for(8, 1, [&](size_t) { stark::parallel_for(8, 1, [&](size_t) { count++; }); });
  CHECK_EQ(count.load(), size_t(64));
}

// set_num_threads while other threads run parallel work (a ThreadSanitizer build of this test
// reported races on the pool's thread count and workers when resize ran without the run lock,
// and two concurrent resizes joined the same workers twice).
TEST(set_num_threads_during_parallel_work) {
  std::atomic<bool> resizing{true};
  std::atomic<int> wrong_sums{0}, bad_counts{0};
  std::vector<std::thread> runners;
  for (int r = 0; r < 3; ++r) {
    runners.emplace_back([&] {
      std::vector<int> hits(2048);
      while (resizing.load()) {
        std::fill(hits.begin(), hits.end(), 0);
        stark::parallel_for(hits.size(), 8, [&](size_t i) { hits[i] += 1; });
        if (!std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; })) wrong_sums++;
      }
    });
  }
  std::vector<std::thread> resizers;
  for (int r = 0; r < 2; ++r) {
    resizers.emplace_back([&, r] {
      for (int i = 0; i < 60; ++i) {
        stark::set_num_threads(1 + (i + r) % 5);
        const int n = stark::num_threads();
        if (n < 1 || n > 5) bad_counts++;
      }
    });
  }
  for (auto& t : resizers) t.join();
  resizing = false;
  for (auto& t : runners) t.join();
  CHECK_EQ(wrong_sums.load(), 0);
  CHECK_EQ(bad_counts.load(), 0);
  stark::set_num_threads(0);
}

// From inside a parallel_for body the change waits for the running job (no deadlock).
TEST(set_num_threads_inside_parallel_work_is_deferred) {
  stark::set_num_threads(4);
  std::atomic<int> seen_during_job{0};
  std::atomic<size_t> count{0};
  stark::parallel_for(64, 1, [&](size_t i) {
    if (i == 0) {
      stark::set_num_threads(2);
      seen_during_job = stark::num_threads();
    }
    count++;
  });
  CHECK_EQ(count.load(), size_t(64));
  CHECK_EQ(seen_during_job.load(), 4);
  CHECK_EQ(stark::num_threads(), 2);
  stark::set_num_threads(0);
}

TEST(set_num_threads_refuses_absurd_counts) {
  stark::set_num_threads(3);
  CHECK_THROWS(stark::set_num_threads(stark::kMaxThreads + 1), stark::InputError);
  CHECK_EQ(stark::num_threads(), 3);
  stark::set_num_threads(0);
}
