// SPDX-License-Identifier: MIT
#include "kernels/cpu/register.h"

#include "kernels/cpu/cpu_backend.h"

namespace pq::kernels {

void registerBackends(core::quant::BackendRegistry &registry)
{
    registry.add(cpu::makeCpuBackend());
}

}  // namespace pq::kernels
