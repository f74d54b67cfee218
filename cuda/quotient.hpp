// Host entry of the quotient on the device (docs/protocol.md §5.4–5.5), for the CUDA prover
// device (host compiler only: it reaches the CPU's private program compiler through
// air_program_host.hpp; the kernel is quotient.cu's).
//
// prepare_quotient() makes stark::quotient_values' checks with its messages and builds the
// program (the fold Σ α^{K-1-k}·C_k, the quotient domain's constants) and the matrix set;
// quotient_chunks_on_device() uploads the program through the cache and queues one launch over
// the AIR's n·q points, which writes the q chunk matrices of stark::quotient_chunks word for
// word. The cost is that of this AIR's points only, whatever else shares the proof.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "air_program_host.hpp"
#include "device_scratch.hpp"
#include "program_cache.hpp"
#include "quotient.cuh"

namespace stark::cuda {

/// One AIR's committed LDEs by pointer: 2^(log_height + log_blowup) bit-reversed rows on
/// g·H_{n·2^b} each (PcsCommitted::lde(m)'s layout), canonical, row-major.
struct QuotientLdes {
  uint32_t log_height = 0;
  uint32_t log_blowup = 0;
  std::optional<MatrixRef> preprocessed;
  std::vector<MatrixRef> mains;  // cached partitions, then the common main
  std::optional<MatrixRef> after_challenge;
};

struct PreparedQuotient {
  kernels::QuotientImage image;
  kernels::MatrixSet mats;
};

/// The checks of stark::quotient_values (same order, same messages), then the program.
inline PreparedQuotient prepare_quotient(const ConstraintSystem& cs, const QuotientLdes& in,
                                         const std::vector<uint32_t>& public_values,
                                         const std::vector<Ext4>& challenges,
                                         const std::vector<Ext4>& exposed, const Ext4& alpha) {
  const char* who = "quotient";
  const uint32_t q = cs.quotient_degree;
  if (in.log_height + in.log_blowup > TWO_ADICITY)
    throw InputError("quotient: log_height + log_blowup exceeds the two-adicity 27");
  if (q > (1u << in.log_blowup))
    throw InputError("quotient: quotient degree " + std::to_string(q) + " exceeds the blowup 2^" +
                     std::to_string(in.log_blowup));
  const size_t lde_height = size_t(1) << (in.log_height + in.log_blowup);
  if (in.preprocessed.has_value() != (cs.preprocessed_width > 0))
    throw InputError("quotient: preprocessed LDE presence does not match the constraint system");
  if (in.preprocessed)
    host_detail::check_ref(*in.preprocessed, lde_height, cs.preprocessed_width, who, "preprocessed", "LDE");
  if (!cs.main_partition_count_matches(in.mains.size(), in.mains.empty() ? 0 : in.mains.back().width))
    throw InputError("quotient: " + std::to_string(in.mains.size()) + " main partitions given, expected " +
                     std::to_string(cs.num_main_partitions()));
  for (size_t p = 0; p < in.mains.size(); ++p)
    host_detail::check_ref(in.mains[p], lde_height, cs.main_partition_width(p), who, "main", "LDE");
  if (in.after_challenge.has_value() != (cs.after_challenge_width() > 0))
    throw InputError("quotient: after-challenge LDE presence does not match the constraint system");
  if (in.after_challenge)
    host_detail::check_ref(*in.after_challenge, lde_height, 4 * size_t(cs.after_challenge_width()), who,
                           "after-challenge", "LDE");

  PreparedQuotient out;
  out.image =
      build_quotient_program(cs, in.log_height, in.log_blowup, public_values, challenges, exposed, alpha);
  out.mats = host_detail::matrix_set(in.preprocessed, in.mains, in.after_challenge);
  check_matrix_set(out.image.image, out.mats);
  return out;
}

/// The q chunk matrices of one AIR's quotient on the device: `chunks` (device) receives
/// 4·n·q canonical words, chunk t (n x 4, stark::quotient_chunks' t-th matrix) at chunks + 4·n·t.
/// Asynchronous on `stream`; the program is uploaded through `cache` (keyed by &cs); the arena
/// uses `scratch` when it holds quotient_scratch_bytes(), else a stream-ordered allocation.
/// InputError as stark::quotient_values.
inline void quotient_chunks_on_device(DeviceProgramCache& cache, const ConstraintSystem& cs,
                                      const QuotientLdes& in, const std::vector<uint32_t>& public_values,
                                      const std::vector<Ext4>& challenges, const std::vector<Ext4>& exposed,
                                      const Ext4& alpha, uint32_t* chunks, CUstream_st* stream,
                                      DeviceScratch scratch = {}) {
  const PreparedQuotient prep = prepare_quotient(cs, in, public_values, challenges, exposed, alpha);
  const uint32_t* words = cache.upload(&cs, ProgramKind::Quotient, prep.image.image.words, stream);
  launch_quotient(prep.image.view_at(words), prep.mats, chunks, true, scratch, stream);
}

}  // namespace stark::cuda
