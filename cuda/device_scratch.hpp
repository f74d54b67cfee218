// Caller-provided temporary device memory for a launcher (host-safe: no CUDA headers).
#pragma once

#include <cstddef>

namespace stark::cuda {

/// A device buffer the caller lends a launcher for its temporaries, valid until the launcher's
/// work on its stream has finished. Empty (or too small) means the launcher allocates
/// stream-ordered memory itself (scratch.cuh).
struct DeviceScratch {
  void* data = nullptr;
  size_t bytes = 0;
};

}  // namespace stark::cuda
