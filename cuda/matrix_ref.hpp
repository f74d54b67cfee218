// A row-major matrix of canonical words by pointer (host-safe, no CUDA headers): device memory
// for the launchers and the resident plans, host memory in the tests.
#pragma once

#include <cstddef>
#include <cstdint>

namespace stark::cuda {

struct MatrixRef {
  const uint32_t* data = nullptr;
  size_t height = 0, width = 0;
};

}  // namespace stark::cuda
