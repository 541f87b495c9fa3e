// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "core/quant/backend_registry.h"
#include "core/quant/quant_backend.h"

namespace pq::kernels::cuda {

/** True when the CUDA runtime finds at least one usable device. Never aborts. */
bool deviceAvailable();

/** "NVIDIA H100 80GB HBM3 (sm_90, 79.1 GiB)", or why there is none. */
std::string deviceDescription();

/**
 * The CUDA backend (device 0): the row kernels of kernels/cuda on the GPU, bit-identical to the
 * CPU reference for codes, scales and values; per-row metric sums agree to
 * MAX_METRIC_REL_DIFF (their order differs). Every CUDA error becomes a core::Error
 * (ErrorCode::Io with the CUDA message); nothing aborts. Returns nullptr without a device.
 */
std::unique_ptr<core::quant::QuantBackend> makeCudaBackend();

/** Adds the CUDA backend to `registry` when a device is present. */
void registerCudaBackend(core::quant::BackendRegistry &registry);

}  // namespace pq::kernels::cuda
