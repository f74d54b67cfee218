// Merkle commitment (MMCS) bindings: merkle_root, MerkleTree (commit + open) and merkle_verify.
// Matrices are C-contiguous uint32 arrays of shape (height, width) (1-D = one column) holding
// canonical values; the package layer (stark_backend.primitives) converts and range-checks
// user input before calling in here. The tree references the NumPy buffers instead of copying.
#include <pybind11/stl.h>

#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "stark/config/config.hpp"
#include "stark/merkle/merkle_tree.hpp"

namespace stark::py_bind {
namespace {

/// Non-negative Python integer (anything with __index__) as uint64.
uint64_t to_u64(py::handle h, const std::string& what) {
  if (PyBool_Check(h.ptr())) throw InputError(what + ": expected an int, got bool");
  PyObject* index = PyNumber_Index(h.ptr());
  if (index == nullptr) {
    PyErr_Clear();
    throw InputError(what + ": expected an int, got " +
                     std::string(py::str(py::type::of(h).attr("__name__"))));
  }
  py::object owned = py::reinterpret_steal<py::object>(index);
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(owned.ptr(), &overflow);
  if (overflow != 0 || v < 0) {
    throw InputError(what + ": " + std::string(py::str(owned)) + " is not a non-negative 64-bit integer");
  }
  return uint64_t(v);
}

/// The matrices as strict C-contiguous uint32 arrays (no conversion: a copy of a large LDE
/// would go unnoticed), each 1-D or 2-D.
std::vector<U32Array> matrix_arrays(const py::handle& matrices) {
  if (py::isinstance<py::array>(matrices) || !py::isinstance<py::sequence>(matrices)) {
    throw InputError("matrices: expected a list of 2-D uint32 arrays");
  }
  std::vector<U32Array> arrays;
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(matrices);
  for (size_t m = 0; m < seq.size(); ++m) {
    const py::object item = seq[m];
    const std::string name = "matrices[" + std::to_string(m) + "]";
    if (!py::isinstance<U32Array>(item))
      throw InputError(name + ": expected a C-contiguous numpy uint32 array");
    U32Array arr = py::reinterpret_borrow<U32Array>(item);
    if (arr.ndim() != 1 && arr.ndim() != 2) {
      throw InputError(name + ": expected a 1-D or 2-D array, got " + std::to_string(arr.ndim()) +
                       " dimensions");
    }
    arrays.push_back(std::move(arr));
  }
  return arrays;
}

std::vector<ConstMatrixView> views_of(const std::vector<U32Array>& arrays) {
  std::vector<ConstMatrixView> views;
  for (size_t m = 0; m < arrays.size(); ++m) views.push_back(matrix_view(arrays[m], "matrices"));
  return views;
}

U32Array digest_array(const Digest& d) {
  U32Array out{py::ssize_t(kDigestElems)};
  std::memcpy(out.mutable_data(), d.data(), sizeof(uint32_t) * kDigestElems);
  return out;
}

/// A 1-D integer vector from a uint32 array (fast path) or any sequence of non-negative ints
/// below 2^32. Canonicity is left to the core, which reports it as a verification failure.
std::vector<uint32_t> u32_vector(py::handle h, const std::string& what) {
  if (py::isinstance<U32Array>(h)) {
    const U32Array arr = py::reinterpret_borrow<U32Array>(h);
    if (arr.ndim() != 1)
      throw InputError(what + ": expected a 1-D array, got " + std::to_string(arr.ndim()) + "-D");
    return std::vector<uint32_t>(arr.data(), arr.data() + arr.shape(0));
  }
  if (py::isinstance<py::array>(h) && py::reinterpret_borrow<py::array>(h).ndim() != 1) {
    throw InputError(what + ": expected a 1-D array");
  }
  if (py::isinstance<py::str>(h) || !py::isinstance<py::sequence>(h)) {
    throw InputError(what + ": expected a 1-D array or sequence of ints");
  }
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(h);
  std::vector<uint32_t> out;
  out.reserve(seq.size());
  for (size_t i = 0; i < seq.size(); ++i) {
    const std::string name = what + "[" + std::to_string(i) + "]";
    const uint64_t v = to_u64(seq[i], name);
    if (v > UINT32_MAX) throw InputError(name + ": " + std::to_string(v) + " does not fit in 32 bits");
    out.push_back(uint32_t(v));
  }
  return out;
}

std::vector<size_t> size_list(py::handle h, const std::string& what) {
  if (py::isinstance<py::str>(h) || !py::isinstance<py::sequence>(h)) {
    throw InputError(what + ": expected a list of ints");
  }
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(h);
  std::vector<size_t> out;
  for (size_t i = 0; i < seq.size(); ++i)
    out.push_back(size_t(to_u64(seq[i], what + "[" + std::to_string(i) + "]")));
  return out;
}

Digest digest_from(py::handle h, const std::string& what) {
  const std::vector<uint32_t> v = u32_vector(h, what);
  if (v.size() != kDigestElems) {
    throw InputError(what + ": expected " + std::to_string(kDigestElems) + " elements, got " +
                     std::to_string(v.size()));
  }
  Digest d;
  std::copy(v.begin(), v.end(), d.begin());
  return d;
}

std::vector<Digest> siblings_from(py::handle h) {
  if (!py::isinstance<U32Array>(h))
    throw InputError("siblings: expected a C-contiguous numpy uint32 array (L, 8)");
  const U32Array arr = py::reinterpret_borrow<U32Array>(h);
  if (arr.ndim() != 2 || arr.shape(1) != py::ssize_t(kDigestElems)) {
    throw InputError("siblings: expected shape (L, 8)");
  }
  std::vector<Digest> out(size_t(arr.shape(0)));
  if (!out.empty()) std::memcpy(out.data(), arr.data(), out.size() * sizeof(Digest));
  return out;
}

/// The Python MerkleTree: the C++ tree plus the arrays whose buffers it references.
struct PyMerkleTree {
  std::vector<U32Array> arrays;
  MerkleTree tree;
};

}  // namespace

void register_merkle(py::module_& m) {
  m.def(
      "merkle_root",
      [](const py::object& matrices, const std::string& config) {
        const MerkleHasher& hasher = config_by_name(config).hasher();
        const std::vector<U32Array> arrays = matrix_arrays(matrices);
        const std::vector<ConstMatrixView> views = views_of(arrays);
        Digest root;
        {
          py::gil_scoped_release release;
          root = stark::merkle_root(views, hasher);
        }
        return digest_array(root);
      },
      py::arg("matrices"), py::arg("config") = std::string("baby_bear_poseidon2"),
      "MMCS root (8 little-endian words) of a list of (height, width) uint32 matrices under a "
      "configuration's hasher (docs/protocol.md §2.1).");

  py::class_<PyMerkleTree>(
      m, "MerkleTree",
      "Mixed-height Merkle tree over a list of matrices; keeps every layer for openings. The "
      "tree references the arrays (no copy): do not modify them while it is in use.")
      .def(py::init([](const py::object& matrices) {
             std::vector<U32Array> arrays = matrix_arrays(matrices);
             std::vector<ConstMatrixView> views = views_of(arrays);
             std::optional<MerkleTree> tree;
             {
               py::gil_scoped_release release;
               tree.emplace(std::move(views), nullptr);
             }
             return PyMerkleTree{std::move(arrays), std::move(*tree)};
           }),
           py::arg("matrices"))
      .def(
          "root", [](const PyMerkleTree& t) { return digest_array(t.tree.root()); },
          "Root digest, shape (8,).")
      .def(
          "open",
          [](const PyMerkleTree& t, const py::object& index) {
            const MerkleOpening o = t.tree.open(size_t(to_u64(index, "index")));
            py::list rows;
            for (const auto& r : o.rows) {
              U32Array row{py::ssize_t(r.size())};
              if (!r.empty()) std::memcpy(row.mutable_data(), r.data(), r.size() * sizeof(uint32_t));
              rows.append(std::move(row));
            }
            U32Array siblings = new_matrix(o.siblings.size(), kDigestElems);
            if (!o.siblings.empty()) {
              std::memcpy(siblings.mutable_data(), o.siblings.data(), o.siblings.size() * sizeof(Digest));
            }
            return py::make_tuple(std::move(rows), std::move(siblings));
          },
          py::arg("index"),
          "(rows, siblings): row index >> (L - log2 h_m) of every matrix in original order, and the "
          "(L, 8) sibling digests, leaf level first.")
      .def_property_readonly(
          "height", [](const PyMerkleTree& t) { return t.tree.height(); },
          "Height of the tallest matrix (number of leaves).")
      .def_property_readonly("num_matrices", [](const PyMerkleTree& t) { return t.tree.num_matrices(); });

  m.def(
      "merkle_verify",
      [](const py::object& root, const py::object& heights, const py::object& widths, const py::object& index,
         const py::object& rows, const py::object& siblings) {
        const Digest root_digest = digest_from(root, "root");
        const std::vector<size_t> h = size_list(heights, "heights");
        const std::vector<size_t> w = size_list(widths, "widths");
        const uint64_t idx = to_u64(index, "index");
        if (py::isinstance<py::array>(rows) || py::isinstance<py::str>(rows) ||
            !py::isinstance<py::sequence>(rows)) {
          throw InputError("rows: expected a list of 1-D arrays");
        }
        const py::sequence row_seq = py::reinterpret_borrow<py::sequence>(rows);
        std::vector<std::vector<uint32_t>> opened;
        for (size_t i = 0; i < row_seq.size(); ++i)
          opened.push_back(u32_vector(row_seq[i], "rows[" + std::to_string(i) + "]"));
        const std::vector<Digest> path = siblings_from(siblings);
        MerkleVerifyResult result;
        {
          py::gil_scoped_release release;
          result = verify_merkle_batch(root_digest, h, w, size_t(idx), opened, path);
        }
        return py::make_tuple(result.ok, result.reason);
      },
      py::arg("root"), py::arg("heights"), py::arg("widths"), py::arg("index"), py::arg("rows"),
      py::arg("siblings"),
      "Verify a batch opening (docs/protocol.md §2.3). Returns (ok, reason); reason is '' when ok. Malformed "
      "verifier parameters (heights, widths) raise InputError.");
}

}  // namespace stark::py_bind
