#include "stark/field/extension.hpp"

#include <vector>

namespace stark {

// X^p = X * (X^4)^((p-1)/4) = X * W^((p-1)/4), and W^((p-1)/4) is a primitive 4th root of unity
// in F_p, i.e. two_adic_generator(2) (a static_assert in babybear_params.hpp checks it).
Ext4 Ext4::frobenius() const {
  const Fp z = two_adic_generator(2);
  const Fp z2 = z * z, z3 = z2 * z;
  return Ext4(c[0], c[1] * z, c[2] * z2, c[3] * z3);
}

Ext4 Ext4::inverse() const {
  if (is_zero()) return Ext4();
  // r = a^(p + p^2 + p^3); then a * r = N(a) lies in F_p.
  const Ext4 f1 = frobenius();
  const Ext4 f2 = f1.frobenius();
  const Ext4 f3 = f2.frobenius();
  const Ext4 r = f1 * f2 * f3;
  const Ext4 norm = *this * r;  // (norm, 0, 0, 0)
  return r * norm.c[0].inverse();
}

void batch_inverse(Fp* values, size_t n) {
  if (n == 0) return;
  std::vector<Fp> prefix(n);
  Fp acc = Fp::one();
  for (size_t i = 0; i < n; ++i) {
    prefix[i] = acc;
    if (!values[i].is_zero()) acc *= values[i];
  }
  Fp inv = acc.inverse();
  for (size_t i = n; i-- > 0;) {
    if (values[i].is_zero()) continue;
    const Fp v = values[i];
    values[i] = inv * prefix[i];
    inv *= v;
  }
}

}  // namespace stark
