// Poseidon2 bindings: permutation, sponge, compression, batched leaf hashing and the
// permutation benchmark. Arrays are C-contiguous uint32 holding canonical values (the package
// layer converts and range-checks user input); shapes are checked here. Every result is a new
// array that owns its buffer; the GIL is released while the core works.
#include <string>
#include <vector>

#include "common.hpp"
#include "stark/hash/poseidon2.hpp"

namespace stark::py_bind {
namespace {

/// The object as a C-contiguous uint32 array (no silent conversion), with `ndim` dimensions.
U32Array strict_array(const py::handle& obj, const std::string& name, py::ssize_t ndim) {
  if (!py::isinstance<U32Array>(obj)) throw InputError(name + ": expected a C-contiguous numpy uint32 array");
  U32Array arr = py::reinterpret_borrow<U32Array>(obj);
  if (arr.ndim() != ndim) {
    throw InputError(name + ": expected a " + std::to_string(ndim) + "-D array, got " +
                     std::to_string(arr.ndim()) + " dimensions");
  }
  return arr;
}

std::string shape_of(const U32Array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

U32Array digest_array(const Digest& d) {
  U32Array out{py::ssize_t(kDigestElems)};
  std::copy(d.begin(), d.end(), out.mutable_data());
  return out;
}

U32Array permute(const py::object& states_obj) {
  const U32Array states = strict_array(states_obj, "states", 2);
  if (size_t(states.shape(1)) != kPoseidon2Width)
    throw InputError("states: expected shape (n, 16), got " + shape_of(states));
  const size_t n = size_t(states.shape(0));
  U32Array out = new_matrix(n, kPoseidon2Width);
  const uint32_t* src = states.data();
  uint32_t* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    std::copy(src, src + n * kPoseidon2Width, dst);
    poseidon2_permute_batch(dst, n);
  }
  return out;
}

U32Array sponge(const py::object& values_obj) {
  const U32Array values = strict_array(values_obj, "values", 1);
  Digest d;
  {
    py::gil_scoped_release release;
    d = hash_sponge(values.data(), size_t(values.shape(0)));
  }
  return digest_array(d);
}

Digest digest_of(const py::object& obj, const char* name) {
  const U32Array a = strict_array(obj, name, 1);
  if (size_t(a.shape(0)) != kDigestElems)
    throw InputError(std::string(name) + ": expected shape (8,), got " + shape_of(a));
  Digest d;
  std::copy(a.data(), a.data() + kDigestElems, d.begin());
  return d;
}

U32Array compress_two(const py::object& left_obj, const py::object& right_obj) {
  const Digest l = digest_of(left_obj, "left"), r = digest_of(right_obj, "right");
  return digest_array(compress(l, r));
}

U32Array leaf_hashes(const py::object& matrices) {
  if (py::isinstance<py::array>(matrices) || !py::isinstance<py::sequence>(matrices))
    throw InputError("matrices: expected a list of 2-D uint32 arrays");
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(matrices);
  if (seq.size() == 0) throw InputError("matrices: at least one matrix is required");
  std::vector<U32Array> arrays;
  std::vector<ConstMatrixView> views;
  for (size_t m = 0; m < seq.size(); ++m) {
    const std::string name = "matrices[" + std::to_string(m) + "]";
    arrays.push_back(strict_array(seq[m], name, 2));
    views.push_back(matrix_view(arrays.back(), name.c_str()));
    if (views.back().height != views[0].height) {
      throw InputError(name + ": height " + std::to_string(views.back().height) +
                       " differs from matrices[0]'s " + std::to_string(views[0].height));
    }
  }
  U32Array out = new_matrix(views[0].height, kDigestElems);
  uint32_t* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    hash_rows(views, dst);
  }
  return out;
}

double bench(long long count, int threads) {
  if (count <= 0) throw InputError("count: must be positive, got " + std::to_string(count));
  if (threads <= 0) throw InputError("threads: must be positive, got " + std::to_string(threads));
  py::gil_scoped_release release;
  return bench_poseidon2(size_t(count), threads);
}

}  // namespace

void register_hash(py::module_& m) {
  m.def("poseidon2_permute", &permute, py::arg("states"),
        "Poseidon2 permutation of each row of an (n, 16) uint32 array; returns a new (n, 16) array.");
  m.def("hash_sponge", &sponge, py::arg("values"),
        "Padding-free sponge Hs (rate 8, overwrite mode) of a 1-D uint32 array; returns the (8,) digest.");
  m.def("compress", &compress_two, py::arg("left"), py::arg("right"),
        "2-to-1 compression C(l, r) = Perm(l || r)[0..8) of two (8,) digests.");
  m.def("hash_rows", &leaf_hashes, py::arg("matrices"),
        "Leaf digests: row i -> Hs(row i of every matrix, concatenated). Matrices (h, w_i) of equal "
        "height; returns (h, 8).");
  m.def("bench_poseidon2", &bench, py::arg("count"), py::arg("threads"),
        "Permutations per second of the batched permutation on `count` states with `threads` threads.");
}

}  // namespace stark::py_bind
