// Exceptions thrown by the core. The binding layer maps each to the Python class of the same
// role (stark_backend.errors): InputError -> sb.InputError (a ValueError), DeviceError ->
// sb.DeviceError. Messages name the argument and what is wrong with it.
#pragma once

#include <stdexcept>
#include <string>

namespace stark {

/// Bad input to a primitive or the prover: shape, height, value >= p, ...
struct InputError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// A device (CUDA) is not available or a device call failed.
struct DeviceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace stark
