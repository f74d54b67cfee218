// Row-major matrices of canonical field elements: the one array layout shared by every layer
// and by the Python boundary (C-contiguous NumPy uint32 of shape (height, width)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace stark {

/// Non-owning view. Row i occupies data[i * width, (i + 1) * width).
struct ConstMatrixView {
  const uint32_t* data = nullptr;
  size_t height = 0;
  size_t width = 0;
  const uint32_t* row(size_t i) const { return data + i * width; }
};

struct MatrixView {
  uint32_t* data = nullptr;
  size_t height = 0;
  size_t width = 0;
  uint32_t* row(size_t i) const { return data + i * width; }
  operator ConstMatrixView() const { return {data, height, width}; }
};

/// Owning row-major matrix.
struct RowMajorMatrix {
  std::vector<uint32_t> values;
  size_t width = 0;

  RowMajorMatrix() = default;
  RowMajorMatrix(size_t height, size_t width_) : values(height * width_), width(width_) {}
  RowMajorMatrix(std::vector<uint32_t> v, size_t width_) : values(std::move(v)), width(width_) {}

  size_t height() const { return width == 0 ? 0 : values.size() / width; }
  uint32_t* row(size_t i) { return values.data() + i * width; }
  const uint32_t* row(size_t i) const { return values.data() + i * width; }
  MatrixView view() { return {values.data(), height(), width}; }
  ConstMatrixView view() const { return {values.data(), height(), width}; }
};

/// log2 of a power of two (undefined for other values).
inline uint32_t log2_exact(size_t n) {
  uint32_t k = 0;
  while ((size_t(1) << k) < n) ++k;
  return k;
}
inline bool is_power_of_two(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

/// Reverses the low `bits` bits of i (bits <= 64; higher bits of i are ignored).
inline size_t reverse_bits(size_t i, uint32_t bits) {
  if (bits == 0) return 0;
  uint64_t x = i;  // reverse all 64 bits by swapping ever larger groups, then keep the top `bits`
  x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
  x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
  x = ((x >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((x & 0x0F0F0F0F0F0F0F0Full) << 4);
  x = __builtin_bswap64(x);
  return size_t(x >> (64 - bits));
}

}  // namespace stark
