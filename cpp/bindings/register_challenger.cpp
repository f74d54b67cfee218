// Fiat–Shamir challenger bindings: _core.Challenger (docs/protocol.md §3). Values are canonical ints;
// anything else raises InputError naming the argument. Grinding runs without the GIL on a copy
// of the challenger, so concurrent use of one object from several threads cannot corrupt it.
#include <pybind11/stl.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "stark/challenger/challenger.hpp"
#include "stark/config/config.hpp"
#include "stark/field/babybear.hpp"

namespace stark::py_bind {
namespace {

/// A Python integer (anything with __index__); nullopt when it does not fit in 64 bits.
std::optional<long long> to_int(py::handle h, const std::string& what) {
  if (PyBool_Check(h.ptr())) throw InputError(what + ": expected an int, got bool");
  PyObject* index = PyNumber_Index(h.ptr());
  if (index == nullptr) {
    PyErr_Clear();
    throw InputError(what + ": expected an int, got " +
                     std::string(py::str(py::type::of(h).attr("__name__"))));
  }
  const py::object owned = py::reinterpret_steal<py::object>(index);
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(owned.ptr(), &overflow);
  if (overflow != 0) return std::nullopt;
  return v;
}

/// A Python integer that must be a canonical field element.
uint32_t to_field(py::handle h, const std::string& what) {
  const std::optional<long long> v = to_int(h, what);
  if (!v || *v < 0 || *v >= (long long)P) {
    throw InputError(what + ": " + std::string(py::str(h)) +
                     " is not a canonical field element (must be in [0, " + std::to_string(P) + "))");
  }
  return uint32_t(*v);
}

/// bits argument of sample_bits / grind / check_witness.
uint32_t to_bits(py::handle h) {
  const std::optional<long long> v = to_int(h, "bits");
  if (!v || *v < 0 || *v > (long long)Challenger::kMaxBits) {
    throw InputError("bits: " + std::string(py::str(h)) + " is outside [0, " +
                     std::to_string(Challenger::kMaxBits) + "] (2^bits must be below p)");
  }
  return uint32_t(*v);
}

/// A 1-D vector of canonical elements from a uint32 array (fast path) or a sequence of ints.
std::vector<uint32_t> field_vector(py::handle h, const std::string& what) {
  if (py::isinstance<U32Array>(h)) {
    const U32Array arr = py::reinterpret_borrow<U32Array>(h);
    if (arr.ndim() != 1)
      throw InputError(what + ": expected a 1-D array, got " + std::to_string(arr.ndim()) + "-D");
    std::vector<uint32_t> out(arr.data(), arr.data() + arr.shape(0));
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] >= P) {
        throw InputError(what + "[" + std::to_string(i) + "]: " + std::to_string(out[i]) +
                         " is not a canonical field element");
      }
    }
    return out;
  }
  if (py::isinstance<py::array>(h) && py::reinterpret_borrow<py::array>(h).ndim() != 1) {
    throw InputError(what + ": expected a 1-D array");
  }
  if (py::isinstance<py::str>(h) || !py::isinstance<py::sequence>(h)) {
    throw InputError(what + ": expected a 1-D array or sequence of ints");
  }
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(h);
  std::vector<uint32_t> out;
  out.reserve(seq.size());
  for (size_t i = 0; i < seq.size(); ++i)
    out.push_back(to_field(seq[i], what + "[" + std::to_string(i) + "]"));
  return out;
}

std::vector<uint32_t> fixed_vector(py::handle h, const std::string& what, size_t len) {
  std::vector<uint32_t> v = field_vector(h, what);
  if (v.size() != len) {
    throw InputError(what + ": expected " + std::to_string(len) + " elements, got " +
                     std::to_string(v.size()));
  }
  return v;
}

// A 32-byte digest: `bytes` of length 32, or 8 ints in [0, 2^32) (little-endian words). Which
// values are valid is the challenger's configuration's rule (checked by observe_digest).
Digest digest_arg(py::handle h) {
  Digest d{};
  if (py::isinstance<py::bytes>(h)) {
    const std::string b = py::reinterpret_borrow<py::bytes>(h);
    if (b.size() != 32) throw InputError("digest: expected 32 bytes, got " + std::to_string(b.size()));
    std::memcpy(d.data(), b.data(), 32);
    return d;
  }
  if (!py::isinstance<py::sequence>(h) || py::isinstance<py::str>(h))
    throw InputError("digest: expected 32 bytes or 8 ints (little-endian u32 words)");
  const py::sequence seq = py::reinterpret_borrow<py::sequence>(h);
  if (seq.size() != kDigestElems) {
    throw InputError("digest: expected 8 words (32 bytes), got " + std::to_string(seq.size()) + " words");
  }
  for (size_t i = 0; i < kDigestElems; ++i) {
    const py::object x = seq[i];
    const std::string what = "digest[" + std::to_string(i) + "]";
    if (PyBool_Check(x.ptr())) throw InputError(what + ": expected an int, got bool");
    PyObject* index = PyNumber_Index(x.ptr());  // ints and NumPy integers
    if (index == nullptr) {
      PyErr_Clear();
      throw InputError(what + ": expected an int");
    }
    const py::object owned = py::reinterpret_steal<py::object>(index);
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(owned.ptr(), &overflow);
    if (overflow != 0 || v < 0 || v > 0xFFFFFFFFLL)
      throw InputError(what + ": expected a u32 word in [0, 2^32)");
    d[i] = uint32_t(v);
  }
  return d;
}

}  // namespace

