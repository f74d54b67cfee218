#include "common.hpp"

namespace stark::py_bind {

void register_challenger(py::module_& m) {}

}  // namespace stark::py_bind
