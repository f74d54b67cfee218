// Poseidon2 on sixteen states at once (AVX-512F/BW/DQ/VL, one state per 32-bit lane). The
// algorithm is poseidon2_packed.hpp; this file supplies its primitives, mirroring
// poseidon2_avx2.cpp with mask registers where AVX-512 lacks vpsignd. Called only when the CPU
// reports AVX-512.
// GCC 12's avx512fintrin.h passes _mm512_undefined_epi32() as the unused source of min/max,
// which -Wuninitialized reports at every inlined call.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "poseidon2_kernels.hpp"
#include "poseidon2_packed.hpp"

namespace stark::p2_kernels {
namespace {

constexpr uint32_t kP = constants::kBabyBearP;

struct Avx512Ops {
  using V = __m512i;
  static constexpr size_t kLanes = 16;
  static constexpr uint32_t kMu = 0x88000001u;  // p^-1 mod 2^32
  static constexpr uint32_t kR2 = uint32_t((uint64_t(1) << 32) % kP * ((uint64_t(1) << 32) % kP) % kP);
  static constexpr uint32_t kHalfPPlus1 = (kP + 1) / 2;

  static inline V splat(uint32_t x) { return _mm512_set1_epi32(int(x)); }
  static inline V lane_indices() {
    return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  }
  // Bit l set iff lane l of x is zero.
  static inline uint64_t zero_lanes(V x) {
    return uint64_t(_mm512_cmpeq_epi32_mask(x, _mm512_setzero_si512()));
  }
  static inline V load(const uint32_t* p) { return _mm512_loadu_si512(p); }
  static inline V add(V a, V b) { return _mm512_add_epi32(a, b); }
  static inline V sub(V a, V b) { return _mm512_sub_epi32(a, b); }
  static inline V bit_and(V a, V b) { return _mm512_and_si512(a, b); }
  static inline V mul_low(V a, V b) { return _mm512_mullo_epi32(a, b); }
  template <int K>
  static inline V shift_right(V a) {
    return _mm512_srli_epi32(a, K);
  }

  static inline V add_mod(V a, V b) {
    const V t = _mm512_add_epi32(a, b);
    return _mm512_min_epu32(t, _mm512_sub_epi32(t, splat(kP)));
  }
  static inline V sub_mod(V a, V b) {
    const V t = _mm512_sub_epi32(a, b);
    return _mm512_min_epu32(t, _mm512_add_epi32(t, splat(kP)));
  }
  static inline V canonicalize(V r) { return _mm512_min_epu32(r, _mm512_add_epi32(r, splat(kP))); }
  // a in [0, p), d in (-p, p): correction +p where d < 0 (sign bit set), -p elsewhere; for
  // d = 0 the corrected value wraps above a and min keeps a.
  static inline V signed_add(V a, V d) {
    const V t = _mm512_add_epi32(a, d);
    const __mmask16 negative = _mm512_movepi32_mask(d);
    const V corr = _mm512_mask_blend_epi32(negative, splat(uint32_t(-int32_t(kP))), splat(kP));
    return _mm512_min_epu32(t, _mm512_add_epi32(t, corr));
  }
  // x / 2 = (x >> 1) + (x odd ? (p + 1) / 2 : 0).
  static inline V halve(V x) {
    const __mmask16 odd = _mm512_test_epi32_mask(x, splat(1));
    const V h = _mm512_srli_epi32(x, 1);
    return _mm512_mask_add_epi32(h, odd, h, splat(kHalfPPlus1));
  }

  // Same signed Montgomery product as the AVX2 kernel (see poseidon2_packed.hpp).
  static inline V mont_half(V a, V b) {
    const V t = _mm512_mul_epi32(a, b);
    const V q = _mm512_mul_epu32(t, splat(kMu));
    const V qp = _mm512_mul_epi32(q, splat(kP));
    return _mm512_sub_epi32(t, qp);
  }
  static inline V redc_half(V x) {
    const V q = _mm512_mul_epu32(x, splat(kMu));
    const V qp = _mm512_mul_epi32(q, splat(kP));
    return _mm512_sub_epi32(_mm512_setzero_si512(), qp);
  }
  static inline V high_to_low(V x) { return _mm512_srli_epi64(x, 32); }
  static inline V merge_high(V even, V odd) {
    return _mm512_mask_blend_epi32(__mmask16(0xAAAA), _mm512_srli_epi64(even, 32), odd);
  }
  // As the AVX2 kernel: merge_high with lanes 1 and 2 of each 128-bit block exchanged.
  static inline V merge_high_swapped(V even, V odd) {
    return _mm512_castps_si512(_mm512_shuffle_ps(_mm512_castsi512_ps(even), _mm512_castsi512_ps(odd), 0xDD));
  }

  // 8 x 8 transpose of 32-bit words in 256-bit registers (as in the AVX2 kernel).
  static inline void transpose8(__m256i r[8]) {
    const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
  }
  // out[j] lane l = rows[l][j] for j < 8: lanes 0..7 and 8..15 are two 8 x 8 transposes.
  static inline void load_block8(const uint32_t* const rows[16], V out[8]) {
    __m256i lo[8], hi[8];
    for (int l = 0; l < 8; ++l) {
      lo[l] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[l]));
      hi[l] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[8 + l]));
    }
    transpose8(lo);
    transpose8(hi);
    for (int j = 0; j < 8; ++j) out[j] = _mm512_inserti64x4(_mm512_castsi256_si512(lo[j]), hi[j], 1);
  }
  // rows[l][j] = in[j] lane l.
  static inline void store_block8(const V in[8], uint32_t* const rows[16]) {
    __m256i lo[8], hi[8];
    for (int j = 0; j < 8; ++j) {
      lo[j] = _mm512_castsi512_si256(in[j]);
      hi[j] = _mm512_extracti64x4_epi64(in[j], 1);
    }
    transpose8(lo);
    transpose8(hi);
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
