// PCS commitment (docs/protocol.md §4): LDE of every matrix onto g·H_{n·B}, bit-reversed rows, one
// mixed-height Merkle tree over all of them.
#include <atomic>
#include <string>

#include "stark/fri/pcs.hpp"
#include "stark/ntt/ntt.hpp"
#include "stark/util/error.hpp"
#include "stark/util/parallel.hpp"
#include "stark/util/timing.hpp"

namespace stark {
namespace {

std::string matrix_name(size_t m) { return "matrix " + std::to_string(m); }

// Checks the assembled commitment data before the tree is built (member initialization order:
// this runs in the initializer of ldes_, ahead of tree_).
std::vector<std::shared_ptr<const RowMajorMatrix>> checked_ldes(
    uint32_t log_blowup, const std::vector<uint32_t>& log_heights, const std::vector<Fp>& shifts,
    std::vector<std::shared_ptr<const RowMajorMatrix>> ldes) {
  if (ldes.empty()) throw InputError("PcsCommitted: at least one matrix is required");
  if (log_heights.size() != ldes.size() || shifts.size() != ldes.size())
    throw InputError("PcsCommitted: " + std::to_string(ldes.size()) + " LDEs but " +
                     std::to_string(log_heights.size()) + " heights and " + std::to_string(shifts.size()) +
                     " domain shifts");
  for (size_t m = 0; m < ldes.size(); ++m) {
    if (!ldes[m]) throw InputError("PcsCommitted: " + matrix_name(m) + " is null");
    if (log_heights[m] + log_blowup > TWO_ADICITY)
      throw InputError("PcsCommitted: " + matrix_name(m) + ": log height " + std::to_string(log_heights[m]) +
                       " + log_blowup " + std::to_string(log_blowup) + " exceeds 27");
    const size_t want = size_t(1) << (log_heights[m] + log_blowup);
    if (ldes[m]->width == 0 || ldes[m]->values.size() != want * ldes[m]->width)
      throw InputError("PcsCommitted: " + matrix_name(m) + ": LDE must have " + std::to_string(want) +
                       " rows and width >= 1");
    if (shifts[m].is_zero()) throw InputError("PcsCommitted: " + matrix_name(m) + ": zero domain shift");
  }
  return ldes;
}

}  // namespace

PcsCommitted::PcsCommitted(uint32_t log_blowup, std::vector<uint32_t> log_trace_heights,
                           std::vector<Fp> domain_shifts,
                           std::vector<std::shared_ptr<const RowMajorMatrix>> ldes,
                           const MerkleHasher& hasher)
    : log_blowup_(log_blowup),
      log_trace_heights_(std::move(log_trace_heights)),
      domain_shifts_(std::move(domain_shifts)),
      ldes_(checked_ldes(log_blowup_, log_trace_heights_, domain_shifts_, std::move(ldes))),
      tree_(ldes_, hasher) {}

PcsCommitted pcs_commit(const FriParameters& params, std::vector<PcsMatrixInput> matrices,
                        const MerkleHasher& hasher) {
  params.validate();
  const uint32_t b = params.log_blowup;
  if (matrices.empty()) throw InputError("pcs_commit: at least one matrix is required");
  std::vector<uint32_t> log_heights;
  std::vector<Fp> shifts;
  for (size_t m = 0; m < matrices.size(); ++m) {
    const ConstMatrixView ev = matrices[m].view();
    if (ev.width == 0) throw InputError("pcs_commit: " + matrix_name(m) + ": width must be >= 1");
    if (!matrices[m].borrowed && ev.height * ev.width != matrices[m].evals.values.size())
      throw InputError("pcs_commit: " + matrix_name(m) + ": " +
                       std::to_string(matrices[m].evals.values.size()) +
                       " values do not form rows of width " + std::to_string(ev.width));
    const size_t n = ev.height;
    if (!is_power_of_two(n))
      throw InputError("pcs_commit: " + matrix_name(m) + ": height " + std::to_string(n) +
                       " is not a power of two >= 1");
    const uint32_t k = log2_exact(n);
    if (k + b > TWO_ADICITY)
      throw InputError("pcs_commit: " + matrix_name(m) + ": log height " + std::to_string(k) +
                       " + log_blowup " + std::to_string(b) + " exceeds 27");
    if (matrices[m].domain_shift.is_zero())
      throw InputError("pcs_commit: " + matrix_name(m) + ": zero domain shift");
    std::atomic<size_t> bad{SIZE_MAX};
    parallel_for_chunks(ev.height * ev.width, 1 << 16, [&](size_t lo, size_t hi) {
      for (size_t i = lo; i < hi; ++i)
        if (ev.data[i] >= P) {
          size_t cur = bad.load();
          while (i < cur && !bad.compare_exchange_weak(cur, i)) {
          }
          return;
        }
    });
    if (const size_t i = bad.load(); i != SIZE_MAX)
      throw InputError("pcs_commit: " + matrix_name(m) + ": value " + std::to_string(ev.data[i]) +
                       " at row " + std::to_string(i / ev.width) + ", column " +
                       std::to_string(i % ev.width) + " is not < p");
    log_heights.push_back(k);
    shifts.push_back(matrices[m].domain_shift);
  }

  std::vector<std::shared_ptr<const RowMajorMatrix>> ldes;
  ldes.reserve(matrices.size());
  {
    const PhaseScope phase("lde");  // the Merkle tree (built by PcsCommitted) is not part of it
    for (size_t m = 0; m < matrices.size(); ++m) {
      const ConstMatrixView ev = matrices[m].view();
      // Uninitialized: the LDE overwrites every entry, and its threads take the page faults.
      auto lde = std::make_shared<RowMajorMatrix>(RowMajorMatrix::uninitialized(ev.height << b, ev.width));
      // The LDE coset is always g·H_{nB}; only the interpolation domain depends on the shift.
      if (shifts[m] == Fp::one())
        coset_lde_bitrev(ev, b, generator(), lde->view());
      else
        coset_lde_bitrev_from_coset(ev, shifts[m], b, generator(), lde->view());
      matrices[m].release();  // release the evaluations early: LDEs of wide traces are large
      ldes.push_back(std::move(lde));
    }
  }
  return PcsCommitted(b, std::move(log_heights), std::move(shifts), std::move(ldes), hasher);
}

}  // namespace stark
