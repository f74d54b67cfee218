// Per-row bodies of the LogUp after-challenge trace kernels and the order in which they run
// (host- and device-compilable; see field.cuh), and the launcher's declaration (logup.cu).
//
// For interaction i at row r (stark/air/logup.hpp, docs/protocol.md §7.3–7.4):
//   d_i(r) = α + Σ_{j<ℓ} β^j·σ_{i,j}(r) + β^ℓ·(bus_i + 1),   m_i(r) = the count expression,
//   perm_c(r) = Σ_{i ∈ chunk c} m_i(r) / d_i(r),              φ(r) = Σ_{r' ≤ r} Σ_c perm_c(r'),
// with next-row values at (r + 1) mod n. The messages, counts and fingerprints come from the same
// compiled program as on the CPU (accumulator i = d_i with the constant part in its initial value,
// output i = m_i; air_program.cuh runs it for one row). The steps:
//   eval      per row: d_i (Montgomery E words) and m_i into segment buffers; a zero d_i lowers
//             the status word to min(r·I + i), the CPU's "smallest (row, interaction)"
//   invert    per group of rows: Montgomery's trick over the group's d's, one E inversion
//   rows      per row: perm_c written (canonical) into the flattened trace, Σ_c perm_c into sums
//   scan      inclusive prefix sum of sums over all rows: tiles scanned by one thread each, the
//             tile totals scanned recursively, then each tile after the first adds its offset
//   finalize  per row: φ written (canonical) into the last E column; row n - 1 also gives S
// The eval/invert/rows buffers cover one segment of rows and are reused segment after segment, so
// their size does not grow with the trace height. Field additions are exact, so any scan order
// gives the CPU's words; the output equals AfterChallengeTrace::flattened bit for bit.
#pragma once

#include <string>

#include "air_program.cuh"
#include "device_scratch.hpp"

struct CUstream_st;  // cudaStream_t, without the CUDA headers

