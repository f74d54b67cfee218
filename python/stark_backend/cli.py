"""The file-based command line: keys and proofs as files (docs/cli.md).

``stark-backend keygen MODULE:FACTORY -o pk.bin [--vk-out vk.bin]``,
``stark-backend prove pk.bin traces.npz [--public-values JSON] -o proof.bin``,
``stark-backend verify vk.bin proof.bin``, ``stark-backend inspect FILE`` and
``stark-backend estimate pk.bin --heights NAME=2^16,...``; ``--json`` on every subcommand prints
one JSON object on stdout.

Exit codes: 0 success; 1 the proof was rejected (a :class:`~stark_backend.VerificationError`);
2 bad usage or bad input (argparse errors, a missing, truncated or malformed file, a trace file
whose arrays do not fit the key, a key for another circuit), with the typed error's message on
stderr naming the file and the field. Every output file is written atomically (a temporary file
in the same directory, ``fsync``, ``os.replace``): a failed run leaves no output file behind.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.util
import inspect
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np

__all__ = ["COMMANDS", "CliError", "main"]

COMMANDS = ("keygen", "prove", "verify", "inspect", "estimate")

PROG = "stark-backend"

_MAGIC = {b"SBPK": "proving_key", b"SBVK": "verifying_key", b"SBPF": "proof"}
_KIND_WORDS = {
    "proving_key": "a proving key",
    "verifying_key": "a verifying key",
    "proof": "a proof",
}

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_BAD_INPUT = 2


class CliError(Exception):
    """Bad usage or bad input: exit 2 with ``message`` on stderr. ``kind`` is the name of the
    typed error behind it (``InputError``, ``ProofFormatError``, ``KeygenError``, ...)."""

    def __init__(self, message: str, kind: str = "InputError") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


class _UsageError(Exception):
    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors raise instead of exiting, so :func:`main` returns 2 (and
    prints a JSON error object with ``--json``)."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message, self.format_usage())


def _wrap(exc: BaseException, prefix: str) -> CliError:
    """A typed error of the package as a CliError whose message starts with ``prefix``."""
    return CliError(f"{prefix}: {exc}" if prefix else str(exc), type(exc).__name__)


# -- files --------------------------------------------------------------------------------------


def _read_bytes(path: str, what: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise CliError(f"{path}: no such file (expected {what})", "FileNotFoundError") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory (expected {what})", "IsADirectoryError") from None
    except OSError as exc:
        raise CliError(
            f"{path}: cannot read {what}: {exc.strerror or exc}", type(exc).__name__
        ) from None
    if not data:
        raise CliError(f"{path}: the file is empty (expected {what})", "ProofFormatError")
    return data


def _file_kind(data: bytes) -> str | None:
    return _MAGIC.get(bytes(data[:4]))


def _check_output_path(path: str, option: str) -> None:
    """Fail before the work starts when ``path`` cannot be written."""
    target = Path(path)
    if target.is_dir():
        raise CliError(f"{path}: {option} names a directory, expected a file path", "UsageError")
    parent = target.resolve().parent
    if not parent.is_dir():
        raise CliError(
            f"{path}: cannot write ({option}): the directory {parent} does not exist", "UsageError"
        )


def write_atomic(files: Sequence[tuple[str, bytes]]) -> None:
    """Write every ``(path, data)``: each to a temporary file in its own directory, flushed and
    ``fsync``-ed, then renamed over ``path``. On any error the temporary files (and outputs
    already renamed by this call) are removed and a :class:`CliError` is raised."""
    temps: list[str] = []
    done: list[str] = []
    current = ""
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        for path, data in files:
            current = path
            directory = os.path.dirname(os.path.abspath(path))
            fd, tmp = tempfile.mkstemp(
                dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
            )
            temps.append(tmp)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~umask)
        for (path, _), tmp in zip(files, temps, strict=True):
            current = path
            os.replace(tmp, path)
            done.append(path)
        for directory in {os.path.dirname(os.path.abspath(p)) for p, _ in files}:
            _fsync_dir(directory)
    except BaseException as exc:
        for leftover in [*temps, *done]:
            try:
                os.unlink(leftover)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise CliError(
                f"{current}: cannot write: {exc.strerror or exc}", type(exc).__name__
            ) from None
        raise


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- keys and proofs ----------------------------------------------------------------------------


def _load_vk(path: str) -> Any:
    """A VerifyingKey from a verifying-key or proving-key file."""
    from .errors import ProofFormatError
    from .keys import ProvingKey, VerifyingKey

    data = _read_bytes(path, "a verifying or proving key")
    kind = _file_kind(data)
    try:
        if kind == "proving_key":
            return ProvingKey.from_bytes(data).vk
        if kind == "proof":
            raise CliError(f"{path}: is a proof, expected a verifying or proving key")
        return VerifyingKey.from_bytes(data)
    except ProofFormatError as exc:
        raise _wrap(exc, path) from None


def _load_pk(path: str) -> Any:
    from .errors import ProofFormatError
    from .keys import ProvingKey

    data = _read_bytes(path, "a proving key")
    kind = _file_kind(data)
    if kind in ("verifying_key", "proof"):
        raise CliError(
            f"{path}: is {_KIND_WORDS[kind]}, expected a proving key (keygen -o writes one)"
        )
    try:
        return ProvingKey.from_bytes(data)
    except ProofFormatError as exc:
        raise _wrap(exc, path) from None


def _load_proof(path: str) -> Any:
    from .errors import ProofFormatError
    from .proof import Proof

    data = _read_bytes(path, "a proof")
    kind = _file_kind(data)
    if kind in ("verifying_key", "proving_key"):
        raise CliError(f"{path}: is {_KIND_WORDS[kind]}, expected a proof")
    try:
        return Proof.from_bytes(data)
    except ProofFormatError as exc:
        raise _wrap(exc, path) from None


def _air_resolver(vk: Any, source: str, key_path: str) -> Callable[[str], int]:
    """Map an AIR name (unique in the key) or a decimal air id to the air id."""
    names: list[str] = vk.air_names
    ids: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        ids.setdefault(name, []).append(i)

    def resolve(key: str) -> int:
        found = ids.get(key)
        if found is not None and len(found) == 1:
            return found[0]
        if found is not None:
            raise CliError(
                f"{source}: {key!r}: the key {key_path} has several AIRs called {key!r} "
                f"(ids {found}); name each by its air id instead ('{found[0]}')"
            )
        if re.fullmatch(r"[0-9]+", key) and int(key) < len(names):
            return int(key)
        raise CliError(
            f"{source}: {key!r} names no AIR of the key {key_path} (its AIRs, by id: "
            f"{', '.join(f'{i}={n!r}' for i, n in enumerate(names))}); is the key for another "
            f"circuit?"
        )

    return resolve


def _config_dict(config: Any) -> dict[str, Any]:
    return {"name": config.name, "hash": config.hash, "transcript": config.transcript}


def _fri_dict(fri: Any) -> dict[str, Any]:
    return {
        "log_blowup": fri.log_blowup,
        "log_final_poly_len": fri.log_final_poly_len,
        "num_queries": fri.num_queries,
        "commit_proof_of_work_bits": fri.commit_proof_of_work_bits,
        "query_proof_of_work_bits": fri.query_proof_of_work_bits,
        "max_constraint_degree": int(fri.max_constraint_degree),
    }


def _security(vk: Any) -> dict[str, Any]:
    config = vk.config
    if hasattr(config, "security_report"):
        report: dict[str, Any] = {k: v for k, v in config.security_report(vk.fri_params).items()}
    else:
        report = {"security_bits": vk.fri_params.security_bits()}
    for attr in ("deep_pow_bits", "log_up_pow_bits"):
        if hasattr(vk._raw, attr):
            report[attr] = int(getattr(vk._raw, attr))
    return report


def _airs_of_key(vk: Any) -> list[dict[str, Any]]:
    out = []
    for i in range(vk.num_airs):
        prep_w = vk.preprocessed_widths[i]
        main_w = vk.main_widths[i]
        out.append(
            {
                "id": i,
                "name": vk.air_names[i],
                "main_width": main_w,
                "cached_main_widths": vk.cached_main_widths[i],
                "common_main_width": vk.common_main_widths[i],
                "preprocessed_width": prep_w,
                "preprocessed_height": vk.preprocessed_heights[i],
                "after_challenge_width": (vk.total_widths[i] - prep_w - main_w) // 4,
                "total_width": vk.total_widths[i],
                "num_interactions": vk.num_interactions[i],
                "num_public_values": vk.num_public_values[i],
                "quotient_degree": vk.quotient_degrees[i],
            }
        )
    return out


def _describe_key(vk: Any) -> dict[str, Any]:
    return {
        "config": _config_dict(vk.config),
        "fri": _fri_dict(vk.fri_params),
        "security": _security(vk),
        "num_airs": vk.num_airs,
        "airs": _airs_of_key(vk),
        "trace_height_constraints": [
            {"coefficients": c.coefficients, "threshold": c.threshold}
            for c in vk.trace_height_constraints
        ],
        "pre_hash": vk.pre_hash,
    }


# -- circuits -----------------------------------------------------------------------------------


def load_circuit(spec: str) -> list[Any]:
    """The AIRs of ``MODULE:FACTORY`` (or ``path/to/file.py:FACTORY``): ``FACTORY`` is a
    function (or class) called with no arguments that returns the AIRs in order (a single AIR
    is one AIR), or a list of AIRs. Dotted names (``module:Class.method``) are followed."""
    from .air import Air

    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise CliError(
            f"{spec}: the circuit must be MODULE:FACTORY or path/to/file.py:FACTORY", "UsageError"
        )
    is_path = module_name.endswith(".py") or "/" in module_name or os.sep in module_name
    try:
        if is_path:
            module = _import_file(module_name)
        else:
            if "" not in sys.path and os.getcwd() not in sys.path:
                sys.path.insert(0, os.getcwd())  # the console script, unlike python -m
            module = importlib.import_module(module_name)
    except CliError:
        raise
    except ModuleNotFoundError as exc:
        raise CliError(f"{spec}: cannot import {module_name!r}: {exc}", "ImportError") from None
    except Exception as exc:
        raise CliError(
            f"{spec}: importing {module_name!r} raised {type(exc).__name__}: {exc}", "ImportError"
        ) from None
    try:
        factory = functools.reduce(getattr, attr.split("."), module)
    except AttributeError:
        raise CliError(
            f"{spec}: {module_name!r} has no attribute {attr!r}", "ImportError"
        ) from None
    if isinstance(factory, Air) or isinstance(factory, (list, tuple)):
        result: Any = factory
    elif callable(factory):
        try:
            result = factory()
        except Exception as exc:
            raise CliError(
                f"{spec}: the factory raised {type(exc).__name__}: {exc}", type(exc).__name__
            ) from None
    else:
        raise CliError(
            f"{spec}: {attr!r} is a {type(factory).__name__}, expected a function returning the "
            "list of AIRs"
        )
    if isinstance(result, Air):
        return [result]
    if isinstance(result, (str, bytes)) or not hasattr(result, "__iter__"):
        raise CliError(
            f"{spec}: the factory returned a {type(result).__name__}, expected a list of AIRs"
        )
    airs = list(result)
    if not airs:
        raise CliError(f"{spec}: the factory returned no AIRs", "KeygenError")
    return airs


def _import_file(path: str) -> Any:
    file = Path(path)
    if not file.is_file():
        raise CliError(f"{path}: no such file (the circuit's module)", "FileNotFoundError")
    name = "_stark_circuit_" + re.sub(r"\W", "_", file.stem)
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise CliError(f"{path}: cannot be imported as a Python module", "ImportError")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    directory = str(file.resolve().parent)
    sys.path.insert(0, directory)  # the file may import its siblings
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        try:
            sys.path.remove(directory)
        except ValueError:
            pass
    return module


def parse_fri(spec: str) -> Any:
    """``standard_fast``, ``standard_100_bits:B`` (alias
    ``standard_with_100_bits_security:B``, B = log_blowup in 1..4) or five comma-separated
    integers ``LOG_BLOWUP,LOG_FINAL_POLY_LEN,NUM_QUERIES,COMMIT_POW,QUERY_POW``."""
    from .errors import InputError
    from .fri_params import FriParameters

    text = spec.strip()
    try:
        if text == "standard_fast":
            return FriParameters.standard_fast()
        name, sep, arg = text.partition(":")
        if sep and name in ("standard_100_bits", "standard_with_100_bits_security"):
            if not re.fullmatch(r"[0-9]+", arg.strip()):
                raise CliError(f"--fri {spec}: the log_blowup must be an integer", "UsageError")
            return FriParameters.standard_with_100_bits_security(int(arg))
        parts = [p.strip() for p in text.split(",")]
        if len(parts) == 5 and all(re.fullmatch(r"[0-9]+", p) for p in parts):
            lb, lfp, nq, cpow, qpow = (int(p) for p in parts)
            return FriParameters(lb, lfp, nq, cpow, qpow)
    except InputError as exc:
        raise _wrap(exc, f"--fri {spec}") from None
    raise CliError(
        f"--fri {spec}: expected standard_fast, standard_100_bits:LOG_BLOWUP or "
        "LOG_BLOWUP,LOG_FINAL_POLY_LEN,NUM_QUERIES,COMMIT_POW_BITS,QUERY_POW_BITS",
        "UsageError",
    )


# -- traces and public values -------------------------------------------------------------------


def load_traces(path: str) -> dict[str, np.ndarray[Any, Any]]:
    """The arrays of an ``.npz`` archive, by key (no pickles)."""
    if not Path(path).exists():
        raise CliError(f"{path}: no such file (expected a .npz of traces)", "FileNotFoundError")
    if Path(path).is_dir():
        raise CliError(f"{path}: is a directory (expected a .npz of traces)", "IsADirectoryError")
    arrays: dict[str, np.ndarray[Any, Any]] = {}
    try:
        with open(path, "rb") as f:
            try:
                loaded = np.load(f, allow_pickle=False)
            except Exception as exc:
                raise CliError(
                    f"{path}: not a valid .npz archive of traces ({type(exc).__name__}: {exc})"
                ) from None
            if isinstance(loaded, np.ndarray):
                raise CliError(
                    f"{path}: is a single .npy array, expected a .npz archive with one array per "
                    "AIR keyed by AIR name (numpy.savez(path, **{name: trace}))"
                )
            with loaded as archive:
                for key in archive.files:
                    try:
                        arrays[key] = archive[key]
                    except Exception as exc:
                        raise CliError(
                            f"{path}: array {key!r} cannot be read ({type(exc).__name__}: "
                            f"{exc}); is the file truncated?"
                        ) from None
    except OSError as exc:
        raise CliError(
            f"{path}: cannot read the traces: {exc.strerror or exc}", type(exc).__name__
        ) from None
    return arrays


def parse_public_values(text: str, vk: Any, key_path: str) -> tuple[str, dict[int, list[int]]]:
    """``--public-values``: inline JSON (starting with ``{`` or ``[``) or a JSON file. Either
    ``{"AIR name or id": [ints]}`` or a list with one list (or null) per AIR by id."""
    from ._arrays import P

    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        source = "--public-values"
        raw = text
    else:
        source = text
        raw = _read_bytes(text, "a JSON file of public values").decode("utf-8", "replace")
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CliError(f"{source}: invalid JSON: {exc}") from None
    resolve = _air_resolver(vk, source, key_path)
    entries: list[tuple[str, int, Any]] = []
    if isinstance(parsed, dict):
        for key, values in parsed.items():
            entries.append((key, resolve(str(key)), values))
    elif isinstance(parsed, list):
        if len(parsed) != vk.num_airs:
            raise CliError(
                f"{source}: a list of public values needs one entry (a list or null) per AIR: "
                f"the key {key_path} has {vk.num_airs} AIRs, the list {len(parsed)} entries"
            )
        entries = [(str(i), i, v) for i, v in enumerate(parsed) if v is not None]
    else:
        raise CliError(
            f"{source}: expected a JSON object {{air name: [ints]}} or a list of lists, got "
            f"{type(parsed).__name__}"
        )
    out: dict[int, list[int]] = {}
    for key, air_id, values in entries:
        field = f"{source}: {key!r} (AIR {vk.air_names[air_id]!r}, id {air_id})"
        if air_id in out:
            raise CliError(f"{field}: public values given twice")
        if not isinstance(values, list):
            raise CliError(f"{field}: expected a list of ints, got {type(values).__name__}")
        for j, v in enumerate(values):
            if not isinstance(v, int) or isinstance(v, bool):
                raise CliError(f"{field}: element {j} is {json.dumps(v)}, expected an int")
            if not 0 <= v < P:
                raise CliError(
                    f"{field}: element {j} = {v} is not a canonical field element "
                    f"(must be in [0, {P}))"
                )
        want = vk.num_public_values[air_id]
        if values and len(values) != want:  # none at all: fine for an absent AIR
            raise CliError(f"{field}: {len(values)} public values, the AIR takes {want}")
        out[air_id] = list(values)
    return source, out


def build_contexts(
    vk: Any,
    arrays: dict[str, np.ndarray[Any, Any]],
    public_values: dict[int, list[int]],
    *,
    traces_path: str,
    key_path: str,
    pv_source: str = "--public-values",
) -> list[Any]:
    """One :class:`AirProvingContext` per array of the trace file, split into partitions by
    :func:`stark_backend.engine.main_trace_context` (as :meth:`Engine.run_test` does)."""
    from .engine import main_trace_context
    from .errors import InputError

    resolve = _air_resolver(vk, traces_path, key_path)
    by_id: dict[int, tuple[str, np.ndarray[Any, Any]]] = {}
    for key, arr in arrays.items():
        air_id = resolve(key)
        if air_id in by_id:
            raise CliError(
                f"{traces_path}: arrays {by_id[air_id][0]!r} and {key!r} are both AIR "
                f"{vk.air_names[air_id]!r} (id {air_id})"
            )
        by_id[air_id] = (key, arr)
    if not by_id:
        raise CliError(
            f"{traces_path}: holds no arrays; give one trace per present AIR, keyed by AIR name "
            f"({', '.join(repr(n) for n in vk.air_names)})"
        )
    for air_id, values in public_values.items():
        if air_id not in by_id and values:
            raise CliError(
                f"{pv_source}: public values for AIR {vk.air_names[air_id]!r} (id {air_id}), "
                f"which has no trace in {traces_path}"
            )
    contexts = []
    for air_id in sorted(by_id):
        key, arr = by_id[air_id]
        name = vk.air_names[air_id]
        field = f"{traces_path}: array {key!r} (AIR {name!r}, id {air_id})"
        if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
            raise CliError(
                f"{field}: dtype {arr.dtype}, expected an integer dtype (uint32 is the "
                "zero-copy path)"
            )
        if arr.ndim != 2:
            raise CliError(
                f"{field}: shape {arr.shape}, expected a 2-D (height, {vk.main_widths[air_id]}) "
                "matrix"
            )
        height, width = (int(d) for d in arr.shape)
        if width != vk.main_widths[air_id]:
            raise CliError(
                f"{field}: shape {arr.shape}: width {width}, the AIR's main width is "
                f"{vk.main_widths[air_id]}"
            )
        if height == 0 or height & (height - 1):
            raise CliError(
                f"{field}: shape {arr.shape}: height {height} is not a power of two (traces are "
                "never padded)"
            )
        fixed = vk.preprocessed_heights[air_id]
        if fixed is not None and height != fixed:
            raise CliError(
                f"{field}: shape {arr.shape}: height {height}, the AIR's preprocessed trace fixes "
                f"it at {fixed}"
            )
        want = vk.num_public_values[air_id]
        pv = public_values.get(air_id, [])
        if len(pv) != want:
            raise CliError(
                f"{pv_source}: AIR {name!r} (id {air_id}) takes {want} public values, got "
                f"{len(pv)}; give them as --public-values '{{\"{name}\": [...]}}'"
            )
        try:
            contexts.append(main_trace_context(vk, air_id, arr, pv, label=field))
        except InputError as exc:
            raise _wrap(exc, "") from None
    return contexts


_HEIGHT = re.compile(r"^\s*(?:([0-9]+)\s*(?:\^|\*\*)\s*([0-9]+)|1\s*<<\s*([0-9]+)|([0-9]+))\s*$")


def _parse_height(text: str, field: str) -> int:
    m = _HEIGHT.match(text)
    if m is None:
        raise CliError(f"{field}: {text!r} is not a height (an int, 2^K or 1<<K)", "UsageError")
    if m.group(1) is not None:
        base, exp = int(m.group(1)), int(m.group(2))
        if exp > 64:
            raise CliError(f"{field}: {text!r} is too large", "UsageError")
        return int(base**exp)
    if m.group(3) is not None:
        shift = int(m.group(3))
        if shift > 64:
            raise CliError(f"{field}: {text!r} is too large", "UsageError")
        return 1 << shift
    return int(m.group(4))


def parse_heights(spec: str, vk: Any, key_path: str) -> dict[int, int] | list[int | None]:
    """``--heights``: ``NAME=H,...`` (AIR names or ids; the others absent) or ``H,H,...`` with
    one entry per AIR by id (``-`` or ``none`` for an absent AIR). ``H`` is an int, ``2^K`` or
    ``1<<K``."""
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if not items:
        raise CliError("--heights: no heights given", "UsageError")
    named = ["=" in item for item in items]
    if all(named):
        resolve = _air_resolver(vk, "--heights", key_path)
        out: dict[int, int] = {}
        for item in items:
            key, _, value = item.partition("=")
            air_id = resolve(key.strip())
            if air_id in out:
                raise CliError(f"--heights: AIR {key.strip()!r} given twice", "UsageError")
            out[air_id] = _parse_height(value, f"--heights {key.strip()}")
        return out
    if any(named):
        raise CliError(
            "--heights: give either NAME=HEIGHT pairs or one height per AIR, not both",
            "UsageError",
        )
    if len(items) != vk.num_airs:
        raise CliError(
            f"--heights: {len(items)} heights, but the key {key_path} has {vk.num_airs} AIRs "
            f"({', '.join(repr(n) for n in vk.air_names)}); use NAME=HEIGHT to give only some",
            "UsageError",
        )
    seq: list[int | None] = []
    for i, item in enumerate(items):
        if item.lower() in ("-", "none", "absent"):
            seq.append(None)
        else:
            seq.append(_parse_height(item, f"--heights[{i}]"))
    return seq


# -- progress -----------------------------------------------------------------------------------


class ProgressDisplay:
    """The phases of a proof as they finish, on a ``rich`` live display on stderr. Quiet (and
    its :attr:`callback` ``None``) when disabled, when stderr is not a terminal or when ``rich``
    is not installed."""

    def __init__(self, enabled: bool, *, file: TextIO | None = None, force: bool = False) -> None:
        self.callback: Callable[[str, float], None] | None = None
        self._progress: Any = None
        self._console: Any = None
        self._task: Any = None
        stream = sys.stderr if file is None else file
        if not enabled or not (force or _isatty(stream)):
            return
        try:
            console_mod: Any = importlib.import_module("rich.console")
            progress_mod: Any = importlib.import_module("rich.progress")
        except ImportError:
            return
        self._console = console_mod.Console(
            file=stream, force_terminal=True if force else None, highlight=False
        )
        self._progress = progress_mod.Progress(
            progress_mod.SpinnerColumn(),
            progress_mod.TextColumn("{task.description}"),
            progress_mod.TimeElapsedColumn(),
            console=self._console,
            transient=True,
        )
        self.callback = self._phase_done

    def _phase_done(self, phase: str, seconds: float) -> None:
        try:
            self._console.print(f"  [green]done[/green] {phase:<16} {seconds:9.3f} s")
            self._progress.update(self._task, description=f"proving (after {phase})")
        except Exception:  # a display problem never fails the proof
            pass

    def __enter__(self) -> ProgressDisplay:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("proving", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:
        return False


def _accepts(func: Any, name: str) -> bool:
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


# -- subcommands --------------------------------------------------------------------------------


class _Result:
    def __init__(self, code: int, payload: dict[str, Any], text: str, err: str = "") -> None:
        self.code = code
        self.payload = payload
        self.text = text
        self.err = err


def _cmd_keygen(args: argparse.Namespace) -> _Result:
    from .configs import by_name
    from .errors import InputError, KeygenError
    from .keys import KeygenBuilder

    outputs = [args.output] + ([args.vk_out] if args.vk_out else [])
    if args.vk_out and os.path.abspath(args.vk_out) == os.path.abspath(args.output):
        raise CliError("--vk-out names the same file as -o", "UsageError")
    _check_output_path(args.output, "-o")
    if args.vk_out:
        _check_output_path(args.vk_out, "--vk-out")
    fri = parse_fri(args.fri)
    try:
        config = by_name(args.config) if args.config else None
    except InputError as exc:
        raise _wrap(exc, f"--config {args.config}") from None
    airs = load_circuit(args.circuit)
    kb = KeygenBuilder(fri, config)
    try:
        for air in airs:
            kb.add_air(air)
        pk = kb.generate_pk()
    except (KeygenError, InputError) as exc:
        raise _wrap(exc, args.circuit) from None
    vk = pk.vk
    pk_bytes = pk.to_bytes()
    vk_bytes = vk.to_bytes()
    files = [(args.output, pk_bytes)]
    if args.vk_out:
        files.append((args.vk_out, vk_bytes))
    write_atomic(files)
    info = _describe_key(vk)
    payload = {
        "ok": True,
        "command": "keygen",
        "circuit": args.circuit,
        "pk": args.output,
        "pk_bytes": len(pk_bytes),
        "vk": args.vk_out,
        "vk_bytes": len(vk_bytes),
        **info,
    }
    written = " and ".join(
        f"{p} ({n:,} bytes)"
        for p, n in zip(outputs, [len(pk_bytes), len(vk_bytes)][: len(outputs)], strict=True)
    )
    text = (
        f"wrote {written}\n"
        f"  {vk.num_airs} AIR(s): {', '.join(vk.air_names)}\n"
        f"  config {vk.config.name}, {vk.fri_params!r}, "
        f"{info['security'].get('security_bits')} bits of security"
    )
    return _Result(EXIT_OK, payload, text)


def _cmd_prove(args: argparse.Namespace) -> _Result:
    from .engine import Engine
    from .errors import (
        ConstraintViolation,
        DeviceError,
        InputError,
        ResourceError,
        UnbalancedInteractions,
        VerificationError,
    )

    _check_output_path(args.output, "-o")
    if args.metrics:
        _check_output_path(args.metrics, "--metrics")
    pk = _load_pk(args.pk)
    vk = pk.vk
    arrays = load_traces(args.traces)
    pv_source = "--public-values"
    public_values: dict[int, list[int]] = {}
    if args.public_values is not None:
        pv_source, public_values = parse_public_values(args.public_values, vk, args.pk)
    contexts = build_contexts(
        vk, arrays, public_values, traces_path=args.traces, key_path=args.pk, pv_source=pv_source
    )
    try:
        engine = Engine(vk.fri_params, device=args.device, config=vk.config)
    except (DeviceError, InputError) as exc:
        raise _wrap(exc, f"--device {args.device}") from None
    kwargs: dict[str, Any] = {"debug": bool(args.debug)}
    timings: dict[str, float] = {}
    if _accepts(engine.prove, "timings"):
        kwargs["timings"] = timings
    metrics: Any = None
    if args.metrics:
        from . import metrics as metrics_mod

        if not _accepts(engine.prove, "metrics"):
            raise CliError("--metrics: this version's Engine.prove has no metrics", "UsageError")
        metrics = metrics_mod.ProofMetrics()
        kwargs["metrics"] = metrics
    display = ProgressDisplay(not args.no_progress and _accepts(engine.prove, "progress"))
    if display.callback is not None:
        kwargs["progress"] = display.callback
    start = time.perf_counter()
    try:
        with display:
            proof = engine.prove(pk, contexts, **kwargs)
    except InputError as exc:
        raise _wrap(exc, args.traces) from None
    except (ConstraintViolation, UnbalancedInteractions) as exc:
        raise _wrap(exc, f"{args.traces}: the traces do not satisfy the AIRs") from None
    except VerificationError as exc:
        raise _wrap(exc, f"{args.pk}") from None
    except (DeviceError, ResourceError) as exc:
        raise _wrap(exc, "prove") from None
    seconds = time.perf_counter() - start
    proof_bytes = proof.to_bytes()
    files = [(args.output, proof_bytes)]
    if metrics is not None:
        files.append((args.metrics, metrics.to_json().encode()))
    write_atomic(files)
    airs = [
        {"id": a, "name": vk.air_names[a], "height": h}
        for a, h in zip(proof.air_ids, proof.trace_heights, strict=True)
    ]
    payload = {
        "ok": True,
        "command": "prove",
        "pk": args.pk,
        "traces": args.traces,
        "proof": args.output,
        "proof_bytes": len(proof_bytes),
        "device": engine.device,
        "seconds": seconds,
        "airs": airs,
        "timings": timings,
        "metrics": args.metrics,
    }
    text = (
        f"wrote {args.output} ({len(proof_bytes):,} bytes) in {seconds:.3f} s on {engine.device}\n"
        + "\n".join(f"  {a['name']} (id {a['id']}): height {a['height']}" for a in airs)
    )
    return _Result(EXIT_OK, payload, text)


def _cmd_verify(args: argparse.Namespace) -> _Result:
    from .engine import Engine
    from .errors import VerificationError

    vk = _load_vk(args.key)
    proof = _load_proof(args.proof)
    _check_proof_fits_key(vk, proof, key_path=args.key, proof_path=args.proof)
    engine = Engine(vk.fri_params, device="cpu", config=vk.config)
    start = time.perf_counter()
    base: dict[str, Any] = {"command": "verify", "key": args.key, "proof": args.proof}
    try:
        engine.verify(vk, proof)
    except VerificationError as exc:
        seconds = time.perf_counter() - start
        error = {"type": type(exc).__name__, "message": str(exc)}
        payload = {**base, "ok": False, "valid": False, "seconds": seconds, "error": error}
        return _Result(
            EXIT_REJECTED,
            payload,
            f"rejected: {args.proof}",
            f"{PROG} verify: rejected ({type(exc).__name__}): {args.proof}: {exc}",
        )
    seconds = time.perf_counter() - start
    payload = {**base, "ok": True, "valid": True, "seconds": seconds, "error": None}
    airs = ", ".join(
        f"{vk.air_names[a]}:{h}" for a, h in zip(proof.air_ids, proof.trace_heights, strict=True)
    )
    return _Result(EXIT_OK, payload, f"valid: {args.proof} against {args.key} [{airs}]")


def _check_proof_fits_key(vk: Any, proof: Any, *, key_path: str, proof_path: str) -> None:
    """What the proof says about its circuit (configuration, AIR ids, public value counts)
    against the key: a key for another circuit is bad input (exit 2), found before the
    verifier runs. Everything else is the verifier's to judge (exit 1)."""
    hint = "a key for another circuit?"
    if proof.config != vk.config:
        raise CliError(
            f"{proof_path}: the proof was made under the {proof.config.name} configuration, but "
            f"the key {key_path} is for {vk.config.name} ({hint})",
            "InvalidProofShape",
        )
    for air_id, pv in zip(proof.air_ids, proof.public_values, strict=True):
        if not 0 <= air_id < vk.num_airs:
            raise CliError(
                f"{proof_path}: the proof has AIR id {air_id}, but the key {key_path} has "
                f"{vk.num_airs} AIRs ({hint})",
                "InvalidProofShape",
            )
        want = vk.num_public_values[air_id]
        if len(pv) != want:
            raise CliError(
                f"{proof_path}: AIR id {air_id} has {len(pv)} public values in the proof, but "
                f"AIR {vk.air_names[air_id]!r} of the key {key_path} takes {want} ({hint})",
                "InvalidProofShape",
            )


def _cmd_inspect(args: argparse.Namespace) -> _Result:
    from .errors import ProofFormatError
    from .keys import ProvingKey, VerifyingKey
    from .proof import Proof

    data = _read_bytes(args.file, "a key or a proof")
    kind = _file_kind(data)
    if kind is None:
        raise CliError(
            f"{args.file}: not a stark_backend key or proof (it starts with {bytes(data[:4])!r}; "
            "expected SBPK, SBVK or SBPF)",
            "ProofFormatError",
        )
    payload: dict[str, Any] = {"ok": True, "command": "inspect", "file": args.file, "kind": kind}
    payload["bytes"] = len(data)
    try:
        if kind == "proof":
            proof = Proof.from_bytes(data)
        elif kind == "proving_key":
            pk = ProvingKey.from_bytes(data)
            vk = pk.vk
        else:
            vk = VerifyingKey.from_bytes(data)
    except ProofFormatError as exc:
        raise _wrap(exc, args.file) from None
    if kind != "proof":
        if kind == "proving_key":
            payload["vk_bytes"] = len(vk.to_bytes())
        payload.update(_describe_key(vk))
        return _Result(EXIT_OK, payload, _key_text(payload))
    key = _load_vk(args.key) if args.key else None
    names = key.air_names if key is not None else None
    airs = []
    for a, h, pv in zip(proof.air_ids, proof.trace_heights, proof.public_values, strict=True):
        entry: dict[str, Any] = {"id": a, "height": h, "public_values": pv}
        if names is not None and a < len(names):
            entry["name"] = names[a]
        airs.append(entry)
    payload["config"] = _config_dict(proof.config)
    payload["airs"] = airs
    if hasattr(proof._raw, "section_sizes"):
        payload["sections"] = {str(k): int(v) for k, v in proof._raw.section_sizes()}
    if key is not None:
        payload["key"] = args.key
        payload["fri"] = _fri_dict(key.fri_params)
        payload["security"] = _security(key)
    return _Result(EXIT_OK, payload, _proof_text(payload))


def _key_text(p: dict[str, Any]) -> str:
    fri = p["fri"]
    lines = [
        f"{p['file']}: {p['kind'].replace('_', ' ')}, {p['bytes']:,} bytes"
        + (f" (verifying key {p['vk_bytes']:,} bytes)" if "vk_bytes" in p else ""),
        f"  config    {p['config']['name']} (hash {p['config']['hash']})",
        f"  FRI       log_blowup={fri['log_blowup']} log_final_poly_len="
        f"{fri['log_final_poly_len']} num_queries={fri['num_queries']} "
        f"pow={fri['commit_proof_of_work_bits']}/{fri['query_proof_of_work_bits']} "
        f"max_constraint_degree={fri['max_constraint_degree']}",
        "  security  " + ", ".join(f"{k}={v}" for k, v in p["security"].items()),
        f"  {p['num_airs']} AIR(s):",
    ]
    for a in p["airs"]:
        cached = f" cached={a['cached_main_widths']}" if a["cached_main_widths"] else ""
        prep = (
            f" preprocessed={a['preprocessed_width']}x{a['preprocessed_height']}"
            if a["preprocessed_width"]
            else ""
        )
        lines.append(
            f"    {a['id']}: {a['name']}  main={a['main_width']}{cached}{prep} "
            f"after_challenge={a['after_challenge_width']} total={a['total_width']} "
            f"interactions={a['num_interactions']} public_values={a['num_public_values']} "
            f"quotient_degree={a['quotient_degree']}"
        )
    return "\n".join(lines)


def _proof_text(p: dict[str, Any]) -> str:
    lines = [
        f"{p['file']}: proof, {p['bytes']:,} bytes",
        f"  config    {p['config']['name']}",
        f"  {len(p['airs'])} AIR(s) present:",
    ]
    for a in p["airs"]:
        name = f" {a['name']}" if "name" in a else ""
        lines.append(
            f"    {a['id']}:{name}  height={a['height']} public_values={a['public_values']}"
        )
    if "sections" in p:
        lines.append("  sections (bytes):")
        lines.extend(f"    {k:<20} {v:>10,}" for k, v in p["sections"].items())
    if "security" in p:
        lines.append("  security  " + ", ".join(f"{k}={v}" for k, v in p["security"].items()))
    return "\n".join(lines)


def _cmd_estimate(args: argparse.Namespace) -> _Result:
    from .engine import Engine
    from .errors import DeviceError, InputError

    if not hasattr(Engine, "estimate"):
        raise CliError(
            "estimate: this version of stark_backend has no Engine.estimate", "UsageError"
        )
    pk = _load_pk(args.pk)
    vk = pk.vk
    heights: dict[int, int] | list[int | None]
    if args.heights is not None:
        heights = parse_heights(args.heights, vk, args.pk)
    else:
        arrays = load_traces(args.traces)
        resolve = _air_resolver(vk, args.traces, args.pk)
        heights = {}
        for key, arr in arrays.items():
            if arr.ndim < 1:
                raise CliError(f"{args.traces}: array {key!r}: shape {arr.shape}, expected 2-D")
            heights[resolve(key)] = int(arr.shape[0])
    try:
        engine = Engine(vk.fri_params, device=args.device, config=vk.config)
    except (DeviceError, InputError) as exc:
        raise _wrap(exc, f"--device {args.device}") from None
    try:
        est = engine.estimate(pk, heights)
    except InputError as exc:
        raise _wrap(exc, "--heights" if args.heights is not None else args.traces) from None
    result = est.to_dict()
    payload = {"ok": True, "command": "estimate", "pk": args.pk, "estimate": result}
    text = "\n".join([f"{args.pk}: {est}", *(f"  {k}: {v}" for k, v in result.items())])
    return _Result(EXIT_OK, payload, text)


# -- the parser and main ------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Keys and proofs as files: keygen, prove, verify, inspect, estimate.",
        epilog="Exit codes: 0 success, 1 proof rejected, 2 bad usage or bad input. "
        "See docs/cli.md.",
    )
    common = _Parser(add_help=False)
    common.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout (also on failure)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "keygen", parents=[common], help="key a circuit: MODULE:FACTORY -> pk.bin [vk.bin]"
    )
    p.add_argument(
        "circuit",
        metavar="MODULE:FACTORY",
        help="a function returning the AIRs in order (module name or path/to/file.py)",
    )
    p.add_argument("-o", "--output", required=True, metavar="PK", help="proving key file")
    p.add_argument("--vk-out", metavar="VK", help="also write the verifying key here")
    p.add_argument(
        "--fri",
        default="standard_fast",
        metavar="PARAMS",
        help="standard_fast (default), standard_100_bits:LOG_BLOWUP, or "
        "LOG_BLOWUP,LOG_FINAL_POLY_LEN,NUM_QUERIES,COMMIT_POW,QUERY_POW",
    )
    p.add_argument(
        "--config", metavar="NAME", help="configuration name (default baby_bear_poseidon2)"
    )
    p.set_defaults(func=_cmd_keygen)

    p = sub.add_parser("prove", parents=[common], help="prove traces: pk.bin traces.npz -> proof")
    p.add_argument("pk", metavar="PK", help="proving key file")
    p.add_argument("traces", metavar="TRACES.npz", help="one array per present AIR, by AIR name")
    p.add_argument(
        "--public-values",
        metavar="JSON",
        help='inline JSON or a JSON file: {"AIR name": [ints], ...}',
    )
    p.add_argument("-o", "--output", required=True, metavar="PROOF", help="proof file")
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")
    p.add_argument("--debug", action="store_true", help="check every constraint and bus first")
    p.add_argument("--metrics", metavar="FILE.json", help="write the proof's metrics here")
    p.add_argument("--no-progress", action="store_true", help="no progress display")
    p.set_defaults(func=_cmd_prove)

    p = sub.add_parser("verify", parents=[common], help="verify a proof: exit 0 valid, 1 rejected")
    p.add_argument("key", metavar="VK", help="verifying key (or proving key) file")
    p.add_argument("proof", metavar="PROOF", help="proof file")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("inspect", parents=[common], help="what a key or proof file holds")
    p.add_argument("file", metavar="FILE", help="a proving key, verifying key or proof")
    p.add_argument("--key", metavar="VK", help="for a proof: the key, to name AIRs and security")
    p.set_defaults(func=_cmd_inspect)

    p = sub.add_parser("estimate", parents=[common], help="predict prove time, memory and size")
    p.add_argument("pk", metavar="PK", help="proving key file")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--heights",
        metavar="SPEC",
        help="NAME=2^16,OTHER=1024 (the others absent) or one height per AIR (- for absent)",
    )
    group.add_argument("--traces", metavar="TRACES.npz", help="take the heights from a trace file")
    p.add_argument("--device", default="auto", help="cpu, cuda or auto (default)")
    p.set_defaults(func=_cmd_estimate)
    return parser


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def _emit_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, default=_json_default) + "\n")
    sys.stdout.flush()


