// AVX2 build of the block kernels (8 lanes); compiled with -mavx2, called only when the CPU
// supports it (see kernels_for).
#include "stark/field/packed_avx2.hpp"

#include "block_kernels.hpp"
#include "block_kernels_impl.hpp"

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
};

}  // namespace

const BlockKernels& block_kernels_avx2() {
  static const BlockKernels table = KernelSet<Avx2Policy>::table();
  return table;
}

}  // namespace stark::air_detail
