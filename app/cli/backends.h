// SPDX-License-Identifier: MIT
#pragma once

#include "core/quant/backend_registry.h"

namespace pq::cli {

/** The quantizer backends of this build and machine: reference, fast CPU, CUDA when present. */
core::quant::BackendRegistry &backends();

}  // namespace pq::cli
