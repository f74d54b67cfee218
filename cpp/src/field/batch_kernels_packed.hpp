// The vector element-wise field kernels, written once over an ISA policy (packed_field.hpp) and
// instantiated by batch_avx2.cpp and batch_avx512.cpp. Each kernel handles one contiguous range;
// tails shorter than a vector go to the scalar kernels (batch_kernels.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "batch_kernels.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/packed_field.hpp"

namespace stark::field_kernels {

template <class Isa>
struct PackedBatch {
  using V = typename Isa::V;
  using F = packed::PackedFp<Isa>;
  using E = packed::PackedExt4<Isa>;
  static constexpr size_t L = size_t(Isa::kLanes);

  static void add(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
    size_t i = 0;
    for (; i + L <= n; i += L) packed::store(out + i, packed::add(load(a + i), load(b + i)));
    scalar_add(a + i, b + i, out + i, n - i);
  }

  static void sub(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
    size_t i = 0;
    for (; i + L <= n; i += L) packed::store(out + i, packed::sub(load(a + i), load(b + i)));
    scalar_sub(a + i, b + i, out + i, n - i);
  }

  // mont(a, b) = a b 2^-32; a second product with R^2 restores a b.
  static void mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
    const F r2 = packed::broadcast<Isa>(field_params::kMontyR2);
    size_t i = 0;
    for (; i + L <= n; i += L)
      packed::store(out + i, packed::mul_const(packed::mul(load(a + i), load(b + i)), r2));
    scalar_mul(a + i, b + i, out + i, n - i);
  }

  // Canonical a times the Montgomery form of b gives canonical products (packed_field.hpp).
  static void ext_mul(const uint32_t* a, const uint32_t* b, uint32_t* out, size_t n) {
    const F r2 = packed::broadcast<Isa>(field_params::kMontyR2);
    size_t i = 0;
    for (; i + L <= n; i += L) {
      const E x = packed::load_ext<Isa>(a + 4 * i);
      E y = packed::load_ext<Isa>(b + 4 * i);
      for (auto& c : y.c) c = packed::mul_const(c, r2);
      packed::store_ext(out + 4 * i, packed::ext_mul(x, y));
    }
    scalar_ext_mul(a + 4 * i, b + 4 * i, out + 4 * i, n - i);
  }

  // Montgomery's trick on L interleaved chains (element i belongs to lane i mod L), run on
  // canonical words; zeros are replaced by the neutral word and masked out at the end.
  static void inverse(const uint32_t* a, uint32_t* out, size_t n) {
    const size_t vec_n = n - n % L;
    alignas(64) uint32_t prefix[kInverseBlock];
    const V one = Isa::set1(field_params::kMontyOne);
    F acc{one};
    for (size_t i = 0; i < vec_n; i += L) {
      const V x = Isa::load(a + i);
      packed::store(prefix + i, acc);
      acc = packed::mul(acc, F{Isa::select(Isa::is_zero(x), one, x)});
    }
    if (vec_n > 0) {
      alignas(64) uint32_t lanes[L];
      packed::store(lanes, acc);
      invert_lane_products(lanes, L);
      F inv = load(lanes);
      for (size_t i = vec_n; i > 0;) {
        i -= L;
        const V x = Isa::load(a + i);  // read before writing: out may alias a
        const auto is_zero = Isa::is_zero(x);
        const F r = packed::mul(inv, load(prefix + i));
        inv = packed::mul(inv, F{Isa::select(is_zero, one, x)});
        Isa::store(out + i, Isa::clear(is_zero, r.v));
      }
    }
    scalar_inverse(a + vec_n, out + vec_n, n - vec_n);
  }

  static uint32_t bench_base(uint64_t iterations, uint64_t* muls_per_iteration) {
    constexpr int kChains = 8;  // latency ~20 cycles, throughput ~3: eight chains keep the multipliers busy
    F acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = {Isa::add32(Isa::set1(uint32_t(c + 1)), Isa::lane_indices())};
    constexpr uint32_t kMultiplier = Fp::from_canonical(1234567).mont;
    const F m = packed::broadcast<Isa>(kMultiplier);
    for (uint64_t it = 0; it < iterations; ++it) {
      for (int c = 0; c < kChains; ++c) acc[c] = packed::mul(acc[c], m);
    }
    *muls_per_iteration = uint64_t(kChains) * L;
    V x = acc[0].v;
    for (int c = 1; c < kChains; ++c) x = Isa::bit_xor(x, acc[c].v);
    return Isa::first_lane(x);
  }

  static uint32_t bench_ext(uint64_t iterations, uint64_t* muls_per_iteration) {
    // Each chain holds 4 registers; the multiplier 4 more and the product needs temporaries:
    // three chains fit 16 registers, four fit 32.
    constexpr int kChains = Isa::kRegisters >= 32 ? 4 : 3;
    E acc[kChains];
    for (int c = 0; c < kChains; ++c)
      for (int k = 0; k < 4; ++k)
        acc[c].c[k] = {Isa::add32(Isa::set1(uint32_t(4 * c + k + 1)), Isa::lane_indices())};
    constexpr uint32_t kMultiplier[4] = {Fp::from_canonical(1000).mont, Fp::from_canonical(1077).mont,
                                         Fp::from_canonical(1154).mont, Fp::from_canonical(1231).mont};
    E m;
    for (int k = 0; k < 4; ++k) m.c[k] = packed::broadcast<Isa>(kMultiplier[k]);
    for (uint64_t it = 0; it < iterations; ++it) {
      for (int c = 0; c < kChains; ++c) acc[c] = packed::ext_mul(acc[c], m);
    }
    *muls_per_iteration = uint64_t(kChains) * L;
    V x = acc[0].c[0].v;
    for (int c = 0; c < kChains; ++c)
      for (int k = 0; k < 4; ++k) x = Isa::bit_xor(x, acc[c].c[k].v);
    return Isa::first_lane(x);
  }

  static BatchKernels kernels() { return {add, sub, mul, ext_mul, inverse, bench_base, bench_ext}; }

 private:
  STARK_FORCE_INLINE static F load(const uint32_t* p) { return packed::load<Isa>(p); }
};

}  // namespace stark::field_kernels
