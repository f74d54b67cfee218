// NTT / LDE driver: validation, twiddle tables, cache-blocked pass planning, threading.
// The butterflies themselves live in the per-ISA kernels (ntt_kernels.hpp).
//
// Pass structure of a size-2^k transform on an n x w matrix. Layer l pairs rows i and i + 2^l.
// The layers are split into passes [l0, l1) of at most c layers, with 2^c rows (times a
// column slice) fitting the block budget. A pass with l0 = 0 works on contiguous blocks of
// 2^l1 rows in place. A pass with l0 > 0 works on groups of rows {base + g + m 2^l0}
// (m < 2^(l1-l0), g < G consecutive rows): the group is gathered into a thread-local buffer, so
// the strided rows (a cache-set-aliasing disaster in place) become a small dense array, then
// scattered back. Within a group the twiddle of local layer r, span offset i, row g is
// ω_{2^(l+1)}^(lo + g + i 2^l0) with l = l0 + r: copied from the global table, or (for short
// runs) formed as ω_{2^(l+1)}^(lo + g) · ω_{2^(r+1)}^i.
#include "stark/ntt/ntt.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#if defined(STARK_X86)
#include <emmintrin.h>  // SSE2 (x86-64 baseline): streaming stores
#endif

#include "ntt_kernels.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/error.hpp"
#include "stark/util/memory.hpp"
#include "stark/util/parallel.hpp"

namespace stark {
namespace {

using ntt_kernels::Consts;
using ntt_kernels::Kernels;
using ntt_kernels::Strip;

constexpr unsigned kMaxLogHeight = TWO_ADICITY;
// Narrowest column slice of a wide matrix: 32 words = 128 bytes (two cache lines) per row piece,
// so strided gathers still move whole cache lines.
constexpr size_t kMinStripWords = 32;
std::atomic<size_t> g_block_words{size_t(1) << 16};

// ---------------------------------------------------------------------------------------------
// Twiddle tables: table l holds ω_{2^(l+1)}^(±j) for j < 2^l (canonical) and their Shoup
// quotients. Built once, never freed or moved (callers keep raw pointers), shared by all threads.
// ---------------------------------------------------------------------------------------------
struct TwiddleLayer {
  std::vector<uint32_t> w, q;
};

class TwiddleCache {
 public:
  static TwiddleCache& instance() {
    static TwiddleCache cache;
    return cache;
  }

  void get(unsigned layers, bool inverse, Consts* tables) {
    for (;;) {
      unsigned have;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        auto& v = inverse ? inverse_ : forward_;
        if (v.size() >= layers) {
          for (unsigned l = 0; l < layers; ++l) tables[l] = Consts{v[l]->w.data(), v[l]->q.data()};
          return;
        }
        have = unsigned(v.size());
      }
      // Build outside the lock: building is parallel, and holding a lock across parallel_for
      // could deadlock against a pool job that itself needs twiddles.
      auto table = build(have, inverse);
      std::lock_guard<std::mutex> lock(mutex_);
      auto& v = inverse ? inverse_ : forward_;
      if (v.size() == have) v.push_back(std::move(table));
    }
  }

 private:
  static std::unique_ptr<TwiddleLayer> build(unsigned l, bool inverse) {
    const size_t half = size_t(1) << l;
    Fp root = two_adic_generator(l + 1);
    if (inverse) root = root.inverse();
    auto table = std::make_unique<TwiddleLayer>();
    table->w.resize(half);
    table->q.resize(half);
    uint32_t* w = table->w.data();
    uint32_t* q = table->q.data();
    parallel_for_chunks(half, size_t(1) << 15, [&](size_t begin, size_t end) {
      Fp x = root.pow(begin);
      for (size_t j = begin; j < end; ++j) {
        w[j] = x.canonical();
        q[j] = ntt_kernels::shoup_quotient(w[j]);
        x *= root;
      }
    });
    return table;
  }

