// AIR-layer bindings: the decoded constraint system and its evaluators (quotient values and
// chunks, the LogUp after-challenge trace, the out-of-domain fold, recombination and check).
// Thin wrappers for tests and the Python debug path: arrays are strict C-contiguous uint32
// (no silent copies of large LDEs); extension elements are rows of 4 canonical words, shape
// (4,) for one element and (k, 4) for a list. The GIL is released around every core call.
#include <pybind11/stl.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "stark/air/air.hpp"

namespace stark::py_bind {
namespace {

U32Array strict_array(py::handle h, const std::string& what) {
  if (!py::isinstance<U32Array>(h)) throw InputError(what + ": expected a C-contiguous numpy uint32 array");
  return py::reinterpret_borrow<U32Array>(h);
}

void check_canonical(const uint32_t* data, size_t n, const std::string& what) {
  for (size_t i = 0; i < n; ++i)
    if (data[i] >= P)
      throw InputError(what + ": value " + std::to_string(data[i]) + " at flat index " + std::to_string(i) +
                       " is not a canonical field element");
}

/// A (height, width) matrix argument (1-D = one column), values checked canonical.
ConstMatrixView matrix_arg(const U32Array& a, const std::string& what) {
  const ConstMatrixView v = matrix_view(a, what.c_str());
  check_canonical(v.data, v.height * v.width, what);
  return v;
}

std::vector<U32Array> matrix_list(py::handle h, const std::string& what) {
  if (py::isinstance<py::array>(h) || !py::isinstance<py::sequence>(h))
    throw InputError(what + ": expected a list of 2-D uint32 arrays");
  std::vector<U32Array> out;
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(h);
  for (size_t i = 0; i < seq.size(); ++i)
    out.push_back(strict_array(seq[i], what + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<uint32_t> u32_list(py::handle h, const std::string& what) {
  std::vector<uint32_t> out;
  if (py::isinstance<py::array>(h)) {
    const U32Array a = strict_array(h, what);
    if (a.ndim() != 1) throw InputError(what + ": expected a 1-D array");
    out.assign(a.data(), a.data() + a.shape(0));
  } else {
    for (py::handle item : py::reinterpret_borrow<py::iterable>(h)) {
      const long long v = py::cast<long long>(item);
      if (v < 0 || v >= (long long)P)
        throw InputError(what + ": " + std::to_string(v) + " is not a canonical field element");
      out.push_back(uint32_t(v));
    }
  }
  check_canonical(out.data(), out.size(), what);
  return out;
}

/// Rows of 4 canonical words as extension elements: shape (k, 4), or (4,) when `single`.
std::vector<Ext4> ext_list(py::handle h, const std::string& what, bool single = false) {
  const U32Array a = strict_array(h, what);
  const bool ok = single ? (a.ndim() == 1 && a.shape(0) == 4) : (a.ndim() == 2 && a.shape(1) == 4);
  if (!ok) throw InputError(what + (single ? ": expected shape (4,)" : ": expected shape (k, 4)"));
  const size_t k = single ? 1 : size_t(a.shape(0));
  check_canonical(a.data(), 4 * k, what);
  std::vector<Ext4> out(k);
  for (size_t i = 0; i < k; ++i) out[i] = Ext4::from_canonical(a.data() + 4 * i);
  return out;
}
Ext4 ext_value(py::handle h, const std::string& what) { return ext_list(h, what, true)[0]; }

U32Array ext_array(const Ext4& v) {
  U32Array out{py::ssize_t(4)};
  v.to_canonical(out.mutable_data());
  return out;
}

U32Array ext_rows_array(const std::vector<Ext4>& values) {
  U32Array out = new_matrix(values.size(), 4);
  uint32_t* dst = out.mutable_data();
  for (size_t i = 0; i < values.size(); ++i) values[i].to_canonical(dst + 4 * i);
  return out;
}

U32Array matrix_array(const RowMajorMatrix& m) {
  U32Array out = new_matrix(m.height(), m.width);
  if (!m.values.empty()) std::memcpy(out.mutable_data(), m.values.data(), m.values.size() * sizeof(uint32_t));
  return out;
}

/// Opened values (one row of extension elements per matrix) for the OOD functions.
OodInputs ood_inputs(uint32_t log_height, py::handle zeta, py::handle preprocessed_local,
                     py::handle preprocessed_next, py::handle main_local, py::handle main_next,
                     py::handle after_challenge_local, py::handle after_challenge_next,
                     py::handle public_values, py::handle challenges, py::handle exposed) {
  OodInputs in;
  in.log_height = log_height;
  in.zeta = ext_value(zeta, "zeta");
  auto opt_list = [](py::handle h, const char* what) {
    return h.is_none() ? std::vector<Ext4>{} : ext_list(h, what);
  };
  in.preprocessed_local = opt_list(preprocessed_local, "preprocessed_local");
  in.preprocessed_next = opt_list(preprocessed_next, "preprocessed_next");
  for (const U32Array& a : matrix_list(main_local, "main_local"))
    in.main_local.push_back(ext_list(a, "main_local"));
  for (const U32Array& a : matrix_list(main_next, "main_next"))
    in.main_next.push_back(ext_list(a, "main_next"));
  in.after_challenge_local = opt_list(after_challenge_local, "after_challenge_local");
  in.after_challenge_next = opt_list(after_challenge_next, "after_challenge_next");
  in.public_values = u32_list(public_values, "public_values");
  in.challenges = opt_list(challenges, "challenges");
  in.exposed = opt_list(exposed, "exposed");
  return in;
}

std::vector<std::array<Ext4, 4>> chunk_values_arg(py::handle h) {
  const U32Array a = strict_array(h, "chunk_values");
  if (a.ndim() != 3 || a.shape(1) != 4 || a.shape(2) != 4)
    throw InputError("chunk_values: expected shape (quotient_degree, 4, 4)");
  check_canonical(a.data(), size_t(a.size()), "chunk_values");
  std::vector<std::array<Ext4, 4>> out(size_t(a.shape(0)));
  for (size_t t = 0; t < out.size(); ++t)
    for (size_t e = 0; e < 4; ++e) out[t][e] = Ext4::from_canonical(a.data() + 16 * t + 4 * e);
  return out;
}

}  // namespace

void register_air(py::module_& m) {
  py::class_<ConstraintSystem>(m, "ConstraintSystem",
                               "One AIR's constraint system decoded from its canonical IR bytes "
                               "(stark_backend.air.ir) and validated.")
      .def_static(
          "from_bytes",
          [](const py::bytes& b) {
            const std::string s = b;
            py::gil_scoped_release release;
            return ConstraintSystem::from_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
          },
          py::arg("data"), "Decode and validate; ProofFormatError (with the byte offset) on malformed bytes.")
      .def(
          "to_bytes",
          [](const ConstraintSystem& cs) {
            const std::vector<uint8_t> b = cs.to_bytes();
            return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
          },
          "The canonical encoding (identical to the bytes it was decoded from).")
      .def_property_readonly("num_nodes", [](const ConstraintSystem& cs) { return cs.nodes.size(); })
      .def_property_readonly("num_constraints",
                             [](const ConstraintSystem& cs) { return cs.constraints.size(); })
      .def_readonly("num_air_constraints", &ConstraintSystem::num_air_constraints)
      .def_property_readonly("num_interactions",
                             [](const ConstraintSystem& cs) { return cs.interactions.size(); })
      .def_readonly("interaction_chunks", &ConstraintSystem::interaction_chunks)
      .def_readonly("quotient_degree", &ConstraintSystem::quotient_degree)
      .def_readonly("max_degree", &ConstraintSystem::max_degree)
      .def_readonly("node_degrees", &ConstraintSystem::node_degrees)
      .def_readonly("preprocessed_width", &ConstraintSystem::preprocessed_width)
      .def_readonly("preprocessed_height", &ConstraintSystem::preprocessed_height)
      .def_readonly("cached_main_widths", &ConstraintSystem::cached_main_widths)
      .def_readonly("common_main_width", &ConstraintSystem::common_main_width)
      .def_readonly("num_public_values", &ConstraintSystem::num_public_values)
      .def_property_readonly("after_challenge_width", &ConstraintSystem::after_challenge_width)
      .def("__eq__", [](const ConstraintSystem& a, const ConstraintSystem& b) { return a == b; })
      .def("__repr__", [](const ConstraintSystem& cs) {
        return "<ConstraintSystem nodes=" + std::to_string(cs.nodes.size()) +
               " constraints=" + std::to_string(cs.constraints.size()) +
               " interactions=" + std::to_string(cs.interactions.size()) +
               " quotient_degree=" + std::to_string(cs.quotient_degree) + ">";
      });

  m.def(
      "air_quotient_values",
      [](const ConstraintSystem& cs, uint32_t log_blowup, py::handle preprocessed, py::handle mains,
         py::handle after_challenge, py::handle public_values, py::handle challenges, py::handle exposed,
         py::handle alpha) {
        QuotientInputs in;
        in.log_blowup = log_blowup;
        std::optional<U32Array> prep_arr, after_arr;
        if (!preprocessed.is_none()) {
          prep_arr = strict_array(preprocessed, "preprocessed");
          in.preprocessed = matrix_arg(*prep_arr, "preprocessed");
        }
        const std::vector<U32Array> main_arrs = matrix_list(mains, "mains");
        for (size_t p = 0; p < main_arrs.size(); ++p) in.mains.push_back(matrix_arg(main_arrs[p], "mains"));
        if (!after_challenge.is_none()) {
          after_arr = strict_array(after_challenge, "after_challenge");
          in.after_challenge = matrix_arg(*after_arr, "after_challenge");
        }
        size_t lde_height = in.preprocessed    ? in.preprocessed->height
                            : in.mains.empty() ? 0
                                               : in.mains[0].height;
        if (lde_height == 0 || !is_power_of_two(lde_height) || log2_exact(lde_height) < log_blowup)
          throw InputError("air_quotient_values: LDE height must be a power of two >= 2^log_blowup");
        in.log_height = log2_exact(lde_height) - log_blowup;
        in.public_values = u32_list(public_values, "public_values");
        in.challenges = ext_list(challenges, "challenges");
        in.exposed = ext_list(exposed, "exposed");
        const Ext4 a = ext_value(alpha, "alpha");
        std::vector<Ext4> values;
        {
          py::gil_scoped_release release;
          values = quotient_values(cs, in, a);
        }
        return ext_rows_array(values);
      },
      py::arg("cs"), py::arg("log_blowup"), py::arg("preprocessed"), py::arg("mains"),
      py::arg("after_challenge"), py::arg("public_values"), py::arg("challenges"), py::arg("exposed"),
      py::arg("alpha"),
      "Q(x_i) on the quotient domain in natural order, shape (n*q, 4); inputs are LDEs (bit-reversed rows).");

  m.def(
      "air_quotient_chunks",
      [](py::handle values, uint32_t quotient_degree) {
        const std::vector<Ext4> v = ext_list(values, "values");
        std::vector<RowMajorMatrix> chunks;
        {
          py::gil_scoped_release release;
          chunks = quotient_chunks(v, quotient_degree);
        }
        py::list out;
        for (const RowMajorMatrix& c : chunks) out.append(matrix_array(c));
        return out;
      },
      py::arg("values"), py::arg("quotient_degree"),
      "The q chunk matrices (n, 4): chunk t row j = Q(x_{t + j q}).");

  m.def(
      "air_after_challenge_trace",
      [](const ConstraintSystem& cs, py::handle preprocessed, py::handle mains, py::handle public_values,
         py::handle alpha_lu, py::handle beta_lu) {
        std::optional<U32Array> prep_arr;
        std::optional<ConstMatrixView> prep;
        if (!preprocessed.is_none()) {
          prep_arr = strict_array(preprocessed, "preprocessed");
          prep = matrix_arg(*prep_arr, "preprocessed");
        }
        const std::vector<U32Array> main_arrs = matrix_list(mains, "mains");
        std::vector<ConstMatrixView> views;
        for (const U32Array& a : main_arrs) views.push_back(matrix_arg(a, "mains"));
        const std::vector<uint32_t> pv = u32_list(public_values, "public_values");
        const Ext4 alpha = ext_value(alpha_lu, "alpha_lu"), beta = ext_value(beta_lu, "beta_lu");
        AfterChallengeTrace t;
        {
          py::gil_scoped_release release;
          t = after_challenge_trace(cs, prep, views, pv, alpha, beta);
        }
        return py::make_tuple(matrix_array(t.flattened), ext_array(t.cumulative_sum));
      },
      py::arg("cs"), py::arg("preprocessed"), py::arg("mains"), py::arg("public_values"), py::arg("alpha_lu"),
      py::arg("beta_lu"),
      "(flattened (n, 4*(chunks+1)), cumulative_sum (4,)) from traces in natural row order.");

  m.def(
      "air_folded_at",
      [](const ConstraintSystem& cs, uint32_t log_height, py::handle zeta, py::handle main_local,
         py::handle main_next, py::handle public_values, py::handle alpha, py::handle preprocessed_local,
         py::handle preprocessed_next, py::handle after_challenge_local, py::handle after_challenge_next,
         py::handle challenges, py::handle exposed) {
        const OodInputs in =
            ood_inputs(log_height, zeta, preprocessed_local, preprocessed_next, main_local, main_next,
                       after_challenge_local, after_challenge_next, public_values, challenges, exposed);
        const Ext4 a = ext_value(alpha, "alpha");
        Ext4 fold;
        {
          py::gil_scoped_release release;
          fold = folded_constraints_at(cs, in, a);
        }
        return ext_array(fold);
      },
      py::arg("cs"), py::arg("log_height"), py::arg("zeta"), py::arg("main_local"), py::arg("main_next"),
      py::arg("public_values"), py::arg("alpha"), py::kw_only(), py::arg("preprocessed_local") = py::none(),
      py::arg("preprocessed_next") = py::none(), py::arg("after_challenge_local") = py::none(),
      py::arg("after_challenge_next") = py::none(), py::arg("challenges") = py::none(),
      py::arg("exposed") = py::none(),
      "fold(zeta) from opened values: rows of extension elements, shape (w, 4); main_local/main_next "
      "are lists with one row per main partition.");

  m.def(
      "air_recombine_quotient",
      [](uint32_t log_height, uint32_t quotient_degree, py::handle zeta, py::handle chunk_values) {
        const Ext4 z = ext_value(zeta, "zeta");
        const auto chunks = chunk_values_arg(chunk_values);
        Ext4 q;
        {
          py::gil_scoped_release release;
          q = recombine_quotient_chunks(log_height, quotient_degree, z, chunks);
        }
        return ext_array(q);
      },
      py::arg("log_height"), py::arg("quotient_degree"), py::arg("zeta"), py::arg("chunk_values"),
      "Q(zeta) from the opened chunk values, shape (q, 4, 4).");

  m.def(
      "air_check_ood",
      [](const ConstraintSystem& cs, uint32_t log_height, py::handle zeta, py::handle main_local,
         py::handle main_next, py::handle public_values, py::handle alpha, py::handle chunk_values,
         py::handle preprocessed_local, py::handle preprocessed_next, py::handle after_challenge_local,
         py::handle after_challenge_next, py::handle challenges, py::handle exposed,
         const std::string& air_name) {
        const OodInputs in =
            ood_inputs(log_height, zeta, preprocessed_local, preprocessed_next, main_local, main_next,
                       after_challenge_local, after_challenge_next, public_values, challenges, exposed);
        const Ext4 a = ext_value(alpha, "alpha");
        const auto chunks = chunk_values_arg(chunk_values);
        py::gil_scoped_release release;
        check_ood(cs, in, a, chunks, air_name);
      },
      py::arg("cs"), py::arg("log_height"), py::arg("zeta"), py::arg("main_local"), py::arg("main_next"),
      py::arg("public_values"), py::arg("alpha"), py::arg("chunk_values"), py::kw_only(),
      py::arg("preprocessed_local") = py::none(), py::arg("preprocessed_next") = py::none(),
      py::arg("after_challenge_local") = py::none(), py::arg("after_challenge_next") = py::none(),
      py::arg("challenges") = py::none(), py::arg("exposed") = py::none(), py::arg("air_name") = "",
      "The out-of-domain check of one AIR; raises OodEvaluationMismatch on failure.");
}

}  // namespace stark::py_bind
