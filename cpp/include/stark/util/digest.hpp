// A 32-byte commitment digest, held as 8 little-endian u32 words. Which values are valid depends
// on the configuration's hash (stark/hash/hasher.hpp): 8 canonical BabyBear words for Poseidon2,
// any bytes for Keccak-256 and BLAKE3, one canonical BN254 scalar for the root configuration.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace stark {

inline constexpr size_t kDigestElems = 8;

using Digest = std::array<uint32_t, kDigestElems>;

}  // namespace stark
