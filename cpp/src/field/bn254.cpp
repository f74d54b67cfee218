// BN254 scalar-field helpers that are not on a hot path (stark/field/bn254.hpp).
#include "stark/field/bn254.hpp"

#include "stark/util/error.hpp"

namespace stark::bn254 {

Fr from_limbs_reduce(Limbs a) {
  // a < 2^256 < 6r: at most five subtractions.
  while (detail::geq(a, detail::kModulus)) a = detail::sub_limbs(a, detail::kModulus);
  return from_canonical(a);
}

Limbs parse_hex(const std::string& hex) {
  size_t i = (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) ? 2 : 0;
  if (i == hex.size()) throw InputError("BN254 element: empty hex string");
  if (hex.size() - i > 64) throw InputError("BN254 element: more than 64 hex digits in \"" + hex + "\"");
  Limbs v{};
  for (; i < hex.size(); ++i) {
    const char c = hex[i];
    uint64_t d;
    if (c >= '0' && c <= '9') {
      d = uint64_t(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = uint64_t(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = uint64_t(c - 'A' + 10);
    } else {
      throw InputError("BN254 element: '" + std::string(1, c) + "' is not a hex digit in \"" + hex + "\"");
    }
    for (int k = 3; k > 0; --k) v[k] = (v[k] << 4) | (v[k - 1] >> 60);
    v[0] = (v[0] << 4) | d;
  }
  if (!is_canonical(v)) throw InputError("BN254 element " + hex + " is not below the modulus r");
  return v;
}

std::string to_hex(const Limbs& a) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int k = 3; k >= 0; --k)
    for (int sh = 60; sh >= 0; sh -= 4) s += digits[(a[k] >> sh) & 15];
  return s;
}

}  // namespace stark::bn254
