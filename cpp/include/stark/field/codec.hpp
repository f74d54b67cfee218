// Field elements and digests on top of the raw byte encoding (stark/util/bytes.hpp): canonical
// BabyBear words, quartic-extension elements (4 words, c0 first) and 32-byte digests checked
// against the decoder's digest rule (the configuration's: see stark/hash/hasher.hpp).
#pragma once

#include <bit>
#include <cstring>
#include <functional>
#include <string>
#include <utility>

#include "stark/field/babybear.hpp"
#include "stark/field/extension.hpp"
#include "stark/util/bytes.hpp"

namespace stark {

class FieldWriter : public ByteWriter {
 public:
  /// A canonical field element (u32 < p).
  void felt(uint32_t canonical) { u32(canonical); }
  void felt(Fp v) { u32(v.canonical()); }
  void ext(const Ext4& e) {
    for (int i = 0; i < 4; ++i) u32(e.c[i].canonical());
  }
};

/// Which 8-word values a decoder accepts as digests, and how to say so.
struct DigestRule {
  std::function<bool(const Digest&)> valid;
  std::string description;

  /// 8 canonical BabyBear words (the Poseidon2 configuration's digests).
  static DigestRule babybear_words() {
    return {[](const Digest& d) {
              for (uint32_t w : d)
                if (w >= P) return false;
              return true;
            },
            "8 canonical BabyBear words (each < p)"};
  }
};

class FieldReader : public ByteReader {
 public:
  using ByteReader::ByteReader;

  /// The rule digest() checks (default: DigestRule::babybear_words()).
  void set_digest_rule(DigestRule rule) { digest_rule_ = std::move(rule); }
  const DigestRule& digest_rule() const { return digest_rule_; }

  /// Canonical field element (< p).
  uint32_t felt(const char* field) {
    const size_t at = off_;
    const uint32_t v = u32(field);
    if (v >= P) {
      off_ = at;
      fail(field, "value " + std::to_string(v) + " is not a canonical field element");
    }
    return v;
  }
  /// n canonical field elements into out: the same result and errors as n calls of felt(), but
  /// one bounds check and a branch-free canonical check over the block (opened rows are long).
  void felts(uint32_t* out, size_t n, const char* field) {
    if (n > remaining() / 4) {  // truncated: felt() reports the first element that is missing
      for (size_t i = 0; i < n; ++i) out[i] = felt(field);
      return;
    }
    const uint8_t* src = p_ + off_;
    uint32_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
      uint32_t v;
      std::memcpy(&v, src + 4 * i, 4);
      if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
      out[i] = v;
      bad |= uint32_t(v >= P);
    }
    if (bad) {
      for (size_t i = 0; i < n; ++i)
        if (out[i] >= P) {
          off_ += 4 * i;
          fail(field, "value " + std::to_string(out[i]) + " is not a canonical field element");
        }
    }
    off_ += 4 * n;
  }
  Ext4 ext(const char* field) {
    uint32_t c[4];
    for (auto& x : c) x = felt(field);
    return Ext4::from_canonical(c);
  }
  /// 32 bytes that the digest rule accepts.
  Digest digest(const char* field) {
    const size_t at = off_;
    Digest d;
    words(d.data(), d.size(), field);
    if (!digest_rule_.valid(d)) {
      off_ = at;
      fail(field, "not a valid digest (expected " + digest_rule_.description + ")");
    }
    return d;
  }

 private:
  DigestRule digest_rule_ = DigestRule::babybear_words();
};

}  // namespace stark