  std::mutex mutex_;
  std::vector<std::unique_ptr<TwiddleLayer>> forward_, inverse_;
};

struct Tables {
  Consts t[kMaxLogHeight + 1] = {};
};

Tables twiddles(unsigned layers, bool inverse) {
  Tables tables;
  TwiddleCache::instance().get(layers, inverse, tables.t);
  return tables;
}

// Canonical a * w for a constant with Shoup quotient q (scalar form of the kernels' product).
uint32_t shoup_mul(uint32_t a, uint32_t w, uint32_t q) {
  const uint32_t quotient = uint32_t((uint64_t(a) * q) >> 32);
  const uint32_t r = a * w - quotient * P;
  return r >= P ? r - P : r;
}

// A constant that multiplies every element (w = 0: none).
struct Scale {
  uint32_t w = 0, q = 0;
  static Scale of(Fp x) {
    const uint32_t c = x.canonical();
    return {c, ntt_kernels::shoup_quotient(c)};
  }
  explicit operator bool() const { return w != 0; }
};

// ---------------------------------------------------------------------------------------------
// Thread-local scratch buffers (64-byte aligned, grown on demand, reused across calls).
// ---------------------------------------------------------------------------------------------
class Buffer {
 public:
  uint32_t* get(size_t words) {
    if (words > capacity_) {
      storage_.reset(new uint32_t[words + 16]);
      capacity_ = words;
    }
    const uintptr_t p = reinterpret_cast<uintptr_t>(storage_.get());
    return reinterpret_cast<uint32_t*>((p + 63) & ~uintptr_t(63));
  }

 private:
  std::unique_ptr<uint32_t[]> storage_;
  size_t capacity_ = 0;
};

// kBufInPlaceCopy belongs to the calling thread of ntt_batch (which also runs pool chunks that
// use the other slots).
enum BufferSlot {
  kBufData,
  kBufData2,
  kBufTwiddlesA,
  kBufTwiddlesB,
  kBufFactors,
  kBufInPlaceCopy,
  kNumBuffers
};

uint32_t* scratch(BufferSlot slot, size_t words) {
  thread_local Buffer buffers[kNumBuffers];
  return buffers[slot].get(words);
}

// Room for the values and quotients of `count` constants.
Consts scratch_consts(BufferSlot slot, size_t count, uint32_t** w, uint32_t** q) {
  *w = scratch(slot, 2 * count);
  *q = *w + count;
  return Consts{*w, *q};
}

// ---------------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------------
struct Pass {
  unsigned l0, l1;
};

unsigned floor_log2(size_t x) {
  unsigned k = 0;
  while ((x >> (k + 1)) != 0) ++k;
  return k;
}

std::vector<Pass> plan_passes(unsigned k, size_t width) {
  std::vector<Pass> passes;
  if (k == 0) return passes;
  const size_t budget = g_block_words.load(std::memory_order_relaxed);
  const size_t row_words = std::max<size_t>(1, std::min(width, kMinStripWords));
  const unsigned max_layers = std::max(1u, floor_log2(std::max<size_t>(2, budget / row_words)));
  const unsigned count = (k + max_layers - 1) / max_layers;
  const unsigned base = k / count, extra = k % count;
  unsigned l = 0;
  for (unsigned i = 0; i < count; ++i) {
    const unsigned c = base + (i < extra ? 1 : 0);
    passes.push_back({l, l + c});
    l += c;
  }
  return passes;
}

// Group shape of a pass: G consecutive rows per span and the column slice width.
struct Geometry {
  unsigned layers;
  size_t span_rows;
  size_t strip;
  size_t num_strips;
  size_t rows() const { return (size_t(1) << layers) * span_rows; }
};

Geometry geometry(Pass pass, size_t width) {
  const size_t budget = g_block_words.load(std::memory_order_relaxed);
  Geometry g{pass.l1 - pass.l0, 1, width, 1};
  const size_t spans = size_t(1) << g.layers;
  if (pass.l0 > 0) {
    while (g.span_rows * 2 <= (size_t(1) << pass.l0) && spans * g.span_rows * 2 * width <= budget)
      g.span_rows *= 2;
  }
  const size_t rows = g.rows();
  if (rows * width > budget) {
    g.strip = std::min(width, std::max(kMinStripWords, (budget / rows) & ~size_t(15)));
  }
  g.num_strips = (width + g.strip - 1) / g.strip;
  return g;
}

// ---------------------------------------------------------------------------------------------
// Group helpers
// ---------------------------------------------------------------------------------------------

// Twiddles of a pass with l0 > 0 for the group whose first row offset is lo: local layer r gets
// 2^r * G constants laid out [i][g], stored in scratch slot `slot`.
void local_twiddles(const Tables& tables, Pass pass, size_t lo, size_t span_rows, BufferSlot slot,
                    Consts* tw) {
  const unsigned layers = pass.l1 - pass.l0;
  const size_t total = ((size_t(1) << layers) - 1) * span_rows;
  uint32_t *out_w, *out_q;
  scratch_consts(slot, total, &out_w, &out_q);
  for (unsigned r = 0; r < layers; ++r) {
    const Consts table = tables.t[pass.l0 + r];
    const size_t count = size_t(1) << r;
    tw[r] = Consts{out_w, out_q};
    if (span_rows >= 8) {
      for (size_t i = 0; i < count; ++i) {
        const size_t src = lo + (i << pass.l0);
        std::memcpy(out_w + i * span_rows, table.w + src, span_rows * sizeof(uint32_t));
        std::memcpy(out_q + i * span_rows, table.q + src, span_rows * sizeof(uint32_t));
      }
    } else {
      const Consts coarse = tables.t[r];  // ω_{2^(r+1)}^i = ω_{2^(l+1)}^(i 2^l0)
      for (size_t i = 0; i < count; ++i) {
        for (size_t g = 0; g < span_rows; ++g) {
          const uint32_t w = shoup_mul(table.w[lo + g], coarse.w[i], coarse.q[i]);
          out_w[i * span_rows + g] = w;
          out_q[i * span_rows + g] = ntt_kernels::shoup_quotient(w);
        }
      }
    }
    out_w += count * span_rows;
    out_q += count * span_rows;
  }
}

// rev_bits(t) for t < 2^bits (bits <= kMaxLogHeight), built once per size and shared:
// rev(t) = rev(t / 2) / 2 + (t odd) 2^(bits-1).
const std::vector<uint32_t>& bit_reversal_table(unsigned bits) {
  static std::vector<uint32_t> tables[kMaxLogHeight + 1];
  static std::once_flag built[kMaxLogHeight + 1];
  std::call_once(built[bits], [bits] {
    std::vector<uint32_t>& rev = tables[bits];
    rev.assign(size_t(1) << bits, 0);
    for (size_t t = 1; t < rev.size(); ++t) rev[t] = (rev[t >> 1] >> 1) | (uint32_t(t & 1) << (bits - 1));
  });
  return tables[bits];
}

// Copies row pieces of `words` words, row r from src_row(r) to dst_row(r). Strided rows defeat
// the hardware prefetchers (and each one sits in its own page), so the rows kAhead positions
// ahead are prefetched. With `streaming`, destination rows are written with non-temporal
// stores: they are not read again until a later pass, so fetching their old contents into the
// cache first (read for ownership) would only waste memory bandwidth.
template <class SrcRow, class DstRow>
inline void copy_rows(size_t rows, size_t words, SrcRow src_row, DstRow dst_row, bool streaming) {
  constexpr size_t kAhead = 8;
  const size_t bytes = words * sizeof(uint32_t);
  if (bytes < 64) {  // narrow rows: a plain loop; prefetches and memcpy calls would dominate
    for (size_t r = 0; r < rows; ++r) {
      const uint32_t* s = src_row(r);
      uint32_t* d = dst_row(r);
      for (size_t c = 0; c < words; ++c) d[c] = s[c];
    }
    return;
  }
  auto prefetch = [&](size_t r) {
    const char* ps = reinterpret_cast<const char*>(src_row(r));
    for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(ps + b, 0, 3);
    __builtin_prefetch(ps + bytes - 1, 0, 3);
  };
  for (size_t r = 0; r < std::min(rows, kAhead); ++r) prefetch(r);
  for (size_t r = 0; r < rows; ++r) {
    if (r + kAhead < rows) prefetch(r + kAhead);
    const uint32_t* s = src_row(r);
    uint32_t* d = dst_row(r);
#if defined(STARK_X86)
    if (streaming && (reinterpret_cast<uintptr_t>(d) & 15) == 0) {
      size_t c = 0;
      for (; c + 4 <= words; c += 4)
        _mm_stream_si128(reinterpret_cast<__m128i*>(d + c),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + c)));
      for (; c < words; ++c) d[c] = s[c];
      continue;
    }
#endif
    std::memcpy(d, s, bytes);
  }
