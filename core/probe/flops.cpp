// SPDX-License-Identifier: MIT
// Float32 matmul rates with libtorch at the probe's shapes (see flops.h). Each shape is timed
// with the same call the probe makes (torch::matmul on a transposed view where the layout says
// so), output allocation included, because that is what the probe pays.
#include "core/probe/flops.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/probe/causal_lm.h"
#include "core/probe/model_weights_torch.h"

namespace pq::probe {
namespace {

/** One Linear role of a decoder layer: [out × in] weight, `perLayer` of them per layer. */
struct LinearRole
{
    std::string label;
    std::int64_t in = 0;
    std::int64_t out = 0;
    std::uint64_t perLayer = 0;
};

/** Roles with identical shapes are merged (q and o when heads·headDim = hidden). */
std::vector<LinearRole> layerRoles(const core::ModelConfig &c)
{
    const std::int64_t hd =
            c.headDim > 0 ? c.headDim : c.hiddenSize / std::max<std::int64_t>(1, c.numHeads);
    const std::int64_t qOut = c.numHeads * hd;
    const std::int64_t kvOut = c.numKvHeads * hd;
    std::vector<LinearRole> roles;
    if (qOut == c.hiddenSize) {
        roles.push_back({"q/o", c.hiddenSize, qOut, 2});
    } else {
        roles.push_back({"q", c.hiddenSize, qOut, 1});
        roles.push_back({"o", qOut, c.hiddenSize, 1});
    }
    roles.push_back({"k/v", c.hiddenSize, kvOut, 2});
    roles.push_back({"gate/up", c.hiddenSize, c.intermediateSize, 2});
    roles.push_back({"down", c.intermediateSize, c.hiddenSize, 1});
    return roles;
}

std::pair<torch::Tensor, torch::Tensor> operands(const MatmulShape &s)
{
    switch (s.layout) {
    case MatmulLayout::Nt:
        return {torch::randn({s.m, s.k}), torch::randn({s.n, s.k})};
    case MatmulLayout::Nn:
        return {torch::randn({s.m, s.k}), torch::randn({s.k, s.n})};
    case MatmulLayout::Tn:
        break;
    }
    return {torch::randn({s.k, s.m}), torch::randn({s.k, s.n})};
}

torch::Tensor multiply(MatmulLayout layout, const torch::Tensor &a, const torch::Tensor &b)
{
    switch (layout) {
    case MatmulLayout::Nt:
        return torch::matmul(a, b.t());
    case MatmulLayout::Nn:
        return torch::matmul(a, b);
    case MatmulLayout::Tn:
        break;
    }
    return torch::matmul(a.t(), b);
}

/** Median seconds per call after one warm-up, calling until `minSeconds` (at least 3 calls). */
double timeShape(const MatmulShape &s, double minSeconds)
{
    using Clock = std::chrono::steady_clock;
    const auto [a, b] = operands(s);
    multiply(s.layout, a, b);  // warm-up: first-touch of the output, BLAS thread start
    std::vector<double> calls;
    const Clock::time_point start = Clock::now();
    while (calls.size() < 3 ||
           std::chrono::duration<double>(Clock::now() - start).count() < minSeconds) {
        const Clock::time_point t0 = Clock::now();
        const torch::Tensor c = multiply(s.layout, a, b);
        calls.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    std::nth_element(calls.begin(), calls.begin() + static_cast<std::ptrdiff_t>(calls.size() / 2),
                     calls.end());
    return calls[calls.size() / 2];
}

}  // namespace

const char *layoutName(MatmulLayout layout)
{
    switch (layout) {
    case MatmulLayout::Nt:
        return "Nt";
    case MatmulLayout::Nn:
        return "Nn";
    case MatmulLayout::Tn:
        break;
    }
    return "Tn";
}

std::vector<MatmulShape> probeMatmulShapes(const core::ModelConfig &config, std::int64_t tokens)
{
    std::vector<LinearRole> roles = layerRoles(config);
    std::vector<MatmulShape> shapes;
    const auto layers = static_cast<std::uint64_t>(config.numLayers);
    roles.push_back({"lm_head", config.hiddenSize, config.vocabSize, 0});
    for (const LinearRole &r : roles) {
        const std::uint64_t count = r.perLayer == 0 ? 1 : r.perLayer * layers;
        shapes.push_back({r.label + " fwd", tokens, r.in, r.out, MatmulLayout::Nt, count});
        shapes.push_back({r.label + " dx", tokens, r.out, r.in, MatmulLayout::Nn, count});
        shapes.push_back({r.label + " dw", r.out, tokens, r.in, MatmulLayout::Tn, count});
    }
    return shapes;
}

core::Result<MatmulBenchmark>
measureMatmuls(std::span<const MatmulShape> shapes, int threads, double minSeconds)
{
    for (const MatmulShape &s : shapes) {
        if (s.m <= 0 || s.k <= 0 || s.n <= 0) {
            return core::makeError(core::ErrorCode::InvalidArgument,
                                   fmt::format("matmul shape '{}' has a non-positive dimension "
                                               "({}×{}×{})",
                                               s.label, s.m, s.k, s.n));
        }
    }
    try {
        RuntimeOptions options;
        options.threads = threads;
        applyRuntimeOptions(options);
        torch::NoGradGuard noGrad;
        MatmulBenchmark out;
        out.threads = torch::get_num_threads();
        double flops = 0.0;
        double seconds = 0.0;
        for (const MatmulShape &s : shapes) {
            MatmulRate r;
            r.shape = s;
            r.secondsPerCall = timeShape(s, minSeconds);
            r.gflops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.k) *
                       static_cast<double>(s.n) / r.secondsPerCall / 1e9;
            flops += s.flops();
            seconds += r.secondsPerCall * static_cast<double>(s.count);
            out.rates.push_back(std::move(r));
        }
        out.gflops = seconds > 0.0 ? flops / seconds / 1e9 : 0.0;
        return out;
    } catch (const std::exception &e) {
        return torchError(e);
    }
}

}  // namespace pq::probe
