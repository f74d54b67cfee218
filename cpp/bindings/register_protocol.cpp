// Protocol bindings: keygen, prove, verify, the key / proof objects and the prover devices.
// Arrays arrive as C-contiguous uint32 NumPy arrays converted by the package layer
// (stark_backend.engine and .keys); they are read in place (no copies) and the GIL is released
// for every core call. No protocol logic lives here: the prover's inputs are validated by the
// core (stark/prover/validate.hpp), whose InputError reaches Python unchanged.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "integers.hpp"
#include "stark/keygen/keygen.hpp"
#include "stark/protocol/keys.hpp"
#include "stark/protocol/proof.hpp"
#include "stark/prover/prover.hpp"
#include "stark/prover/validate.hpp"
#include "stark/util/timing.hpp"
#include "stark/verifier/verifier.hpp"

namespace stark::py_bind {
namespace {

FriParameters fri_from_tuple(const std::vector<uint32_t>& t) {
  if (t.size() != 5) throw InputError("FRI parameters: expected 5 integers");
  FriParameters p;
  p.log_blowup = t[0];
  p.log_final_poly_len = t[1];
  p.num_queries = t[2];
  p.commit_proof_of_work_bits = t[3];
  p.query_proof_of_work_bits = t[4];
  p.validate();
  return p;
}

py::tuple fri_to_tuple(const FriParameters& p) {
  return py::make_tuple(p.log_blowup, p.log_final_poly_len, p.num_queries, p.commit_proof_of_work_bits,
                        p.query_proof_of_work_bits);
}

py::bytes to_py_bytes(const std::vector<uint8_t>& b) {
  return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
}

/// A strict C-contiguous 2-D uint32 array (the package layer converts everything else).
U32Array strict_matrix(const py::handle& h, const std::string& what) {
  if (!py::isinstance<U32Array>(h)) throw InputError(what + ": expected a C-contiguous numpy uint32 array");
  U32Array arr = py::reinterpret_borrow<U32Array>(h);
  if (arr.ndim() != 2) throw InputError(what + ": expected a 2-D array");
  return arr;
}

ConstMatrixView view_of(const U32Array& a) { return {a.data(), size_t(a.shape(0)), size_t(a.shape(1))}; }

std::vector<uint32_t> u32_list(const py::handle& h, const std::string& what) {
  U32Array arr = py::isinstance<U32Array>(h) ? py::reinterpret_borrow<U32Array>(h) : U32Array();
  if (!py::isinstance<U32Array>(h) || arr.ndim() != 1)
    throw InputError(what + ": expected a 1-D uint32 array");
  return std::vector<uint32_t>(arr.data(), arr.data() + arr.shape(0));
}

/// The prover's inputs from (air_id, [cached uint32 matrices], common uint32 matrix or None,
/// uint32 public values) per context; `keep_alive` holds the arrays the views point into.
// A trace in CUDA device memory, given as (pointer, height, width): C-contiguous canonical
// uint32 words (the Python layer checked dtype, layout and placement; the device checks values).
ConstMatrixView gpu_matrix(const py::handle& h, const std::string& what) {
  if (!py::isinstance<py::tuple>(h) || py::len(h) != 3)
    throw InputError(what + ": expected (pointer, height, width) of a trace in GPU memory");
  const py::tuple t = h.cast<py::tuple>();
  const int64_t pointer = int64_of(t[0], what + ".pointer");
  const int64_t height = int64_of(t[1], what + ".height");
  const int64_t width = int64_of(t[2], what + ".width");
  if (height < 0 || width < 0) throw InputError(what + ": negative shape");
  if (pointer == 0 && height * width != 0) throw InputError(what + ": null device pointer");
  return ConstMatrixView{reinterpret_cast<const uint32_t*>(uintptr_t(pointer)), size_t(height),
                         size_t(width)};
}

std::vector<AirProvingInput> proving_inputs(const py::list& contexts, std::vector<U32Array>& keep_alive) {
  std::vector<AirProvingInput> inputs;
  for (size_t i = 0; i < contexts.size(); ++i) {
    const std::string label = "prove: contexts[" + std::to_string(i) + "]";
    if (!py::isinstance<py::tuple>(contexts[i]) || (py::len(contexts[i]) != 4 && py::len(contexts[i]) != 5))
      throw InputError(label + ": expected (air_id, cached_mains, common_main, public_values[, on_gpu])");
    const py::tuple item = contexts[i].cast<py::tuple>();
    AirProvingInput in;
    in.air_id = int64_of(item[0], label + ".air_id");
    const bool on_gpu = item.size() == 5 && item[4].cast<bool>();
    in.memory = on_gpu ? TraceMemory::Cuda : TraceMemory::Host;
    auto matrix = [&](const py::handle& h, const std::string& what) {
      if (on_gpu) return gpu_matrix(h, what);
      keep_alive.push_back(strict_matrix(h, what));
      return view_of(keep_alive.back());
    };
    if (!py::isinstance<py::list>(item[1]))
      throw InputError(label + ": expected a list of cached main traces");
    const py::list cached = item[1].cast<py::list>();
    for (size_t j = 0; j < cached.size(); ++j) {
      // A partition committed ahead (commit_cached) travels as its CommittedTrace.
      if (py::isinstance<CommittedTrace>(cached[j])) {
        std::shared_ptr<const CommittedTrace> ct = cached[j].cast<std::shared_ptr<CommittedTrace>>();
        in.committed_cached.resize(cached.size());
        in.cached_mains.push_back(ct->trace->view());
        in.committed_cached[j] = std::move(ct);
        continue;
      }
      in.cached_mains.push_back(matrix(cached[j], label + ": cached main trace " + std::to_string(j)));
    }
    if (!item[2].is_none()) in.common_main = matrix(item[2], label + ": common main trace");
    in.public_values = u32_list(item[3], label + ": public values");
    inputs.push_back(std::move(in));
  }
  return inputs;
}

template <class T>
std::vector<T> per_air(const VerifyingKey& vk, T (*f)(const AirVerifyingKey&)) {
  std::vector<T> out;
  for (const AirVerifyingKey& a : vk.airs) out.push_back(f(a));
  return out;
}

void bind_verifying_key(py::module_& m) {
  py::class_<VerifyingKey, std::shared_ptr<VerifyingKey>>(m, "VerifyingKey")
      .def("to_bytes", [](const VerifyingKey& vk) { return to_py_bytes(vk.to_bytes()); })
      .def_static("from_bytes",
                  [](const py::bytes& data) {
                    std::string s = data;
                    py::gil_scoped_release release;
                    return std::make_shared<VerifyingKey>(
                        VerifyingKey::from_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
                  })
      .def_property_readonly("fri", [](const VerifyingKey& vk) { return fri_to_tuple(vk.fri); })
      .def_property_readonly("num_airs", &VerifyingKey::num_airs)
      .def_property_readonly("config_id", [](const VerifyingKey& vk) { return vk.config_id; })
      .def_property_readonly("log_up_pow_bits", [](const VerifyingKey& vk) { return vk.log_up_pow_bits; })
      .def_property_readonly("deep_pow_bits", [](const VerifyingKey& vk) { return vk.deep_pow_bits; })
      .def_property_readonly("pre_hash",
                             [](const VerifyingKey& vk) {
                               return std::vector<uint32_t>(vk.pre_hash.begin(), vk.pre_hash.end());
                             })
      .def_property_readonly("air_names",
                             [](const VerifyingKey& vk) {
                               return per_air<std::string>(vk,
                                                           [](const AirVerifyingKey& a) { return a.name; });
                             })
      .def_property_readonly("main_widths",
                             [](const VerifyingKey& vk) {
                               return per_air<uint32_t>(
                                   vk, [](const AirVerifyingKey& a) { return a.main_width(); });
                             })
      .def_property_readonly("total_widths",
                             [](const VerifyingKey& vk) {
                               return per_air<uint32_t>(
                                   vk, [](const AirVerifyingKey& a) { return a.total_width(); });
                             })
      .def_property_readonly("num_interactions",
                             [](const VerifyingKey& vk) {
                               return per_air<size_t>(
                                   vk, [](const AirVerifyingKey& a) { return a.num_interactions(); });
                             })
      .def_property_readonly("quotient_degrees",
                             [](const VerifyingKey& vk) {
                               return per_air<uint32_t>(
                                   vk, [](const AirVerifyingKey& a) { return a.cs.quotient_degree; });
                             })
      .def_property_readonly("num_public_values",
                             [](const VerifyingKey& vk) {
                               return per_air<uint32_t>(
                                   vk, [](const AirVerifyingKey& a) { return a.cs.num_public_values; });
                             })
      .def_property_readonly("cached_main_widths",
                             [](const VerifyingKey& vk) {
                               return per_air<std::vector<uint32_t>>(
                                   vk, [](const AirVerifyingKey& a) { return a.cs.cached_main_widths; });
                             })
      .def_property_readonly("common_main_widths",
                             [](const VerifyingKey& vk) {
                               return per_air<uint32_t>(
                                   vk, [](const AirVerifyingKey& a) { return a.cs.common_main_width; });
                             })
      .def_property_readonly("preprocessed_widths",
                             [](const VerifyingKey& vk) {
                               return per_air<uint32_t>(
                                   vk, [](const AirVerifyingKey& a) { return a.cs.preprocessed_width; });
                             })
      .def_property_readonly("preprocessed_heights",
                             [](const VerifyingKey& vk) {
                               std::vector<std::optional<size_t>> out;
                               for (const AirVerifyingKey& a : vk.airs) {
                                 if (a.preprocessed) {
                                   out.push_back(size_t(1) << a.preprocessed->log_height);
                                 } else {
                                   out.push_back(std::nullopt);
                                 }
                               }
                               return out;
                             })
      .def_property_readonly("constraint_systems",
                             [](const VerifyingKey& vk) {
                               py::list out;
                               for (const AirVerifyingKey& a : vk.airs)
                                 out.append(to_py_bytes(a.cs.to_bytes()));
                               return out;
                             })
      .def_property_readonly("trace_height_constraints", [](const VerifyingKey& vk) {
        py::list out;
        for (const LinearConstraint& c : vk.trace_height_constraints) {
          out.append(py::make_tuple(c.coefficients, c.threshold));
        }
        return out;
      });
}

void bind_proving_key(py::module_& m) {
  py::class_<ProvingKey, std::shared_ptr<ProvingKey>>(m, "ProvingKey")
      .def("to_bytes",
           [](const ProvingKey& pk) {
             std::vector<uint8_t> b;
             {
               py::gil_scoped_release release;
               b = pk.to_bytes();
             }
             return to_py_bytes(b);
           })
      .def_static("from_bytes",
                  [](const py::bytes& data) {
                    std::string s = data;
                    py::gil_scoped_release release;
                    return std::make_shared<ProvingKey>(
                        ProvingKey::from_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
                  })
      .def_property_readonly("vk", [](const ProvingKey& pk) { return std::make_shared<VerifyingKey>(pk.vk); })
      .def("preprocessed_trace", [](const ProvingKey& pk, size_t air_id) -> py::object {
        if (air_id >= pk.preprocessed.size())
          throw InputError("air id " + std::to_string(air_id) + " out of range");
        if (!pk.preprocessed[air_id]) return py::none();
        const RowMajorMatrix& t = *pk.preprocessed[air_id]->trace;
        U32Array out = new_matrix(t.height(), t.width);
        std::copy(t.values.begin(), t.values.end(), out.mutable_data());
        return out;
      });
}

void bind_proof(py::module_& m) {
  py::class_<Proof, std::shared_ptr<Proof>>(m, "Proof")
      .def("to_bytes",
           [](const Proof& p) {
             std::vector<uint8_t> b;
             {
               py::gil_scoped_release release;
               b = proof_to_bytes(p);
             }
             return to_py_bytes(b);
           })
      .def_static("from_bytes",
                  [](const py::bytes& data) {
                    std::string s = data;
                    py::gil_scoped_release release;
                    return std::make_shared<Proof>(
                        proof_from_bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
                  })
      .def("num_bytes", [](const Proof& p) { return proof_to_bytes(p).size(); })
      .def("section_sizes", &proof_section_sizes,
           "Bytes per section of the encoding, in format order: (section, bytes) pairs.")
      .def_property_readonly("config_id", [](const Proof& p) { return p.config_id; })
      .def_property_readonly("air_ids",
                             [](const Proof& p) {
                               std::vector<uint32_t> out;
                               for (const AirProofData& a : p.per_air) out.push_back(a.air_id);
                               return out;
                             })
      .def_property_readonly("heights",
                             [](const Proof& p) {
                               std::vector<uint32_t> out;
                               for (const AirProofData& a : p.per_air) out.push_back(a.height);
                               return out;
                             })
      .def_property_readonly("public_values", [](const Proof& p) {
        std::vector<std::vector<uint32_t>> out;
        for (const AirProofData& a : p.per_air) out.push_back(a.public_values);
        return out;
      });
}

}  // namespace

void register_protocol(py::module_& m) {
  bind_verifying_key(m);
  bind_proving_key(m);
  bind_proof(m);

  m.def(
      "keygen",
      [](const std::vector<uint32_t>& fri_tuple, const py::list& airs, const std::string& config_name) {
        const FriParameters fri = fri_from_tuple(fri_tuple);
        const StarkConfig& config = config_by_name(config_name);
        std::vector<AirKeygenInput> inputs;
        for (size_t a = 0; a < airs.size(); ++a) {
          const py::tuple item = airs[a].cast<py::tuple>();
          if (item.size() != 3)
            throw InputError("keygen: expected (name, constraint_system, preprocessed) per AIR");
          AirKeygenInput in;
          in.name = item[0].cast<std::string>();
          const std::string cs = item[1].cast<py::bytes>();
          in.cs = decode_constraint_system(in.name, std::vector<uint8_t>(cs.begin(), cs.end()));
          if (!item[2].is_none()) {
            const U32Array arr = strict_matrix(item[2], "AIR '" + in.name + "': preprocessed trace");
            const ConstMatrixView v = view_of(arr);
            in.preprocessed_trace = RowMajorMatrix(FieldVector(v.data, v.data + v.height * v.width), v.width);
          }
          inputs.push_back(std::move(in));
        }
        py::gil_scoped_release release;
        return std::make_shared<ProvingKey>(keygen(fri, std::move(inputs), config));
      },
      py::arg("fri"), py::arg("airs"), py::arg("config") = std::string("baby_bear_poseidon2"),
      "Keygen from (name, constraint-system bytes, preprocessed uint32 matrix or None) per AIR.");

  m.def(
      "prove",
      [](const ProvingKey& pk, const std::string& device_kind, const py::list& contexts,
         const py::object& timings, const py::object& counts, const py::object& progress) {
        const ProverDevice& device = prover_device(device_kind);
        std::vector<U32Array> keep_alive;
        std::vector<AirProvingInput> inputs = proving_inputs(contexts, keep_alive);
        PhaseTimes phases;
        PhaseCounts work;
        // The progress callable runs on this (the coordinating) thread as each top-level phase
        // ends, with the GIL taken for it; its first exception is re-raised once the proof is done.
        std::optional<py::error_already_set> progress_error;
        PhaseListener listener;
        if (!progress.is_none()) {
          listener = [&](const std::string& name, double seconds, int depth) {
            if (depth != 1 || progress_error) return;
            const py::gil_scoped_acquire gil;
            try {
              progress(py::str(name), seconds);
            } catch (py::error_already_set& e) {
              progress_error = std::move(e);
            }
          };
        }
        std::shared_ptr<Proof> proof;
        {
          py::gil_scoped_release release;
          const PhaseRecording recording(&phases, counts.is_none() ? nullptr : &work, std::move(listener));
          const PhaseScope total("total");
          proof = std::make_shared<Proof>(prove(pk, std::move(inputs), device));
        }
        if (progress_error) throw std::move(*progress_error);
        if (!timings.is_none()) {
          py::dict out = timings.cast<py::dict>();
          for (const auto& [name, seconds] : phases) out[py::str(name)] = seconds;
        }
        if (!counts.is_none()) {
          py::dict out = counts.cast<py::dict>();
          for (const PhaseCount& c : work) {
            const py::str phase(c.phase);
            if (!out.contains(phase)) out[phase] = py::dict();
            py::dict per_phase = out[phase].cast<py::dict>();
            per_phase[py::str(c.counter)] = c.value;
          }
        }
        return proof;
      },
      py::arg("pk"), py::arg("device"), py::arg("contexts"), py::arg("timings") = py::none(),
      py::arg("counts") = py::none(), py::arg("progress") = py::none(),
      "Prove from (air_id, [cached uint32 matrices], common uint32 matrix or None, uint32 public values[, "
      "on_gpu]).\n"
      "With on_gpu True, each matrix is (pointer, height, width) of C-contiguous uint32 in CUDA device "
      "memory.\n"
      "timings: an optional dict, filled with wall-clock seconds per prover phase.\n"
      "counts: an optional dict, filled with {phase: {counter: count}} (hash_permutations, "
      "grinding_permutations).\n"
      "progress: an optional callable(phase, seconds), called as each top-level phase ends.");

  py::class_<CommittedTrace, std::shared_ptr<CommittedTrace>>(
      m, "CommittedTrace", "A cached main partition committed once (commit_cached), reused by later proofs.")
      .def_property_readonly("air_id", [](const CommittedTrace& c) { return c.air_id; })
      .def_property_readonly("partition", [](const CommittedTrace& c) { return c.partition; })
      .def_property_readonly("air_name", [](const CommittedTrace& c) { return c.air_name; })
      .def_property_readonly("height", &CommittedTrace::height)
      .def_property_readonly("width", &CommittedTrace::width)
      .def_property_readonly(
          "root",
          [](const CommittedTrace& c) { return std::vector<uint32_t>(c.root().begin(), c.root().end()); })
      .def_property_readonly(
          "trace",
          [](const py::object& self) {
            const CommittedTrace& c = self.cast<const CommittedTrace&>();
            // A read-only view of the committed copy, kept alive by this object.
            py::array_t<uint32_t> view({c.height(), c.width()}, c.trace->values.data(), self);
            py::detail::array_proxy(view.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
            return view;
          },
          "The committed trace (height × width uint32, read-only).")
      .def_property_readonly(
          "lde_bytes",
          [](const CommittedTrace& c) {
            return uint64_t(c.committed->lde(0).height) * c.committed->lde(0).width * sizeof(uint32_t);
          },
          "Bytes of host memory its LDE holds (the Merkle tree comes on top).");

  m.def(
      "commit_cached",
      [](const ProvingKey& pk, int64_t air_id, int64_t partition, const py::handle& trace,
         const py::object& timings) {
        const std::string what = "commit_cached: trace";
        const U32Array arr = strict_matrix(trace, what);
        const ConstMatrixView view = view_of(arr);
        PhaseTimes phases;
        std::shared_ptr<const CommittedTrace> out;
        {
          py::gil_scoped_release release;
          const PhaseRecording recording(&phases);
          out = commit_cached_trace(pk, air_id, partition, view);
        }
        if (!timings.is_none()) {
          py::dict d = timings.cast<py::dict>();
          for (const auto& [name, seconds] : phases) d[py::str(name)] = seconds;
        }
        return std::const_pointer_cast<CommittedTrace>(out);
      },
      py::arg("pk"), py::arg("air_id"), py::arg("partition"), py::arg("trace"),
      py::arg("timings") = py::none(),
      "Commit a cached main partition once: its LDE and Merkle tree, bound to the key, AIR and partition.");

  m.def(
      "verify",
      [](const VerifyingKey& vk, const std::vector<uint32_t>& fri_tuple, const Proof& proof) {
        const FriParameters engine = fri_from_tuple(fri_tuple);
        py::gil_scoped_release release;
        verify(vk, engine, proof);
      },
      py::arg("vk"), py::arg("fri"), py::arg("proof"));

  m.def(
      "validate_prove_inputs",
      [](const ProvingKey& pk, const py::list& contexts) {
        std::vector<U32Array> keep_alive;
        const std::vector<AirProvingInput> inputs = proving_inputs(contexts, keep_alive);
        py::gil_scoped_release release;
        validate_inputs(pk, inputs);
      },
      py::arg("pk"), py::arg("contexts"),
      "The prover's input checks alone (InputError), for contexts in prove's form.");

  m.def(
      "prover_device_name", [](const std::string& kind) { return prover_device(kind).name(); },
      py::arg("kind"),
      "The device a name selects: 'auto' (the first usable accelerator, else 'cpu') or a registered name.");
  m.def(
      "prover_device_names",
      [] {
        std::vector<std::string> names;
        for (const ProverDeviceEntry* e : prover_devices()) names.push_back(e->name);
        return names;
      },
      "The registered prover devices, in registry order.");
}

}  // namespace stark::py_bind
