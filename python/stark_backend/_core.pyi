# Type stubs of the compiled module; regenerate with scripts/fix_stub.py (see its docstring).
"""
stark_backend compiled core (private; use the stark_backend package)
"""

from __future__ import annotations

import collections.abc
import typing

import numpy
import numpy.typing

__all__: list[str] = [
    "MAX_THREADS",
    "Challenger",
    "CommittedTrace",
    "ConstraintSystem",
    "FriParameters",
    "MerkleTree",
    "P",
    "Proof",
    "ProvingKey",
    "VerifyingKey",
    "air_after_challenge_trace",
    "air_check_ood",
    "air_folded_at",
    "air_quotient_chunks",
    "air_quotient_values",
    "air_recombine_quotient",
    "bench_bn254_poseidon2",
    "bench_byte_hash",
    "bench_mul_throughput",
    "bench_poseidon2",
    "bit_reverse_rows",
    "bn254_poseidon2_permute",
    "byte_hash",
    "byte_hash_rows",
    "commit_cached",
    "compress",
    "coset_lde",
    "coset_lde_from_coset",
    "cuda_available",
    "cuda_compiled",
    "cuda_copy_to_host",
    "cuda_coset_lde",
    "cuda_describe",
    "cuda_device_properties",
    "cuda_hash_rows",
    "cuda_ntt",
    "cuda_poseidon2_permute",
    "cuda_resident_bench",
    "ext_inv",
    "ext_mul",
    "field_add",
    "field_inv",
    "field_mul",
    "field_sub",
    "hash_rows",
    "hash_sponge",
    "keccak_f1600",
    "keygen",
    "merkle_root",
    "merkle_verify",
    "ntt",
    "num_threads",
    "poseidon2_permute",
    "prove",
    "prover_device_name",
    "prover_device_names",
    "raise_core_exception_for_tests",
    "set_num_threads",
    "set_simd_level",
    "simd_active",
    "simd_detected",
    "stark_config",
    "stark_configs",
    "validate_prove_inputs",
    "verify",
]

class MerkleTree:
    """
    Mixed-height Merkle tree over a list[typing.Any] of matrices; keeps every layer for openings. The tree references the arrays (no copy): do not modify them while it is in use.
    """
    def __init__(self, matrices: typing.Any) -> None: ...
    def open(
        self, index: typing.Any
    ) -> tuple[list[typing.Any], numpy.typing.NDArray[numpy.uint32]]:
        """
        (rows, siblings): row index >> (L - log2 h_m) of every matrix in original order, and the (L, 8) sibling digests, leaf level first.
        """
    def root(self) -> numpy.typing.NDArray[numpy.uint32]:
        """
        Root digest, shape (8,).
        """
    @property
    def height(self) -> int:
        """
        Height of the tallest matrix (number of leaves).
        """
    @property
    def num_matrices(self) -> int: ...

class Challenger:
    """
    Fiat–Shamir challenger of a configuration (default baby_bear_poseidon2: the duplex sponge over Poseidon2, width 16, rate 8; fresh = all-zero state).
    """
    def __copy__(self) -> Challenger: ...
    def __deepcopy__(self, memo: typing.Any) -> Challenger: ...
    def __eq__(self, other: object) -> bool: ...
    @typing.overload
    def __init__(self) -> None: ...
    @typing.overload
    def __init__(self, config: str) -> None: ...
    def check_witness(self, bits: typing.Any, witness: typing.Any) -> bool:
        """
        Verifier side of grind (observes the witness when bits > 0).
        """
    def copy(self) -> Challenger: ...
    def grind(self, bits: typing.Any) -> int:
        """
        Smallest proof-of-work witness for `bits`; the challenger then observes it and samples like the verifier's check_witness.
        """
    def observe(self, value: typing.Any) -> None: ...
    def observe_digest(self, digest: typing.Any) -> None:
        """
        Observe a commitment digest: 32 bytes or 8 little-endian u32 words, valid for the challenger's configuration (InputError otherwise).
        """
    def observe_ext(self, value: typing.Any) -> None:
        """
        Observe an extension element (c0, c1, c2, c3) as four base elements.
        """
    def observe_many(self, values: typing.Any) -> None: ...
    def sample(self) -> int:
        """
        Next challenge element (canonical int).
        """
    def sample_bits(self, bits: typing.Any) -> int:
        """
        canonical(sample()) mod 2^bits (bits <= 30).
        """
    def sample_ext(self) -> tuple[int, int, int, int]:
        """
        Extension challenge (c0, c1, c2, c3) from four consecutive samples.
        """
    @property
    def input_buffer(self) -> list[int]: ...
    @property
    def output_buffer(self) -> list[int]: ...
    @property
    def state(self) -> list[int]:
        """
        The 16 sponge words (for tests).
        """
    @property
    def transcript(self) -> str: ...

