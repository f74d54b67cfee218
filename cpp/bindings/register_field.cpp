#include "common.hpp"

namespace stark::py_bind {

void register_field(py::module_& m) {}

}  // namespace stark::py_bind
