// Row-major matrices of canonical field elements: the one array layout shared by every layer
// and by the Python boundary (C-contiguous NumPy uint32 of shape (height, width)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "stark/util/force_inline.hpp"
#include "stark/util/memory.hpp"

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

/// std::allocator whose value-less construct leaves the element default-initialized (for
/// uint32_t: untouched), so a vector can be sized without a zero fill. Filling a large matrix
/// that is about to be overwritten anyway costs a single-threaded pass over memory that also
/// takes every page fault on one thread (for a 2^16 x 2632 LDE this was slower than the
/// multi-threaded LDE that then overwrote it).
///
/// Storage comes from allocate_large_buffer: big matrices are 2 MiB aligned and advised for
/// transparent huge pages (stark/util/memory.hpp says why).
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(allocate_large_buffer(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { free_large_buffer(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// Storage of an owning matrix (a std::vector; sized construction without a value leaves the
/// words uninitialized, see RowMajorMatrix::uninitialized).
using FieldVector = std::vector<uint32_t, DefaultInitAllocator<uint32_t>>;

/// Owning row-major matrix.
struct RowMajorMatrix {
  FieldVector values;
  size_t width = 0;

  RowMajorMatrix() = default;
  /// Zero-filled.
  RowMajorMatrix(size_t height, size_t width_) : values(height * width_, 0u), width(width_) {}
  RowMajorMatrix(FieldVector v, size_t width_) : values(std::move(v)), width(width_) {}
  /// Copies a plain vector (source compatibility; pass a FieldVector to move instead).
  RowMajorMatrix(const std::vector<uint32_t>& v, size_t width_) : values(v.begin(), v.end()), width(width_) {}
  /// Entries left uninitialized, for outputs that are overwritten in full (LDEs, copies): their
  /// pages are then first touched by the (multi-threaded) writer.
  static RowMajorMatrix uninitialized(size_t height, size_t width) {
    RowMajorMatrix m;
    m.values = FieldVector(height * width);
    m.width = width;
    return m;
  }

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
STARK_FORCE_INLINE inline size_t reverse_bits(size_t i, uint32_t bits) {
  if (bits == 0) return 0;
  uint64_t x = i;  // reverse all 64 bits by swapping ever larger groups, then keep the top `bits`
  x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
  x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
  x = ((x >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((x & 0x0F0F0F0F0F0F0F0Full) << 4);
  x = __builtin_bswap64(x);
  return size_t(x >> (64 - bits));
}

}  // namespace stark