class FriParameters:
    @staticmethod
    def standard_fast() -> FriParameters: ...
    @staticmethod
    def standard_with_100_bits_security(log_blowup: typing.Any) -> FriParameters:
        """
        openvm's 100-bit set for log_blowup 1..4.
        """
    def __init__(
        self,
        log_blowup: typing.Any,
        log_final_poly_len: typing.Any,
        num_queries: typing.Any,
        commit_proof_of_work_bits: typing.Any,
        query_proof_of_work_bits: typing.Any,
    ) -> None:
        """
        Validated parameters: InputError naming the field and its range.
        """
    def as_tuple(self) -> tuple[int, int, int, int, int]: ...
    def conjectured_security_bits(self) -> int: ...
    def max_constraint_degree(self) -> int: ...
    def security_bits(self) -> int: ...
    @property
    def commit_proof_of_work_bits(self) -> int: ...
    @property
    def log_blowup(self) -> int: ...
    @property
    def log_final_poly_len(self) -> int: ...
    @property
    def num_queries(self) -> int: ...
    @property
    def query_proof_of_work_bits(self) -> int: ...

class VerifyingKey:
    @staticmethod
    def from_bytes(arg0: bytes) -> VerifyingKey: ...
    def to_bytes(self) -> bytes: ...
    @property
    def air_names(self) -> list[str]: ...
    @property
    def cached_main_widths(self) -> list[list[int]]: ...
    @property
    def common_main_widths(self) -> list[int]: ...
    @property
    def config_id(self) -> int: ...
    @property
    def constraint_systems(self) -> list[typing.Any]: ...
    @property
    def deep_pow_bits(self) -> int: ...
    @property
    def fri(self) -> tuple[typing.Any, ...]: ...
    @property
    def log_up_pow_bits(self) -> int: ...
    @property
    def main_widths(self) -> list[int]: ...
    @property
    def num_airs(self) -> int: ...
    @property
    def num_interactions(self) -> list[int]: ...
    @property
    def num_public_values(self) -> list[int]: ...
    @property
    def pre_hash(self) -> list[int]: ...
    @property
    def preprocessed_heights(self) -> list[int | None]: ...
    @property
    def preprocessed_widths(self) -> list[int]: ...
    @property
    def quotient_degrees(self) -> list[int]: ...
    @property
    def total_widths(self) -> list[int]: ...
    @property
    def trace_height_constraints(self) -> list[typing.Any]: ...

