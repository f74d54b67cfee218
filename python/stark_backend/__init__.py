"""stark_backend: a FRI-based multi-AIR STARK backend with a fast C++ core.

Field elements are canonical integers in ``[0, P)`` with ``P = 2^31 - 2^27 + 1`` (BabyBear).
See ``README.md`` and ``docs/architecture.md`` §2 for the public API; the compiled core lives
in ``stark_backend._core``.
"""

from __future__ import annotations

from . import _core as _core
from . import configs, primitives
from .air import Air, AirBuilder, Expr, LookupBus, PermutationCheckBus
from .context import AirProvingContext
from .engine import Engine
from .errors import (
    ChallengePhaseError,
    ConstraintViolation,
    DeviceError,
    DuplicateAirs,
    InputError,
    InvalidOpeningArgument,
    InvalidPowWitness,
    InvalidProofShape,
    KeygenError,
    OodEvaluationMismatch,
    ProofFormatError,
    ResourceError,
    StarkError,
    TraceHeightConstraintViolation,
    UnbalancedInteractions,
    VerificationError,
)
from .fri_params import FriParameters
from .keys import KeygenBuilder, LinearConstraint, ProvingKey, VerifyingKey
from .proof import Proof
from .runtime import cuda_available, num_threads, set_num_threads, simd_level

__version__ = "0.1.0"

P: int = primitives.P

__all__ = [
    "Air",
    "AirBuilder",
    "AirProvingContext",
    "ChallengePhaseError",
    "ConstraintViolation",
    "DeviceError",
    "DuplicateAirs",
    "Engine",
    "Expr",
    "FriParameters",
    "InputError",
    "InvalidOpeningArgument",
    "InvalidPowWitness",
    "InvalidProofShape",
    "KeygenBuilder",
    "KeygenError",
    "LinearConstraint",
    "LookupBus",
    "OodEvaluationMismatch",
    "P",
    "PermutationCheckBus",
    "Proof",
    "ProofFormatError",
    "ProvingKey",
    "ResourceError",
    "StarkError",
    "TraceHeightConstraintViolation",
    "UnbalancedInteractions",
    "VerificationError",
    "VerifyingKey",
    "__version__",
    "configs",
    "cuda_available",
    "num_threads",
    "primitives",
    "set_num_threads",
    "simd_level",
]

assert _core.P == P
