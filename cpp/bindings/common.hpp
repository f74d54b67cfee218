// Shared helpers of the binding layer: array conversion (no protocol logic lives here).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "stark/field/matrix.hpp"
#include "stark/util/error.hpp"
#include "stark/util/memory.hpp"

namespace stark::py_bind {

namespace py = pybind11;
using U32Array = py::array_t<uint32_t, py::array::c_style>;

/// A (height, width) view of a C-contiguous uint32 array (1-D arrays are a single column).
/// The Python layer has already validated dtype, contiguity and value range.
inline ConstMatrixView matrix_view(const U32Array& a, const char* what) {
  if (a.ndim() == 1) return {a.data(), size_t(a.shape(0)), 1};
  if (a.ndim() != 2) throw InputError(std::string(what) + ": expected a 1-D or 2-D array");
  return {a.data(), size_t(a.shape(0)), size_t(a.shape(1))};
}

/// New C-contiguous uint32 array of the given shape, uninitialized. A big one's buffer comes
/// from allocate_large_buffer (huge pages: the first-touch page faults of a fresh LDE output
/// otherwise cost as much as the LDE) and is freed by a capsule when NumPy drops the array.
inline U32Array new_matrix(size_t height, size_t width) {
  const size_t bytes = height * width * sizeof(uint32_t);
  if (bytes < kHugePageThreshold) return U32Array({py::ssize_t(height), py::ssize_t(width)});
  void* data = allocate_large_buffer(bytes);
  // The capsule's destructor gets only the pointer: keep the size in a small header block.
  struct Owned {
    void* data;
    size_t bytes;
  };
  auto* owned = new Owned{data, bytes};
  py::capsule free_when_done(owned, [](void* p) {
    auto* o = static_cast<Owned*>(p);
    free_large_buffer(o->data, o->bytes);
    delete o;
  });
  return U32Array({py::ssize_t(height), py::ssize_t(width)}, static_cast<uint32_t*>(data), free_when_done);
}

}  // namespace stark::py_bind
