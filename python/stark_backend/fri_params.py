"""FRI parameters of the polynomial commitment scheme (PROTOCOL.md §12).

Every commitment is a Reed-Solomon codeword of rate ``2^-log_blowup``; FRI folds it (arity 2)
until ``2^log_final_poly_len`` coefficients remain, then answers ``num_queries`` random queries.
Grinding adds ``commit_proof_of_work_bits`` after each fold commitment and
``query_proof_of_work_bits`` before the queries.

Security is reported two ways: :meth:`FriParameters.security_bits` is the unique-decoding
bound ``num_queries · log2(2 / (1 + 2^-log_blowup)) + query PoW`` that openvm's "100 bits"
parameter sets meet; :meth:`FriParameters.conjectured_security_bits` is the ethSTARK-conjecture
figure ``log_blowup · num_queries + query PoW`` that Plonky3 and openvm print. Both are capped at
the 124-bit challenge field; the proof system as a whole is also bounded by the LogUp term
(102 bits, §7.6).
"""

from __future__ import annotations

import math
from typing import Final

from .errors import InputError

__all__ = ["FriParameters"]

# Largest log_blowup accepted: a height-1 trace already needs 2^log_blowup <= 2^27 LDE rows, and
# the quotient degree q <= 2^log_blowup is stored in one byte of the key.
_MAX_LOG_BLOWUP: Final = 7
# sample_bits / grinding need 2^bits < p.
_MAX_POW_BITS: Final = 30
_MAX_LOG_FINAL_POLY_LEN: Final = 27
# A bound that keeps proofs and verification time finite for hostile parameter bytes.
_MAX_NUM_QUERIES: Final = 1 << 16

# Bits of the challenge field BabyBear^4 (4 · 31): no soundness bound can exceed it.
_CHALLENGE_FIELD_BITS: Final = 124

# openvm standard_fri_params_with_100_bits_security: log_blowup -> (queries, commit PoW, query PoW).
_STANDARD_100_BITS: Final = {1: (193, 20, 20), 2: (118, 16, 20), 3: (97, 16, 20), 4: (88, 16, 20)}


class _CallableInt(int):
    """An ``int`` that also answers when called, so ``p.max_constraint_degree`` and
    ``p.max_constraint_degree()`` (the Rust spelling) both give the number."""

    def __call__(self) -> int:
        return int(self)