class ProvingKey:
    @staticmethod
    def from_bytes(arg0: bytes) -> ProvingKey: ...
    def preprocessed_trace(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> typing.Any: ...
    def to_bytes(self) -> bytes: ...
    @property
    def vk(self) -> VerifyingKey: ...

class Proof:
    @staticmethod
    def from_bytes(arg0: bytes) -> Proof: ...
    def num_bytes(self) -> int: ...
    def section_sizes(self) -> list[tuple[str, int]]:
        """
        Bytes per section of the encoding, in format order: (section, bytes) pairs.
        """
    def to_bytes(self) -> bytes: ...
    @property
    def air_ids(self) -> list[int]: ...
    @property
    def config_id(self) -> int: ...
    @property
    def heights(self) -> list[int]: ...
    @property
    def public_values(self) -> list[list[int]]: ...

class CommittedTrace:
    """
    A cached main partition committed once (commit_cached), reused by later proofs.
    """
    @property
    def air_id(self) -> int: ...
    @property
    def air_name(self) -> str: ...
    @property
    def height(self) -> int: ...
    @property
    def lde_bytes(self) -> int:
        """
        Bytes of host memory its LDE holds (the Merkle tree comes on top).
        """
    @property
    def partition(self) -> int: ...
    @property
    def root(self) -> list[int]: ...
    @property
    def trace(self) -> numpy.typing.NDArray[numpy.uint32]:
        """
        The committed trace (height × width uint32, read-only).
        """
    @property
    def width(self) -> int: ...

class ConstraintSystem:
    """
    One AIR's constraint system decoded from its canonical IR bytes (stark_backend.air.ir) and validated.
    """
    @staticmethod
    def from_bytes(data: bytes) -> ConstraintSystem:
        """
        Decode and validate; ProofFormatError (with the byte offset) on malformed bytes.
        """
    def __eq__(self, other: object) -> bool: ...
    def __repr__(self) -> str: ...
    def to_bytes(self) -> bytes:
        """
        The canonical encoding (identical to the bytes it was decoded from).
        """
    @property
    def after_challenge_width(self) -> int: ...
    @property
    def cached_main_widths(self) -> list[int]: ...
    @property
    def common_main_width(self) -> int: ...
    @property
    def interaction_chunks(self) -> list[list[int]]: ...
    @property
    def max_degree(self) -> int: ...
    @property
    def node_degrees(self) -> list[int]: ...
    @property
    def num_air_constraints(self) -> int: ...
    @property
    def num_constraints(self) -> int: ...
    @property
    def num_interactions(self) -> int: ...
    @property
    def num_nodes(self) -> int: ...
    @property
    def num_public_values(self) -> int: ...
    @property
    def preprocessed_height(self) -> int: ...
    @property
    def preprocessed_width(self) -> int: ...
    @property
    def quotient_degree(self) -> int: ...

def air_after_challenge_trace(
    cs: ConstraintSystem,
    preprocessed: typing.Any,
    mains: typing.Any,
    public_values: typing.Any,
    alpha_lu: typing.Any,
    beta_lu: typing.Any,
) -> tuple[numpy.typing.NDArray[numpy.uint32], numpy.typing.NDArray[numpy.uint32]]:
    """
    (flattened (n, 4*(chunks+1)), cumulative_sum (4,)) from traces in natural row order.
    """

def air_check_ood(
    cs: ConstraintSystem,
    log_height: typing.SupportsInt | typing.SupportsIndex,
    zeta: typing.Any,
    main_local: typing.Any,
    main_next: typing.Any,
    public_values: typing.Any,
    alpha: typing.Any,
    chunk_values: typing.Any,
    *,
    preprocessed_local: typing.Any = None,
    preprocessed_next: typing.Any = None,
    after_challenge_local: typing.Any = None,
    after_challenge_next: typing.Any = None,
    challenges: typing.Any = None,
    exposed: typing.Any = None,
    air_name: str = "",
) -> None:
    """
    The out-of-domain check of one AIR; raises OodEvaluationMismatch on failure.
    """

def air_folded_at(
    cs: ConstraintSystem,
    log_height: typing.SupportsInt | typing.SupportsIndex,
    zeta: typing.Any,
    main_local: typing.Any,
    main_next: typing.Any,
    public_values: typing.Any,
    alpha: typing.Any,
    *,
    preprocessed_local: typing.Any = None,
    preprocessed_next: typing.Any = None,
    after_challenge_local: typing.Any = None,
    after_challenge_next: typing.Any = None,
    challenges: typing.Any = None,
    exposed: typing.Any = None,
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    fold(zeta) from opened values: rows of extension elements, shape (w, 4); main_local/main_next are lists with one row per main partition.
    """

def air_quotient_chunks(
    values: typing.Any, quotient_degree: typing.SupportsInt | typing.SupportsIndex
) -> list[typing.Any]:
    """
    The q chunk matrices (n, 4): chunk t row j = Q(x_{t + j q}).
    """

def air_quotient_values(
    cs: ConstraintSystem,
    log_blowup: typing.SupportsInt | typing.SupportsIndex,
    preprocessed: typing.Any,
    mains: typing.Any,
    after_challenge: typing.Any,
    public_values: typing.Any,
    challenges: typing.Any,
    exposed: typing.Any,
    alpha: typing.Any,
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Q(x_i) on the quotient domain in natural order, shape (n*q, 4); inputs are LDEs (bit-reversed rows).
    """

def air_recombine_quotient(
    log_height: typing.SupportsInt | typing.SupportsIndex,
    quotient_degree: typing.SupportsInt | typing.SupportsIndex,
    zeta: typing.Any,
    chunk_values: typing.Any,
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Q(zeta) from the opened chunk values, shape (q, 4, 4).
    """

def bench_bn254_poseidon2(
    count: typing.SupportsInt | typing.SupportsIndex,
    threads: typing.SupportsInt | typing.SupportsIndex,
) -> float:
    """
    BN254 Poseidon2 permutations per second.
    """

def bench_byte_hash(
    kind: str,
    rows: typing.SupportsInt | typing.SupportsIndex,
    width: typing.SupportsInt | typing.SupportsIndex,
    threads: typing.SupportsInt | typing.SupportsIndex,
) -> float:
    """
    Bytes per second of byte_hash_rows on rows x width words with `threads` threads.
    """

def bench_mul_throughput(
    extension: bool, count: typing.SupportsInt | typing.SupportsIndex
) -> float:
    """
    Field multiplications per second on the active SIMD level, one thread (base or extension field).
    """

def bench_poseidon2(
    count: typing.SupportsInt | typing.SupportsIndex,
    threads: typing.SupportsInt | typing.SupportsIndex,
) -> float:
    """
    Permutations per second of the batched permutation on `count` states with `threads` threads.
    """

def bit_reverse_rows(
    values: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    New array whose row i is row rev(i) of values (n a power of two).
    """

def bn254_poseidon2_permute(state: collections.abc.Sequence[str]) -> list[str]:
    """
    Poseidon2 over BN254 (width 3) of three canonical elements given as hex strings; returns hex.
    """

def byte_hash(kind: str, data: bytes) -> bytes:
    """
    Keccak-256 or BLAKE3 of `data` (32 bytes).
    """

def byte_hash_rows(kind: str, matrix: typing.Any) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Leaf digests (h, 8) of the rows of an (h, w) uint32 matrix, each row hashed as its little-endian bytes (SIMD across rows, multi-threaded).
    """

def commit_cached(
    pk: ProvingKey,
    air_id: typing.SupportsInt | typing.SupportsIndex,
    partition: typing.SupportsInt | typing.SupportsIndex,
    trace: typing.Any,
    timings: typing.Any = None,
) -> CommittedTrace:
    """
    Commit a cached main partition once: its LDE and Merkle tree, bound to the key, AIR and partition.
    """

def compress(left: typing.Any, right: typing.Any) -> numpy.typing.NDArray[numpy.uint32]:
    """
    2-to-1 compression C(l, r) = Perm(l || r)[0..8) of two (8,) digests.
    """

def coset_lde(
    evals: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
    log_blowup: typing.SupportsInt | typing.SupportsIndex,
    shift: typing.SupportsInt | typing.SupportsIndex,
    bit_reversed: bool,
    out: typing.Any = None,
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Evaluations on H_n (natural order) -> evaluations on shift * H_(n 2^log_blowup), natural or bit-reversed row order. Returns a new (n << log_blowup, w) array, or fills and returns `out`.
    """

def coset_lde_from_coset(
    evals: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
    in_shift: typing.SupportsInt | typing.SupportsIndex,
    log_blowup: typing.SupportsInt | typing.SupportsIndex,
    out_shift: typing.SupportsInt | typing.SupportsIndex,
    out: typing.Any = None,
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Evaluations on in_shift * H_n -> evaluations on out_shift * H_(n 2^log_blowup) in bit-reversed row order (the PCS commitment layout).
    """

def cuda_available() -> bool:
    """
    True if the CUDA units were compiled in and a usable GPU is present.
    """

def cuda_compiled() -> bool:
    """
    True if the CUDA units were compiled in.
    """

def cuda_copy_to_host(
    pointer: typing.SupportsInt | typing.SupportsIndex,
    height: typing.SupportsInt | typing.SupportsIndex,
    width: typing.SupportsInt | typing.SupportsIndex,
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Copy a C-contiguous (height, width) uint32 matrix from CUDA device memory to a new array.
    """

def cuda_coset_lde(
    evals: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
    log_blowup: typing.SupportsInt | typing.SupportsIndex,
    shift: typing.SupportsInt | typing.SupportsIndex,
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Coset LDE on the GPU: evaluations on H_n -> evaluations on shift*H_(n*2^b), rows bit-reversed.
    """

def cuda_describe() -> str:
    """
    The device in use, or why none is usable.
    """

def cuda_device_properties() -> dict[str, typing.Any]:
    """
    The current GPU: name, compute_capability, total_memory_bytes, multiprocessors and the peak memory_bandwidth_bytes_per_s (DeviceError without one).
    """

def cuda_hash_rows(
    matrix: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Padding-free sponge of every row of an (h, w) uint32 array on the GPU; returns (h, 8).
    """

def cuda_ntt(
    values: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32], inverse: bool = False
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    NTT along axis 0 of an (n,) or (n, w) uint32 array on the GPU (natural order in and out).
    """

def cuda_poseidon2_permute(
    states: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Poseidon2 permutation of each row of an (n, 16) uint32 array on the GPU; returns (n, 16).
    """

def cuda_resident_bench(
    kind: str,
    log_height: typing.SupportsInt | typing.SupportsIndex,
    width: typing.SupportsInt | typing.SupportsIndex,
    repeats: typing.SupportsInt | typing.SupportsIndex,
) -> float:
    """
    Median seconds of a kernel with its data on the GPU: kind 'poseidon2' (2^log_height permutations), 'lde' (blowup-2 coset LDE of 2^log_height x width) or 'merkle'.
    """

def ext_inv(
    a: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Element-wise inverse in F_p[X]/(X^4 - 11) of an (n, 4) array; 0 maps to 0.
    """

def ext_mul(
    a: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
    b: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Element-wise product in F_p[X]/(X^4 - 11) of two (n, 4) arrays of coefficients (c0, c1, c2, c3).
    """

def field_add(
    a: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
    b: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Element-wise a + b mod p of two equal-length 1-D uint32 arrays.
    """

def field_inv(
    a: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Element-wise inverse mod p (batch inversion); 0 maps to 0.
    """

def field_mul(
    a: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
    b: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Element-wise a * b mod p of two equal-length 1-D uint32 arrays.
    """

def field_sub(
    a: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
    b: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Element-wise a - b mod p of two equal-length 1-D uint32 arrays.
    """

def hash_rows(matrices: typing.Any) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Leaf digests: row i -> Hs(row i of every matrix, concatenated). Matrices (h, w_i) of equal height; returns (h, 8).
    """

def hash_sponge(values: typing.Any) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Padding-free sponge Hs (rate 8, overwrite mode) of a 1-D uint32 array; returns the (8,) digest.
    """

def keccak_f1600(
    states: typing.Annotated[numpy.typing.ArrayLike, numpy.uint64],
) -> numpy.typing.NDArray[numpy.uint64]:
    """
    Keccak-f[1600] of each row of an (n, 25) uint64 array (lane x + 5y).
    """

def keygen(
    fri: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex],
    airs: list[typing.Any],
    config: str = "baby_bear_poseidon2",
) -> ProvingKey:
    """
    Keygen from (name, constraint-system bytes, preprocessed uint32 matrix or None) per AIR.
    """

def merkle_root(
    matrices: typing.Any, config: str = "baby_bear_poseidon2"
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    MMCS root (8 little-endian words) of a list[typing.Any] of (height, width) uint32 matrices under a configuration's hasher (docs/protocol.md §2.1).
    """

def merkle_verify(
    root: typing.Any,
    heights: typing.Any,
    widths: typing.Any,
    index: typing.Any,
    rows: typing.Any,
    siblings: typing.Any,
) -> tuple[bool, str]:
    """
    Verify a batch opening (docs/protocol.md §2.3). Returns (ok, reason); reason is '' when ok. Malformed verifier parameters (heights, widths) raise InputError.
    """

def ntt(
    values: typing.Annotated[numpy.typing.ArrayLike, numpy.uint32],
    inverse: bool,
    out: typing.Any = None,
) -> numpy.typing.NDArray[numpy.uint32]:
    """
    NTT of every column of an (n, w) array: forward maps coefficients to evaluations at w_n^0..w_n^(n-1), inverse maps back (with 1/n). Returns a new array, or fills and returns `out` (same shape, must not overlap values).
    """

def num_threads() -> int:
    """
    Threads used by the core.
    """

def poseidon2_permute(states: typing.Any) -> numpy.typing.NDArray[numpy.uint32]:
    """
    Poseidon2 permutation of each row of an (n, 16) uint32 array; returns a new (n, 16) array.
    """

def prove(
    pk: ProvingKey,
    device: str,
    contexts: list[typing.Any],
    timings: typing.Any = None,
    counts: typing.Any = None,
    progress: typing.Any = None,
) -> Proof:
    """
    Prove from (air_id, [cached uint32 matrices], common uint32 matrix or None, uint32 public values[, on_gpu]).
    With on_gpu True, each matrix is (pointer, height, width) of C-contiguous uint32 in CUDA device memory.
    timings: an optional dict[str, typing.Any], filled with wall-clock seconds per prover phase.
    counts: an optional dict[str, typing.Any], filled with {phase: {counter: count}} (hash_permutations, grinding_permutations).
    progress: an optional callable(phase, seconds), called as each top-level phase ends.
    """

def prover_device_name(kind: str) -> str:
    """
    The device a name selects: 'auto' (the first usable accelerator, else 'cpu') or a registered name.
    """

def prover_device_names() -> list[str]:
    """
    The registered prover devices, in registry order.
    """

def raise_core_exception_for_tests(kind: str) -> None:
    """
    Throw a C++ exception of the given kind (runtime_error, logic_error, out_of_range, invalid_argument, bad_alloc, internal_error, resource_error, not_an_exception): for tests of the exception translation.
    """

def set_num_threads(n: typing.SupportsInt | typing.SupportsIndex) -> None:
    """
    Set the core's thread count (n <= 0 restores the default, at most MAX_THREADS).
    """

def set_simd_level(level: str) -> None:
    """
    Force a SIMD level (for tests and benchmarks); it must be supported by the CPU.
    """

def simd_active() -> str: ...
def simd_detected() -> str:
    """
    Best SIMD level of this CPU: 'scalar', 'avx2' or 'avx512'.
    """

def stark_config(name: str) -> dict[str, typing.Any]:
    """
    One configuration by name (InputError naming the known ones otherwise).
    """

def stark_configs() -> list[typing.Any]:
    """
    Every registered configuration: dicts of id, name, hash, transcript, digest, collision_bits, description.
    """

def validate_prove_inputs(pk: ProvingKey, contexts: list[typing.Any]) -> None:
    """
    The prover's input checks alone (InputError), for contexts in prove's form.
    """

def verify(
    vk: VerifyingKey,
    fri: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex],
    proof: Proof,
) -> None: ...

MAX_THREADS: int = 1024
P: int = 2013265921
