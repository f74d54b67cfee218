"""Batch proving spread over a Ray cluster: :func:`prove_batch` and :class:`RayProver`.

``pip install stark-backend[ray]`` (Ray >= 2.9). Importing this module without Ray raises an
:class:`ImportError`; ``import stark_backend`` never imports Ray.

How it works (docs/distributed.md):

- The proving key goes into the object store once (``ray.put``; a key pickles as its bytes).
  Each worker is one Ray actor that reserves ``threads_per_worker`` CPUs, sets the core's thread
  count to that (:func:`stark_backend.set_num_threads`), rebuilds the engine from its FRI
  parameters, device name and configuration name (an :class:`~stark_backend.Engine` holds
  nothing else), and decodes the key once.
- Traces travel as NumPy arrays: each batch item becomes a list of plain tuples
  ``(air_id, cached_mains, common_main, public_values)`` of the contexts' own arrays, put in the
  object store (zero-copy for NumPy) and rebuilt into :class:`~stark_backend.AirProvingContext`
  on the worker, which runs :meth:`Engine.prove <stark_backend.Engine.prove>` on them. Proofs
  are therefore byte-identical to ``engine.prove(pk, item)`` of each item.
- Items are handed out dynamically: each worker holds at most two items (the one it proves and
  the next one, whose transfer overlaps the proof), and gets the next item of the batch as soon
  as one of its proofs comes back. The batch iterable is consumed lazily, in order. Results come
  back in input order.
- A worker lost mid-task (its process killed, its node gone) is restarted by Ray and its tasks
  are retried, up to ``max_retries`` times (the actor's ``max_restarts`` and
  ``max_task_retries``); a worker that cannot be restarted any more has its items handed to the
  other workers, again at most ``max_retries`` times per item. Exceptions raised by the prover
  are never retried (``retry_exceptions=False``): they are deterministic.
- An exception in a task reaches the caller as the same typed error (an
  :class:`~stark_backend.InputError` for a bad trace, ...) with a note ``batch[k]`` naming the
  item (PEP 678; on Python 3.10 the message is prefixed with ``batch[k]: ``); its ``__cause__``
  is Ray's :class:`ray.exceptions.RayTaskError`, which carries the worker's traceback. When
  several items fail, the one of lowest index is raised, as in the serial
  :func:`stark_backend.batch.prove_batch`; the items that are already running are finished
  first and no later item is started. Ray's own errors (a worker lost more than ``max_retries``
  times, ...) propagate as they are, with the same note.
"""

from __future__ import annotations

import logging
import operator
import os
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

try:
    import ray
    import ray.exceptions
except ImportError as _exc:  # pragma: no cover - exercised only without ray
    raise ImportError(
        "stark_backend.distributed needs Ray: pip install stark-backend[ray]",
        name="ray",
    ) from _exc

from ._gpu import copy_to_host, gpu_matrix, is_gpu_array
from .batch import _contexts_of, _note_index, batch_items
from .context import AirProvingContext
from .engine import Engine
from .errors import InputError, ResourceError, StarkError
from .fri_params import FriParameters
from .keys import ProvingKey
from .proof import Proof
from .runtime import MAX_THREADS, num_threads, set_num_threads

__all__ = ["RayProver", "prove_batch"]

_log = logging.getLogger("stark_backend.distributed")

_DEPTH = 2
"""Items held by one worker at a time: the one proving and the next one (transfer overlap)."""

_END = object()

# One context on the wire: (air_id, cached_mains, common_main, public_values).
_WireContext = tuple[Any, tuple[Any, ...], Any, Any]


# -- the worker ---------------------------------------------------------------------------------


