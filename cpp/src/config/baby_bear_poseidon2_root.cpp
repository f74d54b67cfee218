// baby_bear_poseidon2_root: BabyBear traces committed with Poseidon2 over BN254 (width 3, x^5;
// leaves pack 8 BabyBear words per BN254 element) and a BN254 duplex transcript, so that a SNARK
// over BN254 can verify the proof (the outermost, "root" proof of a recursion).
#include "stark/challenger/bn254_challenger.hpp"
#include "stark/config/config.hpp"
#include "stark/hash/bn254_poseidon2.hpp"

namespace stark {
namespace {

class BabyBearPoseidon2Root final : public StarkConfig {
 public:
  ConfigId id() const override { return ConfigId::BabyBearPoseidon2Root; }
  std::string name() const override { return "baby_bear_poseidon2_root"; }
  const MerkleHasher& hasher() const override { return poseidon2_bn254_hasher(); }
  Challenger new_challenger() const override { return Challenger(std::make_unique<Bn254Challenger>()); }
  std::string description() const override {
    return "Poseidon2 over BN254 commitments and duplex transcript (the root proof a BN254 SNARK verifies)";
  }
};

}  // namespace

const StarkConfig& baby_bear_poseidon2_root_config() {
  static const BabyBearPoseidon2Root config;
  return config;
}

}  // namespace stark
