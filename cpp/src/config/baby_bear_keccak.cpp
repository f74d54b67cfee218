// baby_bear_keccak: Keccak-256 Merkle commitments over the little-endian bytes of the BabyBear words,
// and a serializing Keccak-256 challenger (cheap to verify on the EVM).
#include "stark/challenger/serializing_challenger.hpp"
#include "stark/config/config.hpp"

namespace stark {
namespace {

class BabyBearKeccak final : public StarkConfig {
 public:
  ConfigId id() const override { return ConfigId::BabyBearKeccak; }
  std::string name() const override { return "baby_bear_keccak"; }
  const MerkleHasher& hasher() const override { return byte_hasher(ByteHashKind::Keccak256); }
  Challenger new_challenger() const override {
    return Challenger(std::make_unique<SerializingChallenger>(ByteHashKind::Keccak256));
  }
  std::string description() const override {
    return "Keccak-256 commitments and serializing transcript over BabyBear (cheap to verify on the EVM)";
  }
};

}  // namespace

const StarkConfig& baby_bear_keccak_config() {
  static const BabyBearKeccak config;
  return config;
}

}  // namespace stark
