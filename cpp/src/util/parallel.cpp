#include "stark/util/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "stark/util/error.hpp"
#include "stark/util/timing.hpp"

namespace stark {
namespace {

int default_threads() {
  if (const char* env = std::getenv("STARK_NUM_THREADS")) {
    char* end = nullptr;
    errno = 0;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && errno == 0 && n > 0) return int(std::min<long>(n, kMaxThreads));
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : int(std::min<unsigned>(hc, kMaxThreads));
}

// True while this thread runs a chunk of the pool's job (the job's caller included).
thread_local bool t_in_worker = false;

// One job at a time: chunks are claimed from a counter under the mutex. Chunks are coarse
// (callers pick grains that amortize this), so a mutex is cheaper than it looks.
//
// Locks: run_mutex_ is held for a whole job by the thread that runs it, and by resize while it
// replaces the workers, so the two never overlap; m_ guards the job state the workers read.
// Lock order: run_mutex_, then m_.
class Pool {
 public:
  explicit Pool(int threads) {
    const std::lock_guard<std::mutex> run_lock(run_mutex_);
    start(threads);
  }
  ~Pool() {
    const std::lock_guard<std::mutex> run_lock(run_mutex_);
    stop();
  }

  int size() const { return threads_.load(std::memory_order_acquire); }

  // Waits for the running job, then replaces the workers. From inside a job's chunk (this
  // thread, or the job's caller waiting on this thread, would hold run_mutex_ forever) the
  // request is recorded and applied by run() when the job ends.
  void resize(int threads) {
    if (t_in_worker) {
      pending_.store(threads, std::memory_order_release);
      return;
    }
    const std::lock_guard<std::mutex> run_lock(run_mutex_);
    pending_.store(0, std::memory_order_relaxed);  // this later request supersedes it
    restart(threads);
  }

  void run(size_t num_chunks, const std::function<void(size_t)>& chunk) {
    const std::lock_guard<std::mutex> run_lock(run_mutex_);  // serialize concurrent callers
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = &chunk;
      job_recording_ = detail::current_recording();
      num_chunks_ = num_chunks;
      next_ = 0;
      done_ = 0;
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    work();
    std::exception_ptr error;
    {
      std::unique_lock<std::mutex> lk(m_);
      done_cv_.wait(lk, [&] { return done_ == num_chunks_; });
      job_ = nullptr;
      error = std::exchange(error_, nullptr);
    }
    // A set_num_threads made by one of the chunks: the workers are idle now.
    if (const int deferred = pending_.exchange(0, std::memory_order_acq_rel); deferred > 0) {
      try {
        restart(deferred);
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  }

 private:
  // Both need run_mutex_ held (no job is running).
  void restart(int threads) {
    stop();
    start(threads);
  }

  void start(int threads) {
    const int want = std::clamp(threads, 1, kMaxThreads);
    {
      std::lock_guard<std::mutex> lk(m_);
      shutdown_ = false;
    }
    workers_.reserve(size_t(want - 1));
    try {
      for (int i = 1; i < want; ++i) workers_.emplace_back([this] { worker_loop(); });
    } catch (const std::system_error& e) {
      // Keep the workers that did start: the pool stays usable with fewer threads.
      threads_.store(int(workers_.size()) + 1, std::memory_order_release);
      throw ResourceError("set_num_threads(" + std::to_string(threads) + "): could start only " +
                          std::to_string(workers_.size() + 1) + " threads (" + e.what() + ")");
    }
    threads_.store(want, std::memory_order_release);
  }

  void work() {
    for (;;) {
      size_t idx;
      const std::function<void(size_t)>* job;
      detail::RecordingState* recording;
      {
        std::lock_guard<std::mutex> lk(m_);
        if (job_ == nullptr || next_ >= num_chunks_) return;
        idx = next_++;
        job = job_;
        recording = job_recording_;
      }
      const bool prev = t_in_worker;
      t_in_worker = true;
      try {
        // The job's work counts go to its caller's recording (stark/util/timing.hpp).
        const detail::RecordingAdoption adopt(recording);
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
      work();
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

  std::atomic<int> threads_{1};
  std::atomic<int> pending_{0};  // a deferred set_num_threads (0: none)
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(size_t)>* job_ = nullptr;
  detail::RecordingState* job_recording_ = nullptr;
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

void set_num_threads(int n) {
  if (n > kMaxThreads)
    throw InputError("set_num_threads: n = " + std::to_string(n) + " exceeds the maximum of " +
                     std::to_string(kMaxThreads) + " threads");
  pool().resize(n <= 0 ? default_threads() : n);
}

void parallel_for_chunks(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body) {
  if (n == 0) return;
  grain = std::max<size_t>(grain, 1);
  const int threads = num_threads();
  if (threads == 1 || t_in_worker || n <= grain) {
    body(0, n);
    return;
  }
  // A few chunks per thread balance uneven chunks without much scheduling overhead. The count
  // may change before the job runs (set_num_threads from another thread): only the split
  // changes, never a result.
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
