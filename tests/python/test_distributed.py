"""stark_backend.distributed on a real local Ray cluster (127.0.0.1, 2 CPUs, no mocks):
proofs byte-identical to Engine.prove and in input order, typed errors naming the item, a
worker killed mid-task retried, a worker gone for good replaced, the empty batch, and the
optional import."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ray = pytest.importorskip("ray")

import stark_backend as sb  # noqa: E402
from stark_backend import distributed  # noqa: E402
from stark_backend.examples import FibonacciAir, fibonacci_trace  # noqa: E402

FAST = sb.FriParameters(1, 0, 8, 0, 0)
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """A local Ray cluster on 127.0.0.1 whose workers import this checkout's package (and this
    test module, for the kill hook below)."""
    if ray.is_initialized():  # pragma: no cover - another module left a connection
        ray.shutdown()
    package_parent = str(Path(sb.__file__).resolve().parents[1])
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join([package_parent, str(HERE)])}},
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def setup() -> tuple[sb.Engine, sb.ProvingKey]:
    engine = sb.Engine(FAST, device="cpu")
    kb = engine.keygen_builder()
    kb.add_air(FibonacciAir())
    return engine, kb.generate_pk()


@pytest.fixture
def prover(
    cluster: None, setup: tuple[sb.Engine, sb.ProvingKey]
) -> Iterator[distributed.RayProver]:
    engine, pk = setup
    with distributed.RayProver(engine, pk, num_workers=2, threads_per_worker=1) as p:
        yield p


def _item(log_n: int, a: int, b: int, pv: Any = None) -> list[sb.AirProvingContext]:
    trace, values = fibonacci_trace(1 << log_n, a, b)
    return [sb.AirProvingContext(0, trace, public_values=values if pv is None else pv)]


def _batch(count: int) -> list[list[sb.AirProvingContext]]:
    return [_item(6 + i % 5, i, 2 * i + 1) for i in range(count)]


def _expected(
    setup: tuple[sb.Engine, sb.ProvingKey], batch: list[list[sb.AirProvingContext]]
) -> list[bytes]:
    engine, pk = setup
    return [engine.prove(pk, item).to_bytes() for item in batch]


def _notes(exc: BaseException) -> str:
    return " ".join([str(exc), *getattr(exc, "__notes__", [])])


# -- proofs -----------------------------------------------------------------------------------


def test_proofs_equal_engine_prove_in_order(
    prover: distributed.RayProver, setup: tuple[sb.Engine, sb.ProvingKey]
) -> None:
    batch = _batch(10)
    proofs = prover.prove_batch(batch)
    assert [p.to_bytes() for p in proofs] == _expected(setup, batch)
    assert [p.trace_heights for p in proofs] == [[1 << (6 + i % 5)] for i in range(10)]
    for p in proofs:
        setup[0].verify(setup[1].vk, p)
    info = prover.workers()
    assert len(info) == 2 and all(w["threads"] == 1 for w in info)
    assert len({w["pid"] for w in info}) == 2 and os.getpid() not in {w["pid"] for w in info}


def test_lazy_iterable_and_reuse(
    prover: distributed.RayProver, setup: tuple[sb.Engine, sb.ProvingKey]
) -> None:
    batch = _batch(5)
    proofs = prover.prove_batch(item for item in batch)  # a generator, consumed lazily
    assert [p.to_bytes() for p in proofs] == _expected(setup, batch)
    assert prover.prove_batch([]) == []


def test_one_call_form_and_fri_parameters(
    cluster: None, setup: tuple[sb.Engine, sb.ProvingKey]
) -> None:
    batch = _batch(3)
    proofs = distributed.prove_batch(FAST, setup[1], batch, num_workers=2)
    assert [p.to_bytes() for p in proofs] == _expected(setup, batch)
    assert ray.is_initialized()  # an existing connection is kept


def test_empty_batch(cluster: None, setup: tuple[sb.Engine, sb.ProvingKey]) -> None:
    engine, pk = setup
    assert distributed.prove_batch(engine, pk, []) == []
    assert distributed.prove_batch(engine, pk, iter([])) == []


# -- errors -----------------------------------------------------------------------------------


def test_bad_trace_raises_input_error_naming_the_item(prover: distributed.RayProver) -> None:
    batch = _batch(6)
    bad_trace = np.zeros((48, 2), np.uint32)  # height not a power of two
    batch[3] = [sb.AirProvingContext(0, bad_trace, public_values=[0, 0, 0])]
    with pytest.raises(sb.InputError) as info:
        prover.prove_batch(batch)
    assert type(info.value) is sb.InputError  # the class itself, not Ray's wrapper
    assert "batch[3]" in _notes(info.value)
    assert "power of two" in str(info.value)


def test_lowest_failing_index_wins(prover: distributed.RayProver) -> None:
    batch = _batch(6)
    batch[4] = [sb.AirProvingContext(0, np.full((8, 2), sb.P, np.int64), public_values=[0] * 3)]
    batch[1] = _item(6, 0, 1, pv=[0, 1])  # wrong public-value count
    with pytest.raises(sb.InputError) as info:
        prover.prove_batch(batch)
    assert "batch[1]" in _notes(info.value) and "batch[4]" not in _notes(info.value)


def test_malformed_item_is_input_error(prover: distributed.RayProver) -> None:
    ctx = _item(6, 0, 1)[0]
    with pytest.raises(sb.InputError) as info:
        prover.prove_batch([_item(6, 0, 1), ctx])  # type: ignore[list-item]  # a bare context
    assert "batch[1]" in _notes(info.value)
    with pytest.raises(sb.InputError):
        prover.prove_batch(ctx)  # type: ignore[arg-type]


def test_worker_setup_error_is_typed(cluster: None, setup: tuple[sb.Engine, sb.ProvingKey]) -> None:
    with pytest.raises(sb.InputError, match="device"):
        distributed.prove_batch(FAST, setup[1], _batch(2), num_workers=1, device="no-such-device")


def test_driver_side_checks(cluster: None, setup: tuple[sb.Engine, sb.ProvingKey]) -> None:
    engine, pk = setup
    with pytest.raises(sb.InvalidProofShape):
        distributed.prove_batch(sb.Engine(sb.FriParameters(1, 0, 9, 0, 0)), pk, _batch(1))
    with pytest.raises(sb.InputError):
        distributed.prove_batch(engine, pk.vk, _batch(1))  # type: ignore[arg-type]
    with pytest.raises(sb.InputError, match="CPUs"):
        distributed.prove_batch(engine, pk, _batch(1), num_workers=3, threads_per_worker=1)
    with pytest.raises(sb.InputError):
        distributed.prove_batch(engine, pk, _batch(1), num_workers=0)


def test_no_free_cpus_is_resource_error_not_a_hang(
    prover: distributed.RayProver, setup: tuple[sb.Engine, sb.ProvingKey]
) -> None:
    prover.workers()  # the fixture's two workers hold both CPUs
    engine, pk = setup
    with pytest.raises(sb.ResourceError, match="started within"):
        distributed.prove_batch(engine, pk, _batch(1), num_workers=1, start_timeout=1.5)
    assert len(prover.prove_batch(_batch(2))) == 2


# -- lost workers ---------------------------------------------------------------------------------


def _kill_once(marker: str, values: list[int]) -> list[int]:
    """Unpickled on the worker that receives the item: the first time (the marker file does not
    exist yet) it records the worker's pid and SIGKILLs that process, mid-task."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return values
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)
    return values  # pragma: no cover - the process is gone


