"""FRI parameters of the polynomial commitment scheme (docs/protocol.md §12).

Every commitment is a Reed-Solomon codeword of rate ``2^-log_blowup``; FRI folds it (arity 2)
until ``2^log_final_poly_len`` coefficients remain, then answers ``num_queries`` random queries.
Grinding adds ``commit_proof_of_work_bits`` after each fold commitment and
``query_proof_of_work_bits`` before the queries.

Security is reported two ways: :meth:`FriParameters.security_bits` is the unique-decoding
bound ``num_queries · log2(2 / (1 + 2^-log_blowup)) + query PoW`` that openvm's "100 bits"
parameter sets meet; :meth:`FriParameters.conjectured_security_bits` is the ethSTARK-conjecture
figure ``log_blowup · num_queries + query PoW`` that Plonky3 and openvm print. Both are capped at
the 124-bit challenge field; the proof system as a whole is also bounded by the LogUp term
(102 bits).

The parameters are defined once, in the core (``cpp/include/stark/fri/params.hpp``): their
ranges, openvm's standard table and both security formulas come from there; this class is the
Python face of that definition.
"""

from __future__ import annotations

from . import _core

__all__ = ["FriParameters"]


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

    __slots__ = ("_raw",)

    def __init__(
        self,
        log_blowup: int,
        log_final_poly_len: int,
        num_queries: int,
        commit_proof_of_work_bits: int,
        query_proof_of_work_bits: int,
    ) -> None:
        # The core checks each value (an int, in its range) and raises InputError naming it.
        self._raw = _core.FriParameters(
            log_blowup,
            log_final_poly_len,
            num_queries,
            commit_proof_of_work_bits,
            query_proof_of_work_bits,
        )

    @classmethod
    def _wrap(cls, raw: _core.FriParameters) -> FriParameters:
        out = cls.__new__(cls)
        out._raw = raw
        return out

    # -- standard sets ------------------------------------------------------------------------

    @classmethod
    def standard_with_100_bits_security(cls, log_blowup: int) -> FriParameters:
        """openvm's 100-bit parameters for ``log_blowup`` in 1..4 (final polynomial length 1)."""
        return cls._wrap(_core.FriParameters.standard_with_100_bits_security(log_blowup))

    @classmethod
    def standard_fast(cls) -> FriParameters:
        """100-bit security at log_blowup 1 (193 queries, 20 + 20 PoW bits): fastest proving,
        largest proofs, max constraint degree 3."""
        return cls._wrap(_core.FriParameters.standard_fast())

    # -- fields -------------------------------------------------------------------------------

    @property
    def log_blowup(self) -> int:
        return int(self._raw.log_blowup)

    @property
    def log_final_poly_len(self) -> int:
        return int(self._raw.log_final_poly_len)

    @property
    def num_queries(self) -> int:
        return int(self._raw.num_queries)

    @property
    def commit_proof_of_work_bits(self) -> int:
        return int(self._raw.commit_proof_of_work_bits)

    @property
    def query_proof_of_work_bits(self) -> int:
        return int(self._raw.query_proof_of_work_bits)

    @property
    def max_constraint_degree(self) -> int:
        """``2^log_blowup + 1``: the largest constraint degree an AIR may have (quotient degree
        ``<= 2^log_blowup``). Also callable, ``p.max_constraint_degree()``."""
        return _CallableInt(self._raw.max_constraint_degree())

    def security_bits(self) -> int:
        """Bits of FRI soundness in the unique-decoding regime, the bound the openvm v1.x
        "100 bits" parameter sets are chosen by: each query at rate ``rho = 2^-log_blowup``
        leaves a cheating prover a chance of at most ``(1 + rho) / 2``, so
        ``num_queries · log2(2 / (1 + rho)) + query PoW`` bits, capped at the 124-bit challenge
        field (BabyBear^4). Every ``standard_with_100_bits_security(b)`` set reports 100."""
        return int(self._raw.security_bits())

    def conjectured_security_bits(self) -> int:
        """openvm's / Plonky3's conjectured security (ethSTARK conjecture):
        ``min(124, log_blowup · num_queries + query PoW)``; 124 is the challenge field's size
        in bits. Larger than :meth:`security_bits`, which does not rely on the conjecture."""
        return int(self._raw.conjectured_security_bits())

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        """``(log_blowup, log_final_poly_len, num_queries, commit PoW, query PoW)``."""
        lb, lfp, nq, cpow, qpow = self._raw.as_tuple()
        return (int(lb), int(lfp), int(nq), int(cpow), int(qpow))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FriParameters):
            return NotImplemented
        return self.as_tuple() == other.as_tuple()

    def __hash__(self) -> int:
        return hash(("FriParameters", *self.as_tuple()))

    def __repr__(self) -> str:
        lb, lfp, nq, cpow, qpow = self.as_tuple()
        return (
            f"FriParameters(log_blowup={lb}, log_final_poly_len={lfp}, num_queries={nq}, "
            f"commit_proof_of_work_bits={cpow}, query_proof_of_work_bits={qpow})"
        )

    def __reduce__(self) -> tuple[type[FriParameters], tuple[int, int, int, int, int]]:
        return (FriParameters, self.as_tuple())
