// A small persistent thread pool and a blocking parallel_for over index ranges.
//
// Work is split into contiguous chunks; each chunk's result depends only on its indices, so
// results are identical for every thread count (the determinism contract). The pool size
// defaults to std::thread::hardware_concurrency(), can be set with the environment variable
// STARK_NUM_THREADS or set_num_threads(), and 1 means everything runs on the caller.
// Nested calls from inside a worker run serially on that worker (no deadlock, no
// oversubscription).
//
// Thread safety: parallel_for may be called from any number of threads at once (their jobs run
// one after another on the pool), and set_num_threads may be called at any time from any
// thread, concurrently with running parallel work: it waits until the job that is running
// finishes, then replaces the workers before the next job starts. Called from inside a
// parallel_for body (where waiting for the running job would deadlock), the change is deferred:
// it takes effect as soon as the job that is running finishes, before any other job starts.
#pragma once

#include <cstddef>
#include <functional>

namespace stark {

/// Largest thread count set_num_threads accepts (STARK_NUM_THREADS is clamped to it).
constexpr int kMaxThreads = 1024;

/// Number of threads parallel_for uses (>= 1). Safe to call at any time from any thread.
int num_threads();
/// Sets the thread count; n <= 0 restores the default. Throws InputError for n > kMaxThreads,
/// and ResourceError if the system cannot start the threads (the pool then keeps the workers it
/// could start, and num_threads() says how many). Safe to call concurrently with running
/// parallel work (see the header comment; from inside a parallel_for body it is deferred).
void set_num_threads(int n);

/// Calls body(begin, end) over disjoint chunks covering [0, n), each chunk at least `grain`
/// indices (except possibly the last). Blocks until all chunks are done; the first exception
/// thrown by a chunk is rethrown in the caller after every chunk has finished.
void parallel_for_chunks(size_t n, size_t grain, const std::function<void(size_t, size_t)>& body);

/// Calls body(i) for every i in [0, n), in chunks of at least `grain`.
template <class F>
void parallel_for(size_t n, size_t grain, F&& body) {
  parallel_for_chunks(n, grain, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) body(i);
  });
}

}  // namespace stark
