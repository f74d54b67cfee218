// Poseidon2 driver: the portable scalar permutation (written straight from the definition, with
// 64-bit lazy sums in the linear layers; the reference the vector kernels are tested against),
// the sponge and compression, and the batched entry points that split work over threads and
// hand each range to the vector kernel of the active SIMD level (poseidon2_avx2.cpp /
// poseidon2_avx512.cpp, one algorithm in poseidon2_packed.hpp).
#include "stark/hash/poseidon2.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "poseidon2_kernels.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/simd.hpp"
#include "stark/generated_constants.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"

namespace stark {
namespace {

static_assert(constants::kPoseidon2Width == int(kPoseidon2Width));
static_assert(constants::kPoseidon2RoundsF == int(2 * kPoseidon2RoundsFHalf));
static_assert(constants::kPoseidon2RoundsP == int(kPoseidon2RoundsP));

// ---- the vector kernels' view of the internal diagonal must be the generated one -------------

constexpr uint32_t diag_entry_value(const p2_kernels::DiagEntry& e) {
  const uint64_t inverse_of_two = (uint64_t(P) + 1) / 2;
  uint64_t v = uint64_t(e.mult);
  for (int i = 0; i < e.shift; ++i) v = v * inverse_of_two % P;
  return e.sign < 0 ? uint32_t((P - v) % P) : uint32_t(v);
}
constexpr bool diag_table_matches_constants() {
  for (size_t i = 0; i < kPoseidon2Width; ++i)
    if (diag_entry_value(p2_kernels::kInternalDiag[i]) != constants::kPoseidon2InternalDiagV[i]) return false;
  return true;
}
static_assert(diag_table_matches_constants(),
              "p2_kernels::kInternalDiag does not describe the generated internal diagonal V");

// ---- scalar permutation -------------------------------------------------------------------
//
// Straight from the definition, with the state held as Montgomery words (Fp) so the S-box costs
// four Montgomery products; the linear layers are linear, so they act on Montgomery words as
// on canonical ones and reduce 64-bit lazy sums once per output word.

inline uint32_t sbox(uint32_t x_mont) {
  const Fp x = Fp::from_mont(x_mont);
  const Fp x2 = x.square();
  return (x2 * x * x2.square()).mont;
}

// M_ext: each chunk times circ(2,3,1,1) (entries < 7p), then out_i = y_i + sum of the chunk
// outputs with the same index mod 4 (< 35p): one reduction per word.
void external_linear(uint32_t s[kPoseidon2Width]) {
  uint64_t y[kPoseidon2Width];
  for (size_t c = 0; c < 4; ++c) {
    const uint64_t a0 = s[4 * c], a1 = s[4 * c + 1], a2 = s[4 * c + 2], a3 = s[4 * c + 3];
    y[4 * c] = 2 * a0 + 3 * a1 + a2 + a3;
    y[4 * c + 1] = a0 + 2 * a1 + 3 * a2 + a3;
    y[4 * c + 2] = a0 + a1 + 2 * a2 + 3 * a3;
    y[4 * c + 3] = 3 * a0 + a1 + a2 + 2 * a3;
  }
  uint64_t col[4];
  for (size_t k = 0; k < 4; ++k) col[k] = y[k] + y[4 + k] + y[8 + k] + y[12 + k];
  for (size_t i = 0; i < kPoseidon2Width; ++i) s[i] = uint32_t((y[i] + col[i % 4]) % P);
}

// M_int = J + diag(V): out_i = sum + V_i x_i with V_i canonical (sum < 16p, V_i x_i < p^2).
void internal_linear(uint32_t s[kPoseidon2Width]) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kPoseidon2Width; ++i) sum += s[i];
  for (size_t i = 0; i < kPoseidon2Width; ++i)
    s[i] = uint32_t((sum + uint64_t(s[i]) * constants::kPoseidon2InternalDiagV[i]) % P);
}

// Montgomery word of a round constant from its kernel form (Montgomery word minus p).
inline uint32_t mont_constant(int32_t kernel_constant) { return uint32_t(kernel_constant + int32_t(P)); }

