#include "stark/util/memory.hpp"

#include <cstdint>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace stark {
namespace {

size_t alignment_for(size_t bytes) { return bytes >= kHugePageThreshold ? kHugePageBytes : 64; }

}  // namespace

void* allocate_large_buffer(size_t bytes) {
  void* p = ::operator new(bytes == 0 ? 1 : bytes, std::align_val_t(alignment_for(bytes)));
  advise_huge_pages(p, bytes);
  return p;
}

void advise_huge_pages(void* data, size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes < kHugePageThreshold) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHugePageBytes - 1);
  if (end > begin)
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // failure is harmless
#else
  (void)data;
  (void)bytes;
#endif
}

void free_large_buffer(void* p, size_t bytes) noexcept {
  if (p != nullptr) ::operator delete(p, std::align_val_t(alignment_for(bytes)));
}

}  // namespace stark
