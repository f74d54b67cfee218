// Byte-hash driver (stark/hash/byte_hash.hpp): the scalar lanes of byte_hash_lanes.hpp (the
// reference the vector kernels are tested against), byte-granular one-shot hashing, and the
// batched entry points that split work over threads and hand each range to the vector kernel
// of the active SIMD level (byte_hash_avx2.cpp / byte_hash_avx512.cpp).
#include "stark/hash/byte_hash.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#include "byte_hash_kernels.hpp"
#include "byte_hash_lanes.hpp"
#include "stark/field/babybear.hpp"
#include "stark/field/simd.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"

namespace stark {
namespace {

namespace lanes = byte_hash_lanes;
// The portable kernels: one message per (integer) lane.
using Scalar = lanes::KernelsOf<uint64_t, uint32_t>;

// Rows per thread-pool task: a few hundred KB of leaf data, enough to amortize the hand-off.
constexpr size_t kMinRowsPerTask = 256;
constexpr size_t kParallelRows = 1024;

const byte_hash_kernels::Kernels* vector_kernels() {
#if defined(STARK_X86)
  switch (simd::active()) {
    case simd::Level::Avx512:
      return &byte_hash_kernels::avx512_kernels();
    case simd::Level::Avx2:
      return &byte_hash_kernels::avx2_kernels();
    case simd::Level::Scalar:
      break;
  }
#endif
  return nullptr;
}

bool is_keccak(ByteHashKind kind) {
  switch (kind) {
    case ByteHashKind::Keccak256:
      return true;
    case ByteHashKind::Blake3:
      return false;
  }
  throw InputError("unknown byte hash kind " + std::to_string(int(kind)));
}

// body(b, e) over [0, n), split over the pool in ranges of >= grain items when `parallel`.
template <class Body>
void for_ranges(size_t n, size_t grain, bool parallel, const Body& body) {
  if (n == 0) return;
  if (!parallel || num_threads() == 1) {
    body(size_t(0), n);
    return;
  }
  parallel_for_chunks(n, grain, [&](size_t b, size_t e) { body(b, e); });
}

void rows_range(bool keccak, const ConstMatrixView* mats, size_t num_mats, size_t b, size_t e,
                uint32_t* out) {
  if (const byte_hash_kernels::Kernels* k = vector_kernels()) {
    k->hash_rows(keccak, mats, num_mats, b, e, out);
  } else {
    Scalar::hash_rows(keccak, mats, num_mats, b, e, out);
  }
}

void compress_strided(bool keccak, const uint32_t* left, const uint32_t* right, size_t stride, size_t n,
                      uint32_t* out) {
  for_ranges(n, 4 * kMinRowsPerTask, n >= 4 * kParallelRows, [&](size_t b, size_t e) {
    if (const byte_hash_kernels::Kernels* k = vector_kernels()) {
      k->compress(keccak, left + stride * b, right + stride * b, stride, e - b, out + 8 * b);
    } else {
      Scalar::compress(keccak, left + stride * b, right + stride * b, stride, e - b, out + 8 * b);
    }
  });
}

}  // namespace

void byte_hash_kernels::out_of_memory(size_t bytes) {
  throw ResourceError("byte hashing: could not allocate " + std::to_string(bytes) + " bytes of scratch");
}

const char* byte_hash_name(ByteHashKind kind) { return is_keccak(kind) ? "keccak256" : "blake3"; }

std::array<uint8_t, 32> byte_hash(ByteHashKind kind, const uint8_t* data, size_t len) {
  const bool keccak = is_keccak(kind);
  std::vector<uint32_t> words(lanes::padded_words(keccak, len), 0u);
  if (len > 0) std::memcpy(words.data(), data, len);  // little-endian host (checked at build)
  const lanes::LaneMessages msg{words.data(), words.size(), len};
  uint32_t digest[8];
  if (keccak) {
    lanes::keccak256_lanes<uint64_t>(msg, digest, 8);
  } else {
    lanes::blake3_lanes<uint32_t>(msg, digest, 8);
  }
  std::array<uint8_t, 32> out{};
  std::memcpy(out.data(), digest, 32);
  return out;
}

uint64_t byte_hash_permutations(ByteHashKind kind, uint64_t bytes) {
  if (kind == ByteHashKind::Keccak256) return bytes / 136 + 1;  // rate 136 bytes, always padded
  // BLAKE3: one compression per 64-byte block (at least one), one per parent node of the chunks.
  const uint64_t blocks = std::max<uint64_t>(1, (bytes + 63) / 64);
  const uint64_t chunks = std::max<uint64_t>(1, (bytes + 1023) / 1024);
  return blocks + (chunks - 1);
}

Digest byte_hash_words(ByteHashKind kind, const uint32_t* words, size_t n) {
  const bool keccak = is_keccak(kind);
  std::vector<uint32_t> buf(lanes::padded_words(keccak, 4 * n), 0u);
  std::copy_n(words, n, buf.data());
  const lanes::LaneMessages msg{buf.data(), buf.size(), 4 * n};
  Digest d{};
  if (keccak) {
    lanes::keccak256_lanes<uint64_t>(msg, d.data(), 8);
  } else {
    lanes::blake3_lanes<uint32_t>(msg, d.data(), 8);
  }
  return d;
}

void byte_hash_rows(ByteHashKind kind, const std::vector<ConstMatrixView>& mats, uint32_t* digests_out) {
  const bool keccak = is_keccak(kind);
  if (mats.empty()) throw InputError("byte_hash_rows: no matrices");
  const size_t height = mats.front().height;
  size_t width = 0;
  for (const ConstMatrixView& m : mats) {
    if (m.height != height) {
      throw InputError("byte_hash_rows: matrices of different heights (" + std::to_string(height) + " and " +
                       std::to_string(m.height) + ")");
    }
    width += m.width;
  }
  // Rows per task: ~256 KB of leaf data, a multiple of 16 rows so every task fills whole vectors.
  const size_t grain = (std::max<size_t>(64, (size_t(1) << 16) / std::max<size_t>(width, 1)) + 15) / 16 * 16;
  for_ranges(height, grain, height >= kParallelRows / 4, [&](size_t b, size_t e) {
    rows_range(keccak, mats.data(), mats.size(), b, e, digests_out + 8 * b);
  });
}

void byte_hash_compress_pairs(ByteHashKind kind, const uint32_t* left, const uint32_t* right, size_t n,
                              uint32_t* out) {
  if (n == 0) return;
  const bool keccak = is_keccak(kind);
  compress_strided(keccak, left, right, 8, n, out);
}

void byte_hash_compress_layer(ByteHashKind kind, const uint32_t* in, size_t n, uint32_t* out) {
  if (n == 0) return;
  const bool keccak = is_keccak(kind);
  compress_strided(keccak, in, in + 8, 16, n, out);
}

void keccak_f1600(uint64_t state[25]) { lanes::keccak_f1600<uint64_t>(state); }

void keccak_f1600_batch(uint64_t* states, size_t n) {
  for_ranges(n, 512, n >= 2048, [&](size_t b, size_t e) {
    if (const byte_hash_kernels::Kernels* k = vector_kernels()) {
      k->keccak_permute(states + 25 * b, e - b);
    } else {
      lanes::keccak_permute_range<uint64_t>(states + 25 * b, e - b);
    }
  });
}

double bench_byte_hash(ByteHashKind kind, size_t rows, size_t width, int threads) {
  if (rows == 0 || width == 0) throw InputError("bench_byte_hash: rows and width must be positive");
  if (threads < 1) throw InputError("bench_byte_hash: threads must be >= 1, got " + std::to_string(threads));
  std::vector<uint32_t> data(rows * width);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint32_t& v : data) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    v = uint32_t((x >> 33) % P);
  }
  std::vector<uint32_t> out(rows * 8);
  const int saved_threads = num_threads();
  struct Restore {
    int n;
    ~Restore() { set_num_threads(n); }
  } restore{saved_threads};
  set_num_threads(threads);
  const std::vector<ConstMatrixView> mats{ConstMatrixView{data.data(), rows, width}};
  byte_hash_rows(kind, mats, out.data());  // warm-up
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    byte_hash_rows(kind, mats, out.data());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, double(rows * width * 4) / std::max(s, 1e-9));
  }
  return best;
}

}  // namespace stark
