"""STARK configurations: what a proof commits and hashes with.

Every configuration proves BabyBear traces with the same multi-AIR STARK and FRI; they differ in
the Merkle hash and the Fiat-Shamir transcript, so pick one by where the proof goes next:

- ``baby_bear_poseidon2()``: Poseidon2-16 over BabyBear, duplex transcript; for recursion
  (the default).
- ``baby_bear_keccak()``: Keccak-256, serializing transcript; cheap to verify on the EVM.
- ``baby_bear_blake3()``: BLAKE3, serializing transcript; fast native verifiers.
- ``baby_bear_poseidon2_root()``: Poseidon2 over BN254 (width 3, x^5), BN254 duplex transcript;
  the proof a BN254 SNARK verifies.

``sb.Engine(params, config=sb.configs.baby_bear_keccak())`` selects one; ``engine.config`` and
``vk.config`` name it. The configuration's id is written into every verifying key and proof, and a
proof is only accepted by a key of its own configuration (:class:`~stark_backend.InvalidProofShape`
naming both otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _core
from .errors import InputError

if TYPE_CHECKING:
    from .fri_params import FriParameters

__all__ = [
    "StarkConfig",
    "all_configs",
    "baby_bear_blake3",
    "baby_bear_keccak",
    "baby_bear_poseidon2",
    "baby_bear_poseidon2_root",
    "by_name",
]


class StarkConfig:
    """One configuration (immutable; equal when the names are equal).

    Attributes: ``name`` (``"baby_bear_keccak"``), ``id`` (the number in keys and proofs),
    ``hash`` (``"keccak256"``), ``transcript`` (``"serializing_keccak256"``), ``digest`` (what a
    valid 32-byte digest is), ``collision_bits`` (the digest's collision resistance, bits) and
    ``description``.
    """

    __slots__ = ("_info",)

    def __init__(self, info: dict[str, Any]) -> None:
        self._info = dict(info)

    @property
    def name(self) -> str:
        return str(self._info["name"])

    @property
    def id(self) -> int:
        return int(self._info["id"])

    @property
    def hash(self) -> str:
        return str(self._info["hash"])

    @property
    def transcript(self) -> str:
        return str(self._info["transcript"])

    @property
    def digest(self) -> str:
        return str(self._info["digest"])

    @property
    def collision_bits(self) -> int:
        return int(self._info["collision_bits"])

    @property
    def description(self) -> str:
        return str(self._info["description"])

    def security_report(self, fri_params: FriParameters) -> dict[str, int]:
        """Soundness figures of proofs under this configuration, in bits: the FRI terms
        (``fri_proven``: unique-decoding regime, ``fri_conjectured``: ethSTARK conjecture) and
        the digest's collision bound; ``security_bits`` is the smaller of the proven FRI term
        and the collision bound."""
        proven = fri_params.security_bits()
        return {
            "fri_proven": proven,
            "fri_conjectured": fri_params.conjectured_security_bits(),
            "digest_collision": self.collision_bits,
            "security_bits": min(proven, self.collision_bits),
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StarkConfig) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("StarkConfig", self.name))

    def __repr__(self) -> str:
        return f"configs.{self.name}()"


def by_name(name: str) -> StarkConfig:
    """The configuration called ``name``; :class:`~stark_backend.InputError` naming the known
    ones otherwise."""
    if not isinstance(name, str):
        raise InputError(f"configuration name must be a str, got {type(name).__name__}")
    return StarkConfig(_core.stark_config(name))


def by_id(config_id: int) -> StarkConfig:
    """The configuration whose id is ``config_id`` (as read from a key or proof)."""
    for info in _core.stark_configs():
        if int(info["id"]) == config_id:
            return StarkConfig(info)
    raise InputError(f"unknown configuration id {config_id}")


def all_configs() -> list[StarkConfig]:
    """Every configuration, in id order."""
    return [StarkConfig(info) for info in _core.stark_configs()]


def baby_bear_poseidon2() -> StarkConfig:
    """Poseidon2-16 over BabyBear commitments and a Poseidon2 duplex transcript (the default;
    cheapest to verify inside a BabyBear STARK, i.e. for recursion)."""
    return by_name("baby_bear_poseidon2")


def baby_bear_keccak() -> StarkConfig:
    """Keccak-256 commitments and a serializing Keccak-256 transcript (cheap on the EVM)."""
    return by_name("baby_bear_keccak")


def baby_bear_blake3() -> StarkConfig:
    """BLAKE3 commitments and a serializing BLAKE3 transcript (fast native verifiers)."""
    return by_name("baby_bear_blake3")


def baby_bear_poseidon2_root() -> StarkConfig:
    """BabyBear traces committed with Poseidon2 over BN254 (width 3, x^5), with a BN254 duplex
    transcript: the proof a BN254 SNARK verifies."""
    return by_name("baby_bear_poseidon2_root")


def resolve(config: StarkConfig | str | None, what: str) -> StarkConfig:
    """A ``config=`` argument: a StarkConfig, a configuration name, or None (the default)."""
    if config is None:
        return baby_bear_poseidon2()
    if isinstance(config, StarkConfig):
        return config
    if isinstance(config, str):
        return by_name(config)
    raise InputError(
        f"{what}: config must be a StarkConfig (e.g. stark_backend.configs.baby_bear_keccak()) "
        f"or a configuration name, got {type(config).__name__}"
    )
