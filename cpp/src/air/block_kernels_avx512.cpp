// AVX-512 build of the block kernels (16 lanes); compiled with -mavx512f, called only when the CPU
// supports it (see kernels_for).
// GCC 12 reports the deliberately undefined upper halves inside the AVX-512 intrinsic headers
// (_mm512_undefined_epi32) as uninitialized; the values are never read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "stark/field/packed_avx512.hpp"

#include "block_kernels.hpp"
#include "block_kernels_impl.hpp"

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
};

}  // namespace

const BlockKernels& block_kernels_avx512() {
  static const BlockKernels table = KernelSet<Avx512Policy>::table();
  return table;
}

}  // namespace stark::air_detail