#if defined(STARK_X86)
  if (streaming) _mm_sfence();  // order the weakly ordered streaming stores before the task ends
#endif
}

// Streaming stores pay off only when the matrix is far larger than the last-level cache (the
// scattered rows are evicted before the next pass anyway); for smaller ones they would push
// data out to memory that the next pass could have found in cache.
bool use_streaming_stores(size_t words) { return words * sizeof(uint32_t) >= (size_t(64) << 20); }

// Runs body(item) for every item in [0, items), handing items to the pool's threads one at a
// time from a shared counter. (parallel_for splits into at most 4 chunks per thread; with
// items of very different cost or memory stalls, the last chunk of a pass then leaves the other
// threads idle.) Items write disjoint outputs, so the result does not depend on who runs what.
template <class F>
void for_each_item(size_t items, F&& body) {
  const size_t workers = std::min<size_t>(items, size_t(num_threads()));
  if (workers <= 1) {
    for (size_t i = 0; i < items; ++i) body(i);
    return;
  }
  std::atomic<size_t> next{0};
  parallel_for(workers, 1, [&](size_t) {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < items;) body(i);
  });
}

// Rows {base + g + m * step : m < spans, g < span_rows}, columns [col, col + strip) of a matrix
// with row length ld <-> a dense (spans * span_rows) x strip buffer (row m * span_rows + g).
void gather(const uint32_t* src, size_t ld, size_t base, size_t step, size_t spans, size_t span_rows,
            size_t col, size_t strip, uint32_t* dst) {
  if (strip == ld) {  // whole spans are contiguous runs
    copy_rows(
        spans, span_rows * strip, [&](size_t m) { return src + (base + m * step) * ld; },
        [&](size_t m) { return dst + m * span_rows * strip; }, false);
    return;
  }
  copy_rows(
      spans * span_rows, strip,
      [&](size_t r) { return src + (base + (r / span_rows) * step + r % span_rows) * ld + col; },
      [&](size_t r) { return dst + r * strip; }, false);
}
void scatter(const uint32_t* src, size_t spans, size_t span_rows, size_t strip, uint32_t* dst, size_t ld,
             size_t base, size_t step, size_t col, bool streaming) {
  if (strip == ld) {
    copy_rows(
        spans, span_rows * strip, [&](size_t m) { return src + m * span_rows * strip; },
        [&](size_t m) { return dst + (base + m * step) * ld; }, streaming);
    return;
  }
  copy_rows(
      spans * span_rows, strip, [&](size_t r) { return src + r * strip; },
      [&](size_t r) { return dst + (base + (r / span_rows) * step + r % span_rows) * ld + col; }, streaming);
}

