// Poseidon2 on eight states at once (AVX2, one state per 32-bit lane). The algorithm is
// poseidon2_packed.hpp; this file supplies its primitives. Compiled with -mavx2 -mbmi2 and
// called only when the CPU reports AVX2.
#include <immintrin.h>

#include "poseidon2_kernels.hpp"
#include "poseidon2_packed.hpp"

namespace stark::p2_kernels {
namespace {

constexpr uint32_t kP = constants::kBabyBearP;

struct Avx2Ops {
  using V = __m256i;
  static constexpr size_t kLanes = 8;
  static constexpr uint32_t kMu = 0x88000001u;  // p^-1 mod 2^32
  static constexpr uint32_t kR2 = uint32_t((uint64_t(1) << 32) % kP * ((uint64_t(1) << 32) % kP) % kP);
  static constexpr uint32_t kHalfPPlus1 = (kP + 1) / 2;

  static inline V splat(uint32_t x) { return _mm256_set1_epi32(int(x)); }
  static inline V lane_indices() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
  // Bit l set iff lane l of x is zero.
  static inline uint64_t zero_lanes(V x) {
    return uint64_t(
        unsigned(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(x, _mm256_setzero_si256())))));
  }
  static inline V load(const uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static inline V add(V a, V b) { return _mm256_add_epi32(a, b); }
  static inline V sub(V a, V b) { return _mm256_sub_epi32(a, b); }
  static inline V bit_and(V a, V b) { return _mm256_and_si256(a, b); }
  static inline V mul_low(V a, V b) { return _mm256_mullo_epi32(a, b); }
  template <int K>
  static inline V shift_right(V a) {
    return _mm256_srli_epi32(a, K);
  }

  // a, b in [0, p): a + b < 2^32, one conditional subtraction (min picks the non-wrapped one).
  static inline V add_mod(V a, V b) {
    const V t = _mm256_add_epi32(a, b);
    return _mm256_min_epu32(t, _mm256_sub_epi32(t, splat(kP)));
  }
  static inline V sub_mod(V a, V b) {
    const V t = _mm256_sub_epi32(a, b);
    return _mm256_min_epu32(t, _mm256_add_epi32(t, splat(kP)));
  }
  // r in (-p, p) as int32 -> [0, p).
  static inline V canonicalize(V r) { return _mm256_min_epu32(r, _mm256_add_epi32(r, splat(kP))); }
  // a in [0, p), d in (-p, p): a + d lies in (-p, 2p); add p when d < 0, subtract it when d > 0,
  // keep whichever of the two is canonical (sign_epi32 gives -(-p) for d < 0, -p for d > 0, 0 for 0).
  static inline V signed_add(V a, V d) {
    const V t = _mm256_add_epi32(a, d);
    const V corr = _mm256_sign_epi32(splat(uint32_t(-int32_t(kP))), d);
    return _mm256_min_epu32(t, _mm256_add_epi32(t, corr));
  }
  // x / 2 = (x >> 1) + (x odd ? (p + 1) / 2 : 0); the low bit moved to the sign selects the term.
  static inline V halve(V x) {
    const V odd_term = _mm256_sign_epi32(splat(uint32_t(-int32_t(kHalfPPlus1))), _mm256_slli_epi32(x, 31));
    return _mm256_add_epi32(_mm256_srli_epi32(x, 1), odd_term);
  }

  // Signed Montgomery product of the low words of each 64-bit lane; result in the high words.
  // The low words of t and q p are equal, so a 32-bit lane subtraction leaves exactly
  // hi(t) - hi(q p) in the high word (no borrow crosses).
  static inline V mont_half(V a, V b) {
    const V t = _mm256_mul_epi32(a, b);
    const V q = _mm256_mul_epu32(t, splat(kMu));
    const V qp = _mm256_mul_epi32(q, splat(kP));
    return _mm256_sub_epi32(t, qp);
  }
  // Montgomery reduction of the low word x (< 2^31): (x - q p) / 2^32 = -hi(q p), high words.
  static inline V redc_half(V x) {
    const V q = _mm256_mul_epu32(x, splat(kMu));
    const V qp = _mm256_mul_epi32(q, splat(kP));
    return _mm256_sub_epi32(_mm256_setzero_si256(), qp);
  }
  static inline V high_to_low(V x) { return _mm256_srli_epi64(x, 32); }
  // Even lanes from the high words of `even`, odd lanes from the high words of `odd`.
  static inline V merge_high(V even, V odd) {
    return _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0b10101010);
  }
  // High words of even's and odd's 64-bit lanes as (even0, even1, odd0, odd1) per 128-bit block:
  // merge_high with lanes 1 and 2 of each block exchanged, in one shuffle.
  static inline V merge_high_swapped(V even, V odd) {
    return _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(even), _mm256_castsi256_ps(odd), 0xDD));
  }

  // 8 x 8 transpose of 32-bit words (an involution).
  static inline void transpose8(V r[8]) {
    const V t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    const V t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    const V t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
    const V t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
    const V u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
    const V u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
    const V u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
    const V u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
    r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
    r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
    r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
    r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
    r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
    r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
    r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
    r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
  }
  // out[j] lane l = rows[l][j] for j < 8.
  static inline void load_block8(const uint32_t* const rows[8], V out[8]) {
    for (int l = 0; l < 8; ++l) out[l] = load(rows[l]);
    transpose8(out);
  }
  // rows[l][j] = in[j] lane l.
  static inline void store_block8(const V in[8], uint32_t* const rows[8]) {
    V t[8];
    for (int j = 0; j < 8; ++j) t[j] = in[j];
    transpose8(t);
    for (int l = 0; l < 8; ++l) _mm256_storeu_si256(reinterpret_cast<__m256i*>(rows[l]), t[l]);
  }
};

using Impl = Packed<Avx2Ops>;

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

constexpr Kernels kAvx2Kernels{Avx2Ops::kLanes, &permute, &hash_rows, &compress, &grind};

}  // namespace

const Kernels& avx2_kernels() { return kAvx2Kernels; }

}  // namespace stark::p2_kernels