void register_challenger(py::module_& m) {
  py::class_<Challenger>(m, "Challenger",
                         "Fiat–Shamir challenger of a configuration (default baby_bear_poseidon2: the "
                         "duplex sponge over Poseidon2, width 16, rate 8; fresh = all-zero state).")
      .def(py::init<>())
      .def(py::init([](const std::string& config) { return config_by_name(config).new_challenger(); }),
           py::arg("config"))
      .def_property_readonly("transcript", [](const Challenger& c) { return c.core().name(); })
      .def(
          "observe", [](Challenger& c, const py::object& v) { c.observe(to_field(v, "value")); },
          py::arg("value"))
      .def(
          "observe_many",
          [](Challenger& c, const py::object& values) { c.observe_many(field_vector(values, "values")); },
          py::arg("values"))
      .def(
          "observe_digest", [](Challenger& c, const py::object& d) { c.observe_digest(digest_arg(d)); },
          py::arg("digest"),
          "Observe a commitment digest: 32 bytes or 8 little-endian u32 words, valid for the "
          "challenger's configuration (InputError otherwise).")
      .def(
          "observe_ext",
          [](Challenger& c, const py::object& e) {
            const std::vector<uint32_t> v = fixed_vector(e, "value", 4);
            c.observe_ext(Ext4::from_canonical(v.data()));
          },
          py::arg("value"), "Observe an extension element (c0, c1, c2, c3) as four base elements.")
      .def("sample", &Challenger::sample, "Next challenge element (canonical int).")
      .def(
          "sample_ext",
          [](Challenger& c) {
            uint32_t out[4];
            c.sample_ext().to_canonical(out);
            return py::make_tuple(out[0], out[1], out[2], out[3]);
          },
          "Extension challenge (c0, c1, c2, c3) from four consecutive samples.")
      .def(
          "sample_bits", [](Challenger& c, const py::object& bits) { return c.sample_bits(to_bits(bits)); },
          py::arg("bits"), "canonical(sample()) mod 2^bits (bits <= 30).")
      .def(
          "grind",
          [](Challenger& c, const py::object& bits) {
            const uint32_t b = to_bits(bits);
            Challenger work = c;
            uint32_t witness;
            {
              py::gil_scoped_release release;
              witness = work.grind(b);
            }
            c = work;
            return witness;
          },
          py::arg("bits"),
          "Smallest proof-of-work witness for `bits`; the challenger then observes it and samples like the "
          "verifier's check_witness.")
      .def(
          "check_witness",
          [](Challenger& c, const py::object& bits, const py::object& witness) {
            const uint32_t b = to_bits(bits);
            // A witness outside [0, p) is not canonical: rejected (without observing it).
            const std::optional<long long> v = to_int(witness, "witness");
            if (!v || *v < 0 || *v >= (long long)P) return b == 0;
            return c.check_witness(b, uint32_t(*v));
          },
          py::arg("bits"), py::arg("witness"), "Verifier side of grind (observes the witness when bits > 0).")
      .def("copy", [](const Challenger& c) { return Challenger(c); })
      .def("__copy__", [](const Challenger& c) { return Challenger(c); })
      .def(
          "__deepcopy__", [](const Challenger& c, const py::object&) { return Challenger(c); },
          py::arg("memo"))
      .def("__eq__", [](const Challenger& a, const Challenger& b) { return a == b; })
      .def_property_readonly(
          "state",
          [](const Challenger& c) {
            return std::vector<uint32_t>(c.sponge_state().begin(), c.sponge_state().end());
          },
          "The 16 sponge words (for tests).")
      .def_property_readonly("input_buffer",
                             [](const Challenger& c) {
                               return std::vector<uint32_t>(c.input_buffer().begin(), c.input_buffer().end());
                             })
      .def_property_readonly("output_buffer", [](const Challenger& c) {
        return std::vector<uint32_t>(c.output_buffer().begin(), c.output_buffer().end());
      });
}

}  // namespace stark::py_bind
