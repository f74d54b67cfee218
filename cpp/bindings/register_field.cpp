// Field layer bindings: element-wise kernels over canonical uint32 arrays (stark/field/batch.hpp)
// and the multiplication throughput benchmark. Shapes are checked here; values were validated
// by the Python layer. Every call releases the GIL around the core work.
#include <string>

#include "common.hpp"
#include "stark/field/batch.hpp"

namespace stark::py_bind {
namespace {

using BinaryKernel = void (*)(const uint32_t*, const uint32_t*, uint32_t*, size_t);
using UnaryKernel = void (*)(const uint32_t*, uint32_t*, size_t);

std::string shape_of(const U32Array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// Number of elements of a base-field vector (n,) or an extension vector (n, 4).
size_t element_count(const U32Array& a, bool extension, const char* fn, const char* arg) {
  if (extension) {
    if (a.ndim() != 2 || a.shape(1) != 4)
      throw InputError(std::string(fn) + ": " + arg + " must have shape (n, 4), got " + shape_of(a));
    return size_t(a.shape(0));
  }
  if (a.ndim() != 1)
    throw InputError(std::string(fn) + ": " + arg + " must be 1-D, got shape " + shape_of(a));
  return size_t(a.shape(0));
}

U32Array new_like(size_t n, bool extension) {
  return extension ? U32Array({py::ssize_t(n), py::ssize_t(4)}) : U32Array({py::ssize_t(n)});
}

U32Array binary(const U32Array& a, const U32Array& b, BinaryKernel kernel, bool extension, const char* fn) {
  const size_t n = element_count(a, extension, fn, "a");
  const size_t nb = element_count(b, extension, fn, "b");
  if (n != nb)
    throw InputError(std::string(fn) + ": a and b must have the same shape, got " + shape_of(a) + " and " +
                     shape_of(b));
  U32Array out = new_like(n, extension);
  const uint32_t* pa = a.data();
  const uint32_t* pb = b.data();
  uint32_t* po = out.mutable_data();
  {
    py::gil_scoped_release release;
    kernel(pa, pb, po, n);
  }
  return out;
}

U32Array unary(const U32Array& a, UnaryKernel kernel, bool extension, const char* fn) {
  const size_t n = element_count(a, extension, fn, "a");
  U32Array out = new_like(n, extension);
  const uint32_t* pa = a.data();
  uint32_t* po = out.mutable_data();
  {
    py::gil_scoped_release release;
    kernel(pa, po, n);
  }
  return out;
}

}  // namespace

void register_field(py::module_& m) {
  m.def(
      "field_add",
      [](const U32Array& a, const U32Array& b) { return binary(a, b, batch_add, false, "field_add"); },
      py::arg("a"), py::arg("b"), "Element-wise a + b mod p of two equal-length 1-D uint32 arrays.");
  m.def(
      "field_sub",
      [](const U32Array& a, const U32Array& b) { return binary(a, b, batch_sub, false, "field_sub"); },
      py::arg("a"), py::arg("b"), "Element-wise a - b mod p of two equal-length 1-D uint32 arrays.");
  m.def(
      "field_mul",
      [](const U32Array& a, const U32Array& b) { return binary(a, b, batch_mul, false, "field_mul"); },
      py::arg("a"), py::arg("b"), "Element-wise a * b mod p of two equal-length 1-D uint32 arrays.");
  m.def(
      "field_inv", [](const U32Array& a) { return unary(a, batch_inverse_canonical, false, "field_inv"); },
      py::arg("a"), "Element-wise inverse mod p (batch inversion); 0 maps to 0.");
  m.def(
      "ext_mul",
      [](const U32Array& a, const U32Array& b) { return binary(a, b, batch_ext_mul, true, "ext_mul"); },
      py::arg("a"), py::arg("b"),
      "Element-wise product in F_p[X]/(X^4 - 11) of two (n, 4) arrays of coefficients (c0, c1, c2, c3).");
  m.def(
      "ext_inv", [](const U32Array& a) { return unary(a, batch_ext_inverse, true, "ext_inv"); }, py::arg("a"),
      "Element-wise inverse in F_p[X]/(X^4 - 11) of an (n, 4) array; 0 maps to 0.");
  m.def(
      "bench_mul_throughput",
      [](bool extension, int64_t count) {
        if (count <= 0)
          throw InputError("bench_mul_throughput: count must be positive, got " + std::to_string(count));
        py::gil_scoped_release release;
        return bench_mul_throughput(extension, uint64_t(count));
      },
      py::arg("extension"), py::arg("count"),
      "Field multiplications per second on the active SIMD level, one thread (base or extension field).");
}

}  // namespace stark::py_bind
