// Per-point bodies of the quotient kernels (host- and device-compilable; see field.cuh), and the
// launchers' declarations (quotient.cu, nvcc only).
//
// The quotient of an AIR of height n = 2^k and quotient degree q (docs/protocol.md §5.2–5.5,
// stark/air/quotient.hpp) is evaluated on Q = g·H_{n·q}, natural point i being x_i = g·ω_D^i
// (D = n·q). Every committed LDE has its rows in bit-reversed order, so point i reads row
// rev_{log D}(i) and its next row is point (i + q) mod D, at row rev_{log D}((i + q) mod D) — the
// CPU's BlockSources with bit_reversed set. One thread per point runs the compiled constraint
// fold (air_program.cuh) with the selectors at x_i,
//   Z(x_i) = g^n·ω_q^{i mod q} - 1,  is_first_row = Z/(x_i - 1),  is_last_row = Z/(x_i - ω^{-1}),
//   is_transition = x_i - ω^{-1},
// and writes Q(x_i) = fold(x_i) · Z(x_i)^{-1}: quotient_values() word for word. The q values of Z
// and 1/Z are part of the program image. Output is canonical, 4 words per point, either in natural
// order (the CPU's values vector) or straight into the chunk matrices (quotient_chunks: chunk t
// row j = Q(x_{t + j·q}); chunk t occupies words [4·t·n, 4·(t + 1)·n)).
//
// Cost per AIR is one launch over its D points; nothing depends on the other AIRs of a proof.
#pragma once

#include "air_program.cuh"
#include "device_scratch.hpp"

struct CUstream_st;  // cudaStream_t, without the CUDA headers

namespace stark::cuda::kernels {

/// The quotient-domain constants of one AIR (all Montgomery words but the sizes).
struct QuotientHeader {
  uint32_t log_height = 0;
  uint32_t log_q = 0;
  uint32_t domain_bits = 0;  // log_height + log_q
  uint32_t shift = 0;        // g
  uint32_t omega_domain = 0;
  uint32_t omega_trace_inv = 0;
  uint32_t vanishing_at = 0;      // q words: Z at the points i ≡ t (mod q)
  uint32_t inv_vanishing_at = 0;  // q words: 1/Z
};

struct QuotientProgramView {
  ProgramView program;
  QuotientHeader q;
};

/// Host copy: the fold program (sinks α^{K-1-k}·C_k into accumulator 0) and the constants.
struct QuotientImage {
  ProgramImage image;
  QuotientHeader q;
  QuotientProgramView view_at(const uint32_t* device_words) const { return {image.view_at(device_words), q}; }
  QuotientProgramView host_view() const { return {image.host_view(), q}; }
};

/// Q(x_i) for point i < D (canonical words) into out + 4·i, or at its chunk position when
/// `chunked`. `ar` is the thread's arena lane.
template <class Arena>
STARK_HD void quotient_point_body(const QuotientProgramView& qp, const MatrixSet& mats, const Arena& ar,
                                  uint64_t i, uint32_t* out, bool chunked) {
  const ProgramView& p = qp.program;
  const QuotientHeader& h = qp.q;
  const uint64_t mask = (uint64_t(1) << h.domain_bits) - 1;
  const uint32_t t = uint32_t(i & ((uint64_t(1) << h.log_q) - 1));
  const uint64_t local_row = reverse_low_bits(uint32_t(i), h.domain_bits);
  const uint64_t next_row = reverse_low_bits(uint32_t((i + p.h.next_shift) & mask), h.domain_bits);
  program_begin(p, mats, local_row, next_row, ar);
  if (p.h.num_selectors != 0) {
    const Fp x = Fp::from_mont(h.shift) * Fp::from_mont(h.omega_domain).pow(i);
    const Fp z = Fp::from_mont(p.words[h.vanishing_at + t]);
    const Fp omega_inv = Fp::from_mont(h.omega_trace_inv);
    for (uint32_t k = 0; k < p.h.num_selectors; ++k) {
      const uint32_t* s = p.words + p.h.selectors_at + k * kSelectorWords;
      Fp v;
      switch (DeviceSelector(s[0])) {
        case DeviceSelector::IsFirstRow:  // x lies on a coset disjoint from H: never 1
          v = z * (x - Fp::one()).inverse();
          break;
        case DeviceSelector::IsLastRow:
          v = z * (x - omega_inv).inverse();
          break;
        case DeviceSelector::IsTransition:
          v = x - omega_inv;
          break;
      }
      ar[s[1]] = v.mont;
    }
  }
  program_run(p, ar);
  const Ext4 value = program_accumulator(p, ar, 0) * Fp::from_mont(p.words[h.inv_vanishing_at + t]);
  const uint64_t at = chunked ? (uint64_t(t) << h.log_height) + (i >> h.log_q) : i;
  value.to_canonical(out + 4 * at);
}

/// The chunk split of natural-order values (D points, 4 canonical words each): the four words
/// of point i go to chunk i mod q, row i div q. One thread per point.
STARK_HD void quotient_chunk_body(const uint32_t* values, uint32_t log_height, uint32_t log_q,
                                  uint32_t* chunks, uint64_t i) {
  const uint64_t t = i & ((uint64_t(1) << log_q) - 1);
  const uint64_t at = (t << log_height) + (i >> log_q);
  for (uint32_t e = 0; e < 4; ++e) chunks[4 * at + e] = values[4 * i + e];
}

}  // namespace stark::cuda::kernels

namespace stark::cuda {

/// Arena lanes of the quotient launch: kernels::default_lanes over the D points.
inline uint64_t quotient_lanes(const kernels::QuotientProgramView& program) {
  return kernels::default_lanes(uint64_t(1) << program.q.domain_bits, program.program.h.num_slots);
}

/// Device scratch bytes launch_quotient uses (the arena: num_slots words per lane).
inline size_t quotient_scratch_bytes(const kernels::QuotientProgramView& program) {
  const size_t slots = program.program.h.num_slots == 0 ? 1 : program.program.h.num_slots;
  return slots * size_t(quotient_lanes(program)) * sizeof(uint32_t);
}

/// Q(x_i) for every point of the AIR's quotient domain (D = 2^domain_bits points), one launch,
/// asynchronous on `stream`. `program` views the uploaded image words (device memory); `mats`
/// holds device pointers to the committed LDEs (n·2^log_blowup rows each, bit-reversed,
/// canonical), checked by the caller (prepare_quotient, quotient.hpp). `out` (device) receives
/// 4·D canonical words: the q chunk matrices (n x 4 each) back to back when `chunked`, else the
/// values in natural order. Temporary memory: `scratch` when it holds quotient_scratch_bytes()
/// (256-byte aligned), else stream-ordered allocation (scratch.cuh). InputError on bad
/// arguments, DeviceError on CUDA errors.
void launch_quotient(const kernels::QuotientProgramView& program, const kernels::MatrixSet& mats,
                     uint32_t* out, bool chunked, DeviceScratch scratch, CUstream_st* stream);

/// The chunk split on the device: `values` (4·n·q canonical words, natural order) -> `chunks`
/// (q matrices n x 4 back to back). Asynchronous on `stream`.
void launch_quotient_chunks(const uint32_t* values, uint32_t log_height, uint32_t log_q, uint32_t* chunks,
                            CUstream_st* stream);

}  // namespace stark::cuda
