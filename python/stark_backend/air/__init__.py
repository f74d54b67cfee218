"""AIRs in Python: the ``Air`` base class, the builder, expressions, buses, and keygen logic.

- ``Air``, ``AirBuilder``, ``Expr``, ``PermutationCheckBus``, ``LookupBus``: the user API
  (``docs/architecture.md`` §2).
- ``compile_air`` → ``CompiledAir(system, preprocessed_trace)``: one AIR keyed for a
  ``log_blowup`` (symbolic pass, validation, LogUp chunking and constraints, degrees, quotient
  degree). ``trace_height_constraints`` and ``check_keygen_limits`` work on all AIRs' systems.
- ``ConstraintSystem.to_bytes`` / ``from_bytes``: the canonical IR read by the C++ core
  (format in ``stark_backend.air.ir``).
- ``check_constraints``, ``check_interactions``, ``debug_check``: the debug checker.

This package needs only NumPy (never the compiled core).
"""

from __future__ import annotations

from .air import Air
from .builder import AirBuilder
from .buses import LookupBus, PermutationCheckBus
from .debug import AirTraces, check_constraints, check_interactions, debug_check
from .expr import Expr, ExprRow
from .ir import decode_constraint_system, decode_constraint_system_from, encode_constraint_system
from .logup import find_interaction_chunks
from .symbolic import Node, NodeKind
from .system import (
    CompiledAir,
    ConstraintSystem,
    Interaction,
    LinearConstraint,
    check_keygen_limits,
    compile_air,
    max_constraint_degree,
    quotient_degree,
    trace_height_constraints,
)

__all__ = [
    "Air",
    "AirBuilder",
    "AirTraces",
    "CompiledAir",
    "ConstraintSystem",
    "Expr",
    "ExprRow",
    "Interaction",
    "LinearConstraint",
    "LookupBus",
    "Node",
    "NodeKind",
    "PermutationCheckBus",
    "check_constraints",
    "check_interactions",
    "check_keygen_limits",
    "compile_air",
    "debug_check",
    "decode_constraint_system",
    "decode_constraint_system_from",
    "encode_constraint_system",
    "find_interaction_chunks",
    "max_constraint_degree",
    "quotient_degree",
    "trace_height_constraints",
]