namespace stark::cuda::kernels {

struct LogupHeader {
  uint32_t num_interactions = 0;
  uint32_t num_chunks = 0;
  uint32_t chunk_offsets_at = 0;  // num_chunks + 1 words: chunk c is members [off[c], off[c + 1])
  uint32_t chunk_members_at = 0;  // interaction ids, chunk by chunk
  uint32_t buses_at = 0;          // num_interactions words
};

struct LogupProgramView {
  ProgramView program;
  LogupHeader lu;
};

struct LogupImage {
  ProgramImage image;
  LogupHeader lu;
  LogupProgramView view_at(const uint32_t* device_words) const { return {image.view_at(device_words), lu}; }
  LogupProgramView host_view() const { return {image.host_view(), lu}; }
};

/// Rows per scan tile (one thread scans a tile sequentially).
inline constexpr uint64_t kScanTile = 64;
/// Status word value when no denominator is zero.
inline constexpr unsigned long long kNoZeroDenominator = ~0ull;

/// Word offsets of the buffers in one workspace (each 256-byte aligned from an aligned base).
struct LogupLayout {
  uint64_t height = 0;        // n rows (a power of two)
  uint64_t segment_rows = 0;  // rows per eval/invert/rows pass
  uint64_t group_rows = 0;    // rows per batch inversion
  uint64_t lanes = 0;         // arena lanes of the eval step
  size_t den_at = 0, inv_at = 0, cnt_at = 0, sums_at = 0, scan_at = 0, arena_at = 0;
  size_t status_at = 0;      // the status word (2 words, 8-byte aligned) ...
  size_t cumulative_at = 0;  // ... then S (4 canonical words): one read-back for both
  size_t total_words = 0;
};

/// Words of the recursive scan's tile totals for `count` elements.
inline size_t scan_workspace_words(uint64_t count) {
  size_t words = 0;
  while (count > 1) {
    count = (count + kScanTile - 1) / kScanTile;
    words += 4 * size_t(count);
  }
  return words;
}

inline LogupLayout logup_layout(const LogupProgramView& p, uint64_t height, uint64_t segment_rows,
                                uint64_t group_rows, uint64_t lanes) {
  LogupLayout l;
  l.height = height;
  l.segment_rows = segment_rows < height ? segment_rows : height;
  l.group_rows = group_rows;
  l.lanes = lanes;
  const size_t per_row = p.lu.num_interactions;
  size_t at = 0;
  auto take = [&](size_t words) {
    const size_t here = at;
    at += (words + 63) / 64 * 64;
    return here;
  };
  l.den_at = take(4 * per_row * l.segment_rows);
  l.inv_at = take(4 * per_row * l.segment_rows);
  l.cnt_at = take(per_row * l.segment_rows);
  l.sums_at = take(4 * size_t(height));
  l.scan_at = take(scan_workspace_words(height));
  l.status_at = take(6);
  l.cumulative_at = l.status_at + 2;
  l.arena_at = take(size_t(p.program.h.num_slots) * lanes);
  l.total_words = at;
  return l;
}

/// The launcher's layout for an n-row trace: segments whose eval/invert buffers (9 words per
/// row and interaction) stay within 256 MiB, groups of 16 rows per inversion, and
/// default_lanes() arena lanes (multiples of 256, as launch_after_challenge_trace requires).
inline LogupLayout default_logup_layout(const LogupProgramView& p, uint64_t height) {
  constexpr uint64_t kSegmentWords = uint64_t(64) << 20, kMinSegment = 256, kGroupRows = 16;
  const uint64_t per_row = 9 * uint64_t(p.lu.num_interactions == 0 ? 1 : p.lu.num_interactions);
  uint64_t segment = kMinSegment;
  while (segment * 2 * per_row <= kSegmentWords && segment < height) segment *= 2;
  if (segment > height) segment = height;
  return logup_layout(p, height, segment, kGroupRows, default_lanes(segment, p.program.h.num_slots));
}

/// eval: row `first + r` of an n-row trace (n a power of two); its I fingerprints go to
/// den[4·(r·I + i) ..] (Montgomery), its counts to cnt[r·I + i].
template <class Arena>
STARK_HD void logup_eval_row_body(const LogupProgramView& lp, const MatrixSet& mats, const Arena& ar,
                                  uint64_t height, uint64_t first, uint64_t r, uint32_t* den, uint32_t* cnt,
                                  unsigned long long* status) {
  const ProgramView& p = lp.program;
  const uint64_t row = first + r;
  program_begin(p, mats, row, (row + p.h.next_shift) & (height - 1), ar);
  program_run(p, ar);
  const uint32_t num = lp.lu.num_interactions;
  for (uint32_t i = 0; i < num; ++i) {
    const Ext4 d = program_accumulator(p, ar, i);
    const uint64_t k = r * num + i;
    for (uint32_t e = 0; e < 4; ++e) den[4 * k + e] = d.c[e].mont;
    cnt[k] = program_output(p, ar, i).mont;
    if (d.is_zero()) atomic_min_u64(status, row * num + i);
  }
}

/// invert: inv[k] = 1/den[k] for k in group g = [g·group, min((g + 1)·group, count)) (E values,
/// Montgomery words). A zero in the group zeroes the group's results (the status reports it).
STARK_HD void batch_inverse_ext_body(const uint32_t* den, uint32_t* inv, uint64_t count, uint64_t group,
                                     uint64_t g) {
  const uint64_t begin = g * group;
  const uint64_t end = begin + group < count ? begin + group : count;
  auto load = [](const uint32_t* w) {
    return Ext4(Fp::from_mont(w[0]), Fp::from_mont(w[1]), Fp::from_mont(w[2]), Fp::from_mont(w[3]));
  };
  auto store = [](uint32_t* w, const Ext4& v) {
    for (uint32_t e = 0; e < 4; ++e) w[e] = v.c[e].mont;
  };
  Ext4 acc = Ext4::one();
  for (uint64_t k = begin; k < end; ++k) {
    store(inv + 4 * k, acc);  // the product of the group's elements before k
    acc *= load(den + 4 * k);
  }
  Ext4 inv_acc = ext_inverse(acc);
  for (uint64_t k = end; k-- > begin;) {
    const Ext4 before = load(inv + 4 * k);
    store(inv + 4 * k, inv_acc * before);
    inv_acc *= load(den + 4 * k);
  }
}

/// rows: row `first + r`: perm_c = Σ_{i ∈ chunk c} inv_i·m_i into the flattened trace (width
/// 4·(C + 1), canonical) and Σ_c perm_c into sums[4·(first + r) ..] (Montgomery).
STARK_HD void logup_row_body(const LogupProgramView& lp, const uint32_t* inv, const uint32_t* cnt,
                             uint64_t first, uint64_t r, uint32_t* flattened, uint32_t* sums) {
  const uint32_t* w = lp.program.words;
  const uint32_t num = lp.lu.num_interactions, chunks = lp.lu.num_chunks;
  const uint64_t row = first + r;
  uint32_t* out = flattened + row * 4 * (uint64_t(chunks) + 1);
  Ext4 row_sum = Ext4::zero();
  for (uint32_t c = 0; c < chunks; ++c) {
    Ext4 s = Ext4::zero();
    for (uint32_t m = w[lp.lu.chunk_offsets_at + c]; m < w[lp.lu.chunk_offsets_at + c + 1]; ++m) {
      const uint64_t k = r * num + w[lp.lu.chunk_members_at + m];
      const Ext4 v(Fp::from_mont(inv[4 * k]), Fp::from_mont(inv[4 * k + 1]), Fp::from_mont(inv[4 * k + 2]),
                   Fp::from_mont(inv[4 * k + 3]));
      s += v * Fp::from_mont(cnt[k]);
    }
    s.to_canonical(out + 4 * c);
    row_sum += s;
  }
  for (uint32_t e = 0; e < 4; ++e) sums[4 * row + e] = row_sum.c[e].mont;
}

STARK_HD void add_ext_words(uint32_t* dst, const uint32_t* src) {
  for (uint32_t e = 0; e < 4; ++e) dst[e] = detail::add_mod(dst[e], src[e]);
}

/// scan, first pass: tile t of `data` (count E values, 4 words each) scanned in place; its total
/// to totals[4·t ..].
STARK_HD void scan_tile_body(uint32_t* data, uint64_t count, uint32_t* totals, uint64_t t) {
  const uint64_t begin = t * kScanTile;
  const uint64_t end = begin + kScanTile < count ? begin + kScanTile : count;
  for (uint64_t k = begin + 1; k < end; ++k) add_ext_words(data + 4 * k, data + 4 * (k - 1));
  for (uint32_t e = 0; e < 4; ++e) totals[4 * t + e] = data[4 * (end - 1) + e];
}

/// scan, last pass: element k of a tile after the first adds the inclusive total of the tiles
/// before it (totals already scanned).
STARK_HD void scan_add_body(uint32_t* data, const uint32_t* totals, uint64_t k) {
  const uint64_t t = k / kScanTile;
  if (t != 0) add_ext_words(data + 4 * k, totals + 4 * (t - 1));
}

/// finalize: φ(row) (canonical) into the last E column; row n - 1 also writes S to cumulative.
STARK_HD void logup_finalize_body(uint32_t num_chunks, uint64_t height, const uint32_t* sums,
                                  uint32_t* flattened, uint32_t* cumulative, uint64_t row) {
  uint32_t* phi = flattened + row * 4 * (uint64_t(num_chunks) + 1) + 4 * uint64_t(num_chunks);
  for (uint32_t e = 0; e < 4; ++e) {
    const uint32_t v = Fp::from_mont(sums[4 * row + e]).canonical();
    phi[e] = v;
    if (row == height - 1 && cumulative != nullptr) cumulative[e] = v;
  }
}

/// The steps, written once for two executors: the CUDA launcher (logup.cu) and the CPU emulation
/// in the tests. An executor holds the program, the matrices and the eval arena, and provides
///   reset_status(status)                              *status = kNoZeroDenominator
///   eval_rows(first, count, den, cnt, status)         logup_eval_row_body, r < count
///   invert(den, inv, count, group)                    batch_inverse_ext_body, one per group
///   rows(first, count, inv, cnt, flattened, sums)     logup_row_body, r < count
///   scan_tiles(data, count, totals)                   scan_tile_body, one per tile
///   scan_add(data, count, totals)                     scan_add_body, k < count
///   finalize(height, sums, flattened, cumulative)     logup_finalize_body, row < height
namespace plan {

template <class Exec>
void inclusive_scan_ext(Exec& ex, uint32_t* data, uint64_t count, uint32_t* totals) {
  if (count <= 1) return;
  const uint64_t tiles = (count + kScanTile - 1) / kScanTile;
  ex.scan_tiles(data, count, totals);
  if (tiles == 1) return;
  inclusive_scan_ext(ex, totals, tiles, totals + 4 * tiles);
  ex.scan_add(data, count, totals);
}

/// `ws` is the workspace of `l` (its status word 8-byte aligned); `flattened` receives the
/// n x 4·(C + 1) trace, `cumulative` (4 words, may be null) S, both canonical.
template <class Exec>
void after_challenge_trace(Exec& ex, const LogupProgramView& lp, const LogupLayout& l, uint32_t* ws,
                           uint32_t* flattened, uint32_t* cumulative) {
  auto* status = reinterpret_cast<unsigned long long*>(ws + l.status_at);
  ex.reset_status(status);
  const uint64_t num = lp.lu.num_interactions;
  for (uint64_t first = 0; first < l.height; first += l.segment_rows) {
    const uint64_t count = l.segment_rows < l.height - first ? l.segment_rows : l.height - first;
    ex.eval_rows(first, count, ws + l.den_at, ws + l.cnt_at, status);
    ex.invert(ws + l.den_at, ws + l.inv_at, count * num, l.group_rows * num);
    ex.rows(first, count, ws + l.inv_at, ws + l.cnt_at, flattened, ws + l.sums_at);
  }
  inclusive_scan_ext(ex, ws + l.sums_at, l.height, ws + l.scan_at);
  ex.finalize(l.height, ws + l.sums_at, flattened, cumulative);
}

}  // namespace plan

/// The CPU's message for the first zero denominator (the prover adds the AIR's name).
inline std::string logup_zero_denominator_message(uint64_t row, uint32_t interaction, uint32_t bus) {
  return "LogUp denominator is zero at row " + std::to_string(row) + ", interaction " +
         std::to_string(interaction) + " (bus " + std::to_string(bus) +
         "): the message's fingerprint vanishes at the sampled LogUp challenges";
}

}  // namespace stark::cuda::kernels

