// The interface between the AIR layer and the per-kind semantics files (private to the AIR
// layer; docs/architecture.md §6, and §12 for adding a kind).
//
// A node kind is one row of node_kinds.json (its tag, payload, flags and degree rule: handled
// generically) plus one file kinds/<snake_name>.hpp that specializes Kind<NodeKind::Name> with
// the static members below that apply to it. The build includes every kind file (the generated
// stark/air/node_kind_files.inc) and node_kinds.cpp dispatches to them; a member a kind needs but
// does not define is a compile error naming it.
//
//   Ext4 at_point(const Node&, const PointValues&, const Ext4* values)
//       Every kind except trace variables: the node's value at one point, given the values of the
//       earlier nodes. The verifier's out-of-domain fold evaluates every node with it, and the
//       block compiler folds point-independent nodes (constants, public values, challenges and
//       everything computed only from them) with it.
//   ColumnSource source(const Node&)
//       Trace variables (flag "trace"): the first trace column the node reads; an extension kind
//       reads that column and the next three (one flattened extension column). Their value at a
//       point, and their place in the block program, follow from it.
//   void lower(const Node&, Lowering&)
//       Kinds with children: the node's block-program operations. A base-field node defines a
//       linear form over earlier values (Lowering::define_base); the compiler inlines, shares and
//       materializes forms itself. An extension-field node defines one extension operation
//       (Lowering::define_ext). Kinds that need a vector operation the interpreter lacks add an
//       Op and its kernel (block_program.hpp, block_kernels*.{hpp,cpp}).
//   void on_quotient_domain(const QuotientPoints&, uint32_t* out)
//       Selectors (flag "selector"): their values on a block of quotient-domain points.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "../block_program.hpp"
#include "stark/air/constraint_system.hpp"
#include "stark/field/extension.hpp"

namespace stark::air_detail {

/// Values of the leaves at one point: the verifier's out-of-domain point ζ (every field set), or
/// the block compiler's folding of point-independent nodes (only the uniform values set).
struct PointValues {
  /// Trace rows at the point (offset 0) and at the next point (offset 1), indexed by MatrixId;
  /// each a row of E values (after-challenge rows flattened: 4 per extension column). A null or
  /// missing entry is an absent matrix.
  std::vector<const std::vector<Ext4>*> rows[2];
  std::span<const Fp> public_values;
  std::span<const Ext4> challenges;  // [alpha_lu, beta_lu]
  std::span<const Ext4> exposed;     // [the AIR's cumulative sum]
  Ext4 x;                            // the point
  Ext4 vanishing;                    // Z_H(x) = x^n - 1 for the trace domain H of size n
  Fp omega_inv;                      // ω^{-1}: the point of the trace domain's last row
  /// How a point at which a selector's denominator vanishes is rejected (it must throw).
  void (*zero_denominator)(const std::string& what) = nullptr;

  /// Trace column `c` at row offset `offset` (0 or 1); an extension kind reads c .. c + 3 as
  /// one extension element Σ_e X^e · v_{c+e}. InputError when the row or column is absent.
  Ext4 trace_value(const ColumnSource& c, uint8_t offset, bool extension) const;
  Fp public_value(uint32_t i) const;  // InputError when i is out of range
  const Ext4& challenge(uint32_t i) const;
  const Ext4& exposed_value(uint32_t i) const;
  [[noreturn]] void reject_zero_denominator(const std::string& what) const;
};

/// A block of quotient-domain points for the selectors: x_p and Z_H(x_p) for p < count, and
/// ω^{-1} of the trace domain.
struct QuotientPoints {
  size_t count = 0;
  const Fp* x = nullptr;
  const Fp* vanishing = nullptr;
  Fp omega_inv;
};

/// c0 + Σ coeff·value over F-valued program values (the lowering of base-field nodes).
struct Term {
  uint32_t value;
  Fp coeff;
};
struct Form {
  Fp c0;
  std::vector<Term> terms;
};

inline void scale(Form& f, Fp s) {
  f.c0 *= s;
  for (Term& t : f.terms) t.coeff *= s;
}
/// f += g.
inline void append(Form& f, const Form& g) {
  f.c0 += g.c0;
  f.terms.insert(f.terms.end(), g.terms.begin(), g.terms.end());
}

struct LowerState;  // compile_lower.cpp

/// The lowering services a kind's lower() uses for the node being lowered, node(). Node
/// arguments are node ids (children of node()), value arguments program values (Term::value).
class Lowering {
 public:
  Lowering(LowerState& state, uint32_t node) : state_(state), node_(node) {}

  uint32_t node() const { return node_; }
  /// Whether a node's value is the same at every point (folded at compile time).
  bool is_uniform(uint32_t node) const;
  /// Whether a node is extension-valued.
  bool is_ext(uint32_t node) const;
  /// The value of a uniform base-field node.
  Fp uniform_base(uint32_t node) const;

  /// The linear form of a base-field child as its consumer sees it when it scales it by `s`:
  /// a single-use form is moved into the consumer when that costs no extra multiplications.
  Form form_of(uint32_t node, Fp s);
  /// A multiplication operand as c0 + c·u with at most one term.
  Form affine_of(uint32_t node);
  /// The value x·y of two F values (one Mul, shared between equal products).
  uint32_t product(uint32_t x, uint32_t y);
  /// A child as one vector (uniform children broadcast, pending forms materialized).
  uint32_t operand(uint32_t node);

  /// The result of a base-field node.
  void define_base(Form f);
  /// The result of an extension-field node: one extension op of block_program.hpp (ExtAdd, ...,
  /// ExtNeg; b is unused by ExtNeg).
  void define_ext(Op op, uint32_t a, uint32_t b = 0);

 private:
  LowerState& state_;
  uint32_t node_;
};

/// Primary template: each kind file specializes it.
template <NodeKind K>
struct Kind;

// Dispatch over the kinds (node_kinds.cpp).
Ext4 node_at_point(const Node& nd, const PointValues& point, const Ext4* values);
ColumnSource node_source(const Node& nd);  // trace variables only
void lower_node(const Node& nd, Lowering& lowering);
void fill_selector(NodeKind kind, const QuotientPoints& points, uint32_t* out);

}  // namespace stark::air_detail