void permute_scalar(const detail::Poseidon2KernelConstants& kc, uint32_t s[kPoseidon2Width]) {
  for (size_t i = 0; i < kPoseidon2Width; ++i) s[i] = Fp::from_canonical(s[i]).mont;
  external_linear(s);
  for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) {
    for (size_t i = 0; i < kPoseidon2Width; ++i)
      s[i] = sbox(detail::add_mod(s[i], mont_constant(kc.external_initial[r][i])));
    external_linear(s);
  }
  for (size_t r = 0; r < kPoseidon2RoundsP; ++r) {
    s[0] = sbox(detail::add_mod(s[0], mont_constant(kc.internal[r])));
    internal_linear(s);
  }
  for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) {
    for (size_t i = 0; i < kPoseidon2Width; ++i)
      s[i] = sbox(detail::add_mod(s[i], mont_constant(kc.external_terminal[r][i])));
    external_linear(s);
  }
  for (size_t i = 0; i < kPoseidon2Width; ++i) s[i] = Fp::from_mont(s[i]).canonical();
}

Poseidon2RoundConstants make_standard_constants() {
  Poseidon2RoundConstants rc{};
  for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) {
    for (size_t i = 0; i < kPoseidon2Width; ++i) {
      rc.external_initial[r][i] = constants::kPoseidon2ExternalInitial[r][i];
      rc.external_terminal[r][i] = constants::kPoseidon2ExternalTerminal[r][i];
    }
  }
  for (size_t r = 0; r < kPoseidon2RoundsP; ++r) rc.internal[r] = constants::kPoseidon2Internal[r];
  return rc;
}

void check_canonical(uint32_t v, const char* where, size_t r, size_t i) {
  if (v >= P) {
    throw InputError(std::string("round_constants.") + where + "[" + std::to_string(r) + "][" +
                     std::to_string(i) + "] = " + std::to_string(v) +
                     " is not a canonical field element (>= p)");
  }
}

// Montgomery word minus p, as the vector kernels add it (see Poseidon2KernelConstants).
int32_t kernel_constant(uint32_t canonical) {
  return int32_t(Fp::from_canonical(canonical).mont) - int32_t(P);
}

// ---- dispatch -------------------------------------------------------------------------------

const p2_kernels::Kernels* vector_kernels() {
#if defined(STARK_X86)
  switch (simd::active()) {
    case simd::Level::Avx512:
      return &p2_kernels::avx512_kernels();
    case simd::Level::Avx2:
      return &p2_kernels::avx2_kernels();
    case simd::Level::Scalar:
      break;
  }
#endif
  return nullptr;
}

// Work below this many permutations stays on the calling thread; chunks hold at least this many.
constexpr size_t kParallelPermutations = 1024;
constexpr size_t kChunkPermutations = 512;

// Runs body(begin, end) over [0, n) split into groups of `lanes` items, `grain_items` at least
// per chunk, so every chunk but the last covers whole vector groups.
template <class Body>
void for_each_group_range(size_t n, size_t lanes, size_t grain_items, bool parallel, const Body& body) {
  if (n == 0) return;
  if (!parallel || num_threads() == 1) {
    body(size_t(0), n);
    return;
  }
  const size_t groups = (n + lanes - 1) / lanes;
  const size_t grain_groups = std::max<size_t>(1, (grain_items + lanes - 1) / lanes);
  parallel_for_chunks(groups, grain_groups,
                      [&](size_t gb, size_t ge) { body(gb * lanes, std::min(ge * lanes, n)); });
}

void hash_row_scalar(const Poseidon2& perm, const ConstMatrixView* mats, size_t num_mats, size_t r,
                     uint32_t* digest) {
  uint32_t s[kPoseidon2Width] = {};
  size_t k = 0;
  for (size_t m = 0; m < num_mats; ++m) {
    const uint32_t* row = mats[m].data + r * mats[m].width;
    for (size_t c = 0; c < mats[m].width; ++c) {
      s[k] = row[c];
      if (++k == kSpongeRate) {
        perm.permute(s);
        k = 0;
      }
    }
  }
  if (k > 0) perm.permute(s);
  std::copy_n(s, kDigestElems, digest);
}

