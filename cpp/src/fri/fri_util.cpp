#include "fri_util.hpp"

#include <atomic>

#include "stark/util/parallel.hpp"

namespace stark::fri_detail {

std::vector<Fp> geometric_powers(Fp start, Fp step, size_t n) {
  std::vector<Fp> out(n);
  parallel_for_chunks(n, 4096, [&](size_t b, size_t e) {
    Fp cur = start * step.pow(b);
    for (size_t i = b; i < e; ++i) {
      out[i] = cur;
      cur *= step;
    }
  });
  return out;
}

std::vector<Fp> coset_points_bitrev(uint32_t log_size) {
  const size_t n = size_t(1) << log_size;
  const std::vector<Fp> natural = geometric_powers(generator(), two_adic_generator(log_size), n);
  std::vector<Fp> out(n);
  parallel_for_chunks(n, 4096, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) out[r] = natural[reverse_low_bits(uint32_t(r), log_size)];
  });
  return out;
}

bool ext_batch_inverse(std::vector<Ext4>& v) {
  std::atomic<bool> ok{true};
  parallel_for_chunks(v.size(), 1024, [&](size_t b, size_t e) {
    // prefix[i] = v[b] · … · v[b + i]; one inversion of the chunk product, then a backward sweep.
    std::vector<Ext4> prefix(e - b);
    Ext4 acc = Ext4::one();
    for (size_t i = b; i < e; ++i) {
      if (v[i].is_zero()) {
        ok.store(false, std::memory_order_relaxed);
        return;
      }
      acc *= v[i];
      prefix[i - b] = acc;
    }
    Ext4 inv = acc.inverse();
    for (size_t i = e; i-- > b;) {
      const Ext4 before = i > b ? prefix[i - b - 1] : Ext4::one();
      const Ext4 vi = v[i];
      v[i] = inv * before;
      inv *= vi;
    }
  });
  return ok.load();
}

}  // namespace stark::fri_detail
