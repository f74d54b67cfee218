// Large buffers (traces, LDEs, digest layers) that are written once, page by page.
//
// Page faults are expensive (on the virtual machines we measured, touching 512 MiB of fresh
// 4 KiB pages took ~0.4 s, against ~0.07 s with 2 MiB pages), and row-strided writes into a big
// matrix miss the TLB on nearly every row with small pages. Buffers of at least
// kHugePageThreshold bytes are therefore 2 MiB aligned and marked for transparent huge pages
// before their first touch. Advisory only: systems without THP behave as with plain new.
#pragma once

#include <cstddef>

namespace stark {

inline constexpr size_t kHugePageBytes = size_t(1) << 21;
inline constexpr size_t kHugePageThreshold = 2 * kHugePageBytes;

/// Uninitialized storage of `bytes` bytes, 64-byte aligned (2 MiB aligned and huge-page
/// advised from kHugePageThreshold up). Throws std::bad_alloc. Free with free_large_buffer and
/// the same size.
void* allocate_large_buffer(size_t bytes);
void free_large_buffer(void* p, size_t bytes) noexcept;

/// Marks the whole 2 MiB pages inside [data, data + bytes) for transparent huge pages, for
/// buffers allocated elsewhere (e.g. NumPy outputs) before their first touch. Buffers smaller
/// than kHugePageThreshold are left alone. Advisory: populated pages, non-anonymous memory and
/// systems without THP stay as they are.
void advise_huge_pages(void* data, size_t bytes) noexcept;

}  // namespace stark
