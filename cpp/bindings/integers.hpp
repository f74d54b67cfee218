// Python ints at the binding boundary: conversion only (ranges are checked by the core).
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "stark/util/error.hpp"

namespace stark::py_bind {

/// `value` as an int64: InputError naming `what` if it is not a Python int (bool and NumPy
/// scalars are not) or does not fit in 64 bits.
inline int64_t int64_of(const pybind11::handle& value, const std::string& what) {
  PyObject* obj = value.ptr();
  if (!PyLong_Check(obj) || PyBool_Check(obj)) {
    throw InputError(what + ": expected an int, got " + std::string(Py_TYPE(obj)->tp_name));
  }
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
  if (overflow != 0)
    throw InputError(what + ": " + std::string(pybind11::str(value)) + " does not fit in 64 bits");
  return int64_t(v);
}

}  // namespace stark::py_bind
