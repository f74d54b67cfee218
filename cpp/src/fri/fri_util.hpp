// Small helpers shared by the PCS prover and verifier (internal to cpp/src/fri).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stark/field/babybear.hpp"
#include "stark/field/extension.hpp"

namespace stark::fri_detail {

/// rev_bits(i) over the low `bits` bits (bits ≤ 32), without a per-bit loop.
inline uint32_t reverse_low_bits(uint32_t i, uint32_t bits) {
  if (bits == 0) return 0;
  uint32_t x = i;
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
  x = __builtin_bswap32(x);
  return x >> (32 - bits);
}

/// out[i] = start · step^i for i < n (chunked over the thread pool; each chunk starts from
/// start · step^begin, so the values do not depend on the chunking).
std::vector<Fp> geometric_powers(Fp start, Fp step, size_t n);

/// The points of g·H_{2^h} in bit-reversed order: x[r] = g · ω_h^{rev_h(r)}.
std::vector<Fp> coset_points_bitrev(uint32_t log_size);

/// In-place inversion of extension elements by Montgomery's trick (one inversion per chunk of the
/// thread pool). Returns false, leaving `v` unspecified, if some element is zero.
bool ext_batch_inverse(std::vector<Ext4>& v);

inline Ext4 ext_from_words(const uint32_t* canonical4) { return Ext4::from_canonical(canonical4); }

}  // namespace stark::fri_detail
