// Portable NTT kernels: the generic sweeps of ntt_kernels_impl.hpp on one word at a time.
#include "ntt_kernels_impl.hpp"

namespace stark::ntt_kernels {

const Kernels& scalar_kernels() { return Layers<ScalarPolicy>::table(); }

}  // namespace stark::ntt_kernels