void compress_scalar(const Poseidon2& perm, const uint32_t* left, const uint32_t* right, uint32_t* out) {
  uint32_t s[kPoseidon2Width];
  std::copy_n(left, kDigestElems, s);
  std::copy_n(right, kDigestElems, s + kDigestElems);
  perm.permute(s);
  std::copy_n(s, kDigestElems, out);
}

// out + 8 i = C(left + stride i, right + stride i).
void compress_strided(const uint32_t* left, const uint32_t* right, size_t stride, size_t n, uint32_t* out) {
  const Poseidon2& perm = Poseidon2::standard();
  const p2_kernels::Kernels* k = vector_kernels();
  const size_t lanes = k ? k->lanes : 1;
  for_each_group_range(n, lanes, kChunkPermutations, n >= kParallelPermutations, [&](size_t b, size_t e) {
    if (k) {
      k->compress(perm.kernel_constants(), left + stride * b, right + stride * b, stride, e - b, out + 8 * b);
    } else {
      for (size_t i = b; i < e; ++i)
        compress_scalar(perm, left + stride * i, right + stride * i, out + 8 * i);
    }
  });
}

}  // namespace

// ---- Poseidon2 --------------------------------------------------------------------------------

const Poseidon2RoundConstants& Poseidon2RoundConstants::standard() {
  static const Poseidon2RoundConstants rc = make_standard_constants();
  return rc;
}

Poseidon2::Poseidon2(const Poseidon2RoundConstants& round_constants) : rc_(round_constants), kc_{} {
  for (size_t r = 0; r < kPoseidon2RoundsFHalf; ++r) {
    for (size_t i = 0; i < kPoseidon2Width; ++i) {
      check_canonical(rc_.external_initial[r][i], "external_initial", r, i);
      check_canonical(rc_.external_terminal[r][i], "external_terminal", r, i);
      kc_.external_initial[r][i] = kernel_constant(rc_.external_initial[r][i]);
      kc_.external_terminal[r][i] = kernel_constant(rc_.external_terminal[r][i]);
    }
  }
  for (size_t r = 0; r < kPoseidon2RoundsP; ++r) {
    check_canonical(rc_.internal[r], "internal", 0, r);
    kc_.internal[r] = kernel_constant(rc_.internal[r]);
  }
}

const Poseidon2& Poseidon2::standard() {
  static const Poseidon2 instance(Poseidon2RoundConstants::standard());
  return instance;
}

void Poseidon2::permute(uint32_t state[kPoseidon2Width]) const { permute_scalar(kc_, state); }

void Poseidon2::permute_batch(uint32_t* states, size_t n) const {
  const p2_kernels::Kernels* k = vector_kernels();
  const size_t lanes = k ? k->lanes : 1;
  for_each_group_range(n, lanes, kChunkPermutations, n >= kParallelPermutations, [&](size_t b, size_t e) {
    if (k) {
      k->permute(kc_, states + kPoseidon2Width * b, e - b);
    } else {
      for (size_t i = b; i < e; ++i) permute_scalar(kc_, states + kPoseidon2Width * i);
    }
  });
}

size_t Poseidon2::grind_range(const std::array<uint32_t, kPoseidon2Width>& base, size_t slot, uint32_t first,
                              size_t count, uint32_t bits) const {
  if (slot >= kPoseidon2Width) throw InputError("grind_range: slot " + std::to_string(slot) + " is not < 16");
  if (bits == 0 || bits > 30)
    throw InputError("grind_range: bits " + std::to_string(bits) + " outside [1, 30]");
  if (uint64_t(first) + count > P) throw InputError("grind_range: candidates run past p");
  for (uint32_t w : base)
    if (w >= P) throw InputError("grind_range: base word " + std::to_string(w) + " is not < p");
  if (const p2_kernels::Kernels* k = vector_kernels())
    return k->grind(kc_, base.data(), slot, first, count, bits);
  const uint32_t mask = (uint32_t(1) << bits) - 1;
  for (size_t i = 0; i < count; ++i) {
    std::array<uint32_t, kPoseidon2Width> s = base;
    s[slot] = uint32_t(first + i);
    permute_scalar(kc_, s.data());
    if ((s[7] & mask) == 0) return i;
  }
  return count;
}

// ---- free functions -------------------------------------------------------------------------

