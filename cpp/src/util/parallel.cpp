#include "stark/util/parallel.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace stark {
namespace {

int default_threads() {
  if (const char* env = std::getenv("STARK_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : int(hc);
}

thread_local bool t_in_worker = false;

// One job at a time: chunks are claimed from an atomic-like counter under the mutex. Chunks are
// coarse (callers pick grains that amortize this), so a mutex is cheaper than it looks.
class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop(); }

  int size() const { return threads_; }

  void resize(int threads) {
    stop();
    threads_ = std::max(1, threads);
    shutdown_ = false;
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void run(size_t num_chunks, const std::function<void(size_t)>& chunk) {
    std::unique_lock<std::mutex> run_lock(run_mutex_);  // serialize concurrent callers
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = &chunk;
      num_chunks_ = num_chunks;
      next_ = 0;
      done_ = 0;
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    work(/*is_caller=*/true);
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [&] { return done_ == num_chunks_; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void work(bool is_caller) {
    for (;;) {
      size_t idx;
      const std::function<void(size_t)>* job;
      {
        std::lock_guard<std::mutex> lk(m_);
        if (job_ == nullptr || next_ >= num_chunks_) return;
        idx = next_++;
        job = job_;
      }
      const bool prev = t_in_worker;
      t_in_worker = true;
      try {
        (*job)(idx);
      } catch (...) {
        std::lock_guard<std::mutex> lk(m_);
        if (!error_) error_ = std::current_exception();
      }
      t_in_worker = prev;
      {
        std::lock_guard<std::mutex> lk(m_);
        if (++done_ == num_chunks_) done_cv_.notify_all();
      }
    }
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return shutdown_ || (generation_ != seen && job_ != nullptr); });
        if (shutdown_) return;
        seen = generation_;
      }
      work(false);
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lk(m_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(size_t)>* job_ = nullptr;
  size_t num_chunks_ = 0, next_ = 0, done_ = 0;
  uint64_t generation_ = 0;
  bool shutdown_ = false;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

}  // namespace

int num_threads() { return pool().size(); }

void set_num_threads(int n) { pool().resize(n <= 0 ? default_threads() : n); }

void parallel_for_chunks(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (n == 0) return;
  grain = std::max<size_t>(grain, 1);
  const int threads = num_threads();
  if (threads == 1 || t_in_worker || n <= grain) {
    body(0, n);
    return;
  }
  // A few chunks per thread balance uneven chunks without much scheduling overhead.
  const size_t max_chunks = size_t(threads) * 4;
  const size_t num_chunks = std::min(max_chunks, (n + grain - 1) / grain);
  const size_t per = (n + num_chunks - 1) / num_chunks;
  const size_t chunks = (n + per - 1) / per;
  pool().run(chunks, [&](size_t c) {
    const size_t b = c * per;
    const size_t e = std::min(n, b + per);
    body(b, e);
  });
}

}  // namespace stark
