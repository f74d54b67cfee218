// AVX-512 build of the block kernels (16 lanes); compiled with -mavx512f, called only when the CPU
// supports it (see kernels_for).
// GCC 12 reports the deliberately undefined upper halves inside the AVX-512 intrinsic headers
// (_mm512_undefined_epi32) as uninitialized; the values are never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "block_kernels.hpp"
#include "block_kernels_impl.hpp"
#include "gather_avx2.hpp"
#include "stark/field/packed_avx512.hpp"

namespace stark::air_detail {
namespace {

struct Avx512Policy {
  using V = avx512::PackedFp;
  static constexpr size_t kLanes = avx512::kLanes;
  static V load(const uint32_t* p) { return avx512::load(p); }
  static void store(uint32_t* p, V v) { avx512::store(p, v); }
  static V broadcast(uint32_t x) { return avx512::broadcast(x); }
  static V add(V a, V b) { return avx512::add(a, b); }
  static V sub(V a, V b) { return avx512::sub(a, b); }
  static V neg(V a) { return avx512::neg(a); }
  static V mul(V a, V b) { return avx512::mul(a, b); }
  // A broadcast already holds its value in the low word of every 64-bit lane.
  static V mul_const(V a, V c) { return avx512::mul_pre(a, c.v, c.v); }

  // Even lanes and odd lanes accumulate separately (mul_epi32 multiplies the low words of the
  // 64-bit lanes, as signed integers).
  struct Wide {
    __m512i evn, odd;
  };
  static Wide wide_zero() { return {_mm512_setzero_si512(), _mm512_setzero_si512()}; }
  static V center(V x) {
    // x > (p-1)/2 -> x - p (as two's complement bits).
    const __mmask16 big = _mm512_cmpgt_epu32_mask(x.v, _mm512_set1_epi32(int32_t((P - 1) / 2)));
    return {_mm512_mask_sub_epi32(x.v, big, x.v, _mm512_set1_epi32(int32_t(P)))};
  }
  static V odd_half(V x) { return {_mm512_srli_epi64(x.v, 32)}; }
  static void mac(Wide& w, V xc, V xc_odd, V cc) {
    w.evn = _mm512_add_epi64(w.evn, _mm512_mul_epi32(xc.v, cc.v));
    w.odd = _mm512_add_epi64(w.odd, _mm512_mul_epi32(xc_odd.v, cc.v));
  }
  static V reduce(const Wide& w) {
    const __m512i bias = _mm512_set1_epi64(int64_t(kTwoPSquared));
    return avx512::reduce_product_sum(_mm512_add_epi64(w.evn, bias), _mm512_add_epi64(w.odd, bias));
  }
};

}  // namespace

const BlockKernels& block_kernels_avx512() {
  static const BlockKernels table = [] {
    BlockKernels k = KernelSet<Avx512Policy>::table();
    k.gather_columns = &gather_columns_avx2;
    return k;
  }();
  return table;
}

}  // namespace stark::air_detail
