// SPDX-License-Identifier: MIT
#pragma once

// This machine's float32 matmul rate with libtorch, at the shapes the probe multiplies, for
// FLOP-bound limits in benchmarks. libtorch stays in flops.cpp; this header shows core types.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/model/model_config.h"
#include "core/util/result.h"

namespace pq::probe {

/** How the two operands are stored, as in the probe's three matmuls per Linear. */
enum class MatmulLayout : std::uint8_t
{
    Nt,  ///< A[m×k] · Bᵀ, B stored [n×k]: a Linear's forward (x · Wᵀ)
    Nn,  ///< A[m×k] · B[k×n]: a Linear's input gradient (δ · W)
    Tn,  ///< Aᵀ · B, A stored [k×m]: a weight gradient or the Fisher (δ²ᵀ · x²)
};

/** One matmul C[m×n] = A·B with inner dimension k, repeated `count` times per unit of work. */
struct MatmulShape
{
    std::string label;  ///< "gate/up fwd"
    std::int64_t m = 0;
    std::int64_t k = 0;
    std::int64_t n = 0;
    MatmulLayout layout = MatmulLayout::Nt;
    std::uint64_t count = 1;  ///< how often it occurs per unit of work (e.g. per window)

    /** 2·m·k·n·count floating-point operations. */
    double flops() const
    {
        return 2.0 * static_cast<double>(m) * static_cast<double>(k) * static_cast<double>(n) *
               static_cast<double>(count);
    }
};

/** The measured rate of one shape. */
struct MatmulRate
{
    MatmulShape shape;
    double secondsPerCall = 0.0;  ///< median of the timed calls, one call = one matmul
    double gflops = 0.0;          ///< 2·m·k·n / secondsPerCall / 1e9
};

/** The rates of a set of shapes and their count-weighted combination. */
struct MatmulBenchmark
{
    std::vector<MatmulRate> rates;
    int threads = 0;      ///< intra-op threads the measurement ran with
    double gflops = 0.0;  ///< Σ flops() / Σ count·secondsPerCall: the rate of the whole mix
};

/**
 * The float32 matmuls one window of `tokens` tokens costs in a training-style step of a dense
 * Llama-family model (the 6·P·T convention): for every Linear of one decoder layer and for the
 * lm_head, its forward (Nt), input gradient (Nn) and weight gradient (Tn) with m, k, n from the
 * config, each with count = numLayers (1 for the head). Attention's token×token products are
 * not included (they are not part of 6·P·T). MoE and MLA configs are not covered.
 */
std::vector<MatmulShape> probeMatmulShapes(const core::ModelConfig &config, std::int64_t tokens);

/**
 * Times each shape with libtorch on the CPU in float32: inputs filled with N(0, 1), one
 * untimed warm-up call, then calls until `minSeconds` have passed per shape (at least 3); the
 * median call counts. `threads` is applied exactly as the probe applies RuntimeOptions::threads
 * (0 = one per core) and stays set afterwards. Takes about shapes × minSeconds seconds and
 * allocates the three operands of one shape at a time. Errors: InvalidArgument for a shape with
 * a non-positive dimension, Io for a libtorch failure. Not thread-safe (it sets libtorch's
 * global thread count).
 */
core::Result<MatmulBenchmark>
measureMatmuls(std::span<const MatmulShape> shapes, int threads, double minSeconds = 0.5);

/** "Nt", "Nn" or "Tn". */
const char *layoutName(MatmulLayout layout);

}  // namespace pq::probe
