// Threads and SIMD level: run-time knobs of the core; and a hook that throws each kind of C++
// exception, so tests can check that every one reaches Python as a StarkError (module.cpp).
#include <new>
#include <stdexcept>
#include <string>

#include "common.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/parallel.hpp"

namespace stark::py_bind {

namespace {

[[noreturn]] void throw_for_tests(const std::string& kind) {
  if (kind == "runtime_error") throw std::runtime_error("a std::runtime_error from the core");
  if (kind == "logic_error") throw std::logic_error("a std::logic_error from the core");
  if (kind == "out_of_range") throw std::out_of_range("a std::out_of_range from the core");
  if (kind == "invalid_argument") throw std::invalid_argument("a std::invalid_argument from the core");
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "internal_error") throw InternalError("an InternalError from the core");
  if (kind == "resource_error") throw ResourceError("a ResourceError from the core");
  if (kind == "not_an_exception") throw 42;
  throw InputError("raise_core_exception_for_tests: unknown kind '" + kind + "'");
}

}  // namespace

void register_runtime(py::module_& m) {
  m.attr("P") = P;
  m.attr("MAX_THREADS") = kMaxThreads;
  m.def("num_threads", &stark::num_threads, "Threads used by the core.");
  // Without the GIL: it waits for a parallel job another thread may be running.
  m.def("set_num_threads", &stark::set_num_threads, py::arg("n"), py::call_guard<py::gil_scoped_release>(),
        "Set the core's thread count (n <= 0 restores the default, at most MAX_THREADS).");
  m.def(
      "simd_detected", [] { return std::string(simd::name(simd::detected())); },
      "Best SIMD level of this CPU: 'scalar', 'avx2' or 'avx512'.");
  m.def("simd_active", [] { return std::string(simd::name(simd::active())); });
  m.def(
      "set_simd_level", [](const std::string& s) { simd::set_active(simd::parse(s)); }, py::arg("level"),
      "Force a SIMD level (for tests and benchmarks); it must be supported by the CPU.");
  m.def("raise_core_exception_for_tests", &throw_for_tests, py::arg("kind"),
        "Throw a C++ exception of the given kind (runtime_error, logic_error, out_of_range, "
        "invalid_argument, bad_alloc, internal_error, resource_error, not_an_exception): for tests "
        "of the exception translation.");
}

}  // namespace stark::py_bind
