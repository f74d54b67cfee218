// Host entry of the LogUp after-challenge trace on the device (docs/protocol.md §7.3–7.4), for
// the CUDA prover device (host compiler only: it reaches the CPU's private program compiler
// through air_program_host.hpp; the kernels are logup.cu's).
//
// prepare_after_challenge_trace() makes stark::after_challenge_trace's checks with its messages
// and builds the program and the matrix set; after_challenge_trace_on_device() uploads the
// program through the cache, queues the kernels on the stream, reads back the status word and
// the cumulative sum (the one synchronization), and throws the CPU's InputError when a
// fingerprint vanished. The flattened trace it writes is AfterChallengeTrace::flattened word for
// word (height x 4·(#chunks + 1), canonical).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "air_program_host.hpp"
#include "device_scratch.hpp"
#include "logup.cuh"
#include "program_cache.hpp"

namespace stark::cuda {

struct PreparedLogup {
  kernels::LogupImage image;
  kernels::MatrixSet mats;  // the given pointers, by the CPU's matrix ids
  uint64_t height = 0;
};

/// The checks of stark::after_challenge_trace on matrices given by pointer (device or host),
/// then the program for these public values and challenges.
inline PreparedLogup prepare_after_challenge_trace(const ConstraintSystem& cs,
                                                   std::optional<MatrixRef> preprocessed,
                                                   const std::vector<MatrixRef>& mains,
                                                   const std::vector<uint32_t>& public_values,
                                                   const Ext4& alpha_lu, const Ext4& beta_lu) {
  const char* who = "after-challenge trace";
  if (cs.interactions.empty()) throw InputError("after-challenge trace: the AIR has no interactions");
  if (preprocessed.has_value() != (cs.preprocessed_width > 0))
    throw InputError(
        "after-challenge trace: preprocessed trace presence does not match the constraint system");
  if (!cs.main_partition_count_matches(mains.size(), mains.empty() ? 0 : mains.back().width))
    throw InputError("after-challenge trace: " + std::to_string(mains.size()) +
                     " main partitions given, expected " + std::to_string(cs.num_main_partitions()));
  const size_t n = preprocessed ? preprocessed->height : mains.empty() ? 0 : mains[0].height;
  if (n == 0 || !is_power_of_two(n)) throw InputError("after-challenge trace: height must be a power of two");
  if (preprocessed)
    host_detail::check_ref(*preprocessed, n, cs.preprocessed_width, who, "preprocessed", "trace");
  for (size_t p = 0; p < mains.size(); ++p)
    host_detail::check_ref(mains[p], n, cs.main_partition_width(p), who, "main", "trace");

  PreparedLogup out;
  out.image = build_logup_program(cs, public_values, alpha_lu, beta_lu);
  out.height = n;
  out.mats = host_detail::matrix_set(preprocessed, mains, std::nullopt);
  check_matrix_set(out.image.image, out.mats);
  return out;
}

/// The after-challenge trace of one AIR on the device: `preprocessed` and `mains` (cached
/// partitions, then the common main) point to device memory, row-major canonical, height rows;
/// `flattened` (device) receives height x 4·(#chunks + 1) words. Returns S. The program is
/// uploaded through `cache` (keyed by &cs) on `stream`; temporaries use `scratch` when it holds
/// after_challenge_scratch_bytes(), else stream-ordered allocations. InputError as
/// stark::after_challenge_trace (the same messages, the zero denominator's included).
inline Ext4 after_challenge_trace_on_device(DeviceProgramCache& cache, const ConstraintSystem& cs,
                                            std::optional<MatrixRef> preprocessed,
                                            const std::vector<MatrixRef>& mains,
                                            const std::vector<uint32_t>& public_values, const Ext4& alpha_lu,
                                            const Ext4& beta_lu, uint32_t* flattened, CUstream_st* stream,
                                            DeviceScratch scratch = {}) {
  const PreparedLogup prep =
      prepare_after_challenge_trace(cs, preprocessed, mains, public_values, alpha_lu, beta_lu);
  const uint32_t* words = cache.upload(&cs, ProgramKind::Logup, prep.image.image.words, stream);
  uint32_t cumulative[4] = {};
  const unsigned long long status = launch_after_challenge_trace(
      prep.image.view_at(words), prep.mats, prep.height, flattened, cumulative, scratch, stream);
  check_logup_status(prep.image, status);
  return Ext4::from_canonical(cumulative);
}

}  // namespace stark::cuda