// One pass of DIT or DIF layers over every row block of `m` (height a multiple of 2^l1), in
// place. A non-empty post_scale multiplies every element after the layers.
void run_pass(const Kernels& kern, MatrixView m, Pass pass, const Tables& tables, bool dit,
              Scale post_scale) {
  const Geometry geo = geometry(pass, m.width);
  const size_t spans = size_t(1) << geo.layers;
  const size_t blocks = m.height >> pass.l1;
  const size_t groups_per_block = pass.l0 == 0 ? 1 : (size_t(1) << pass.l0) / geo.span_rows;
  const size_t items = blocks * groups_per_block * geo.num_strips;
  const auto layers_fn = dit ? kern.dit : kern.dif;
  const bool streaming = use_streaming_stores(m.height * m.width);
  for_each_item(items, [&](size_t item) {
    const size_t strip_index = item % geo.num_strips;
    const size_t group = item / geo.num_strips;
    const size_t col = strip_index * geo.strip;
    const size_t strip = std::min(geo.strip, m.width - col);
    const size_t block = group / groups_per_block;
    const size_t lo = (group % groups_per_block) * geo.span_rows;
    const size_t base = (block << pass.l1) + lo;
    if (pass.l0 == 0) {
      Consts tw[kMaxLogHeight + 1];
      for (unsigned r = 0; r < geo.layers; ++r) tw[r] = tables.t[r];
      tw[0] = Consts{};  // layer 0: ω_2^0 = 1
      const Strip s{m.data + base * m.width + col, m.width, strip};
      layers_fn(s, spans, 1, 0, geo.layers, tw);
      if (post_scale) kern.scale(s, spans, post_scale.w, post_scale.q);
      return;
    }
    const size_t rows = geo.rows();
    uint32_t* buf = scratch(kBufData, rows * strip);
    Consts tw[kMaxLogHeight + 1];
    local_twiddles(tables, pass, lo, geo.span_rows, kBufTwiddlesA, tw);
    const size_t step = size_t(1) << pass.l0;
    gather(m.data, m.width, base, step, spans, geo.span_rows, col, strip, buf);
    const Strip s{buf, strip, strip};
    layers_fn(s, spans, geo.span_rows, 0, geo.layers, tw);
    if (post_scale) kern.scale(s, rows, post_scale.w, post_scale.q);
    scatter(buf, spans, geo.span_rows, strip, m.data, m.width, base, step, col, streaming);
  });
}