@contextmanager
def _no_traceback_on_broken_pipe() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit code (0, 1 or 2)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    want_json = "--json" in args_list
    if args_list and args_list[0] == "--json":
        args_list = [*args_list[1:2], "--json", *args_list[2:]]
    command = args_list[0] if args_list and args_list[0] in COMMANDS else None
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
        command = args.command
        result: _Result = args.func(args)
    except SystemExit as exc:  # --help
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        return code
    except _UsageError as exc:
        return _fail(command, "UsageError", exc.message, want_json, usage=exc.usage)
    except CliError as exc:
        return _fail(command, exc.kind, exc.message, want_json)
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as exc:
        from .errors import StarkError

        if isinstance(exc, StarkError):
            return _fail(command, type(exc).__name__, str(exc), want_json)
        import traceback

        traceback.print_exc()
        return _fail(command, type(exc).__name__, f"internal error: {exc}", want_json)
    with _no_traceback_on_broken_pipe():
        if result.err:
            sys.stderr.write(result.err + "\n")
        if args.json:
            _emit_json(result.payload)
        elif result.text:
            sys.stdout.write(result.text + "\n")
        sys.stdout.flush()
    return result.code


def _fail(command: str | None, kind: str, message: str, want_json: bool, *, usage: str = "") -> int:
    where = f"{PROG} {command}" if command else PROG
    if usage:
        sys.stderr.write(usage)
    sys.stderr.write(f"{where}: error ({kind}): {message}\n")
    if want_json:
        _emit_json(
            {
                "ok": False,
                "command": command,
                "exit_code": EXIT_BAD_INPUT,
                "error": {"type": kind, "message": message},
            }
        )
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
