// Poseidon2 on sixteen states at once (AVX-512F/BW/DQ/VL, one state per 32-bit lane). The
// algorithm is poseidon2_packed.hpp over the AVX-512 field policy (packed_avx512.hpp); this file
// adds the primitives AVX-512 does its own way (mask registers where it lacks vpsignd). Called
// only when the CPU reports AVX-512.
// GCC 12's avx512fintrin.h passes _mm512_undefined_epi32() as the unused source of min/max,
// which -Wuninitialized reports at every inlined call.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "poseidon2_kernels.hpp"
#include "poseidon2_packed.hpp"
#include "stark/field/packed_avx2.hpp"
#include "stark/field/packed_avx512.hpp"

namespace stark::p2_kernels {
namespace {

struct Avx512Ops : VectorOps<avx512::Isa> {
  // a in [0, p), d in (-p, p): correction +p where d < 0 (sign bit set), -p elsewhere; for
  // d = 0 the corrected value wraps above a and min keeps a.
  static inline V signed_add(V a, V d) {
    const V t = _mm512_add_epi32(a, d);
    const __mmask16 negative = _mm512_movepi32_mask(d);
    const V corr = _mm512_mask_blend_epi32(negative, splat(uint32_t(-int32_t(field_params::kP))),
                                           splat(field_params::kP));
    return _mm512_min_epu32(t, _mm512_add_epi32(t, corr));
  }
  // x / 2 = (x >> 1) + (x odd ? (p + 1) / 2 : 0).
  static inline V halve(V x) {
    const __mmask16 odd = _mm512_test_epi32_mask(x, splat(1));
    const V h = _mm512_srli_epi32(x, 1);
    return _mm512_mask_add_epi32(h, odd, h, splat(field_params::kHalfPPlus1));
  }

  // out[j] lane l = rows[l][j] for j < 8: lanes 0..7 and 8..15 are two 8 x 8 transposes.
  static inline void load_block8(const uint32_t* const rows[16], V out[8]) {
    __m256i lo[8], hi[8];
    for (int l = 0; l < 8; ++l) {
      lo[l] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[l]));
      hi[l] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[8 + l]));
    }
    avx2::transpose_8x8(lo);
    avx2::transpose_8x8(hi);
    for (int j = 0; j < 8; ++j) out[j] = _mm512_inserti64x4(_mm512_castsi256_si512(lo[j]), hi[j], 1);
  }
  // rows[l][j] = in[j] lane l.
  static inline void store_block8(const V in[8], uint32_t* const rows[16]) {
    __m256i lo[8], hi[8];
    for (int j = 0; j < 8; ++j) {
      lo[j] = _mm512_castsi512_si256(in[j]);
      hi[j] = _mm512_extracti64x4_epi64(in[j], 1);
    }
    avx2::transpose_8x8(lo);
    avx2::transpose_8x8(hi);
    for (int l = 0; l < 8; ++l) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(rows[l]), lo[l]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(rows[8 + l]), hi[l]);
    }
  }
};

using Impl = Packed<Avx512Ops>;

void permute(const KernelConstants& kc, uint32_t* states, size_t n) { Impl::permute(kc, states, n); }
void hash_rows(const KernelConstants& kc, const ConstMatrixView* mats, size_t num_mats, size_t row_begin,
               size_t row_end, uint32_t* out) {
  Impl::hash_rows(kc, mats, num_mats, row_begin, row_end, out);
}
void compress(const KernelConstants& kc, const uint32_t* left, const uint32_t* right, size_t stride, size_t n,
              uint32_t* out) {
  Impl::compress(kc, left, right, stride, n, out);
}

size_t grind(const KernelConstants& kc, const uint32_t base[16], size_t slot, uint32_t first, size_t count,
             uint32_t bits) {
  return Impl::grind(kc, base, slot, first, count, bits);
}

constexpr Kernels kAvx512Kernels{Avx512Ops::kLanes, &permute, &hash_rows, &compress, &grind};

}  // namespace

const Kernels& avx512_kernels() { return kAvx512Kernels; }

}  // namespace stark::p2_kernels