// First DIT pass [0, l1) reading `in` in bit-reversed row order and writing `out` (both height
// 2^k): position b 2^l1 + t holds input row rev_k(b 2^l1 + t) = rev_l1(t) 2^(k-l1) + rev(b).
void run_first_dit_pass_bitrev(const Kernels& kern, ConstMatrixView in, MatrixView out, unsigned k, Pass pass,
                               const Tables& tables, Scale post_scale) {
  const Geometry geo = geometry(pass, in.width);
  const size_t spans = size_t(1) << geo.layers;
  const unsigned high_bits = k - pass.l1;
  const std::vector<uint32_t>& rev_t = bit_reversal_table(geo.layers);
  const size_t blocks = size_t(1) << high_bits;
  // Large outputs: transform in a scratch buffer and stream the block out (it is read again only
  // by a later pass). Otherwise gather straight into the output and transform it in place.
  const bool streaming = use_streaming_stores(out.height * out.width);
  for_each_item(blocks * geo.num_strips, [&](size_t item) {
    const size_t col = (item % geo.num_strips) * geo.strip;
    const size_t strip = std::min(geo.strip, in.width - col);
    const size_t block = item / geo.num_strips;
    const size_t rev_block = reverse_bits(block, high_bits);
    uint32_t* dst = out.data + (block << pass.l1) * out.width + col;
    uint32_t* work = streaming ? scratch(kBufData, spans * strip) : dst;
    const size_t work_ld = streaming ? strip : out.width;
    if (in.width == 1 && high_bits == 0) {
      kern.bit_reverse_words(work, in.data, pass.l1);
    } else if (in.width == 1) {
      kern.gather_words(work, in.data, rev_t.data(), spans, high_bits, rev_block);
    } else {
      copy_rows(
          spans, strip,
          [&](size_t t) { return in.data + ((size_t(rev_t[t]) << high_bits) + rev_block) * in.width + col; },
          [&](size_t t) { return work + t * work_ld; }, false);
    }
    Consts tw[kMaxLogHeight + 1];
    for (unsigned r = 0; r < geo.layers; ++r) tw[r] = tables.t[r];
    tw[0] = Consts{};
    const Strip s{work, work_ld, strip};
    kern.dit(s, spans, 1, 0, geo.layers, tw);
    if (post_scale) kern.scale(s, spans, post_scale.w, post_scale.q);
    if (streaming) scatter(work, 1, spans, strip, out.data, out.width, block << pass.l1, 0, col, true);
  });
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------
unsigned checked_log_height(size_t height, uint32_t extra_bits, const char* what) {
  if (!is_power_of_two(height))
    throw InputError(std::string(what) + ": height " + std::to_string(height) + " is not a power of two");
  const unsigned k = log2_exact(height);
  if (extra_bits > kMaxLogHeight || k + extra_bits > kMaxLogHeight)
    throw InputError(std::string(what) + ": log2(height) + log_blowup = " + std::to_string(k) + " + " +
                     std::to_string(extra_bits) + " exceeds the two-adicity " +
                     std::to_string(kMaxLogHeight));
  return k;
}

void check_data(const uint32_t* data, size_t height, size_t width, const char* what) {
  if (data == nullptr && height * width != 0) throw InputError(std::string(what) + ": null data");
}

void check_disjoint(ConstMatrixView in, MatrixView out) {
  const uintptr_t a0 = reinterpret_cast<uintptr_t>(in.data),
                  a1 = a0 + in.height * in.width * sizeof(uint32_t);
  const uintptr_t b0 = reinterpret_cast<uintptr_t>(out.data),
                  b1 = b0 + out.height * out.width * sizeof(uint32_t);
  if (a0 < b1 && b0 < a1) throw InputError("out: must not overlap the input");
}

// ---------------------------------------------------------------------------------------------
// LDE
// ---------------------------------------------------------------------------------------------

// Scaling of the fused pass: row (m, g) holds coefficient j = lo + g + m 2^l0 and gets n^-1 s^j
// (shift_step = s^(2^l0)). Writes spans * span_rows factors in Montgomery form. The products
// run as eight interleaved chains (m mod 8), so multiplier latency does not serialize them.
void fill_factors(Fp inv_n, Fp shift, Fp shift_step, size_t lo, size_t spans, size_t span_rows,
                  uint32_t* out) {
  constexpr size_t kChains = 8;
  Fp step_pow[kChains];
  step_pow[0] = Fp::one();
  for (size_t c = 1; c < kChains; ++c) step_pow[c] = step_pow[c - 1] * shift_step;
  const Fp chain_step = step_pow[kChains - 1] * shift_step;
  Fp base = inv_n * shift.pow(lo);
  for (size_t g = 0; g < span_rows; ++g, base *= shift) {
    Fp cur[kChains];
    for (size_t c = 0; c < kChains; ++c) cur[c] = base * step_pow[c];
    for (size_t m0 = 0; m0 < spans; m0 += kChains) {
      const size_t count = std::min(kChains, spans - m0);
      for (size_t c = 0; c < count; ++c) {
        out[(m0 + c) * span_rows + g] = cur[c].mont;
        cur[c] *= chain_step;
      }
    }
  }
}

void lde_bitrev(ConstMatrixView in, Fp in_shift, uint32_t log_blowup, Fp out_shift, MatrixView out) {
  const char* what = "coset_lde";
  const unsigned k = checked_log_height(in.height, log_blowup, "in");
  check_data(in.data, in.height, in.width, "in");
  check_data(out.data, out.height, out.width, "out");
  if (out.height != (in.height << log_blowup) || out.width != in.width)
    throw InputError(std::string(what) + ": out must have shape (" + std::to_string(in.height << log_blowup) +
                     ", " + std::to_string(in.width) + "), got (" + std::to_string(out.height) + ", " +
                     std::to_string(out.width) + ")");
  if (in_shift.is_zero()) throw InputError("in_shift: must be non-zero");
  if (out_shift.is_zero()) throw InputError("shift: must be non-zero");
  const size_t width = in.width;
  if (width == 0) return;
  check_disjoint(in, out);
  advise_huge_pages(out.data, out.height * out.width * sizeof(uint32_t));
  const size_t n = in.height;
  const size_t blowup = size_t(1) << log_blowup;

  if (k == 0) {  // constant polynomials: every output row is the input row
    parallel_for(blowup, 64, [&](size_t r) { std::memcpy(out.row(r), in.data, width * sizeof(uint32_t)); });
    return;
  }

  const Kernels& kern = ntt_kernels::kernels_for(simd::active());
  const Tables inv_tables = twiddles(k, true);
  const Tables fwd_tables = twiddles(k, false);
  const std::vector<Pass> passes = plan_passes(k, width);
  const Fp inv_n = Fp::from_canonical(uint32_t(n)).inverse();
  const Fp ratio = out_shift * in_shift.inverse();
  // Block β of the bit-reversed output is the coset ratio·ω_N^{rev_b(β)}·H_n (relative to in_shift).
  std::vector<Fp> shifts(blowup);
  const Fp omega_big = two_adic_generator(k + log_blowup);
  for (size_t beta = 0; beta < blowup; ++beta)
    shifts[beta] = ratio * omega_big.pow(reverse_bits(beta, log_blowup));

  Consts fwd_tw[kMaxLogHeight + 1];
  Consts inv_tw[kMaxLogHeight + 1];

  if (passes.size() == 1) {
    // The whole column slice fits one group: bit-reversed gather, inverse DIT, then for each
    // block a scaled copy straight into the output and an in-place forward DIF.
    const Geometry geo = geometry(passes[0], width);
    for (unsigned r = 0; r < k; ++r) {
      fwd_tw[r] = fwd_tables.t[r];
      inv_tw[r] = inv_tables.t[r];
    }
    fwd_tw[0] = inv_tw[0] = Consts{};
    std::vector<uint32_t> factors(blowup * n);
    for (size_t beta = 0; beta < blowup; ++beta)
      fill_factors(inv_n, shifts[beta], shifts[beta], 0, n, 1, &factors[beta * n]);
    const std::vector<uint32_t>& rev = bit_reversal_table(k);
    for_each_item(geo.num_strips, [&](size_t strip_index) {
      const size_t col = strip_index * geo.strip;
      const size_t strip = std::min(geo.strip, width - col);
      uint32_t* coeffs = scratch(kBufData, n * strip);
      if (width == 1) {
        kern.gather_words(coeffs, in.data, rev.data(), n, 0, 0);
      } else {
        for (size_t t = 0; t < n; ++t)
          std::memcpy(coeffs + t * strip, in.row(rev[t]) + col, strip * sizeof(uint32_t));
      }
      kern.dit(Strip{coeffs, strip, strip}, n, 1, 0, k, inv_tw);
      for (size_t beta = 0; beta < blowup; ++beta) {
        const Strip dst{out.row(beta * n) + col, width, strip};
        kern.scale_rows(dst, coeffs, strip, n, &factors[beta * n]);
        kern.dif(dst, n, 1, 0, k, fwd_tw);
      }
    });
    return;
  }

  // Inverse DFT, all passes but the last, in the first block of the output.
  const MatrixView block0{out.data, n, width};
  run_first_dit_pass_bitrev(kern, in, block0, k, passes[0], inv_tables, Scale{});
  for (size_t p = 1; p + 1 < passes.size(); ++p) run_pass(kern, block0, passes[p], inv_tables, true, Scale{});

  // Fused pass: last inverse layers, coset scaling per block, first forward layers.
  const Pass last = passes.back();
  const Geometry geo = geometry(last, width);
  const size_t spans = size_t(1) << geo.layers;
  const size_t rows = geo.rows();
  const size_t step = size_t(1) << last.l0;
  const size_t groups = step / geo.span_rows;
  const bool streaming = use_streaming_stores(out.height * width);
  std::vector<Fp> shift_steps(blowup);
  for (size_t beta = 0; beta < blowup; ++beta) shift_steps[beta] = shifts[beta].pow(step);
  for_each_item(groups * geo.num_strips, [&](size_t item) {
    const size_t col = (item % geo.num_strips) * geo.strip;
    const size_t strip = std::min(geo.strip, width - col);
    const size_t lo = (item / geo.num_strips) * geo.span_rows;
    uint32_t* coeffs = scratch(kBufData, rows * strip);
    uint32_t* work = blowup > 1 ? scratch(kBufData2, rows * strip) : coeffs;
    uint32_t* factors = scratch(kBufFactors, rows);
    Consts itw[kMaxLogHeight + 1];
    Consts ftw[kMaxLogHeight + 1];
    local_twiddles(inv_tables, last, lo, geo.span_rows, kBufTwiddlesA, itw);
    local_twiddles(fwd_tables, last, lo, geo.span_rows, kBufTwiddlesB, ftw);
    gather(out.data, width, lo, step, spans, geo.span_rows, col, strip, coeffs);
    kern.dit(Strip{coeffs, strip, strip}, spans, geo.span_rows, 0, geo.layers, itw);
    for (size_t beta = blowup; beta-- > 0;) {
      uint32_t* dst = beta == 0 ? coeffs : work;  // block 0 last: its coefficients are no longer needed
      fill_factors(inv_n, shifts[beta], shift_steps[beta], lo, spans, geo.span_rows, factors);
      const Strip s{dst, strip, strip};
      kern.scale_rows(s, coeffs, strip, rows, factors);
      kern.dif(s, spans, geo.span_rows, 0, geo.layers, ftw);
      scatter(dst, spans, geo.span_rows, strip, out.data, width, beta * n + lo, step, col, streaming);
    }
  });

  // Remaining forward passes over every block at once (they never mix blocks).
  for (size_t p = passes.size() - 1; p-- > 0;) run_pass(kern, out, passes[p], fwd_tables, false, Scale{});
}

}  // namespace