class _ProverWorker:
    """One Ray actor: an engine and the decoded proving key, proving one item at a time.

    The key comes with every call as ``[ObjectRef]`` (nested, so Ray does not fetch it again for
    each call) and is decoded on first use and kept; the actor's constructor takes no object
    store arguments, so a restarted actor rebuilds itself from its small arguments alone and
    fetches the key again on its next call. Set-up errors (a device this node lacks, a key this
    worker's package cannot read) are raised by :meth:`ready` and :meth:`prove`, so they reach
    the caller as ordinary task errors of their own type instead of killing the actor.
    """

    def __init__(self, fri_params: FriParameters, device: str, config: str, threads: int) -> None:
        self._error: BaseException | None = None
        self._engine: Engine | None = None
        self._pk: ProvingKey | None = None
        self._pk_id: str | None = None
        try:
            set_num_threads(threads)
            self._engine = Engine(fri_params, device=device, config=config)
        except Exception as exc:
            self._error = exc

    def _setup(self, key: list[Any]) -> tuple[Engine, ProvingKey]:
        if self._error is not None:
            raise self._error
        assert self._engine is not None
        key_id = key[0].hex()
        if self._pk is None or self._pk_id != key_id:
            self._pk = ray.get(key[0])
            self._pk_id = key_id
        assert self._pk is not None
        return self._engine, self._pk

    def ready(self, key: list[Any]) -> dict[str, Any]:
        """Decode the key; where this worker runs: pid, node id, thread count, device."""
        engine, _ = self._setup(key)
        return {
            "pid": os.getpid(),
            "node_id": ray.get_runtime_context().get_node_id(),
            "threads": num_threads(),
            "device": engine.device,
        }

    def prove(self, key: list[Any], item: list[_WireContext]) -> bytes:
        """The proof bytes of one batch item (the wire form of its contexts)."""
        engine, pk = self._setup(key)
        contexts = [
            AirProvingContext(air_id, common, cached_mains=cached, public_values=pv)
            for air_id, cached, common, pv in item
        ]
        return engine.prove(pk, contexts).to_bytes()


_RemoteWorker = ray.remote(_ProverWorker)


# -- driver side ----------------------------------------------------------------------------------


def _host_array(value: Any, what: str) -> Any:
    """``value`` as it travels: host arrays and other Python values as they are (the worker's
    ``Engine.prove`` converts and checks them), GPU arrays copied to a host ``uint32`` array."""
    if is_gpu_array(value):
        return copy_to_host(gpu_matrix(value, what), what)
    return value


def _wire_item(item: Any) -> list[_WireContext]:
    """One batch item as plain tuples of arrays (InputError for a malformed item)."""
    out: list[_WireContext] = []
    for i, ctx in enumerate(_contexts_of(item)):
        if not isinstance(ctx, AirProvingContext):
            raise InputError(
                f"contexts[{i}] must be an AirProvingContext, got {type(ctx).__name__}"
            )
        label = f"contexts[{i}] (air id {ctx.air_id!r})"
        cached = tuple(
            _host_array(a, f"{label}: cached main trace {j}")
            for j, a in enumerate(ctx.cached_mains)
        )
        common = (
            None
            if ctx.common_main is None
            else _host_array(ctx.common_main, f"{label}: common main trace")
        )
        out.append((ctx.air_id, cached, common, ctx.public_values))
    return out


def _positive(value: Any, what: str, upper: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"{what} must be a positive int or None, got bool")
    try:
        n = operator.index(value)
    except TypeError:
        raise InputError(
            f"{what} must be a positive int or None, got {type(value).__name__}"
        ) from None
    if n < 1:
        raise InputError(f"{what} must be >= 1, got {n}")
    if upper is not None and n > upper:
        raise InputError(f"{what} = {n} exceeds the maximum of {upper}")
    return n


