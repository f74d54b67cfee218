// Device-independent helpers of the prover seam (stark/prover/device.hpp).
#include "stark/prover/device.hpp"

#include <memory>
#include <string>
#include <vector>

#include "stark/util/error.hpp"

namespace stark {

std::shared_ptr<const DeviceMatrix> ProverSession::upload_from_gpu(ConstMatrixView, const std::string& what) {
  throw InputError(what + " is in GPU memory, but device '" + device().name() +
                   "' proves host traces (use device='cuda', or copy the trace to the host)");
}

std::vector<FriOpenRound> device_open_shapes(const std::vector<DeviceOpenRound>& rounds) {
  std::vector<FriOpenRound> shapes;
  for (size_t ri = 0; ri < rounds.size(); ++ri) {
    const DeviceCommitment* c = rounds[ri].commitment;
    if (c == nullptr) throw InputError("pcs_open: round " + std::to_string(ri) + " has no commitment");
    if (rounds[ri].points.size() != c->num_matrices())
      throw InputError("pcs_open: round " + std::to_string(ri) + " has " + std::to_string(c->num_matrices()) +
                       " matrices but " + std::to_string(rounds[ri].points.size()) + " point lists");
    FriOpenRound shape{c->log_blowup(), {}};
    for (size_t mi = 0; mi < c->num_matrices(); ++mi)
      shape.matrices.push_back(FriOpenMatrix{c->log_trace_height(mi), c->width(mi), rounds[ri].points[mi]});
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

}  // namespace stark