void set_ntt_block_words(size_t words) {
  g_block_words.store(std::max<size_t>(words, 4), std::memory_order_relaxed);
}
size_t ntt_block_words() { return g_block_words.load(std::memory_order_relaxed); }

void ntt_batch(MatrixView m, bool inverse) {
  const unsigned k = checked_log_height(m.height, 0, "values");
  check_data(m.data, m.height, m.width, "values");
  if (m.width == 0 || k == 0) return;
  const size_t words = m.height * m.width;
  if (m.width * sizeof(uint32_t) < 64 && words < (size_t(1) << 24)) {
    // Narrow rows make the in-place bit reversal a slow word-by-word permutation; below 64 MiB
    // a copy is cheaper: transform it out of place, the permutation riding on the first gather.
    // (Up to 4 MiB the copy lives in a reused thread-local buffer, beyond in a temporary.)
    std::vector<uint32_t> temporary;
    uint32_t* copy = words <= (size_t(1) << 20) ? scratch(kBufInPlaceCopy, words)
                                                : (temporary.resize(words), temporary.data());
    std::memcpy(copy, m.data, words * sizeof(uint32_t));
    ntt_batch(ConstMatrixView{copy, m.height, m.width}, m, inverse);
    return;
  }
  const Kernels& kern = ntt_kernels::kernels_for(simd::active());
  const Tables tables = twiddles(k, inverse);
  const std::vector<Pass> passes = plan_passes(k, m.width);
  const Scale inv_n = inverse ? Scale::of(Fp::from_canonical(uint32_t(m.height)).inverse()) : Scale{};
  // Decimation in frequency (natural in, bit-reversed out), 1/n folded into the last pass.
  for (size_t p = passes.size(); p-- > 0;)
    run_pass(kern, m, passes[p], tables, false, p == 0 ? inv_n : Scale{});
  bit_reverse_rows(m);
}

