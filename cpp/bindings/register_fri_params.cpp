// FRI parameters: the core's one definition (stark/fri/params.hpp) of their ranges, openvm's
// standard sets and the security figures, wrapped by stark_backend.fri_params.FriParameters.
#include <pybind11/stl.h>

#include "common.hpp"
#include "integers.hpp"
#include "stark/fri/params.hpp"

namespace stark::py_bind {

void register_fri_params(py::module_& m) {
  py::class_<FriParameters>(m, "FriParameters")
      .def(py::init([](const py::object& log_blowup, const py::object& log_final_poly_len,
                       const py::object& num_queries, const py::object& commit_proof_of_work_bits,
                       const py::object& query_proof_of_work_bits) {
             return FriParameters::from_integers(
                 int64_of(log_blowup, "FriParameters.log_blowup"),
                 int64_of(log_final_poly_len, "FriParameters.log_final_poly_len"),
                 int64_of(num_queries, "FriParameters.num_queries"),
                 int64_of(commit_proof_of_work_bits, "FriParameters.commit_proof_of_work_bits"),
                 int64_of(query_proof_of_work_bits, "FriParameters.query_proof_of_work_bits"));
           }),
           py::arg("log_blowup"), py::arg("log_final_poly_len"), py::arg("num_queries"),
           py::arg("commit_proof_of_work_bits"), py::arg("query_proof_of_work_bits"),
           "Validated parameters: InputError naming the field and its range.")
      .def_static(
          "standard_with_100_bits_security",
          [](const py::object& log_blowup) {
            return FriParameters::standard_with_100_bits_security(
                int64_of(log_blowup, "standard_with_100_bits_security: log_blowup"));
          },
          py::arg("log_blowup"), "openvm's 100-bit set for log_blowup 1..4.")
      .def_static("standard_fast", &FriParameters::standard_fast)
      .def_readonly("log_blowup", &FriParameters::log_blowup)
      .def_readonly("log_final_poly_len", &FriParameters::log_final_poly_len)
      .def_readonly("num_queries", &FriParameters::num_queries)
      .def_readonly("commit_proof_of_work_bits", &FriParameters::commit_proof_of_work_bits)
      .def_readonly("query_proof_of_work_bits", &FriParameters::query_proof_of_work_bits)
      .def("max_constraint_degree", &FriParameters::max_constraint_degree)
      .def("security_bits", &FriParameters::security_bits)
      .def("conjectured_security_bits", &FriParameters::conjectured_security_bits)
      .def("as_tuple", [](const FriParameters& p) {
        return py::make_tuple(p.log_blowup, p.log_final_poly_len, p.num_queries, p.commit_proof_of_work_bits,
                              p.query_proof_of_work_bits);
      });
}

}  // namespace stark::py_bind
