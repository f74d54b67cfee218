// Resident-data kernel timings and device properties for the bench (stark/cuda/device.hpp).
//
// Inputs are random canonical words generated on the host once and uploaded before the clock
// starts; each repeat is timed with CUDA events around the kernels alone, and the median is
// returned. "poseidon2": 2^log_height permutations of 16-word states; "lde": a blowup-2 coset LDE
// of a 2^log_height × width matrix (CudaExec's, as the prover commits); "merkle": the Merkle tree
// of a 2^log_height × width matrix (PlanMerkleTree's; its root read-back included).
#include <cuda_runtime.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "bench.hpp"
#include "common/device_buffer.hpp"
#include "merkle_plan.hpp"
#include "resident_exec.hpp"
#include "runtime.cuh"
#include "stark/cuda/device.hpp"
#include "stark/field/babybear.hpp"
#include "stark/util/error.hpp"

namespace stark::cuda {

DeviceProperties device_properties() {
  detail::require_available("device_properties");
  int dev = 0;
  STARK_CUDA_CHECK(cudaGetDevice(&dev));
  cudaDeviceProp prop{};
  STARK_CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
  int clock_khz = 0, bus_bits = 0;
  STARK_CUDA_CHECK(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, dev));
  STARK_CUDA_CHECK(cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, dev));
  DeviceProperties p;
  p.name = prop.name;
  p.total_memory_bytes = prop.totalGlobalMem;
  p.multiprocessors = prop.multiProcessorCount;
  p.compute_capability = std::to_string(prop.major) + "." + std::to_string(prop.minor);
  // Double data rate: two transfers per clock over the whole bus.
  p.memory_bandwidth_bytes_per_s = 2.0 * double(clock_khz) * 1e3 * double(bus_bits) / 8.0;
  return p;
}

namespace {

DeviceBuffer<uint32_t> random_device_words(size_t count, cudaStream_t stream) {
  DeviceBuffer<uint32_t> d(count, stream, "bench input");  // first: an oversized request fails here
  std::vector<uint32_t> host(count);
  std::mt19937_64 rng(0x5eed);
  for (uint32_t& w : host) w = uint32_t(rng() % stark::P);
  upload_staged(d.data(), host.data(), count * sizeof(uint32_t), stream, "bench input");
  return d;
}

}  // namespace

double resident_bench(const std::string& kind, uint32_t log_height, size_t width, int repeats) {
  detail::require_available("resident_bench");
  if (repeats < 1) throw InputError("resident_bench: repeats must be >= 1");
  if (log_height > 27) throw InputError("resident_bench: log_height " + std::to_string(log_height) + " > 27");
  if (kind != "poseidon2" && kind != "lde" && kind != "merkle")
    throw InputError("resident_bench: unknown kind '" + kind + "' (expected poseidon2, lde or merkle)");
  if (kind != "poseidon2" && width == 0) throw InputError("resident_bench: width must be >= 1");
  const Stream stream;
  const size_t n = size_t(1) << log_height;
  const size_t in_width = kind == "poseidon2" ? 16 : width;
  DeviceBuffer<uint32_t> in = random_device_words(n * in_width, stream.get());
  CudaExec ex(stream.get());
  DeviceBuffer<uint32_t> lde_out;
  if (kind == "lde") lde_out = DeviceBuffer<uint32_t>(2 * n * width, stream.get(), "bench LDE output");
  cudaEvent_t start = nullptr, stop = nullptr;
  STARK_CUDA_CHECK(cudaEventCreate(&start));
  STARK_CUDA_CHECK(cudaEventCreate(&stop));
  std::vector<double> times;
  try {
    for (int r = 0; r <= repeats; ++r) {  // the first run warms up (twiddles, pool)
      STARK_CUDA_CHECK(cudaEventRecord(start, stream.get()));
      if (kind == "poseidon2") {
        poseidon2_permute_on_device(in.data(), n, stream.get());
      } else if (kind == "lde") {
        ex.coset_lde_bitrev(in.data(), log_height, width, 1, generator(), lde_out.data());
      } else {  // the prover's tree: leaf digests and every layer, kept on the device
        const PlanMerkleTree<CudaExec> tree(ex, {MatrixRef{in.data(), n, width}});
      }
      STARK_CUDA_CHECK(cudaEventRecord(stop, stream.get()));
      STARK_CUDA_CHECK(cudaEventSynchronize(stop));
      float ms = 0;
      STARK_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
      if (r > 0) times.push_back(double(ms) * 1e-3);
    }
  } catch (...) {
    (void)cudaEventDestroy(start);
    (void)cudaEventDestroy(stop);
    throw;
  }
  (void)cudaEventDestroy(start);
  (void)cudaEventDestroy(stop);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace stark::cuda
