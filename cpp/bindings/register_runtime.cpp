// Threads and SIMD level: run-time knobs of the core.
#include "common.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/parallel.hpp"

namespace stark::py_bind {

void register_runtime(py::module_& m) {
  m.attr("P") = P;
  m.def("num_threads", &stark::num_threads, "Threads used by the core.");
  m.def("set_num_threads", &stark::set_num_threads, py::arg("n"),
        "Set the core's thread count (n <= 0 restores the default).");
  m.def(
      "simd_detected", [] { return std::string(simd::name(simd::detected())); },
      "Best SIMD level of this CPU: 'scalar', 'avx2' or 'avx512'.");
  m.def("simd_active", [] { return std::string(simd::name(simd::active())); });
  m.def(
      "set_simd_level", [](const std::string& s) { simd::set_active(simd::parse(s)); }, py::arg("level"),
      "Force a SIMD level (for tests and benchmarks); it must be supported by the CPU.");
}

}  // namespace stark::py_bind
