"""Many independent proofs under one key, pipelined: :func:`prove_batch`.

While the core proves item ``i`` (with the GIL released), one worker thread converts item
``i + 1``: it materialises the context list and runs the same conversion as
:meth:`Engine.prove <stark_backend.Engine.prove>` (dtype, dimensions, value range; vectorized
NumPy), so the Python-side work of the next proof overlaps the core's work on this one. At most
two items are converted at a time (the one proving and the one prefetched), whatever the length
of the batch.

The proofs are byte-identical to ``engine.prove(pk, contexts)`` of each item (the core gets the
same arrays). An item with traces in GPU memory is proved by :meth:`Engine.prove` itself (the
GPU path synchronises the producers' streams and, on a host device, copies the traces to the
host); its conversion is then not overlapped.

Errors: the first failing item (in input order) raises its own typed error
(:class:`~stark_backend.InputError` for a bad trace, ...) with a note ``batch[k]`` naming its
index (PEP 678 ``add_note``; on Python 3.10 the message is prefixed with ``batch[k]: ``). Later
items are not proved.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .context import AirProvingContext
from .engine import Engine, _convert_contexts, _Converted
from .errors import InputError
from .keys import ProvingKey
from .proof import Proof

__all__ = ["batch_items", "prove_batch"]

Batch = Iterable[Iterable[AirProvingContext]]
"""One item per proof; each item is what :meth:`Engine.prove` takes as ``contexts``."""


class _Prepared:
    """Item ``index`` of a batch, ready for the core: the core tuples of its converted contexts
    (``converted`` keeps their arrays alive), or, for an item with GPU traces, the materialised
    contexts for :meth:`Engine.prove`. ``seconds`` is the conversion's wall-clock time."""

    __slots__ = ("contexts", "converted", "core_contexts", "index", "seconds")

    def __init__(
        self,
        index: int,
        contexts: list[AirProvingContext],
        converted: list[_Converted] | None,
        seconds: float,
    ) -> None:
        self.index = index
        self.contexts = contexts
        self.converted = converted
        self.core_contexts: list[tuple[Any, ...]] | None = (
            None if converted is None else [c.core_tuple() for c in converted]
        )
        self.seconds = seconds


class _End:
    """The batch iterator is exhausted."""


def _note_index(exc: BaseException, index: int, prefix: str = "batch") -> None:
    """Mark ``exc`` as raised by item ``index``: a PEP 678 note ``batch[index]`` (Python 3.11+),
    else the message prefixed with ``batch[index]: `` (the exception keeps its type)."""
    where = f"{prefix}[{index}]"
    if sys.version_info >= (3, 11):
        exc.add_note(where)
    elif exc.args and isinstance(exc.args[0], str):  # pragma: no cover - Python 3.10
        exc.args = (f"{where}: {exc.args[0]}", *exc.args[1:])
    else:  # pragma: no cover - Python 3.10
        exc.args = (where, *exc.args)


def _contexts_of(item: Any) -> list[AirProvingContext]:
    """One batch item as a list (InputError for a single context, a string or a non-iterable;
    the contexts themselves are checked by the conversion)."""
    if isinstance(item, AirProvingContext):
        raise InputError(
            "prove_batch: each batch item is the list of AirProvingContext of one proof, got a "
            "single AirProvingContext (wrap it in a list)"
        )
    if not isinstance(item, (str, bytes)):
        try:
            return list(item)
        except TypeError:
            pass
    raise InputError(
        f"prove_batch: each batch item must be a list of AirProvingContext, got "
        f"{type(item).__name__}"
    )


def _prepare(pk: ProvingKey, index: int, item: Any) -> _Prepared:
    """Materialise and convert one item (InputError for a malformed one, as Engine.prove)."""
    start = time.perf_counter()
    contexts = _contexts_of(item)
    converted = _convert_contexts(pk.vk, contexts)
    if any(c.gpu_matrices() for c in converted):
        # Engine.prove owns the GPU path (stream synchronisation, host copies): it converts
        # the contexts again, which only reads the GPU arrays' descriptions.
        return _Prepared(index, contexts, None, time.perf_counter() - start)
    return _Prepared(index, contexts, converted, time.perf_counter() - start)


