// The compiled constraint program as the GPU runs it: one point per thread (host- and
// device-compilable; see field.cuh). Shared by the quotient (quotient.cuh) and the LogUp
// after-challenge trace (logup.cuh).
//
// The CPU compiles a constraint DAG into a BlockProgram (cpp/src/air/block_program.hpp) whose
// instructions address an arena of vectors, one word per point of a block; the next-row value of
// a trace column is the same vector read `next_shift` words further. A thread evaluates one point
// at a time, so here every vector is a single word, a "slot", and the next-row values of the
// columns get slots of their own:
//   slot v < num_vectors            vector v of the BlockProgram (columns, constants, selectors,
//                                   accumulators, scratch: the CPU's layout)
//   slot next_base + v, v < #cols   column v at the next row
// An extension value keeps its four consecutive slots (coefficient e in slot s + e), which also
// holds for an after-challenge column read at the next row: its four base columns are consecutive
// column vectors. The program is flat uint32 words (a ProgramImage) that the host builds from the
// BlockProgram (air_program_host.hpp) and uploads with one copy; a ProgramView is the header plus a
// pointer to those words, wherever they live.
//
// Each thread owns a lane of a scratch arena laid out slot-major, arena[slot * lanes + lane], so
// the threads of a warp touch consecutive words. The field values are exact: any evaluation order
// gives the CPU's words (canonical Montgomery words in [0, p)), which the host tests check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "field.cuh"
#include "stark/field/extension.hpp"

