// Assembly of a PCS commitment from any subgroup LDE routine (stark/prover/subgroup_lde.hpp).
#include "stark/prover/subgroup_lde.hpp"

#include <memory>
#include <string>

#include "stark/util/error.hpp"

namespace stark {

uint32_t check_commit_matrix(const FriParameters& params, size_t m, size_t height, size_t width,
                             Fp domain_shift) {
  const std::string what = "pcs commit: matrix " + std::to_string(m);
  if (width == 0) throw InputError(what + " has width 0");
  if (!is_power_of_two(height))
    throw InputError(what + " has height " + std::to_string(height) + ", not a power of two");
  const uint32_t log_n = log2_exact(height);
  if (log_n + params.log_blowup > TWO_ADICITY) {
    throw InputError(what + ": height 2^" + std::to_string(log_n) + " with log_blowup " +
                     std::to_string(params.log_blowup) + " exceeds the two-adicity");
  }
  if (domain_shift.is_zero()) throw InputError(what + " has domain shift 0");
  return log_n;
}

std::shared_ptr<const PcsCommitted> commit_with_subgroup_lde(const FriParameters& params,
                                                             std::vector<PcsMatrixInput> matrices,
                                                             const SubgroupLde& lde,
                                                             const MerkleHasher& hasher) {
  params.validate();
  if (matrices.empty()) throw InputError("pcs commit: no matrices");
  std::vector<uint32_t> log_heights;
  std::vector<Fp> shifts;
  std::vector<std::shared_ptr<const RowMajorMatrix>> ldes;
  for (size_t m = 0; m < matrices.size(); ++m) {
    const PcsMatrixInput& in = matrices[m];
    const ConstMatrixView evals = in.view();
    const size_t height = evals.height;
    const uint32_t log_n = check_commit_matrix(params, m, height, evals.width, in.domain_shift);
    // Uninitialized: the LDE overwrites every entry.
    auto out = std::make_shared<RowMajorMatrix>(
        RowMajorMatrix::uninitialized(height << params.log_blowup, evals.width));
    lde(evals, params.log_blowup, generator() * in.domain_shift.inverse(), out->view());
    log_heights.push_back(log_n);
    shifts.push_back(in.domain_shift);
    ldes.push_back(std::move(out));
  }
  return std::make_shared<const PcsCommitted>(params.log_blowup, std::move(log_heights), std::move(shifts),
                                              std::move(ldes), hasher);
}

}  // namespace stark
