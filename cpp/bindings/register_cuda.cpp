// CUDA device entry points (stark/cuda/device.hpp). Defined in every build: without the CUDA
// units the stub makes cuda_compiled()/cuda_available() False and the others raise DeviceError.
// Arrays are C-contiguous uint32 (validated by the Python layer); shapes are checked here
// (InputError), the GIL is released around the device call, results are new owning arrays.
#include <cstdint>
#include <cstring>
#include <string>

#include "common.hpp"
#include "stark/cuda/device.hpp"
#include "stark/field/babybear.hpp"

namespace stark::py_bind {

namespace {

constexpr size_t kStateWidth = 16;
constexpr size_t kDigestWidth = 8;

U32Array cuda_poseidon2_permute(const U32Array& states) {
  if (states.ndim() != 2 || size_t(states.shape(1)) != kStateWidth)
    throw InputError("cuda_poseidon2_permute: states must have shape (n, 16)");
  const size_t n = size_t(states.shape(0));
  U32Array out = new_matrix(n, kStateWidth);
  const uint32_t* src = states.data();
  uint32_t* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    if (n != 0) std::memcpy(dst, src, n * kStateWidth * sizeof(uint32_t));
    cuda::poseidon2_permute(dst, n);
  }
  return out;
}

U32Array cuda_hash_rows(const U32Array& matrix) {
  const ConstMatrixView m = matrix_view(matrix, "cuda_hash_rows");
  U32Array out = new_matrix(m.height, kDigestWidth);
  uint32_t* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    cuda::hash_rows(m.data, m.height, m.width, dst);
  }
  return out;
}

U32Array cuda_ntt(const U32Array& values, bool inverse) {
  const ConstMatrixView m = matrix_view(values, "cuda_ntt");
  if (m.height == 0 || (m.height & (m.height - 1)) != 0)
    throw InputError("cuda_ntt: height " + std::to_string(m.height) + " is not a power of two");
  U32Array out = values.ndim() == 1 ? U32Array({py::ssize_t(m.height)}) : new_matrix(m.height, m.width);
  uint32_t* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    if (m.height * m.width != 0) std::memcpy(dst, m.data, m.height * m.width * sizeof(uint32_t));
    cuda::ntt(dst, m.height, m.width, inverse);
  }
  return out;
}

U32Array cuda_coset_lde(const U32Array& evals, int64_t log_blowup, int64_t shift) {
  const ConstMatrixView m = matrix_view(evals, "cuda_coset_lde");
  if (m.height == 0 || (m.height & (m.height - 1)) != 0)
    throw InputError("cuda_coset_lde: height " + std::to_string(m.height) + " is not a power of two");
  if (log_blowup < 0 || log_blowup > int64_t(TWO_ADICITY))
    throw InputError("cuda_coset_lde: log_blowup " + std::to_string(log_blowup) + " out of range");
  const uint32_t log_n = log2_exact(m.height);
  if (log_n + uint32_t(log_blowup) > TWO_ADICITY)
    throw InputError("cuda_coset_lde: log2(height) + log_blowup exceeds the two-adicity " +
                     std::to_string(TWO_ADICITY));
  if (shift < 0 || shift >= int64_t(P))
    throw InputError("cuda_coset_lde: shift " + std::to_string(shift) + " is not a canonical field element");
  const size_t big = m.height << log_blowup;
  U32Array out = evals.ndim() == 1 ? U32Array({py::ssize_t(big)}) : new_matrix(big, m.width);
  uint32_t* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    cuda::coset_lde_bitrev(m.data, m.height, m.width, uint32_t(log_blowup), uint32_t(shift), dst);
  }
  return out;
}

// A (height, width) uint32 matrix in CUDA device memory at `pointer`, copied to a new array.
U32Array cuda_copy_to_host(uint64_t pointer, int64_t height, int64_t width) {
  if (height < 0 || width < 0) throw InputError("cuda_copy_to_host: negative shape");
  size_t bytes = 0;
  if (__builtin_mul_overflow(size_t(height), size_t(width), &bytes) ||
      __builtin_mul_overflow(bytes, sizeof(uint32_t), &bytes))
    throw InputError("cuda_copy_to_host: shape too large");
  U32Array out = new_matrix(size_t(height), size_t(width));
  uint32_t* dst = out.mutable_data();
  {
    py::gil_scoped_release release;
    cuda::copy_to_host(reinterpret_cast<const void*>(uintptr_t(pointer)), bytes, dst);
  }
  return out;
}

py::dict cuda_device_properties() {
  cuda::DeviceProperties p;
  {
    py::gil_scoped_release release;
    p = cuda::device_properties();
  }
  py::dict d;
  d["name"] = p.name;
  d["compute_capability"] = p.compute_capability;
  d["total_memory_bytes"] = p.total_memory_bytes;
  d["multiprocessors"] = p.multiprocessors;
  d["memory_bandwidth_bytes_per_s"] = p.memory_bandwidth_bytes_per_s;
  return d;
}

}  // namespace

void register_cuda(py::module_& m) {
  m.def("cuda_device_properties", &cuda_device_properties,
        "The current GPU: name, compute_capability, total_memory_bytes, multiprocessors and the peak "
        "memory_bandwidth_bytes_per_s (DeviceError without one).");
  m.def("cuda_resident_bench", &cuda::resident_bench, py::arg("kind"), py::arg("log_height"),
        py::arg("width"), py::arg("repeats"), py::call_guard<py::gil_scoped_release>(),
        "Median seconds of a kernel with its data on the GPU: kind 'poseidon2' (2^log_height "
        "permutations), 'lde' (blowup-2 coset LDE of 2^log_height x width) or 'merkle'.");
  m.def("cuda_compiled", &cuda::compiled, "True if the CUDA units were compiled in.");
  m.def("cuda_copy_to_host", &cuda_copy_to_host, py::arg("pointer"), py::arg("height"), py::arg("width"),
        "Copy a C-contiguous (height, width) uint32 matrix from CUDA device memory to a new array.");
  m.def("cuda_available", &cuda::available, py::call_guard<py::gil_scoped_release>(),
        "True if the CUDA units were compiled in and a usable GPU is present.");
  m.def("cuda_describe", &cuda::describe, py::call_guard<py::gil_scoped_release>(),
        "The device in use, or why none is usable.");
  m.def("cuda_poseidon2_permute", &cuda_poseidon2_permute, py::arg("states"),
        "Poseidon2 permutation of each row of an (n, 16) uint32 array on the GPU; returns (n, 16).");
  m.def("cuda_hash_rows", &cuda_hash_rows, py::arg("matrix"),
        "Padding-free sponge of every row of an (h, w) uint32 array on the GPU; returns (h, 8).");
  m.def("cuda_ntt", &cuda_ntt, py::arg("values"), py::arg("inverse") = false,
        "NTT along axis 0 of an (n,) or (n, w) uint32 array on the GPU (natural order in and out).");
  m.def("cuda_coset_lde", &cuda_coset_lde, py::arg("evals"), py::arg("log_blowup"), py::arg("shift"),
        "Coset LDE on the GPU: evaluations on H_n -> evaluations on shift*H_(n*2^b), rows bit-reversed.");
}

}  // namespace stark::py_bind