def _worker_spec(engine_or_params: Any, pk: Any, device: Any) -> tuple[FriParameters, str, str]:
    """``(fri_params, device, config name)``: what a worker rebuilds its engine from."""
    if not isinstance(pk, ProvingKey):
        raise InputError(f"distributed: pk must be a ProvingKey, got {type(pk).__name__}")
    if device is not None and not isinstance(device, str):
        raise InputError(f"distributed: device must be a str or None, got {type(device).__name__}")
    if isinstance(engine_or_params, Engine):
        engine_or_params._check_key_params(pk.vk, "distributed.prove_batch")
        device_name = engine_or_params.device if device is None else device
        return engine_or_params.fri_params, device_name, engine_or_params.config.name
    if isinstance(engine_or_params, FriParameters):
        # The engine the workers build: its key checks run here first.
        probe = Engine(engine_or_params, device="cpu", config=pk.vk.config)
        probe._check_key_params(pk.vk, "distributed.prove_batch")
        return engine_or_params, "auto" if device is None else device, pk.vk.config.name
    raise InputError(
        "distributed: engine_or_params must be an Engine or FriParameters, got "
        f"{type(engine_or_params).__name__}"
    )


def _cpus(which: str) -> float:
    """CPUs of the cluster (``"cluster_resources"``) or free now (``"available_resources"``);
    through ``getattr`` because these two Ray functions are unannotated."""
    resources: Any = getattr(ray, which)()
    return float(resources.get("CPU", 0))


