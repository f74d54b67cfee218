// The configuration registry (stark/config/config.hpp).
#include "stark/config/config.hpp"

#include "stark/util/error.hpp"

namespace stark {

const std::vector<const StarkConfig*>& stark_configs() {
  static const std::vector<const StarkConfig*> all{&baby_bear_poseidon2_config(), &baby_bear_keccak_config(),
                                                   &baby_bear_blake3_config(),
                                                   &baby_bear_poseidon2_root_config()};
  return all;
}

const StarkConfig& default_config() { return baby_bear_poseidon2_config(); }

const StarkConfig* find_config(uint32_t id) {
  for (const StarkConfig* c : stark_configs())
    if (uint32_t(c->id()) == id) return c;
  return nullptr;
}

namespace {
std::string known_names() {
  std::string s;
  for (const StarkConfig* c : stark_configs()) s += (s.empty() ? "" : ", ") + c->name();
  return s;
}
}  // namespace

const StarkConfig& config_by_id(uint32_t id) {
  if (const StarkConfig* c = find_config(id)) return *c;
  throw InputError("unknown STARK configuration id " + std::to_string(id) + " (known: " + known_names() +
                   ")");
}

const StarkConfig& config_by_name(const std::string& name) {
  for (const StarkConfig* c : stark_configs())
    if (c->name() == name) return *c;
  throw InputError("unknown STARK configuration \"" + name + "\" (known: " + known_names() + ")");
}

std::string describe_config_id(uint32_t id) {
  if (const StarkConfig* c = find_config(id)) return c->name() + " (id " + std::to_string(id) + ")";
  return "unknown configuration id " + std::to_string(id);
}

}  // namespace stark
