// NTT / LDE bindings (stark/ntt/ntt.hpp). Arrays are (n,) or (n, w) C-contiguous uint32 (a 1-D
// array is one column and comes back 1-D); results are new arrays that keep their own buffer
// alive (see new_aligned), or, when given, the caller's `out` array (reusing a buffer avoids the
// kernel's zeroing of fresh pages: about 70 ms for a 512 MiB LDE). Shapes and parameters are
// checked here before anything is allocated; the core re-checks heights.
#include <algorithm>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "common.hpp"
#include "stark/field/babybear.hpp"
#include "stark/ntt/ntt.hpp"

namespace stark::py_bind {
namespace {

// Outputs are allocated here rather than by NumPy: NumPy's large buffers start 16 bytes past a
// page boundary, so every row of a row-major matrix straddles one more cache line than needed
// and the strided row copies of the transforms slow down by 10-20%. These are 64-byte aligned
// (2 MiB for large ones, so transparent huge pages cover them) and owned by a capsule that
// frees them with the array.
U32Array new_aligned(const std::vector<py::ssize_t>& shape) {
  size_t count = 1;
  for (py::ssize_t d : shape) count *= size_t(d);
  const size_t align = count * sizeof(uint32_t) >= (size_t(8) << 20) ? (size_t(2) << 20) : 64;
  const size_t bytes = (std::max<size_t>(count * sizeof(uint32_t), 1) + align - 1) / align * align;
  void* data = std::aligned_alloc(align, bytes);
  if (data == nullptr) throw std::bad_alloc();
  py::capsule owner(data, [](void* p) { std::free(p); });
  return U32Array(shape, static_cast<uint32_t*>(data), owner);
}

U32Array new_like(const U32Array& a, size_t height, size_t width) {
  if (a.ndim() == 1) return new_aligned({py::ssize_t(height)});
  return new_aligned({py::ssize_t(height), py::ssize_t(width)});
}

// The result array: a new one, or `out` after checking that it is a writeable C-contiguous
// uint32 array of the result's shape.
U32Array result_array(const py::object& out, const U32Array& like, size_t height, size_t width) {
  if (out.is_none()) return new_like(like, height, width);
  const std::string expected = like.ndim() == 1
                                   ? "(" + std::to_string(height) + ",)"
                                   : "(" + std::to_string(height) + ", " + std::to_string(width) + ")";
  if (!py::isinstance<U32Array>(out))
    throw InputError("out: expected a C-contiguous uint32 array of shape " + expected);
  U32Array arr = py::reinterpret_borrow<U32Array>(out);
  const bool shape_ok =
      like.ndim() == 1 ? (arr.ndim() == 1 && size_t(arr.shape(0)) == height)
                       : (arr.ndim() == 2 && size_t(arr.shape(0)) == height && size_t(arr.shape(1)) == width);
  if (!shape_ok) throw InputError("out: expected shape " + expected);
  if (!arr.writeable()) throw InputError("out: array is read-only");
  return arr;
}

MatrixView mutable_view(U32Array& a, size_t height, size_t width) {
  return {a.mutable_data(), height, width};
}

void check_height(size_t height, int64_t extra_bits, const char* what) {
  if (!is_power_of_two(height))
    throw InputError(std::string(what) + ": height " + std::to_string(height) + " is not a power of two");
  if (extra_bits < 0) throw InputError("log_blowup: must be >= 0, got " + std::to_string(extra_bits));
  if (int64_t(log2_exact(height)) + extra_bits > int64_t(TWO_ADICITY))
    throw InputError(std::string(what) +
                     ": log2(height) + log_blowup = " + std::to_string(log2_exact(height)) + " + " +
                     std::to_string(extra_bits) + " exceeds the two-adicity " + std::to_string(TWO_ADICITY));
}

Fp shift_element(int64_t shift, const char* what) {
  if (shift <= 0 || shift >= int64_t(P))
    throw InputError(std::string(what) + ": must be a non-zero canonical field element in (0, p), got " +
                     std::to_string(shift));
  return Fp::from_canonical(uint32_t(shift));
}

U32Array ntt(const U32Array& values, bool inverse, const py::object& out_arg) {
  const ConstMatrixView in = matrix_view(values, "values");
  check_height(in.height, 0, "values");
  U32Array out = result_array(out_arg, values, in.height, in.width);
  const MatrixView o = mutable_view(out, in.height, in.width);
  {
    py::gil_scoped_release release;
    ntt_batch(in, o, inverse);
  }
  return out;
}

U32Array lde(const U32Array& evals, int64_t in_shift, int64_t log_blowup, int64_t out_shift,
             bool bit_reversed, bool from_coset, const py::object& out_arg) {
  const ConstMatrixView in = matrix_view(evals, "evals");
  check_height(in.height, log_blowup, "evals");
  const Fp s_in = from_coset ? shift_element(in_shift, "in_shift") : Fp::one();
  const Fp s_out = shift_element(out_shift, from_coset ? "out_shift" : "shift");
  const uint32_t b = uint32_t(log_blowup);
  U32Array out = result_array(out_arg, evals, in.height << b, in.width);
  const MatrixView o = mutable_view(out, in.height << b, in.width);
  {
    py::gil_scoped_release release;
    if (from_coset) {
      coset_lde_bitrev_from_coset(in, s_in, b, s_out, o);
    } else if (bit_reversed) {
      coset_lde_bitrev(in, b, s_out, o);
    } else {
      coset_lde(in, b, s_out, o);
    }
  }
  return out;
}

U32Array bit_reverse(const U32Array& values) {
  const ConstMatrixView in = matrix_view(values, "values");
  check_height(in.height, 0, "values");
  U32Array out = new_like(values, in.height, in.width);
  const MatrixView o = mutable_view(out, in.height, in.width);
  {
    py::gil_scoped_release release;
    std::copy(in.data, in.data + in.height * in.width, o.data);
    bit_reverse_rows(o);
  }
  return out;
}

}  // namespace

void register_ntt(py::module_& m) {
  m.def("ntt", &ntt, py::arg("values"), py::arg("inverse"), py::arg("out") = py::none(),
        "NTT of every column of an (n, w) array: forward maps coefficients to evaluations at "
        "w_n^0..w_n^(n-1), inverse maps back (with 1/n). Returns a new array, or fills and returns "
        "`out` (same shape, must not overlap values).");
  m.def(
      "coset_lde",
      [](const U32Array& evals, int64_t log_blowup, int64_t shift, bool bit_reversed, const py::object& out) {
        return lde(evals, 1, log_blowup, shift, bit_reversed, false, out);
      },
      py::arg("evals"), py::arg("log_blowup"), py::arg("shift"), py::arg("bit_reversed"),
      py::arg("out") = py::none(),
      "Evaluations on H_n (natural order) -> evaluations on shift * H_(n 2^log_blowup), natural or "
      "bit-reversed row order. Returns a new (n << log_blowup, w) array, or fills and returns `out`.");
  m.def(
      "coset_lde_from_coset",
      [](const U32Array& evals, int64_t in_shift, int64_t log_blowup, int64_t out_shift,
         const py::object& out) { return lde(evals, in_shift, log_blowup, out_shift, true, true, out); },
      py::arg("evals"), py::arg("in_shift"), py::arg("log_blowup"), py::arg("out_shift"),
      py::arg("out") = py::none(),
      "Evaluations on in_shift * H_n -> evaluations on out_shift * H_(n 2^log_blowup) in "
      "bit-reversed row order (the PCS commitment layout).");
  m.def("bit_reverse_rows", &bit_reverse, py::arg("values"),
        "New array whose row i is row rev(i) of values (n a power of two).");
}

}  // namespace stark::py_bind