namespace stark::cuda {

/// Device scratch bytes launch_after_challenge_trace uses for an n-row trace (its default layout).
inline size_t after_challenge_scratch_bytes(const kernels::LogupProgramView& program, uint64_t height) {
  return kernels::default_logup_layout(program, height).total_words * sizeof(uint32_t);
}

/// The after-challenge trace of one AIR on the device, in kernels::default_logup_layout.
/// `program` views the uploaded image words (device memory); `mats` holds device pointers to the
/// traces in natural row order (`height` rows each, height a power of two; checked by the
/// caller, see prepare_after_challenge_trace in logup.hpp). `flattened` (device) receives
/// height x 4·(C + 1) canonical words. The kernels are queued on `stream`; then one read-back of
/// the status word and S synchronizes the stream. Returns the status word (kNoZeroDenominator,
/// or min(row·I + i) over the vanishing fingerprints: check_logup_status turns it into the CPU's
/// InputError) and writes S (4 canonical words) to `cumulative_out` (host). Temporary memory:
/// `scratch` when it holds after_challenge_scratch_bytes() (256-byte aligned), else
/// stream-ordered allocation (scratch.cuh). InputError on bad arguments, DeviceError on CUDA errors.
unsigned long long launch_after_challenge_trace(const kernels::LogupProgramView& program,
                                                const kernels::MatrixSet& mats, uint64_t height,
                                                uint32_t* flattened, uint32_t cumulative_out[4],
                                                DeviceScratch scratch, CUstream_st* stream);

}  // namespace stark::cuda
