// baby_bear_blake3: BLAKE3 Merkle commitments over the little-endian bytes of the BabyBear words,
// and a serializing BLAKE3 challenger (fastest to verify on CPUs).
#include "stark/challenger/serializing_challenger.hpp"
#include "stark/config/config.hpp"

namespace stark {
namespace {

class BabyBearBlake3 final : public StarkConfig {
 public:
  ConfigId id() const override { return ConfigId::BabyBearBlake3; }
  std::string name() const override { return "baby_bear_blake3"; }
  const MerkleHasher& hasher() const override { return byte_hasher(ByteHashKind::Blake3); }
  Challenger new_challenger() const override {
    return Challenger(std::make_unique<SerializingChallenger>(ByteHashKind::Blake3));
  }
  std::string description() const override {
    return "BLAKE3 commitments and serializing transcript over BabyBear (fastest to verify on CPUs)";
  }
};

}  // namespace

const StarkConfig& baby_bear_blake3_config() {
  static const BabyBearBlake3 config;
  return config;
}

}  // namespace stark
