// Strict little-endian byte encoding shared by every serialized object (proofs, keys,
// constraint systems). Writers append; readers consume and throw ProofFormatError naming the
// field and the byte offset on truncation, absurd lengths or strings that are not valid UTF-8.
// Field elements and digests are a layer up (stark/field/codec.hpp: FieldReader / FieldWriter).
// A length read from untrusted bytes is bounded by the bytes that remain (each element needs
// at least `min_elem_bytes`), so a malicious length can never trigger a giant allocation.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "stark/util/digest.hpp"
#include "stark/util/error.hpp"

namespace stark {

class ByteWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) buf_.push_back(uint8_t(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) buf_.push_back(uint8_t(v >> (8 * i)));
  }
  /// A 32-byte digest as its 8 little-endian words.
  void digest(const Digest& d) {
    for (uint32_t w : d) u32(w);
  }
  void bytes(const uint8_t* p, size_t n) { buf_.insert(buf_.end(), p, p + n); }
  /// u32 length prefix, then the bytes.
  void blob(const std::vector<uint8_t>& b) {
    u32(uint32_t(b.size()));
    bytes(b.data(), b.size());
  }
  void str(const std::string& s) {
    u32(uint32_t(s.size()));
    bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }

  const std::vector<uint8_t>& data() const { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }
  size_t size() const { return buf_.size(); }

 private:
  std::vector<uint8_t> buf_;
};

/// Index of the first byte of `s[0, n)` that does not start a valid UTF-8 sequence, or n if
/// all of it is valid. Valid means RFC 3629: each code point in its shortest form (no overlong
/// encodings), no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF — exactly what
/// Python's strict "utf-8" codec accepts, so a decoded string always converts to a str.
inline size_t utf8_error_at(const uint8_t* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t lead = s[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp, smallest;
    if ((lead & 0xE0) == 0xC0) {
      len = 2, cp = lead & 0x1F, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      len = 3, cp = lead & 0x0F, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      len = 4, cp = lead & 0x07, smallest = 0x10000;
    } else {
      return i;  // a continuation byte, or 0xF8..0xFF
    }
    if (n - i < len) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < smallest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return n;
}

class ByteReader {
 public:
  /// `what` names the object being decoded (e.g. "proof"), used in error messages. Offsets in
  /// messages count from `base`: the position of `data` in an enclosing record (a verifying key
  /// inside a proving key), so they are offsets into the bytes the user holds.
  ByteReader(const uint8_t* data, size_t size, std::string what = "bytes", size_t base = 0)
      : p_(data), n_(size), base_(base), what_(std::move(what)) {}

  /// Bytes consumed so far (not counting `base`).
  size_t offset() const { return off_; }
  /// offset() as a position in the enclosing record, for error messages.
  size_t position() const { return base_ + off_; }
  size_t remaining() const { return n_ - off_; }

  [[noreturn]] void fail(const std::string& field, const std::string& why) const {
    throw ProofFormatError(what_ + ": " + field + " at byte offset " + std::to_string(base_ + off_) + ": " +
                           why);
  }

  /// fail() reporting offset `at` (a field that started there, already consumed).
  [[noreturn]] void fail_at(size_t at, const std::string& field, const std::string& why) {
    off_ = at;
    fail(field, why);
  }

  uint8_t u8(const char* field) {
    need(1, field);
    return p_[off_++];
  }
  uint32_t u32(const char* field) {
    need(4, field);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(p_[off_ + i]) << (8 * i);
    off_ += 4;
    return v;
  }
  uint64_t u64(const char* field) {
    need(8, field);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(p_[off_ + i]) << (8 * i);
    off_ += 8;
    return v;
  }
  /// n raw little-endian u32 words into out (one bounds check).
  void words(uint32_t* out, size_t n, const char* field) {
    need(4 * n, field);
    for (size_t i = 0; i < n; ++i) {
      uint32_t v;
      std::memcpy(&v, p_ + off_ + 4 * i, 4);
      if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
      out[i] = v;
    }
    off_ += 4 * n;
  }
  /// A u32 count of elements that each occupy at least `min_elem_bytes` bytes, bounded by
  /// what remains (and by `max_count` when the caller knows a tighter bound).
  size_t length(const char* field, size_t min_elem_bytes, size_t max_count = SIZE_MAX) {
    const size_t at = off_;
    const uint32_t n = u32(field);
    if (n > max_count) {
      off_ = at;
      fail(field, "length " + std::to_string(n) + " exceeds the maximum " + std::to_string(max_count));
    }
    if (min_elem_bytes > 0 && uint64_t(n) * min_elem_bytes > remaining()) {
      off_ = at;
      fail(field, "length " + std::to_string(n) + " needs more bytes than remain (" +
                      std::to_string(remaining()) + ")");
    }
    return n;
  }
  std::vector<uint8_t> blob(const char* field) {
    const size_t n = length(field, 1);
    std::vector<uint8_t> b(p_ + off_, p_ + off_ + n);
    off_ += n;
    return b;
  }
  /// A u32 byte length, then that many bytes of strict UTF-8 (see utf8_error_at).
  std::string str(const char* field) {
    const size_t n = length(field, 1);
    if (const size_t bad = utf8_error_at(p_ + off_, n); bad < n) {
      off_ += bad;
      fail(field, "invalid UTF-8 (byte " + hex_byte(p_[off_]) + " starts no valid sequence)");
    }
    std::string s(reinterpret_cast<const char*>(p_ + off_), n);
    off_ += n;
    return s;
  }
  /// The whole input must have been consumed.
  void expect_end() const {
    if (off_ != n_) fail("end", std::to_string(n_ - off_) + " trailing bytes");
  }

 protected:
  static std::string hex_byte(uint8_t b) {
    const char* digits = "0123456789abcdef";
    return std::string("0x") + digits[b >> 4] + digits[b & 15];
  }

  void need(size_t k, const char* field) const {
    if (remaining() < k)
      fail(field,
           "truncated (need " + std::to_string(k) + " bytes, " + std::to_string(remaining()) + " remain)");
  }

  const uint8_t* p_;
  size_t n_;
  size_t base_;
  size_t off_ = 0;
  std::string what_;
};

}  // namespace stark