class KillOnce:
    """Public values that kill the first worker process that unpickles them."""

    def __init__(self, marker: Path, values: list[int]) -> None:
        self.marker = str(marker)
        self.values = values

    def __reduce__(self) -> tuple[Any, tuple[str, list[int]]]:
        return (_kill_once, (self.marker, self.values))


def test_worker_killed_mid_task_is_retried(
    cluster: None, setup: tuple[sb.Engine, sb.ProvingKey], tmp_path: Path
) -> None:
    engine, pk = setup
    batch = _batch(8)
    marker = tmp_path / "killed"
    trace, values = fibonacci_trace(1 << 8, 5, 7)
    batch[2] = [sb.AirProvingContext(0, trace, public_values=KillOnce(marker, values))]
    expected = _expected(setup, [*batch[:2], _item(8, 5, 7), *batch[3:]])
    with distributed.RayProver(engine, pk, num_workers=2, threads_per_worker=1) as p:
        before = {w["pid"] for w in p.workers()}
        proofs = p.prove_batch(batch)
        assert [x.to_bytes() for x in proofs] == expected
        killed = int(marker.read_text())
        after = {w["pid"] for w in p.workers()}
    assert killed in before and killed not in after and len(after) == 2  # restarted anew


def test_worker_gone_for_good_hands_items_to_the_others(
    cluster: None, setup: tuple[sb.Engine, sb.ProvingKey]
) -> None:
    engine, pk = setup
    batch = _batch(6)
    with distributed.RayProver(engine, pk, num_workers=2, threads_per_worker=1) as p:
        p.workers()  # both started
        ray.kill(p._actors[0], no_restart=True)
        proofs = p.prove_batch(batch)
        assert [x.to_bytes() for x in proofs] == _expected(setup, batch)
        assert p.num_workers == 1 and len(p.workers()) == 1  # the lost one is not used again
        assert [x.to_bytes() for x in p.prove_batch(batch[:2])] == _expected(setup, batch[:2])


# -- optional import ------------------------------------------------------------------------------


def test_import_without_ray() -> None:
    code = (
        "import sys\n"
        "import stark_backend\n"
        "assert 'ray' not in sys.modules, 'import stark_backend imported ray'\n"
        "sys.modules['ray'] = None\n"
        "try:\n"
        "    import stark_backend.distributed\n"
        "except ImportError as exc:\n"
        "    assert 'pip install stark-backend[ray]' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(sb.__file__).resolve().parents[1])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
