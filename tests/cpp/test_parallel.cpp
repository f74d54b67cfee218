#include <algorithm>
#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

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
