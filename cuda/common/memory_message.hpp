// The text of device out-of-memory errors (host-safe: no CUDA headers, so the host tests check it).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace stark::cuda {

/// "1.50 GiB (1610612736 bytes)": binary units for reading, the exact count for scripts.
inline std::string format_bytes(size_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char head[32];
  if (u == 0)
    std::snprintf(head, sizeof head, "%zu B", bytes);
  else
    std::snprintf(head, sizeof head, "%.2f %s", v, kUnits[u]);
  return u == 0 ? std::string(head) : std::string(head) + " (" + std::to_string(bytes) + " bytes)";
}

/// "<what>: out of device memory: asked for A, F of T free on the device (P more held unused by
/// this process's memory pool)". `pool_idle` is the pool's reserved but unused memory: it is
/// reused by later allocations of this process, not by other processes.
inline std::string out_of_memory_message(const std::string& what, size_t asked, size_t free_bytes,
                                         size_t total_bytes, size_t pool_idle) {
  std::string s = what + ": out of device memory: asked for " + format_bytes(asked) + ", " +
                  format_bytes(free_bytes) + " of " + format_bytes(total_bytes) + " free on the device";
  if (pool_idle != 0)
    s += " (" + format_bytes(pool_idle) + " more held unused by this process's memory pool)";
  return s;
}

}  // namespace stark::cuda
