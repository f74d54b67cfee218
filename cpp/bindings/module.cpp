// stark_backend._core: one registration function per layer, each in its own register_*.cpp.
// C++ exceptions become the Python classes of stark_backend.errors (looked up at throw time so
// the hierarchy is defined once, in Python). Nothing else crosses the binding: an exception the
// core does not type (std::bad_alloc, or a std::exception that signals a bug) still becomes a
// StarkError subclass, so a user only ever has to catch sb.StarkError.
#include <pybind11/pybind11.h>

#include <new>
#include <string>

#include "stark/util/error.hpp"

namespace py = pybind11;

namespace stark::py_bind {
void register_runtime(py::module_& m);
void register_field(py::module_& m);
void register_ntt(py::module_& m);
void register_hash(py::module_& m);
void register_merkle(py::module_& m);
void register_challenger(py::module_& m);
void register_cuda(py::module_& m);
void register_fri_params(py::module_& m);
void register_protocol(py::module_& m);
void register_air(py::module_& m);
void register_config(py::module_& m);
}  // namespace stark::py_bind

namespace {

void raise_as(const char* cls, const char* msg) {
  py::object errors = py::module_::import("stark_backend.errors");
  PyErr_SetString(errors.attr(cls).ptr(), msg);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "stark_backend compiled core (private; use the stark_backend package)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const py::error_already_set&) {
      throw;  // a Python exception raised inside a call: pybind11 restores it unchanged
    } catch (const py::builtin_exception&) {
      throw;  // pybind11's own (argument conversion, iteration): translated by pybind11
    } catch (const stark::InputError& e) {
      raise_as("InputError", e.what());
    } catch (const stark::DeviceError& e) {
      raise_as("DeviceError", e.what());
    } catch (const stark::ProofFormatError& e) {
      raise_as("ProofFormatError", e.what());
    } catch (const stark::KeygenError& e) {
      raise_as("KeygenError", e.what());
    } catch (const stark::VerificationError& e) {
      raise_as(stark::verify_error_class_name(e.kind), e.what());
    } catch (const stark::ResourceError& e) {
      raise_as("ResourceError", e.what());
    } catch (const std::bad_alloc& e) {
      raise_as("ResourceError", (std::string("out of memory (") + e.what() + ")").c_str());
    } catch (const std::exception& e) {
      raise_as("StarkError", (std::string("internal error: ") + e.what()).c_str());
    } catch (...) {
      raise_as("StarkError", "internal error: an exception of unknown type");
    }
  });
  using namespace stark::py_bind;
  register_runtime(m);
  register_field(m);
  register_ntt(m);
  register_hash(m);
  register_merkle(m);
  register_challenger(m);
  register_cuda(m);
  register_fri_params(m);
  register_protocol(m);
  register_air(m);
  register_config(m);
}
