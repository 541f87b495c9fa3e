// SPDX-License-Identifier: MIT
#include "kernels/cuda/cuda_bench.h"

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include <cuda_runtime.h>
#include <fmt/format.h>

#include "core/util/bf16.h"
#include "kernels/cuda/cuda_kernels.h"

namespace pq::kernels::cuda {
namespace {

core::Error cudaError(const char *what, cudaError_t e)
{
    return core::makeError(core::ErrorCode::Io,
                           fmt::format("CUDA: {} ({})", what, cudaGetErrorString(e)));
}

/** Median time in ms of `reps` runs of fn on `stream`, timed with events. */
template <typename Fn>
double timeMs(cudaStream_t stream, int reps, Fn fn)
{
    cudaEvent_t a = nullptr;
    cudaEvent_t b = nullptr;
    cudaEventCreate(&a);
    cudaEventCreate(&b);
    std::vector<float> ms;
    fn();  // warm-up
    for (int i = 0; i < reps; ++i) {
        cudaEventRecord(a, stream);
        fn();
        cudaEventRecord(b, stream);
        cudaEventSynchronize(b);
        float t = 0.0F;
        cudaEventElapsedTime(&t, a, b);
        ms.push_back(t);
    }
    cudaEventDestroy(a);
    cudaEventDestroy(b);
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace

core::Result<QuantBenchResult>
benchmarkQuantize(core::quant::FormatId id, std::uint64_t rows, std::uint64_t cols, int reps)
{
    const std::uint64_t n = rows * cols;
    std::vector<std::uint16_t> host(n);
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0F, 0.02F);
    for (std::uint16_t &h : host) {
        h = core::floatToBf16(dist(rng));
    }
    const core::quant::RowFormat f = core::quant::rowFormat(id);
    const std::uint64_t groups = rows * (cols / (f.groupSize == 0 ? cols : f.groupSize));
    void *w = nullptr;
    void *copy = nullptr;
    std::uint32_t *amax = nullptr;
    float *out = nullptr;
    std::uint8_t *codes = nullptr;
    std::uint16_t *scales = nullptr;
    cudaStream_t s = nullptr;
    for (const auto &[ptr, bytes] : {std::pair<void **, std::size_t>{&w, n * 2},
                                     {&copy, n * 2},
                                     {reinterpret_cast<void **>(&amax), groups * 4},
                                     {reinterpret_cast<void **>(&out), n * 4},
                                     {reinterpret_cast<void **>(&codes), n},
                                     {reinterpret_cast<void **>(&scales), groups * 2}}) {
        if (const cudaError_t e = cudaMalloc(ptr, bytes); e != cudaSuccess) {
            return cudaError("cudaMalloc", e);
        }
    }
    cudaStreamCreate(&s);
    cudaMemcpy(w, host.data(), n * 2, cudaMemcpyHostToDevice);
    const DeviceWeight dw{w, ElemType::BF16, rows, cols, cols};
    QuantBenchResult r;
    r.amaxMs = timeMs(s, reps, [&] { launchGroupAmax(dw, f.groupSize, amax, s); });
    r.fakeQuantMs =
            timeMs(s, reps, [&] { launchFakeQuant(dw, f, 1.0F, amax, out, nullptr, nullptr, s); });
    r.encodeMs = timeMs(s, reps, [&] { launchEncode(dw, f, 1.0F, amax, codes, scales, s); });
    const double copyMs =
            timeMs(s, reps, [&] { cudaMemcpyAsync(copy, w, n * 2, cudaMemcpyDeviceToDevice, s); });
    const double quantBytes = static_cast<double>(n * 2 * 2 + n + groups * 2 + groups * 4 * 2);
    r.quantizeGBps = quantBytes / ((r.amaxMs + r.encodeMs) * 1e6);
    r.copyGBps = static_cast<double>(n * 2 * 2) / (copyMs * 1e6);
    const cudaError_t last = cudaGetLastError();
    for (void *p : {w, copy, static_cast<void *>(amax), static_cast<void *>(out),
                    static_cast<void *>(codes), static_cast<void *>(scales)}) {
        cudaFree(p);
    }
    cudaStreamDestroy(s);
    if (last != cudaSuccess) {
        return cudaError("kernel launch", last);
    }
    return r;
}

}  // namespace pq::kernels::cuda
