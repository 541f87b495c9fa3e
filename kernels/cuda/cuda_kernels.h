// SPDX-License-Identifier: MIT
#pragma once

// Launch wrappers of the CUDA quantizer kernels (cuda_kernels.cu). Plain types only, so that the
// host side (cuda_backend.cpp, compiled by the C++ compiler) never sees device code and the .cu
// file never sees the engine's host headers.
//
// Layout: a weight is `rows` rows of `cols` elements in device memory, row r at element
// r × stride, element dtype F32 (0), BF16 (1) or F16 (2). Groups run along a row; `groupSize` 0
// means one group per row (launchFakeQuant and launchEncode need 0 or a multiple of 16, as every
// format has; they return cudaErrorInvalidValue otherwise). amaxBits holds, per group, the bits of
// max |w| (non-negative floats order like unsigned integers, so the maximum of the bits is the bits
// of the maximum).

#include <cstdint>

#include <cuda_runtime.h>

#include "core/quant/row_quant.h"

namespace pq::kernels::cuda {

enum class ElemType : int
{
    F32 = 0,
    BF16 = 1,
    F16 = 2,
};

struct DeviceWeight
{
    const void *data;
    ElemType type;
    std::uint64_t rows;
    std::uint64_t cols;
    std::uint64_t stride;
};

/** amaxBits[group] = bits of max |w| over each group (every entry is written). */
cudaError_t launchGroupAmax(const DeviceWeight &w,
                            std::uint64_t groupSize,
                            std::uint32_t *amaxBits,
                            cudaStream_t stream);

/**
 * Fake-quantizes every element with format `f` (global scale g); writes values to `out`
 * (rows × cols, contiguous) when non-null, and accumulates per-row Σ(w−q)² and Σ F·(w−q)² into
 * rowSums[2·r], rowSums[2·r+1] when non-null (fisher may be null).
 */
cudaError_t launchFakeQuant(const DeviceWeight &w,
                            const core::quant::RowFormat &f,
                            float g,
                            const std::uint32_t *amaxBits,
                            float *out,
                            const float *fisher,
                            double *rowSums,
                            cudaStream_t stream);

/** Element codes (rows × cols bytes) and scale codes (one uint16 per group). */
cudaError_t launchEncode(const DeviceWeight &w,
                         const core::quant::RowFormat &f,
                         float g,
                         const std::uint32_t *amaxBits,
                         std::uint8_t *codes,
                         std::uint16_t *scales,
                         cudaStream_t stream);

}  // namespace pq::kernels::cuda
