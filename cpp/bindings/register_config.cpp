// Configuration bindings: the registry (stark/config/config.hpp) and the byte hashes behind the
// Keccak and BLAKE3 configurations (stark/hash/byte_hash.hpp), for users and cross-checks.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "common.hpp"
#include "stark/config/config.hpp"
#include "stark/field/bn254.hpp"
#include "stark/hash/bn254_poseidon2.hpp"
#include "stark/hash/byte_hash.hpp"

namespace stark::py_bind {
namespace {

ByteHashKind byte_hash_kind(const std::string& name) {
  if (name == "keccak256") return ByteHashKind::Keccak256;
  if (name == "blake3") return ByteHashKind::Blake3;
  throw InputError("unknown byte hash \"" + name + "\" (known: keccak256, blake3)");
}

py::dict describe(const StarkConfig& c) {
  py::dict d;
  d["id"] = uint32_t(c.id());
  d["name"] = c.name();
  d["hash"] = c.hasher().name();
  d["transcript"] = c.new_challenger().core().name();
  d["digest"] = c.hasher().digest_description();
  d["collision_bits"] = c.hasher().collision_bits();
  d["description"] = c.description();
  return d;
}

}  // namespace

void register_config(py::module_& m) {
  m.def(
      "stark_configs",
      [] {
        py::list out;
        for (const StarkConfig* c : stark_configs()) out.append(describe(*c));
        return out;
      },
      "Every registered configuration: dicts of id, name, hash, transcript, digest, collision_bits, "
      "description.");
  m.def(
      "stark_config", [](const std::string& name) { return describe(config_by_name(name)); }, py::arg("name"),
      "One configuration by name (InputError naming the known ones otherwise).");
  m.def(
      "byte_hash",
      [](const std::string& kind, const py::bytes& data) {
        const ByteHashKind k = byte_hash_kind(kind);
        const std::string s = data;
        std::array<uint8_t, 32> h;
        {
          py::gil_scoped_release release;
          h = byte_hash(k, reinterpret_cast<const uint8_t*>(s.data()), s.size());
        }
        return py::bytes(reinterpret_cast<const char*>(h.data()), h.size());
      },
      py::arg("kind"), py::arg("data"), "Keccak-256 or BLAKE3 of `data` (32 bytes).");
  m.def(
      "byte_hash_rows",
      [](const std::string& kind, const py::object& matrix) {
        const ByteHashKind k = byte_hash_kind(kind);
        if (!py::isinstance<U32Array>(matrix))
          throw InputError("matrix: expected a C-contiguous numpy uint32 array");
        const U32Array arr = py::reinterpret_borrow<U32Array>(matrix);
        const ConstMatrixView v = matrix_view(arr, "matrix");
        U32Array out = new_matrix(v.height, kDigestElems);
        uint32_t* dst = out.mutable_data();
        {
          py::gil_scoped_release release;
          if (v.height > 0) byte_hash_rows(k, {v}, dst);
        }
        return out;
      },
      py::arg("kind"), py::arg("matrix"),
      "Leaf digests (h, 8) of the rows of an (h, w) uint32 matrix, each row hashed as its "
      "little-endian bytes (SIMD across rows, multi-threaded).");
  m.def(
      "keccak_f1600",
      [](const py::array_t<uint64_t, py::array::c_style>& states) {
        if (states.ndim() != 2 || states.shape(1) != 25)
          throw InputError("states: expected a C-contiguous (n, 25) uint64 array");
        py::array_t<uint64_t, py::array::c_style> out({states.shape(0), py::ssize_t(25)});
        const size_t n = size_t(states.shape(0));
        std::copy(states.data(), states.data() + 25 * n, out.mutable_data());
        uint64_t* p = out.mutable_data();
        {
          py::gil_scoped_release release;
          keccak_f1600_batch(p, n);
        }
        return out;
      },
      py::arg("states"), "Keccak-f[1600] of each row of an (n, 25) uint64 array (lane x + 5y).");
  m.def(
      "bn254_poseidon2_permute",
      [](const std::vector<std::string>& state) {
        if (state.size() != kBn254Poseidon2Width)
          throw InputError("state: expected 3 BN254 elements, got " + std::to_string(state.size()));
        bn254::Fr s[kBn254Poseidon2Width];
        for (size_t i = 0; i < kBn254Poseidon2Width; ++i)
          s[i] = bn254::from_canonical(bn254::parse_hex(state[i]));
        bn254_poseidon2_permute(s);
        std::vector<std::string> out;
        for (const bn254::Fr& x : s) out.push_back(bn254::to_hex(bn254::to_canonical(x)));
        return out;
      },
      py::arg("state"),
      "Poseidon2 over BN254 (width 3) of three canonical elements given as hex strings; returns hex.");
  m.def(
      "bench_bn254_poseidon2",
      [](long long count, int threads) {
        if (count <= 0 || threads <= 0) throw InputError("count and threads must be positive");
        py::gil_scoped_release release;
        return bench_bn254_poseidon2(size_t(count), threads);
      },
      py::arg("count"), py::arg("threads"), "BN254 Poseidon2 permutations per second.");
  m.def(
      "bench_byte_hash",
      [](const std::string& kind, long long rows, long long width, int threads) {
        if (rows <= 0 || width <= 0) throw InputError("rows and width must be positive");
        if (threads <= 0) throw InputError("threads: must be positive");
        const ByteHashKind k = byte_hash_kind(kind);
        py::gil_scoped_release release;
        return bench_byte_hash(k, size_t(rows), size_t(width), threads);
      },
      py::arg("kind"), py::arg("rows"), py::arg("width"), py::arg("threads"),
      "Bytes per second of byte_hash_rows on rows x width words with `threads` threads.");
}

}  // namespace stark::py_bind
