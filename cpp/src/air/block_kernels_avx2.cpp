// AVX2 build of the block kernels (8 lanes); compiled with -mavx2, called only when the CPU
// supports it (see kernels_for).
#include "block_kernels.hpp"
#include "block_kernels_impl.hpp"
#include "gather_avx2.hpp"
#include "stark/field/packed_avx2.hpp"

namespace stark::air_detail {
namespace {

struct Avx2Policy {
  using V = avx2::PackedFp;
  static constexpr size_t kLanes = avx2::kLanes;
  static V load(const uint32_t* p) { return avx2::load(p); }
  static void store(uint32_t* p, V v) { avx2::store(p, v); }
  static V broadcast(uint32_t x) { return avx2::broadcast(x); }
  static V add(V a, V b) { return avx2::add(a, b); }
  static V sub(V a, V b) { return avx2::sub(a, b); }
  static V neg(V a) { return avx2::neg(a); }
  static V mul(V a, V b) { return avx2::mul(a, b); }
  // A broadcast already holds its value in the low word of every 64-bit lane.
  static V mul_const(V a, V c) { return avx2::mul_pre(a, c.v, c.v); }

  // Even lanes and odd lanes accumulate separately (mul_epi32 multiplies the low words of the
  // 64-bit lanes, as signed integers).
  struct Wide {
    __m256i evn, odd;
  };
  static Wide wide_zero() { return {_mm256_setzero_si256(), _mm256_setzero_si256()}; }
  static V center(V x) {
    // x > (p-1)/2 (a signed compare is exact: words are below 2^31) -> x - p.
    const __m256i big = _mm256_cmpgt_epi32(x.v, _mm256_set1_epi32(int32_t((P - 1) / 2)));
    return {_mm256_sub_epi32(x.v, _mm256_and_si256(big, _mm256_set1_epi32(int32_t(P))))};
  }
  static V odd_half(V x) { return {_mm256_srli_epi64(x.v, 32)}; }
  static void mac(Wide& w, V xc, V xc_odd, V cc) {
    w.evn = _mm256_add_epi64(w.evn, _mm256_mul_epi32(xc.v, cc.v));
    w.odd = _mm256_add_epi64(w.odd, _mm256_mul_epi32(xc_odd.v, cc.v));
  }
  static V reduce(const Wide& w) {
    const __m256i bias = _mm256_set1_epi64x(int64_t(kTwoPSquared));
    return avx2::reduce_product_sum(_mm256_add_epi64(w.evn, bias), _mm256_add_epi64(w.odd, bias));
  }
};

}  // namespace

const BlockKernels& block_kernels_avx2() {
  static const BlockKernels table = [] {
    BlockKernels k = KernelSet<Avx2Policy>::table();
    k.gather_columns = &gather_columns_avx2;
    return k;
  }();
  return table;
}

}  // namespace stark::air_detail
