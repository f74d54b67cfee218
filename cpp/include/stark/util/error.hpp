// Exceptions thrown by the core. The binding layer (cpp/bindings/module.cpp) maps each to the
// Python class of the same role in stark_backend.errors, so the hierarchy is defined once:
//   InputError -> sb.InputError, DeviceError -> sb.DeviceError, ProofFormatError ->
//   sb.ProofFormatError, KeygenError -> sb.KeygenError, ResourceError (and std::bad_alloc) ->
//   sb.ResourceError, VerificationError(kind) -> the sb.VerificationError subclass named by its
//   kind. Any other exception reaching the binding is a bug of the core; it becomes a plain
//   sb.StarkError ("internal error: ..."), so nothing but a StarkError ever reaches Python.
// Messages name the argument / field and what is wrong with it.
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

/// Malformed bytes given to a decoder (proof, key, constraint system): truncated, extended,
/// non-canonical or out-of-bound values. The message names the field and the byte offset.
struct ProofFormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The system ran out of a resource the core needs: memory, or threads for the pool.
struct ResourceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An AIR or a set of AIRs that cannot be keyed.
struct KeygenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A broken invariant of the core (a bug, never the caller's input). It reaches Python as a plain
/// sb.StarkError whose message starts with "internal error".
struct InternalError : std::logic_error {
  using std::logic_error::logic_error;
};

/// Why a proof was rejected (docs/architecture.md §4.6, docs/protocol.md §11.5).
enum class VerifyErrorKind {
  InvalidProofShape,
  TraceHeightConstraintViolation,
  DuplicateAirs,
  InvalidOpeningArgument,
  OodEvaluationMismatch,
  ChallengePhaseError,
  InvalidPowWitness,
};

inline const char* verify_error_class_name(VerifyErrorKind kind) {
  switch (kind) {
    case VerifyErrorKind::InvalidProofShape:
      return "InvalidProofShape";
    case VerifyErrorKind::TraceHeightConstraintViolation:
      return "TraceHeightConstraintViolation";
    case VerifyErrorKind::DuplicateAirs:
      return "DuplicateAirs";
    case VerifyErrorKind::InvalidOpeningArgument:
      return "InvalidOpeningArgument";
    case VerifyErrorKind::OodEvaluationMismatch:
      return "OodEvaluationMismatch";
    case VerifyErrorKind::ChallengePhaseError:
      return "ChallengePhaseError";
    case VerifyErrorKind::InvalidPowWitness:
      return "InvalidPowWitness";
  }
  return "VerificationError";
}

/// A proof was rejected; `kind` selects the Python class.
struct VerificationError : std::runtime_error {
  VerificationError(VerifyErrorKind k, const std::string& msg) : std::runtime_error(msg), kind(k) {}
  VerifyErrorKind kind;
};

}  // namespace stark
