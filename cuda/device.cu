// Device discovery: compiled(), available(), describe().
//
// available() never crashes and never throws: with no driver, no GPU, a GPU this build has no
// kernel image for, or a device whose context cannot be created, it is false and describe() says
// why. The answer is computed once per process (thread-safe static initialization).
#include <cuda_runtime.h>

#include <cstdio>
#include <string>

#include "runtime.cuh"
#include "stark/cuda/device.hpp"

namespace stark::cuda {

namespace {

// A kernel compiled exactly like the real ones: asking for its attributes tells whether this
// binary holds an image (SASS or PTX) the device can run, and creates the context.
__global__ void probe_kernel(uint32_t* p) {
  if (p != nullptr) *p = 0;
}

struct Probe {
  bool ok = false;
  std::string text;
};

std::string error_text(cudaError_t err) {
  return std::string(cudaGetErrorName(err)) + " (" + cudaGetErrorString(err) + ")";
}

std::string version_text(int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); }

Probe run_probe() {
  Probe pr;
  int driver = 0;
  int runtime = 0;
  (void)cudaRuntimeGetVersion(&runtime);
  if (cudaDriverGetVersion(&driver) != cudaSuccess || driver == 0) {
    (void)cudaGetLastError();
    pr.text = "no CUDA driver installed";
    return pr;
  }
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();
    pr.text = "no usable CUDA device: " + error_text(err) + "; driver " + version_text(driver) +
              ", runtime " + version_text(runtime);
    return pr;
  }
  if (count == 0) {
    pr.text = "no CUDA device";
    return pr;
  }
  int dev = 0;
  if (const cudaError_t e = cudaGetDevice(&dev); e != cudaSuccess) {
    (void)cudaGetLastError();
    pr.text = "cannot select a CUDA device: " + error_text(e);
    return pr;
  }
  cudaDeviceProp prop{};
  if (const cudaError_t e = cudaGetDeviceProperties(&prop, dev); e != cudaSuccess) {
    (void)cudaGetLastError();
    pr.text = "cannot query CUDA device " + std::to_string(dev) + ": " + error_text(e);
    return pr;
  }
  char mem[32];
  std::snprintf(mem, sizeof mem, "%.1f GiB", double(prop.totalGlobalMem) / double(1ull << 30));
  const std::string name = std::string(prop.name) + " (device " + std::to_string(dev) + " of " +
                           std::to_string(count) + ", compute capability " + std::to_string(prop.major) +
                           "." + std::to_string(prop.minor) + ", " + mem + ", driver " +
                           version_text(driver) + ", runtime " + version_text(runtime) + ")";
  cudaFuncAttributes attr{};
  if (const cudaError_t e = cudaFuncGetAttributes(&attr, probe_kernel); e != cudaSuccess) {
    (void)cudaGetLastError();
    pr.text = name + " is not usable by this build: " + error_text(e);
    return pr;
  }
  pr.ok = true;
  pr.text = name;
  return pr;
}

const Probe& probe() {
  static const Probe p = run_probe();
  return p;
}

}  // namespace

bool compiled() { return true; }

bool available() { return probe().ok; }

std::string describe() { return probe().text; }

}  // namespace stark::cuda
