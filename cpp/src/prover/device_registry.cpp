// The registry of prover devices (stark/prover/device.hpp, docs/architecture.md §4.1): one line per
// device below, each entry defined in its device's folder.
#include <string>
#include <vector>

#include "stark/prover/device.hpp"
#include "stark/util/error.hpp"

namespace stark {

const ProverDeviceEntry& cpu_device_entry();  // cpp/src/prover/cpu/cpu_device.cpp
const ProverDeviceEntry&
cuda_device_entry();  // cuda/prover/cuda_device.cpp (cpp/src/cuda_stub/ without CUDA)

const std::vector<const ProverDeviceEntry*>& prover_devices() {
  static const std::vector<const ProverDeviceEntry*> devices = {
      &cpu_device_entry(),
      &cuda_device_entry(),
  };
  return devices;
}

const ProverDevice& prover_device(const std::string& kind) {
  const std::vector<const ProverDeviceEntry*>& devices = prover_devices();
  if (kind == "auto") {
    for (const ProverDeviceEntry* e : devices) {
      if (e->accelerator && e->unavailable_reason().empty()) return e->device();
    }
    for (const ProverDeviceEntry* e : devices) {
      if (!e->accelerator && e->unavailable_reason().empty()) return e->device();
    }
    throw DeviceError("device 'auto': no registered prover device is usable on this machine");
  }
  std::string known;
  for (const ProverDeviceEntry* e : devices) {
    if (e->name == kind) {
      const std::string why = e->unavailable_reason();
      if (!why.empty()) throw DeviceError("device '" + kind + "' is not usable on this machine: " + why);
      return e->device();
    }
    known += "'" + e->name + "', ";
  }
  throw InputError("unknown prover device '" + kind + "' (known devices: " + known +
                   "or 'auto' for the first usable accelerator, else the CPU)");
}

}  // namespace stark
