// Mul: lhs · rhs.
#pragma once

#include "kind_api.hpp"

namespace stark::air_detail {

template <>
struct Kind<NodeKind::Mul> {
  static Ext4 at_point(const Node& nd, const PointValues&, const Ext4* v) { return v[nd.lhs] * v[nd.rhs]; }

  static void lower(const Node& nd, Lowering& L) {
    const uint32_t l = nd.lhs, r = nd.rhs;
    if (!L.is_ext(L.node())) {
      Form f;
      if (L.is_uniform(l) || L.is_uniform(r)) {
        // A product by a constant scales the other operand's form.
        const uint32_t u = L.is_uniform(l) ? l : r, x = u == l ? r : l;
        const Fp s = L.uniform_base(u);
        f = L.form_of(x, s);
        scale(f, s);
      } else {
        // (a0 + a·u)(b0 + b·w) = a0 b0 + a0 b·w + b0 a·u + ab·(u·w).
        Form fl = L.affine_of(l);
        Form fr = L.affine_of(r);
        if (fl.terms.empty()) {
          f = std::move(fr);
          scale(f, fl.c0);
        } else if (fr.terms.empty()) {
          f = std::move(fl);
          scale(f, fr.c0);
        } else {
          const Term tu = fl.terms[0], tw = fr.terms[0];
          f.c0 = fl.c0 * fr.c0;
          if (!fl.c0.is_zero()) f.terms.push_back({tw.value, fl.c0 * tw.coeff});
          if (!fr.c0.is_zero()) f.terms.push_back({tu.value, fr.c0 * tu.coeff});
          f.terms.push_back({L.product(tu.value, tw.value), tu.coeff * tw.coeff});
        }
      }
      L.define_base(std::move(f));
      return;
    }
    const bool le = L.is_ext(l), re = L.is_ext(r);
    const uint32_t a = L.operand(l), b = L.operand(r);
    // E · F is computed as E · F (the extension operand first).
    L.define_ext(le && re ? Op::ExtMul : Op::ExtMulBase, le ? a : b, le ? b : a);
  }
};

}  // namespace stark::air_detail
