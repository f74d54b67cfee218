// A host commitment from any subgroup LDE routine: how a device that computes LDEs elsewhere
// (a GPU kernel writing to host memory) builds the CPU's PcsCommitted.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "stark/fri/pcs.hpp"

namespace stark {

/// An LDE routine for matrices given on the subgroup H_n: writes the evaluations of the
/// interpolating polynomials on shift·H_{n·2^log_blowup} in bit-reversed row order.
using SubgroupLde = std::function<void(ConstMatrixView in, uint32_t log_blowup, Fp shift, MatrixView out)>;

/// pcs_commit's checks of matrix m (height × width on domain_shift·H_n), InputError naming it:
/// width 0, a height that is not a power of two, k + log_blowup beyond the two-adicity, a zero
/// shift. Returns k = log2(height). For devices that commit data held elsewhere.
uint32_t check_commit_matrix(const FriParameters& params, size_t m, size_t height, size_t width,
                             Fp domain_shift);

/// A matrix on the coset s·H_n holds P'(y) = P(s·y) on H_n, and the LDE of P' on the coset
/// (g/s)·H_N is P(g·x): so the routine is called with shift g/s and every matrix lands on the
/// committed coset g·H_N. Inputs are validated like pcs_commit's (InputError).
std::shared_ptr<const PcsCommitted> commit_with_subgroup_lde(const FriParameters& params,
                                                             std::vector<PcsMatrixInput> matrices,
                                                             const SubgroupLde& lde,
                                                             const MerkleHasher& hasher);

}  // namespace stark
