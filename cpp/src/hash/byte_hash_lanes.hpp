// Keccak-f[1600] / Keccak-256 and BLAKE3 written once over a lane type: a plain integer (one
// message) or a GCC vector of integers (one message per lane). byte_hash.cpp instantiates it
// with uint64_t / uint32_t, byte_hash_avx2.cpp and byte_hash_avx512.cpp with 256- and 512-bit
// vectors under their target flags, where the compiler maps the shifts-and-ors to rotate
// instructions (vprolq/vprord with AVX-512) and a ^ (~b & c) to vpternlog.
//
// Every lane of one call hashes a message of the same length (rows of one matrix group, or
// 64-byte node pairs), so the block structure (padding position, BLAKE3 chunk counters and
// flags) is shared and only the data differs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "byte_hash_kernels.hpp"
#include "stark/field/matrix.hpp"

// Everything here has internal linkage (an anonymous namespace), so that a SIMD translation unit
// never exports a weak copy that plain code could end up calling (scripts/check_simd_isolation.py).
namespace stark::byte_hash_lanes {
namespace {

// Local stand-ins for std::min/max/fill/bit_floor: even these inline templates would be emitted
// as weak symbols of a SIMD unit in an unoptimized build.
constexpr size_t min_of(size_t a, size_t b) { return a < b ? a : b; }
constexpr size_t max_of(size_t a, size_t b) { return a > b ? a : b; }
inline void fill_zero(uint32_t* begin, uint32_t* end) {
  for (uint32_t* p = begin; p < end; ++p) *p = 0;
}
constexpr size_t floor_pow2(size_t n) {
  size_t p = 1;
  while (p <= n / 2) p *= 2;
  return p;
}

template <class V>
constexpr size_t lanes_of() {
  if constexpr (std::is_integral_v<V>) {
    return 1;
  } else {
    return sizeof(V) / sizeof(V{}[0]);
  }
}

template <class V, class T>
inline V splat(T x) {
  if constexpr (std::is_integral_v<V>) {
    return V(x);
  } else {
    V v;
    for (size_t l = 0; l < lanes_of<V>(); ++l) v[l] = x;
    return v;
  }
}

// Lane l of the result = base[l * stride] (T: the lane's integer type).
template <class V, class T>
inline V gather(const T* base, size_t stride) {
  if constexpr (std::is_integral_v<V>) {
    return *base;
  } else {
    V v;
    for (size_t l = 0; l < lanes_of<V>(); ++l) v[l] = base[l * stride];
    return v;
  }
}

template <class V, class T>
inline void scatter(V v, T* base, size_t stride) {
  if constexpr (std::is_integral_v<V>) {
    *base = v;
  } else {
    for (size_t l = 0; l < lanes_of<V>(); ++l) base[l * stride] = v[l];
  }
}

// ---- Keccak-f[1600] --------------------------------------------------------------------------

inline constexpr uint64_t kKeccakRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808AULL, 0x8000000080008000ULL,
    0x000000000000808BULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008AULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000AULL,
    0x000000008000808BULL, 0x800000000000008BULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800AULL, 0x800000008000000AULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

// rho offsets, lane x + 5y.
inline constexpr int kKeccakRho[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                       25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

inline constexpr size_t kKeccakRateWords = 34;  // 136 bytes as u32 words

template <int N, class V>
inline V rotl64(V x) {
  if constexpr (N == 0) {
    return x;
  } else {
    return (x << N) | (x >> (64 - N));
  }
}

template <int I, class V>
inline void rho_pi_step(const V* a, V* b) {
  constexpr int x = I % 5, y = I / 5;
  // B[y, 2x + 3y] = rot(A[x, y], r[x, y]).
  b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64<kKeccakRho[I]>(a[I]);
}

template <class V, int... I>
inline void rho_pi(const V* a, V* b, std::integer_sequence<int, I...>) {
  (rho_pi_step<I>(a, b), ...);
}

template <class V>
inline void keccak_f1600(V a[25]) {
  for (int round = 0; round < 24; ++round) {
    V c[5], d[5], b[25];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ rotl64<1>(c[(x + 1) % 5]);
#pragma GCC unroll 25
    for (int i = 0; i < 25; ++i) a[i] ^= d[i % 5];
    rho_pi(a, b, std::make_integer_sequence<int, 25>{});
#pragma GCC unroll 5
    for (int y = 0; y < 5; ++y) {
#pragma GCC unroll 5
      for (int x = 0; x < 5; ++x) {
        a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
      }
    }
    a[0] ^= splat<V>(kKeccakRoundConstants[round]);
  }
}

// ---- BLAKE3 ----------------------------------------------------------------------------------

inline constexpr uint32_t kBlake3Iv[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                          0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};
inline constexpr uint8_t kBlake3MsgPermutation[16] = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
inline constexpr uint32_t kChunkStart = 1, kChunkEnd = 2, kParent = 4, kRoot = 8;
inline constexpr size_t kBlake3BlockWords = 16;  // 64 bytes

template <int N, class V>
inline V rotr32(V x) {
  return (x >> N) | (x << (32 - N));
}

template <class V>
inline void blake3_g(V* s, int a, int b, int c, int d, V mx, V my) {
  s[a] = s[a] + s[b] + mx;
  s[d] = rotr32<16>(s[d] ^ s[a]);
  s[c] = s[c] + s[d];
  s[b] = rotr32<12>(s[b] ^ s[c]);
  s[a] = s[a] + s[b] + my;
  s[d] = rotr32<8>(s[d] ^ s[a]);
  s[c] = s[c] + s[d];
  s[b] = rotr32<7>(s[b] ^ s[c]);
}

// cv := first half of the compression output of (cv, block m, counter, block_len, flags).
template <class V>
inline void blake3_compress(V cv[8], const V m_in[16], uint64_t counter, uint32_t block_len, uint32_t flags) {
  V s[16], m[16];
  for (int i = 0; i < 8; ++i) s[i] = cv[i];
  for (int i = 0; i < 4; ++i) s[8 + i] = splat<V>(kBlake3Iv[i]);
  s[12] = splat<V>(uint32_t(counter));
  s[13] = splat<V>(uint32_t(counter >> 32));
  s[14] = splat<V>(block_len);
  s[15] = splat<V>(flags);
  for (int i = 0; i < 16; ++i) m[i] = m_in[i];
#pragma GCC unroll 7
  for (int round = 0; round < 7; ++round) {
    blake3_g(s, 0, 4, 8, 12, m[0], m[1]);
    blake3_g(s, 1, 5, 9, 13, m[2], m[3]);
    blake3_g(s, 2, 6, 10, 14, m[4], m[5]);
    blake3_g(s, 3, 7, 11, 15, m[6], m[7]);
    blake3_g(s, 0, 5, 10, 15, m[8], m[9]);
    blake3_g(s, 1, 6, 11, 12, m[10], m[11]);
    blake3_g(s, 2, 7, 8, 13, m[12], m[13]);
    blake3_g(s, 3, 4, 9, 14, m[14], m[15]);
    if (round < 6) {
      V t[16];
      for (int i = 0; i < 16; ++i) t[i] = m[kBlake3MsgPermutation[i]];
      for (int i = 0; i < 16; ++i) m[i] = t[i];
    }
  }
  for (int i = 0; i < 8; ++i) cv[i] = s[i] ^ s[i + 8];
}

// ---- messages of words -----------------------------------------------------------------------

// The messages of one call: lane l's message is the first `bytes` bytes of the little-endian
// words from words + l * stride; each lane has `stride` >= padded length words of room (the
// padding is written in place, from the first word not wholly message).
struct LaneMessages {
  uint32_t* words = nullptr;
  size_t stride = 0;
  size_t bytes = 0;
};

// Words a Keccak-256 message of `bytes` bytes occupies once padded (whole 136-byte blocks).
inline size_t keccak_padded_words(size_t bytes) { return (bytes / 136 + 1) * kKeccakRateWords; }
// Words a BLAKE3 message occupies once its last block is zero-filled (>= one block).
inline size_t blake3_padded_words(size_t bytes) { return max_of(1, (bytes + 63) / 64) * kBlake3BlockWords; }

// Zeroes lane l's words from the last partial one to `padded`, keeping the message bytes.
inline void zero_tail(const LaneMessages& msg, size_t l, size_t padded) {
  uint32_t* w = msg.words + l * msg.stride;
  const size_t full = msg.bytes / 4;
  if (msg.bytes % 4 != 0) {
    w[full] &= (uint32_t(1) << (8 * (msg.bytes % 4))) - 1;
    fill_zero(w + full + 1, w + padded);
  } else {
    fill_zero(w + full, w + padded);
  }
}

// Keccak-256 of every lane's message; digest of lane l (8 words) to out + l * out_stride.
template <class V>
inline void keccak256_lanes(const LaneMessages& msg, uint32_t* out, size_t out_stride) {
  constexpr size_t N = lanes_of<V>();
  const size_t padded = keccak_padded_words(msg.bytes);
  for (size_t l = 0; l < N; ++l) {
    uint32_t* w = msg.words + l * msg.stride;
    zero_tail(msg, l, padded);
    w[msg.bytes / 4] |= uint32_t(0x01) << (8 * (msg.bytes % 4));  // first pad byte after the message
    w[padded - 1] |= 0x80u << 24;                                 // last byte of the last block
  }
  V a[25];
  for (auto& x : a) x = splat<V>(uint64_t(0));
  static_assert(kKeccakRateWords % 2 == 0);
  for (size_t block = 0; block < padded; block += kKeccakRateWords) {
    for (size_t j = 0; j < kKeccakRateWords / 2; ++j) {
      // Lane j of the block = words 2j (low half) and 2j + 1 (high half), little-endian.
      const uint32_t* p = msg.words + block + 2 * j;
      uint64_t tmp[N];
      for (size_t l = 0; l < N; ++l) {
        const uint32_t* q = p + l * msg.stride;
        tmp[l] = uint64_t(q[0]) | (uint64_t(q[1]) << 32);
      }
      a[j] ^= gather<V>(tmp, 1);
    }
    keccak_f1600(a);
  }
  for (size_t j = 0; j < 4; ++j) {
    uint64_t tmp[N];
    scatter(a[j], tmp, 1);
    for (size_t l = 0; l < N; ++l) {
      out[l * out_stride + 2 * j] = uint32_t(tmp[l]);
      out[l * out_stride + 2 * j + 1] = uint32_t(tmp[l] >> 32);
    }
  }
}

// BLAKE3 chaining value of chunk `chunk` (bytes [1024·chunk, min(1024·(chunk + 1), bytes)));
// `root` marks the chunk as the whole message.
template <class V>
inline void blake3_chunk_lanes(const LaneMessages& msg, size_t chunk, bool root, V cv[8]) {
  for (int i = 0; i < 8; ++i) cv[i] = splat<V>(kBlake3Iv[i]);
  const size_t begin = chunk * 1024;
  const size_t end = min_of(msg.bytes, begin + 1024);
  const size_t blocks = max_of(1, (end - begin + 63) / 64);
  for (size_t b = 0; b < blocks; ++b) {
    const size_t b0 = begin + b * 64;
    V m[16];
    for (size_t i = 0; i < 16; ++i) m[i] = gather<V>(msg.words + b0 / 4 + i, msg.stride);
    uint32_t flags = 0;
    if (b == 0) flags |= kChunkStart;
    if (b + 1 == blocks) flags |= kChunkEnd | (root ? kRoot : 0);
    const uint32_t block_len = uint32_t(min_of(end, b0 + 64) - min_of(end, b0));
    blake3_compress(cv, m, chunk, block_len, flags);
  }
}

template <class V>
inline void blake3_parent(V cv[8], const V left[8], const V right[8], bool root) {
  V m[16];
  for (int i = 0; i < 8; ++i) {
    m[i] = left[i];
    m[8 + i] = right[i];
  }
  for (int i = 0; i < 8; ++i) cv[i] = splat<V>(kBlake3Iv[i]);
  blake3_compress(cv, m, 0, 64, kParent | (root ? kRoot : 0));
}

// CV of the subtree of chunks [lo, hi): the left subtree takes the largest power of two of
// chunks that leaves at least one for the right (the BLAKE3 tree shape).
template <class V>
inline void blake3_subtree(const LaneMessages& msg, size_t lo, size_t hi, bool root, V cv[8]) {
  if (hi - lo == 1) {
    blake3_chunk_lanes(msg, lo, root, cv);
    return;
  }
  const size_t left = floor_pow2(hi - lo - 1);
  V l[8], r[8];
  blake3_subtree(msg, lo, lo + left, false, l);
  blake3_subtree(msg, lo + left, hi, false, r);
  blake3_parent(cv, l, r, root);
}

template <class V>
inline void blake3_lanes(const LaneMessages& msg, uint32_t* out, size_t out_stride) {
  constexpr size_t N = lanes_of<V>();
  const size_t padded = blake3_padded_words(msg.bytes);
  for (size_t l = 0; l < N; ++l) zero_tail(msg, l, padded);
  const size_t chunks = max_of(1, (msg.bytes + 1023) / 1024);
  V cv[8];
  blake3_subtree(msg, 0, chunks, true, cv);
  for (int i = 0; i < 8; ++i) scatter(cv[i], out + i, out_stride);
}

// ---- batched drivers (one kernel call: a contiguous range on the calling thread) -------------

inline size_t padded_words(bool keccak, size_t bytes) {
  return keccak ? keccak_padded_words(bytes) : blake3_padded_words(bytes);
}

template <class V>
constexpr size_t lane_bytes() {
  if constexpr (std::is_integral_v<V>) {
    return sizeof(V);
  } else {
    return sizeof(V{}[0]);
  }
}

// Keccak runs on 64-bit lanes, BLAKE3 on 32-bit lanes: V picks the hash, `keccak` must agree.
template <class V>
inline void hash_lanes(bool keccak, const LaneMessages& msg, uint32_t* out, size_t out_stride) {
  if constexpr (lane_bytes<V>() == 8) {
    if (!keccak) __builtin_trap();
    keccak256_lanes<V>(msg, out, out_stride);
  } else {
    if (keccak) __builtin_trap();
    blake3_lanes<V>(msg, out, out_stride);
  }
}

// Rows [row_begin, row_end) of the concatenation of mats; digest of row r to out + 8 (r - row_begin).
// Full groups of lanes go through V, the tail through S (the scalar lane type).
template <class V, class S>
inline void hash_rows_range(bool keccak, const ConstMatrixView* mats, size_t num_mats, size_t row_begin,
                            size_t row_end, uint32_t* out) {
  constexpr size_t N = lanes_of<V>();
  size_t len = 0;
  for (size_t m = 0; m < num_mats; ++m) len += mats[m].width;
  const size_t stride = padded_words(keccak, 4 * len);
  // Per-thread scratch, grown on demand (malloc/free: no std::vector instantiated in a SIMD unit).
  struct Scratch {
    uint32_t* words = nullptr;
    size_t size = 0;
    ~Scratch() { std::free(words); }
    uint32_t* data() const { return words; }
  };
  thread_local Scratch scratch;
  if (scratch.size < N * stride) {
    std::free(scratch.words);
    scratch.words = static_cast<uint32_t*>(std::malloc(N * stride * sizeof(uint32_t)));
    scratch.size = scratch.words ? N * stride : 0;
    if (scratch.words == nullptr) byte_hash_kernels::out_of_memory(N * stride * sizeof(uint32_t));
  }
  auto fill = [&](size_t r, size_t lane) {
    uint32_t* dst = scratch.data() + lane * stride;
    for (size_t m = 0; m < num_mats; ++m) {
      std::memcpy(dst, mats[m].data + r * mats[m].width, mats[m].width * sizeof(uint32_t));
      dst += mats[m].width;
    }
  };
  const LaneMessages msg{scratch.data(), stride, 4 * len};
  size_t r = row_begin;
  for (; r + N <= row_end; r += N) {
    for (size_t l = 0; l < N; ++l) fill(r + l, l);
    hash_lanes<V>(keccak, msg, out + 8 * (r - row_begin), 8);
  }
  for (; r < row_end; ++r) {
    fill(r, 0);
    hash_lanes<S>(keccak, msg, out + 8 * (r - row_begin), 8);
  }
}

// out + 8 i = C(left + stride i, right + stride i) for i < n; out may equal left or right.
template <class V, class S>
inline void compress_range(bool keccak, const uint32_t* left, const uint32_t* right, size_t in_stride,
                           size_t n, uint32_t* out) {
  constexpr size_t N = lanes_of<V>();
  const size_t stride = padded_words(keccak, 64);  // 34 (Keccak) or 16 (BLAKE3) words
  uint32_t scratch[N * kKeccakRateWords];
  const LaneMessages msg{scratch, stride, 64};
  auto fill = [&](size_t i, size_t lane) {
    std::memcpy(scratch + lane * stride, left + in_stride * i, 32);
    std::memcpy(scratch + lane * stride + 8, right + in_stride * i, 32);
  };
  size_t i = 0;
  for (; i + N <= n; i += N) {
    for (size_t l = 0; l < N; ++l) fill(i + l, l);
    hash_lanes<V>(keccak, msg, out + 8 * i, 8);
  }
  for (; i < n; ++i) {
    fill(i, 0);
    hash_lanes<S>(keccak, msg, out + 8 * i, 8);
  }
}

template <class V>
inline void keccak_permute_range(uint64_t* states, size_t n) {
  constexpr size_t N = lanes_of<V>();
  size_t i = 0;
  for (; i + N <= n; i += N) {
    V a[25];
    for (int j = 0; j < 25; ++j) a[j] = gather<V>(states + 25 * i + j, 25);
    keccak_f1600(a);
    for (int j = 0; j < 25; ++j) scatter(a[j], states + 25 * i + j, 25);
  }
  for (; i < n; ++i) keccak_f1600<uint64_t>(states + 25 * i);
}

// The kernel table (byte_hash_kernels.hpp) of one pair of lane types: what each ISA unit exports.
template <class V64, class V32>
struct KernelsOf {
  static void hash_rows(bool keccak, const ConstMatrixView* mats, size_t num_mats, size_t row_begin,
                        size_t row_end, uint32_t* out) {
    if (keccak) {
      hash_rows_range<V64, uint64_t>(true, mats, num_mats, row_begin, row_end, out);
    } else {
      hash_rows_range<V32, uint32_t>(false, mats, num_mats, row_begin, row_end, out);
    }
  }
  static void compress(bool keccak, const uint32_t* left, const uint32_t* right, size_t stride, size_t n,
                       uint32_t* out) {
    if (keccak) {
      compress_range<V64, uint64_t>(true, left, right, stride, n, out);
    } else {
      compress_range<V32, uint32_t>(false, left, right, stride, n, out);
    }
  }
  static void keccak_permute(uint64_t* states, size_t n) { keccak_permute_range<V64>(states, n); }
};

}  // namespace
}  // namespace stark::byte_hash_lanes
