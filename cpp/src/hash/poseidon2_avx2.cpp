// Poseidon2 on eight states at once (AVX2, one state per 32-bit lane). The algorithm is
// poseidon2_packed.hpp over the AVX2 field policy (packed_avx2.hpp); this file adds the
// primitives AVX2 does its own way. Compiled with -mavx2 -mbmi2 and called only when the CPU
// reports AVX2.
#include <immintrin.h>

#include "poseidon2_kernels.hpp"
#include "poseidon2_packed.hpp"
#include "stark/field/packed_avx2.hpp"

namespace stark::p2_kernels {
namespace {

struct Avx2Ops : VectorOps<avx2::Isa> {
  // a in [0, p), d in (-p, p): a + d lies in (-p, 2p); add p when d < 0, subtract it when d > 0,
  // keep whichever of the two is canonical (sign_epi32 gives -(-p) for d < 0, -p for d > 0, 0 for 0).
  static inline V signed_add(V a, V d) {
    const V t = _mm256_add_epi32(a, d);
    const V corr = _mm256_sign_epi32(splat(uint32_t(-int32_t(field_params::kP))), d);
    return _mm256_min_epu32(t, _mm256_add_epi32(t, corr));
  }
  // x / 2 = (x >> 1) + (x odd ? (p + 1) / 2 : 0); the low bit moved to the sign selects the term.
  static inline V halve(V x) {
    const V odd_term =
        _mm256_sign_epi32(splat(uint32_t(-int32_t(field_params::kHalfPPlus1))), _mm256_slli_epi32(x, 31));
    return _mm256_add_epi32(_mm256_srli_epi32(x, 1), odd_term);
  }

  // out[j] lane l = rows[l][j] for j < 8.
  static inline void load_block8(const uint32_t* const rows[8], V out[8]) {
    for (int l = 0; l < 8; ++l) out[l] = load(rows[l]);
    avx2::transpose_8x8(out);
  }
  // rows[l][j] = in[j] lane l.
  static inline void store_block8(const V in[8], uint32_t* const rows[8]) {
    V t[8];
    for (int j = 0; j < 8; ++j) t[j] = in[j];
    avx2::transpose_8x8(t);
    for (int l = 0; l < 8; ++l) avx2::Isa::store(rows[l], t[l]);
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
