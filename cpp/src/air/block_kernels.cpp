// Portable build of the block kernels and the run-time choice of the SIMD build.
#include "block_kernels.hpp"

#include "block_kernels_impl.hpp"

namespace stark::air_detail {
namespace {

// One Montgomery word per "register".
struct ScalarPolicy {
  using V = uint32_t;
  static constexpr size_t kLanes = 1;
  static V load(const uint32_t* p) { return *p; }
  static void store(uint32_t* p, V v) { *p = v; }
  static V broadcast(uint32_t x) { return x; }
  static V add(V a, V b) { return detail::add_mod(a, b); }
  static V sub(V a, V b) { return detail::sub_mod(a, b); }
  static V neg(V a) { return detail::sub_mod(0, a); }
  static V mul(V a, V b) { return detail::monty_reduce(uint64_t(a) * b); }
  static V mul_const(V a, V c) { return detail::monty_reduce(uint64_t(a) * c); }

  using Wide = int64_t;
  static Wide wide_zero() { return 0; }
  static V center(V x) { return x > (P - 1) / 2 ? x - P : x; }  // two's complement bits
  static V odd_half(V x) { return x; }
  static void mac(Wide& w, V xc, V, V cc) { w += int64_t(int32_t(xc)) * int32_t(cc); }
  static V reduce(Wide w) { return detail::monty_reduce_wide(uint64_t(w + kTwoPSquared)); }
};

}  // namespace

const BlockKernels& kernels_for(simd::Level level) {
  static const BlockKernels scalar = KernelSet<ScalarPolicy>::table();
#if defined(STARK_X86)
  if (level == simd::Level::Avx512) return block_kernels_avx512();
  if (level == simd::Level::Avx2) return block_kernels_avx2();
#endif
  return scalar;
}

}  // namespace stark::air_detail
