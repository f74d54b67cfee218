"""stark_backend: a FRI-based multi-AIR STARK backend with a fast C++ core.

Field elements are canonical integers in ``[0, P)`` with ``P = 2^31 - 2^27 + 1`` (BabyBear).
See ``README.md`` and ``docs/architecture.md`` §2 for the public API; the compiled core lives
in ``stark_backend._core``.
"""

from __future__ import annotations

import logging

from . import _core as _core
from . import configs, primitives
from .air import Air, AirBuilder, Expr, LookupBus, PermutationCheckBus
from .committed import CommittedTrace
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
from .metrics import AirMetrics, ProofMetrics
from .proof import Proof
from .runtime import cuda_available, num_threads, set_num_threads, simd_level

__version__ = "0.1.0"

P: int = primitives.P

__all__ = [
    "Air",
    "AirBuilder",
    "AirMetrics",
    "AirProvingContext",
    "ChallengePhaseError",
    "CommittedTrace",
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
    "ProofMetrics",
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

# The package logs through the standard logging module (logger "stark_backend", one INFO line
# per prover phase); nothing is printed unless the application configures logging.
logging.getLogger("stark_backend").addHandler(logging.NullHandler())

assert _core.P == P
