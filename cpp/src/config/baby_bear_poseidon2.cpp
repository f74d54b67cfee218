// baby_bear_poseidon2: Poseidon2-16 BabyBear Merkle commitments and a Poseidon2 duplex
// challenger. The recursion-friendly default (a STARK verifier circuit over BabyBear hashes
// cheaply).
#include "stark/config/config.hpp"

namespace stark {
namespace {

class BabyBearPoseidon2 final : public StarkConfig {
 public:
  ConfigId id() const override { return ConfigId::BabyBearPoseidon2; }
  std::string name() const override { return "baby_bear_poseidon2"; }
  const MerkleHasher& hasher() const override { return poseidon2_hasher(); }
  Challenger new_challenger() const override { return Challenger(); }
  std::string description() const override {
    return "Poseidon2-16 over BabyBear commitments and duplex transcript (recursion-friendly, the default)";
  }
};

}  // namespace

const StarkConfig& baby_bear_poseidon2_config() {
  static const BabyBearPoseidon2 config;
  return config;
}

}  // namespace stark
