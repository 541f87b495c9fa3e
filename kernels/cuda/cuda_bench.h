// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>

#include "core/quant/formats.h"
#include "core/util/result.h"

namespace pq::kernels::cuda {

/** Timings of one format's kernels on device-resident data (CUDA events, median of reps). */
struct QuantBenchResult
{
    double amaxMs = 0.0;        ///< group maxima pass
    double fakeQuantMs = 0.0;   ///< values pass (reads W, writes float32)
    double encodeMs = 0.0;      ///< codes pass (reads W, writes bytes + scales)
    double quantizeGBps = 0.0;  ///< bytes moved by amax + encode over their time
    double copyGBps = 0.0;      ///< device-to-device cudaMemcpy in the same run (read + write)
};

/**
 * Times the quantizer kernels for `id` on a random BF16 weight [rows, cols] kept on the device.
 * For bench/bench_formats; needs a CUDA device.
 */
core::Result<QuantBenchResult>
benchmarkQuantize(core::quant::FormatId id, std::uint64_t rows, std::uint64_t cols, int reps);

}  // namespace pq::kernels::cuda