def _task_error(exc: BaseException) -> BaseException:
    """The exception a task raised (its own type), chained to Ray's error for the traceback."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        cause.__cause__ = exc
        return cause
    return exc


class RayProver:
    """A pool of Ray workers proving batches under one proving key.

    ``RayProver(engine_or_params, pk, *, address=None, num_workers=None,
    threads_per_worker=None, max_retries=3, device=None, num_gpus_per_worker=0,
    start_timeout=60.0)``

    Start it once and call :meth:`prove_batch` any number of times (the workers and the key in
    the object store are kept between calls); :meth:`close` (or ``with``) stops the workers.
    :func:`prove_batch` is the one-call form. Not thread-safe: one batch at a time.

    - ``engine_or_params``: an :class:`~stark_backend.Engine` (its FRI parameters, device and
      configuration are used; the key must be one of its keys, else
      :class:`~stark_backend.InvalidProofShape`) or a :class:`~stark_backend.FriParameters`
      (the configuration is the key's, the device ``device`` or ``"auto"``).
    - ``pk``: the :class:`~stark_backend.ProvingKey`; put in the object store once.
    - ``address``: where the cluster is, used only when this process is not connected to Ray
      yet: ``None`` (``RAY_ADDRESS`` if set, else a new local cluster on this machine),
      ``"auto"`` (the cluster started on this machine with ``ray start --head``) or
      ``"ray://host:10001"`` (Ray Client). A connection made here is shut down by
      :meth:`close`; an existing one (``ray.init`` called before) is used as it is and kept.
    - ``num_workers`` / ``threads_per_worker``: workers (actors) and the core threads of each;
      each worker reserves ``threads_per_worker`` CPUs. Defaults: 1 thread per worker, as many
      workers as the cluster's CPUs allow (``CPUs // threads_per_worker``, or with
      ``num_workers`` given, ``threads_per_worker = max(1, CPUs // num_workers)``). Asking for
      more CPUs than the cluster has is an :class:`~stark_backend.InputError` (the workers
      would never start).
    - ``max_retries``: how often a worker lost mid-task is restarted and its task retried (and
      how often one item is handed to another worker when its worker is gone for good).
      Typed errors raised by the prover are never retried.
    - ``device``: the device name the workers build their engine with (default: the engine's
      device, ``"auto"`` for FriParameters); ``"auto"`` lets each node pick its GPU if it has
      one. ``num_gpus_per_worker``: GPUs each worker reserves (Ray ``num_gpus``).
    - ``start_timeout``: seconds to wait for the workers to start (they wait for free CPUs);
      the workers not started by then are dropped, and none started is a
      :class:`~stark_backend.ResourceError`.
    """

    def __init__(
        self,
        engine_or_params: Engine | FriParameters,
        pk: ProvingKey,
        *,
        address: str | None = None,
        num_workers: int | None = None,
        threads_per_worker: int | None = None,
        max_retries: int = 3,
        device: str | None = None,
        num_gpus_per_worker: float = 0,
        start_timeout: float = 60.0,
        _max_default_workers: int = 0,
    ) -> None:
        self._actors: list[Any] = []
        self._owns_ray = False
        self._pk_ref: Any = None
        self._workers_info: list[dict[str, Any]] = []
        self._ready: list[Any] = []
        self._threads = 0
        fri, worker_device, config = _worker_spec(engine_or_params, pk, device)
        if address is not None and not isinstance(address, str):
            raise InputError(
                f"distributed: address must be a str or None, got {type(address).__name__}"
            )
        workers = _positive(num_workers, "distributed: num_workers")
        threads = _positive(threads_per_worker, "distributed: threads_per_worker", MAX_THREADS)
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise InputError(f"distributed: max_retries must be an int >= 0, got {max_retries!r}")
        if (
            isinstance(num_gpus_per_worker, bool)
            or not isinstance(num_gpus_per_worker, (int, float))
            or num_gpus_per_worker < 0
        ):
            raise InputError(
                f"distributed: num_gpus_per_worker must be a number >= 0, got "
                f"{num_gpus_per_worker!r}"
            )
        if (
            isinstance(start_timeout, bool)
            or not isinstance(start_timeout, (int, float))
            or not (start_timeout > 0)
        ):
            raise InputError(
                f"distributed: start_timeout must be a number of seconds > 0, got {start_timeout!r}"
            )
        self._max_retries = max_retries
        self._start_timeout = float(start_timeout)

        if not ray.is_initialized():
            ray.init(address=address)
            self._owns_ray = True
        elif address is not None:
            _log.debug("distributed: already connected to Ray; address %r not used", address)
        try:
            cpus = int(_cpus("cluster_resources"))
            if threads is None:
                threads = 1 if workers is None else max(1, cpus // workers)
            threads = min(threads, MAX_THREADS)
            if workers is None:
                workers = max(1, cpus // threads)
                if _max_default_workers > 0:
                    workers = min(workers, _max_default_workers)
            if workers * threads > cpus:
                raise InputError(
                    f"distributed: {workers} workers x {threads} threads need {workers * threads} "
                    f"CPUs, but the Ray cluster has {cpus}"
                )
            self._pk_ref = ray.put(pk)
            options: dict[str, Any] = {
                "num_cpus": threads,
                "max_restarts": max_retries,
                "max_task_retries": max_retries,
            }
            if num_gpus_per_worker:
                options["num_gpus"] = num_gpus_per_worker
            self._actors = [
                _RemoteWorker.options(**options).remote(fri, worker_device, config, threads)
                for _ in range(workers)
            ]
            self._threads = threads
            self._ready = [a.ready.remote([self._pk_ref]) for a in self._actors]
            _log.info(
                "distributed: %d Ray workers x %d threads (%s, %s)",
                workers,
                threads,
                worker_device,
                config,
            )
        except BaseException:
            self.close()
            raise

    # -- properties -----------------------------------------------------------------------------

    @property
    def num_workers(self) -> int:
        return len(self._actors)

    @property
    def threads_per_worker(self) -> int:
        return self._threads

    def workers(self) -> list[dict[str, Any]]:
        """One dict per worker (``pid``, ``node_id``, ``threads``, ``device``), asked of the
        workers now (a restarted worker shows its new pid); waits for them to start and raises
        a worker's set-up error (e.g. :class:`~stark_backend.DeviceError`)."""
        self._wait_ready()
        try:
            return list(ray.get([a.ready.remote([self._pk_ref]) for a in self._actors]))
        except ray.exceptions.RayTaskError as exc:
            raise _task_error(exc) from None

    def _wait_ready(self) -> None:
        """Wait (at most ``start_timeout`` seconds) for the workers to start. Workers that have
        not started by then are stopped and the others used; none at all is a
        :class:`~stark_backend.ResourceError` (never an endless wait for CPUs)."""
        if not self._actors:
            raise InputError("distributed: this RayProver has no workers (closed, or all lost)")
        if self._workers_info:
            return
        done, pending = ray.wait(
            self._ready, num_returns=len(self._ready), timeout=self._start_timeout
        )
        if not done:
            free = _cpus("available_resources")
            wanted = len(self._actors)
            self.close()
            raise ResourceError(
                f"distributed: none of the {wanted} Ray workers started within "
                f"{self._start_timeout} s (each needs {self._threads} CPUs; the cluster has "
                f"{free:g} CPUs free)"
            )
        started = set(done)
        keep = [i for i, r in enumerate(self._ready) if r in started]
        if pending:
            _log.warning(
                "distributed: %d of %d Ray workers did not start within %s s; using %d",
                len(pending),
                len(self._actors),
                self._start_timeout,
                len(keep),
            )
            for i, _ in enumerate(self._actors):
                if i not in keep:
                    ray.kill(self._actors[i], no_restart=True)
            self._actors = [self._actors[i] for i in keep]
            self._ready = [self._ready[i] for i in keep]
        try:
            self._workers_info = list(ray.get(self._ready))
        except ray.exceptions.RayTaskError as exc:
            raise _task_error(exc) from None

    # -- proving --------------------------------------------------------------------------------

    def prove_batch(self, batch: Iterable[Iterable[AirProvingContext]]) -> list[Proof]:
        """Prove every item of ``batch`` (each a list of :class:`AirProvingContext`, what
        :meth:`Engine.prove <stark_backend.Engine.prove>` takes); one proof per item, in input
        order, byte-identical to ``engine.prove(pk, item)``. ``[]`` gives ``[]``.

        Raises the lowest-index failing item's own error with a note ``batch[k]``.
        """
        if isinstance(batch, (AirProvingContext, str, bytes)):
            raise InputError(
                "prove_batch: batch must be a sequence of context lists (one list per proof), "
                f"got {type(batch).__name__}"
            )
        try:
            items: Iterator[Any] = iter(batch)
        except TypeError:
            raise InputError(
                "prove_batch: batch must be a sequence of context lists (one list per proof), "
                f"got {type(batch).__name__}"
            ) from None
        self._wait_ready()
        n = len(self._actors)
        alive = [True] * n
        load = [0] * n
        results: dict[int, bytes] = {}
        failures: dict[int, BaseException] = {}
        lost: dict[int, int] = {}
        # ObjectRef of a running task -> (item index, worker, ObjectRef of the item).
        in_flight: dict[Any, tuple[int, int, Any]] = {}
        next_index = 0
        exhausted = False

        def submit(index: int, worker: int, item_ref: Any) -> None:
            ref = (
                self._actors[worker]
                .prove.options(retry_exceptions=False)
                .remote([self._pk_ref], item_ref)
            )
            in_flight[ref] = (index, worker, item_ref)
            load[worker] += 1

        def feed(worker: int) -> None:
            nonlocal next_index, exhausted
            while alive[worker] and load[worker] < _DEPTH and not exhausted and not failures:
                index = next_index
                try:
                    item = next(items)
                except StopIteration:
                    exhausted = True
                    return
                except Exception as exc:  # raised by the batch iterable itself
                    failures[index] = exc
                    return
                next_index += 1
                try:
                    item_ref = ray.put(_wire_item(item))
                except StarkError as exc:
                    failures[index] = exc
                    return
                except Exception as exc:  # e.g. a value that cannot be pickled
                    error = InputError(
                        f"prove_batch: the item cannot be sent to a Ray worker: "
                        f"{type(exc).__name__}: {exc}"
                    )
                    error.__cause__ = exc
                    failures[index] = error
                    return
                submit(index, worker, item_ref)

        try:
            for w in range(n):
                feed(w)
            while in_flight:
                done, _ = ray.wait(list(in_flight), num_returns=1)
                ref = done[0]
                index, worker, item_ref = in_flight.pop(ref)
                load[worker] -= 1
                try:
                    results[index] = ray.get(ref)
                except ray.exceptions.RayTaskError as exc:
                    failures[index] = _task_error(exc)
                except ray.exceptions.RayActorError as exc:
                    # The worker is gone for good (restarts used up, node lost): another one takes
                    # the item, at most max_retries times.
                    alive[worker] = False
                    lost[index] = lost.get(index, 0) + 1
                    others = [w for w in range(n) if alive[w]]
                    if others and lost[index] <= self._max_retries:
                        target = min(others, key=lambda w: load[w])
                        _log.warning(
                            "distributed: worker %d lost for good; batch[%d] goes to worker %d",
                            worker,
                            index,
                            target,
                        )
                        submit(index, target, item_ref)
                    else:
                        failures[index] = exc
                if alive[worker]:
                    feed(worker)
                else:
                    for w in range(n):
                        feed(w)
        finally:
            # Workers gone for good are not used again by later batches.
            self._actors = [a for a, ok in zip(self._actors, alive, strict=True) if ok]
            self._ready = [r for r, ok in zip(self._ready, alive, strict=True) if ok]
        if not failures and not exhausted:  # pragma: no cover - every worker lost is a failure
            raise StarkError("internal error: distributed.prove_batch stopped before the end")
        if failures:
            first = min(failures)
            error = failures[first]
            _note_index(error, first)
            raise error
        return [Proof.from_bytes(results[i]) for i in range(next_index)]

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the workers (and shut Ray down if this prover connected to it). Idempotent."""
        actors, self._actors = self._actors, []
        for actor in actors:
            try:
                ray.kill(actor, no_restart=True)
            except Exception:  # pragma: no cover - the actor is already gone
                pass
        self._pk_ref = None
        self._workers_info = []
        if self._owns_ray:
            self._owns_ray = False
            ray.shutdown()

    def __enter__(self) -> RayProver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = f"{len(self._actors)} workers" if self._actors else "closed"
        return f"<RayProver {state}>"


def prove_batch(
    engine_or_params: Engine | FriParameters,
    pk: ProvingKey,
    batch: Iterable[Iterable[AirProvingContext]],
    *,
    address: str | None = None,
    num_workers: int | None = None,
    threads_per_worker: int | None = None,
    max_retries: int = 3,
    device: str | None = None,
    num_gpus_per_worker: float = 0,
    start_timeout: float = 60.0,
) -> list[Proof]:
    """Prove every item of ``batch`` under ``pk`` on a Ray cluster; proofs in input order.

    The one-call form of :class:`RayProver` (same arguments; see there): starts the workers,
    proves the batch, stops the workers (and the Ray connection if it made one). An empty batch
    gives ``[]`` without touching Ray. ``num_workers`` defaults to at most the batch's length
    when it has one. Proofs are byte-identical to ``[engine.prove(pk, item) for item in
    batch]``; a failing item raises its own typed error with a note ``batch[k]``.
    """
    items = batch_items(batch)
    _worker_spec(engine_or_params, pk, device)
    hint = operator.length_hint(batch, 0)
    first: Any = next(items, _END)
    if first is _END:
        return []
    with RayProver(
        engine_or_params,
        pk,
        address=address,
        num_workers=num_workers,
        threads_per_worker=threads_per_worker,
        max_retries=max_retries,
        device=device,
        num_gpus_per_worker=num_gpus_per_worker,
        start_timeout=start_timeout,
        _max_default_workers=hint,
    ) as prover:
        return prover.prove_batch(chain([first], items))
