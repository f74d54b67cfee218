// STARK configurations (docs/protocol.md §1–§3, docs/architecture.md §10): what a proof commits
// and hashes with, beyond the field (BabyBear traces, quartic extension, two-adic FRI are common
// to all). A configuration is a named object with
//   hasher()          the Merkle leaf hash, 2-to-1 compression and digest type (stark/hash/hasher.hpp)
//   new_challenger()  a fresh Fiat–Shamir transcript (stark/challenger/challenger.hpp)
// and an id written into every verifying key and proof, so that a proof is only ever checked
// against a key of its own configuration. Each configuration is one file in cpp/src/config/
// plus its line in the registry (config.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stark/challenger/challenger.hpp"
#include "stark/hash/hasher.hpp"

namespace stark {

/// Stable ids (serialized in keys and proofs).
enum class ConfigId : uint32_t {
  BabyBearPoseidon2 = 0,
  BabyBearKeccak = 1,
  BabyBearBlake3 = 2,
  BabyBearPoseidon2Root = 3,
};

class StarkConfig {
 public:
  virtual ~StarkConfig() = default;
  virtual ConfigId id() const = 0;
  /// "baby_bear_poseidon2", "baby_bear_keccak", "baby_bear_blake3", "baby_bear_poseidon2_root".
  virtual std::string name() const = 0;
  virtual const MerkleHasher& hasher() const = 0;
  virtual Challenger new_challenger() const = 0;
  /// One line for users: what the configuration is for.
  virtual std::string description() const = 0;
};

/// baby_bear_poseidon2.
const StarkConfig& default_config();
/// Every registered configuration, in id order.
const std::vector<const StarkConfig*>& stark_configs();
/// The configuration of an id read from bytes; nullptr if none has it.
const StarkConfig* find_config(uint32_t id);
/// By id; InputError naming the known ones otherwise.
const StarkConfig& config_by_id(uint32_t id);
/// By name; InputError listing the known names otherwise.
const StarkConfig& config_by_name(const std::string& name);
/// "baby_bear_keccak (id 1)", or "unknown configuration id 7".
std::string describe_config_id(uint32_t id);

/// One file per configuration (cpp/src/config/<name>.cpp).
const StarkConfig& baby_bear_poseidon2_config();
const StarkConfig& baby_bear_keccak_config();
const StarkConfig& baby_bear_blake3_config();
const StarkConfig& baby_bear_poseidon2_root_config();

}  // namespace stark