void poseidon2_permute(uint32_t state[kPoseidon2Width]) { Poseidon2::standard().permute(state); }

void poseidon2_permute_batch(uint32_t* states, size_t n) { Poseidon2::standard().permute_batch(states, n); }

Digest hash_sponge(const uint32_t* input, size_t len) {
  uint32_t s[kPoseidon2Width] = {};
  const Poseidon2& perm = Poseidon2::standard();
  for (size_t pos = 0; pos < len; pos += kSpongeRate) {
    const size_t k = std::min(kSpongeRate, len - pos);
    std::copy_n(input + pos, k, s);  // overwrite mode: s[k..16) keep their values
    perm.permute(s);
  }
  Digest d;
  std::copy_n(s, kDigestElems, d.begin());
  return d;
}

Digest compress(const Digest& left, const Digest& right) {
  Digest d;
  compress_scalar(Poseidon2::standard(), left.data(), right.data(), d.data());
  return d;
}

void hash_rows(const std::vector<ConstMatrixView>& mats, uint32_t* digests_out) {
  if (mats.empty()) throw InputError("hash_rows: mats: at least one matrix is required");
  const size_t height = mats[0].height;
  size_t total_width = 0;
  for (size_t m = 0; m < mats.size(); ++m) {
    if (mats[m].height != height) {
      throw InputError("hash_rows: mats[" + std::to_string(m) + "] has height " +
                       std::to_string(mats[m].height) + ", expected " + std::to_string(height) +
                       " (all matrices must have the same height)");
    }
    if (mats[m].data == nullptr && mats[m].height * mats[m].width != 0)
      throw InputError("hash_rows: mats[" + std::to_string(m) + "] has no data");
    total_width += mats[m].width;
  }
  if (height == 0) return;
  if (digests_out == nullptr) throw InputError("hash_rows: digests_out is null");
  if (total_width == 0) {  // Hs of the empty input: zero digest, no permutation
    std::fill_n(digests_out, height * kDigestElems, 0u);
    return;
  }
  const Poseidon2& perm = Poseidon2::standard();
  const p2_kernels::Kernels* k = vector_kernels();
  const size_t lanes = k ? k->lanes : 1;
  const size_t perms_per_row = (total_width + kSpongeRate - 1) / kSpongeRate;
  const size_t grain_rows = std::max<size_t>(1, kChunkPermutations / perms_per_row);
  const bool parallel = height * perms_per_row >= kParallelPermutations;
  for_each_group_range(height, lanes, grain_rows, parallel, [&](size_t b, size_t e) {
    if (k) {
      k->hash_rows(perm.kernel_constants(), mats.data(), mats.size(), b, e, digests_out + kDigestElems * b);
    } else {
      for (size_t r = b; r < e; ++r)
        hash_row_scalar(perm, mats.data(), mats.size(), r, digests_out + kDigestElems * r);
    }
  });
}

void compress_pairs(const uint32_t* left, const uint32_t* right, size_t n, uint32_t* out) {
  compress_strided(left, right, kDigestElems, n, out);
}

void compress_layer(const uint32_t* in, size_t n, uint32_t* out) {
  compress_strided(in, in + kDigestElems, 2 * kDigestElems, n, out);
}

double bench_poseidon2(size_t count, int threads) {
  if (count == 0) throw InputError("bench_poseidon2: count must be positive");
  if (threads < 1) throw InputError("bench_poseidon2: threads must be >= 1, got " + std::to_string(threads));
  std::vector<uint32_t> states(count * kPoseidon2Width);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint32_t& v : states) {  // splitmix-style fill: the timing must not depend on easy inputs
    x += 0x9E3779B97F4A7C15ull;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    v = uint32_t((z ^ (z >> 31)) % P);
  }
  const int saved_threads = num_threads();
  struct Restore {
    int n;
    ~Restore() { set_num_threads(n); }
  } restore{saved_threads};
  set_num_threads(threads);
  poseidon2_permute_batch(states.data(), std::min<size_t>(count, 4096));  // warm-up
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    poseidon2_permute_batch(states.data(), count);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, double(count) / std::max(s, 1e-9));
  }
  return best;
}

}  // namespace stark
