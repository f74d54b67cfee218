"""Exceptions raised by stark_backend.

Every error is a :class:`StarkError`. Errors about bad *input* (``InputError``,
``ProofFormatError``, ``KeygenError``) are also ``ValueError``s, so generic code that catches
``ValueError`` keeps working; :class:`ResourceError` (out of memory or threads) is also a
``MemoryError``. The compiled core raises these same classes, and nothing else: an unexpected
C++ exception (a bug of the core) arrives as a plain :class:`StarkError` whose message starts
with ``"internal error"``.
"""

from __future__ import annotations

__all__ = [
    "ChallengePhaseError",
    "ConstraintViolation",
    "DeviceError",
    "DuplicateAirs",
    "InputError",
    "InvalidOpeningArgument",
    "InvalidPowWitness",
    "InvalidProofShape",
    "KeygenError",
    "OodEvaluationMismatch",
    "ProofFormatError",
    "ResourceError",
    "StarkError",
    "TraceHeightConstraintViolation",
    "UnbalancedInteractions",
    "VerificationError",
]


class StarkError(Exception):
    """Base class of every error raised by stark_backend."""


class VerificationError(StarkError):
    """A proof was rejected by the verifier."""


class InvalidProofShape(VerificationError):
    """The proof's shape does not match the verifying key (counts, widths, heights)."""


class TraceHeightConstraintViolation(InvalidProofShape):
    """The trace heights violate a linear trace-height constraint of the verifying key."""


class InvalidOpeningArgument(VerificationError):
    """A Merkle opening, FRI fold, FRI proof-of-work or final-polynomial check failed."""


class OodEvaluationMismatch(VerificationError):
    """The constraints evaluated at the out-of-domain point do not match the quotient."""


class ChallengePhaseError(VerificationError):
    """The LogUp cumulative sums do not balance, or the LogUp proof-of-work witness fails."""


class InvalidPowWitness(VerificationError):
    """A proof-of-work witness (DEEP) does not satisfy the grinding condition."""


class DuplicateAirs(VerificationError):
    """The proof names the same AIR more than once."""


class ConstraintViolation(StarkError):
    """A debug check found a constraint that does not hold on the trace."""


class UnbalancedInteractions(StarkError):
    """A debug check found a bus whose sends and receives do not cancel."""


class DeviceError(StarkError):
    """The requested device (CUDA) is unavailable, or a device call failed."""


class ProofFormatError(StarkError, ValueError):
    """Bytes given to a ``from_bytes`` are malformed (truncated, extended, non-canonical)."""


class InputError(StarkError, ValueError):
    """Bad input to the prover or to a primitive: shape, dtype, height or value range."""


class KeygenError(StarkError, ValueError):
    """An AIR cannot be keyed (degree too high, message too long, no AIRs, bad preprocessed)."""


class ResourceError(StarkError, MemoryError):
    """The system ran out of a resource the core needs: memory, or threads for its pool."""