class FriParameters:
    """The five FRI parameters; immutable and hashable.

    ``FriParameters(log_blowup, log_final_poly_len, num_queries, commit_proof_of_work_bits,
    query_proof_of_work_bits)``. Test-sized values (e.g. ``FriParameters(1, 0, 8, 0, 0)``) are
    accepted but insecure; use :meth:`standard_fast` or :meth:`standard_with_100_bits_security`
    for real proofs.
    """

    __slots__ = (
        "_commit_pow",
        "_log_blowup",
        "_log_final_poly_len",
        "_num_queries",
        "_query_pow",
    )

    def __init__(
        self,
        log_blowup: int,
        log_final_poly_len: int,
        num_queries: int,
        commit_proof_of_work_bits: int,
        query_proof_of_work_bits: int,
    ) -> None:
        values = {
            "log_blowup": (log_blowup, 1, _MAX_LOG_BLOWUP),
            "log_final_poly_len": (log_final_poly_len, 0, _MAX_LOG_FINAL_POLY_LEN),
            "num_queries": (num_queries, 1, _MAX_NUM_QUERIES),
            "commit_proof_of_work_bits": (commit_proof_of_work_bits, 0, _MAX_POW_BITS),
            "query_proof_of_work_bits": (query_proof_of_work_bits, 0, _MAX_POW_BITS),
        }
        for name, (v, lo, hi) in values.items():
            if isinstance(v, bool) or not isinstance(v, int):
                raise InputError(f"FriParameters.{name}: expected an int, got {type(v).__name__}")
            if not lo <= v <= hi:
                raise InputError(f"FriParameters.{name}: {v} is outside [{lo}, {hi}]")
        if log_blowup + log_final_poly_len > 27:
            raise InputError(
                f"FriParameters: log_blowup + log_final_poly_len = "
                f"{log_blowup + log_final_poly_len} exceeds the field's two-adicity 27"
            )
        self._log_blowup = int(log_blowup)
        self._log_final_poly_len = int(log_final_poly_len)
        self._num_queries = int(num_queries)
        self._commit_pow = int(commit_proof_of_work_bits)
        self._query_pow = int(query_proof_of_work_bits)

    # -- standard sets ------------------------------------------------------------------------

    @classmethod
    def standard_with_100_bits_security(cls, log_blowup: int) -> FriParameters:
        """openvm's 100-bit parameters for ``log_blowup`` in 1..4 (final polynomial length 1)."""
        if isinstance(log_blowup, bool) or log_blowup not in _STANDARD_100_BITS:
            raise InputError(
                "standard_with_100_bits_security: log_blowup must be 1, 2, 3 or 4, "
                f"got {log_blowup!r}"
            )
        queries, commit_pow, query_pow = _STANDARD_100_BITS[log_blowup]
        return cls(log_blowup, 0, queries, commit_pow, query_pow)

    @classmethod
    def standard_fast(cls) -> FriParameters:
        """100-bit security at log_blowup 1 (193 queries, 20 + 20 PoW bits): fastest proving,
        largest proofs, max constraint degree 3."""
        return cls.standard_with_100_bits_security(1)

    # -- fields -------------------------------------------------------------------------------

    @property
    def log_blowup(self) -> int:
        return self._log_blowup

    @property
    def log_final_poly_len(self) -> int:
        return self._log_final_poly_len

    @property
    def num_queries(self) -> int:
        return self._num_queries

    @property
    def commit_proof_of_work_bits(self) -> int:
        return self._commit_pow

    @property
    def query_proof_of_work_bits(self) -> int:
        return self._query_pow

    @property
    def max_constraint_degree(self) -> int:
        """``2^log_blowup + 1``: the largest constraint degree an AIR may have (quotient degree
        ``<= 2^log_blowup``). Also callable, ``p.max_constraint_degree()``."""
        return _CallableInt((1 << self._log_blowup) + 1)

    def security_bits(self) -> int:
        """Bits of FRI soundness in the unique-decoding regime, the bound the openvm v1.x
        "100 bits" parameter sets are chosen by: each query at rate ``rho = 2^-log_blowup``
        leaves a cheating prover a chance of at most ``(1 + rho) / 2``, so
        ``num_queries · log2(2 / (1 + rho)) + query PoW`` bits, capped at the 124-bit challenge
        field (BabyBear^4). Every ``standard_with_100_bits_security(b)`` set reports 100."""
        rho = 2.0**-self._log_blowup
        bits = self._num_queries * math.log2(2.0 / (1.0 + rho)) + self._query_pow
        return min(_CHALLENGE_FIELD_BITS, math.floor(bits + 1e-9))

    def conjectured_security_bits(self) -> int:
        """openvm's / Plonky3's conjectured security (ethSTARK conjecture):
        ``min(124, log_blowup · num_queries + query PoW)``; 124 is the challenge field's size
        in bits. Larger than :meth:`security_bits`, which does not rely on the conjecture."""
        return min(_CHALLENGE_FIELD_BITS, self._log_blowup * self._num_queries + self._query_pow)

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        """``(log_blowup, log_final_poly_len, num_queries, commit PoW, query PoW)``."""
        return (
            self._log_blowup,
            self._log_final_poly_len,
            self._num_queries,
            self._commit_pow,
            self._query_pow,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FriParameters):
            return NotImplemented
        return self.as_tuple() == other.as_tuple()

    def __hash__(self) -> int:
        return hash(("FriParameters", *self.as_tuple()))

    def __repr__(self) -> str:
        return (
            f"FriParameters(log_blowup={self._log_blowup}, "
            f"log_final_poly_len={self._log_final_poly_len}, num_queries={self._num_queries}, "
            f"commit_proof_of_work_bits={self._commit_pow}, "
            f"query_proof_of_work_bits={self._query_pow})"
        )

    def __reduce__(self) -> tuple[type[FriParameters], tuple[int, int, int, int, int]]:
        return (FriParameters, self.as_tuple())