void ntt_batch(ConstMatrixView in, MatrixView out, bool inverse) {
  const unsigned k = checked_log_height(in.height, 0, "values");
  check_data(in.data, in.height, in.width, "values");
  check_data(out.data, out.height, out.width, "out");
  if (out.height != in.height || out.width != in.width)
    throw InputError("out: shape (" + std::to_string(out.height) + ", " + std::to_string(out.width) +
                     ") differs from the input's (" + std::to_string(in.height) + ", " +
                     std::to_string(in.width) + ")");
  if (in.width == 0) return;
  check_disjoint(in, out);
  advise_huge_pages(out.data, out.height * out.width * sizeof(uint32_t));
  if (k == 0) {
    std::memcpy(out.data, in.data, in.width * sizeof(uint32_t));
    return;
  }
  const Kernels& kern = ntt_kernels::kernels_for(simd::active());
  const Tables tables = twiddles(k, inverse);
  const Scale inv_n = inverse ? Scale::of(Fp::from_canonical(uint32_t(in.height)).inverse()) : Scale{};
  if (in.width > 1 && in.width < 8 && (8 % in.width) != 0 && k >= 6 && in.height <= ntt_block_words()) {
    // Widths 3, 5, 6, 7 divide no vector length, so the row-major kernels would run them scalar.
    // Transform one column at a time instead, as a contiguous single-column array (fully
    // vectorized, bit reversal folded into a vector gather), and interleave it back.
    const size_t n = in.height, width = in.width;
    Consts tw[kMaxLogHeight + 1];
    for (unsigned r = 0; r < k; ++r) tw[r] = tables.t[r];
    tw[0] = Consts{};
    for_each_item(width, [&](size_t c) {
      uint32_t* natural = scratch(kBufData2, n);
      for (size_t t = 0; t < n; ++t) natural[t] = in.data[t * width + c];
      uint32_t* column = scratch(kBufData, n);
      kern.bit_reverse_words(column, natural, k);
      const Strip s{column, 1, 1};
      kern.dit(s, n, 1, 0, k, tw);
      if (inv_n) kern.scale(s, n, inv_n.w, inv_n.q);
      for (size_t t = 0; t < n; ++t) out.data[t * width + c] = column[t];
    });
    return;
  }
  const std::vector<Pass> passes = plan_passes(k, in.width);
  // Decimation in time: the bit-reversal is the first pass's gather; 1/n in the last pass.
  run_first_dit_pass_bitrev(kern, in, out, k, passes[0], tables, passes.size() == 1 ? inv_n : Scale{});
  for (size_t p = 1; p < passes.size(); ++p)
    run_pass(kern, out, passes[p], tables, true, p + 1 == passes.size() ? inv_n : Scale{});
}