namespace stark::cuda::kernels {

// ---------------------------------------------------------------------------------------------
// Extension arithmetic the CPU keeps in a .cpp (not callable from device code)
// ---------------------------------------------------------------------------------------------

/// a^-1 in E = F[X]/(X^4 - W), zero for zero. With Y = X^2 (Y^2 = W), a = A + X·B for A, B in
/// F[Y]/(Y^2 - W); (A + XB)(A - XB) = A^2 - Y·B^2 =: N lies in that quadratic field, so
/// a^-1 = (A - XB)·N^-1 and N^-1 = conj(N) / (n0^2 - W n1^2): one base-field inversion. The
/// inverse is unique, so this is Ext4::inverse() word for word.
STARK_HD Ext4 ext_inverse(const Ext4& a) {
  const Fp w = Fp::from_mont(field_params::kExtensionWMont);
  const Fp a0 = a.c[0], a1 = a.c[1], a2 = a.c[2], a3 = a.c[3];
  const Fp n0 = a0 * a0 + w * (a2 * a2) - w * ((a1 * a3) + (a1 * a3));
  const Fp n1 = (a0 * a2) + (a0 * a2) - a1 * a1 - w * (a3 * a3);
  const Fp d = (n0 * n0 - w * (n1 * n1)).inverse();
  const Fp m0 = n0 * d, m1 = -(n1 * d);
  return Ext4(a0 * m0 + w * (a2 * m1), -(a1 * m0 + w * (a3 * m1)), a0 * m1 + a2 * m0, -(a1 * m1 + a3 * m0));
}

/// *p = min(*p, v); atomic on the device (the host executors run one thread at a time).
STARK_HD void atomic_min_u64(unsigned long long* p, unsigned long long v) {
#if defined(__CUDA_ARCH__)
  atomicMin(p, v);
#else
  if (v < *p) *p = v;
#endif
}

// ---------------------------------------------------------------------------------------------
// The program image
// ---------------------------------------------------------------------------------------------

/// The instruction set of the BlockProgram (block_program.hpp, Op), with slots for offsets.
enum class DeviceOp : uint32_t {
  Mul = 0,              // F: dst = a · b
  LinComb,              // F: dst = the linear combination lin_headers[a]
  ExtAdd,               // E: dst = a + b
  ExtAddBase,           // E: dst = a + b (b in F)
  ExtSub,               // E: dst = a - b
  ExtSubBase,           // E: dst = a - b (b in F)
  BaseSubExt,           // E: dst = a - b (a in F)
  ExtMul,               // E: dst = a · b
  ExtMulBase,           // E: dst = a · b (b in F)
  ExtNeg,               // E: dst = -a
  AccumulateExt,        // E accumulator dst += coeffs[aux] · a
  AccumulateBaseBatch,  // E accumulator dst += Σ batch terms [a, a + b)
};

/// Selector kinds a program may read (their values at the point are the caller's).
enum class DeviceSelector : uint32_t { IsFirstRow = 0, IsLastRow = 1, IsTransition = 2 };

/// Words per table entry.
inline constexpr uint32_t kColumnWords = 3;    // matrix id, column, flags (kReadLocal | kReadNext)
inline constexpr uint32_t kConstantWords = 2;  // slot, Montgomery word
inline constexpr uint32_t kSelectorWords = 2;  // DeviceSelector, slot
inline constexpr uint32_t kInstrWords = 5;     // op, dst, a, b, aux
inline constexpr uint32_t kLinHeaderWords =
    11;  // c0, first, count[6], chain_length, chain_shift, chain_negative
inline constexpr uint32_t kLinTermWords = 2;    // slot, Montgomery coefficient
inline constexpr uint32_t kBatchTermWords = 5;  // slot, E coefficient (4 Montgomery words)
inline constexpr uint32_t kReadLocal = 1, kReadNext = 2;

/// Sizes and word offsets of the tables of one program (all offsets into the image's words).
struct ProgramHeader {
  uint32_t num_slots = 0;  // arena words per point (>= 1)
  uint32_t num_columns = 0;
  uint32_t next_base = 0;   // slot of column 0 at the next row
  uint32_t next_shift = 0;  // the next row's point is point + next_shift (mod the domain)
  uint32_t num_constants = 0, num_selectors = 0, num_accumulators = 0, accumulator_slot = 0;
  uint32_t num_outputs = 0, num_instrs = 0;
  uint32_t columns_at = 0, constants_at = 0, selectors_at = 0, accumulator_init_at = 0, outputs_at = 0;
  uint32_t instrs_at = 0, lin_headers_at = 0, lin_terms_at = 0, batch_terms_at = 0, coeffs_at = 0;
  uint32_t num_words = 0;
};

/// A program wherever its words are (host memory in the tests, device memory in the kernels).
struct ProgramView {
  ProgramHeader h;
  const uint32_t* words = nullptr;
};

/// The host copy of a program (its words are what gets uploaded).
struct ProgramImage {
  ProgramHeader header;
  std::vector<uint32_t> words;
  ProgramView view_at(const uint32_t* device_words) const { return {header, device_words}; }
  ProgramView host_view() const { return {header, words.data()}; }
};

/// The trace matrices a program reads, by the CPU's MatrixId (0 preprocessed, 1 after-challenge,
/// 2 + p main partition p): row-major canonical words, `width` words per row. Passed by value.
inline constexpr uint32_t kMaxMatrices = 64;
struct MatrixSet {
  const uint32_t* data[kMaxMatrices] = {};
  uint32_t width[kMaxMatrices] = {};
  uint32_t count = 0;
};

/// One thread's arena lane: slot s is base[s * lanes].
struct StridedArena {
  uint32_t* base;
  uint64_t lanes;
  STARK_HD uint32_t& operator[](uint32_t slot) const { return base[uint64_t(slot) * lanes]; }
};

/// Lanes (threads with an arena lane) for a launch over `points` points: a multiple of 256 (the
/// launch block), at most what 256 MiB of arena holds but at least one block.
inline uint64_t default_lanes(uint64_t points, uint32_t num_slots) {
  constexpr uint64_t kBlockLanes = 256, kArenaWords = uint64_t(64) << 20;
  const uint64_t wanted = (points + kBlockLanes - 1) / kBlockLanes * kBlockLanes;
  uint64_t cap = kArenaWords / (num_slots == 0 ? 1 : num_slots) / kBlockLanes * kBlockLanes;
  if (cap < kBlockLanes) cap = kBlockLanes;
  return wanted < cap ? wanted : cap;
}

// ---------------------------------------------------------------------------------------------
// The interpreter
// ---------------------------------------------------------------------------------------------

template <class Arena>
STARK_HD Ext4 load_ext(const Arena& ar, uint32_t s) {
  return Ext4(Fp::from_mont(ar[s]), Fp::from_mont(ar[s + 1]), Fp::from_mont(ar[s + 2]),
              Fp::from_mont(ar[s + 3]));
}
template <class Arena>
STARK_HD void store_ext(const Arena& ar, uint32_t s, const Ext4& v) {
  for (uint32_t e = 0; e < 4; ++e) ar[s + e] = v.c[e].mont;
}

/// Loads the point's trace values (rows `local_row` and `next_row` of each matrix read), the
/// constants and the accumulators' initial values. Selector slots are left to the caller.
template <class Arena>
STARK_HD void program_begin(const ProgramView& p, const MatrixSet& m, uint64_t local_row, uint64_t next_row,
                            const Arena& ar) {
  const uint32_t* w = p.words;
  for (uint32_t v = 0; v < p.h.num_columns; ++v) {
    const uint32_t* c = w + p.h.columns_at + v * kColumnWords;
    const uint32_t* mat = m.data[c[0]];
    const uint64_t width = m.width[c[0]];
    if (c[2] & kReadLocal) ar[v] = Fp::from_canonical(mat[local_row * width + c[1]]).mont;
    if (c[2] & kReadNext) ar[p.h.next_base + v] = Fp::from_canonical(mat[next_row * width + c[1]]).mont;
  }
  for (uint32_t k = 0; k < p.h.num_constants; ++k) {
    const uint32_t* c = w + p.h.constants_at + k * kConstantWords;
    ar[c[0]] = c[1];
  }
  for (uint32_t k = 0; k < 4 * p.h.num_accumulators; ++k)
    ar[p.h.accumulator_slot + k] = w[p.h.accumulator_init_at + k];
}

/// c0 + Σ x - Σ x + Σ x·y - Σ x·y + Σ c·x + Σ c·x·y ± 2^s·Σ_j 2^j·z_j (block_kernels.hpp, LinHeader).
template <class Arena>
STARK_HD Fp lincomb_value(const ProgramView& p, uint32_t header, const Arena& ar) {
  const uint32_t* h = p.words + p.h.lin_headers_at + header * kLinHeaderWords;
  const uint32_t* t = p.words + p.h.lin_terms_at + h[1] * kLinTermWords;
  auto val = [&](uint32_t j) { return Fp::from_mont(ar[t[j * kLinTermWords]]); };
  auto coeff = [&](uint32_t j) { return Fp::from_mont(t[j * kLinTermWords + 1]); };
  Fp acc = Fp::from_mont(h[0]);
  uint32_t j = 0;
  for (uint32_t k = 0; k < h[2]; ++k) acc += val(j++);
  for (uint32_t k = 0; k < h[3]; ++k) acc -= val(j++);
  for (uint32_t k = 0; k < h[4]; ++k, j += 2) acc += val(j) * val(j + 1);
  for (uint32_t k = 0; k < h[5]; ++k, j += 2) acc -= val(j) * val(j + 1);
  for (uint32_t k = 0; k < h[6]; ++k, ++j) acc += coeff(j) * val(j);
  for (uint32_t k = 0; k < h[7]; ++k, j += 2) acc += coeff(j) * (val(j) * val(j + 1));
  const uint32_t chain = h[8];
  if (chain != 0) {
    Fp hv = val(j + chain - 1);
    for (uint32_t k = chain - 1; k-- > 0;) hv = hv + hv + val(j + k);
    for (uint32_t k = 0; k < h[9]; ++k) hv = hv + hv;
    acc = h[10] ? acc - hv : acc + hv;
  }
  return acc;
}

/// Runs the instructions (after program_begin and the selectors).
template <class Arena>
STARK_HD void program_run(const ProgramView& p, const Arena& ar) {
  const uint32_t* w = p.words;
  for (uint32_t k = 0; k < p.h.num_instrs; ++k) {
    const uint32_t* in = w + p.h.instrs_at + k * kInstrWords;
    const uint32_t dst = in[1], a = in[2], b = in[3];
    switch (DeviceOp(in[0])) {
      case DeviceOp::Mul:
        ar[dst] = (Fp::from_mont(ar[a]) * Fp::from_mont(ar[b])).mont;
        break;
      case DeviceOp::LinComb:
        ar[dst] = lincomb_value(p, a, ar).mont;
        break;
      case DeviceOp::ExtAdd:
        store_ext(ar, dst, load_ext(ar, a) + load_ext(ar, b));
        break;
      case DeviceOp::ExtAddBase:
        store_ext(ar, dst, load_ext(ar, a) + Fp::from_mont(ar[b]));
        break;
      case DeviceOp::ExtSub:
        store_ext(ar, dst, load_ext(ar, a) - load_ext(ar, b));
        break;
      case DeviceOp::ExtSubBase:
        store_ext(ar, dst, load_ext(ar, a) - Fp::from_mont(ar[b]));
        break;
      case DeviceOp::BaseSubExt:
        store_ext(ar, dst, -load_ext(ar, b) + Fp::from_mont(ar[a]));
        break;
      case DeviceOp::ExtMul:
        store_ext(ar, dst, load_ext(ar, a) * load_ext(ar, b));
        break;
      case DeviceOp::ExtMulBase:
        store_ext(ar, dst, load_ext(ar, a) * Fp::from_mont(ar[b]));
        break;
      case DeviceOp::ExtNeg:
        store_ext(ar, dst, -load_ext(ar, a));
        break;
      case DeviceOp::AccumulateExt: {
        const uint32_t* c = w + p.h.coeffs_at + 4 * in[4];
        const Ext4 coeff(Fp::from_mont(c[0]), Fp::from_mont(c[1]), Fp::from_mont(c[2]), Fp::from_mont(c[3]));
        store_ext(ar, dst, load_ext(ar, dst) + coeff * load_ext(ar, a));
        break;
      }
      case DeviceOp::AccumulateBaseBatch: {
        Ext4 acc = load_ext(ar, dst);
        for (uint32_t t = a; t < a + b; ++t) {
          const uint32_t* bt = w + p.h.batch_terms_at + t * kBatchTermWords;
          const Ext4 coeff(Fp::from_mont(bt[1]), Fp::from_mont(bt[2]), Fp::from_mont(bt[3]),
                           Fp::from_mont(bt[4]));
          acc += coeff * Fp::from_mont(ar[bt[0]]);
        }
        store_ext(ar, dst, acc);
        break;
      }
    }
  }
}

/// Accumulator k after program_run.
template <class Arena>
STARK_HD Ext4 program_accumulator(const ProgramView& p, const Arena& ar, uint32_t k) {
  return load_ext(ar, p.h.accumulator_slot + 4 * k);
}
/// Output k (an F value) after program_run.
template <class Arena>
STARK_HD Fp program_output(const ProgramView& p, const Arena& ar, uint32_t k) {
  return Fp::from_mont(ar[p.words[p.h.outputs_at + k]]);
}

}  // namespace stark::cuda::kernels
