#include "common.hpp"

namespace stark::py_bind {

void register_merkle(py::module_& m) {}

}  // namespace stark::py_bind