def batch_items(batch: Any) -> Iterator[Any]:
    """An iterator over a batch's items (InputError when ``batch`` is a single context, a string
    or not iterable at all); shared by :func:`prove_batch` and ``distributed.prove_batch``."""
    what = (
        "prove_batch: batch must be a sequence of context lists (one list per proof), got "
        f"{type(batch).__name__}"
    )
    if isinstance(batch, (AirProvingContext, str, bytes)):
        raise InputError(what)
    try:
        return iter(batch)
    except TypeError:
        raise InputError(what) from None


def prove_batch(
    engine: Engine,
    pk: ProvingKey,
    batch: Batch,
    *,
    timings: list[dict[str, float]] | None = None,
) -> list[Proof]:
    """Prove every item of ``batch`` under ``pk``; one :class:`Proof` per item, in input order.

    ``batch``: any iterable (consumed once, lazily: at most two items are held converted at a
    time) whose items are each a list of :class:`AirProvingContext` — exactly what
    :meth:`Engine.prove` takes as ``contexts``: one context per present AIR, each trace of shape
    ``(height, width)`` (a 1-D array is one column). ``prove_batch(engine, pk, [])`` is ``[]``.

    The proofs equal ``[engine.prove(pk, item) for item in batch]`` byte for byte; the next
    item's conversion runs in a worker thread while the core proves the current one.

    ``timings``: a list, or ``None``. A list is cleared, then gets one dict per proof (in input
    order) with the core's phase timings (as :meth:`Engine.prove` fills them) plus
    ``"convert"``, the seconds spent converting that item's traces (overlapped with the
    previous proof).

    Raises the first failing item's own error (InputError for a malformed trace,
    InvalidProofShape for a key of other parameters, ...) with a note ``batch[k]``.
    """
    if not isinstance(engine, Engine):
        raise InputError(f"prove_batch: engine must be an Engine, got {type(engine).__name__}")
    if not isinstance(pk, ProvingKey):
        raise InputError(f"prove_batch: pk must be a ProvingKey, got {type(pk).__name__}")
    if timings is not None and not isinstance(timings, list):
        raise InputError(
            f"prove_batch: timings must be a list or None, got {type(timings).__name__}"
        )
    items = batch_items(batch)
    engine._check_key_params(pk.vk, "prove_batch")
    if timings is not None:
        timings.clear()

    def fetch(index: int) -> _Prepared | _End:
        # Runs on the single worker thread: the only caller of next(items).
        try:
            item = next(items)
        except StopIteration:
            return _End()
        except Exception as exc:  # raised by the batch iterable itself
            _note_index(exc, index)
            raise
        try:
            return _prepare(pk, index, item)
        except Exception as exc:
            _note_index(exc, index)
            raise

    proofs: list[Proof] = []
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stark-prove-batch")
    try:
        pending: Future[_Prepared | _End] = pool.submit(fetch, 0)
        while True:
            prepared = pending.result()  # the item's own error, noted batch[k]
            if isinstance(prepared, _End):
                return proofs
            index = prepared.index
            pending = pool.submit(fetch, index + 1)  # overlaps the core's work below
            stage: dict[str, float] | None = {} if timings is not None else None
            try:
                if prepared.core_contexts is None:
                    proof = engine.prove(pk, prepared.contexts, timings=stage)
                else:
                    proof = engine._prove_core(pk, prepared.core_contexts, stage)
            except Exception as exc:
                _note_index(exc, index)
                raise
            if timings is not None and stage is not None:
                stage["convert"] = prepared.seconds
                timings.append(stage)
            proofs.append(proof)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