void bit_reverse_rows(MatrixView m) {
  if (!is_power_of_two(m.height)) {
    throw InputError("values: height " + std::to_string(m.height) + " is not a power of two");
  }
  check_data(m.data, m.height, m.width, "values");
  const unsigned k = log2_exact(m.height);
  const size_t width = m.width;
  if (k < 2 || width == 0) return;
  // Row index i = (hi, mid, lo) with q-bit hi and lo: rev(i) = (rev lo, rev mid, rev hi). The
  // 2^q x 2^q tile with middle bits mid maps onto the tile with middle bits rev(mid), so tiles
  // are swapped in pairs; each tile is 2^q runs of 2^q consecutive rows, a cache-friendly unit.
  const size_t row_bytes = width * sizeof(uint32_t);
  unsigned q = 1;
  while (2 * (q + 1) <= k && (size_t(2) << (2 * (q + 1))) * row_bytes <= (size_t(256) << 10)) ++q;
  const unsigned mid_bits = k - 2 * q;
  const size_t side = size_t(1) << q;
  std::vector<size_t> rev_q(side);
  for (size_t x = 0; x < side; ++x) rev_q[x] = reverse_bits(x, q);
  parallel_for(size_t(1) << mid_bits, 16, [&](size_t mid) {
    const size_t rmid = reverse_bits(mid, mid_bits);
    if (rmid < mid) return;  // the pair is handled from the other tile
    for (size_t hi = 0; hi < side; ++hi) {
      for (size_t lo = 0; lo < side; ++lo) {
        const size_t i = (hi << (k - q)) | (mid << q) | lo;
        const size_t j = (rev_q[lo] << (k - q)) | (rmid << q) | rev_q[hi];
        // Distinct tiles: every pair once from here. Same tile: each unordered pair once.
        if (rmid != mid || i < j) std::swap_ranges(m.row(i), m.row(i) + width, m.row(j));
      }
    }
  });
}

void coset_lde(ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out) {
  lde_bitrev(in, Fp::one(), log_blowup, shift, out);
  bit_reverse_rows(out);
}

void coset_lde_bitrev(ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out) {
  lde_bitrev(in, Fp::one(), log_blowup, shift, out);
}

void coset_lde_bitrev_from_coset(ConstMatrixView in, Fp in_shift, uint32_t log_blowup, Fp out_shift,
                                 MatrixView out) {
  lde_bitrev(in, in_shift, log_blowup, out_shift, out);
}

}  // namespace stark
