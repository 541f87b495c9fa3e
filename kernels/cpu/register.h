// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/backend_registry.h"

namespace pq::kernels {

/** Adds every fast backend this build and machine can run (CPU always; CUDA when present). */
void registerBackends(core::quant::BackendRegistry &registry);

}  // namespace pq::kernels
