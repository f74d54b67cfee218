#include "stark/util/memory.hpp"

#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace stark {
namespace {

size_t alignment_for(size_t bytes) { return bytes >= kHugePageThreshold ? kHugePageBytes : 64; }

}  // namespace

void* allocate_large_buffer(size_t bytes) {
  const size_t alignment = alignment_for(bytes);
  void* p = ::operator new(bytes == 0 ? 1 : bytes, std::align_val_t(alignment));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (alignment == kHugePageBytes) madvise(p, bytes, MADV_HUGEPAGE);  // advisory: failure is harmless
#endif
  return p;
}

void free_large_buffer(void* p, size_t bytes) noexcept {
  if (p != nullptr) ::operator delete(p, std::align_val_t(alignment_for(bytes)));
}

}  // namespace stark
