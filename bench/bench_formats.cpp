// SPDX-License-Identifier: MIT
// bench_formats: the cost of the quantizers on one 4096×4096 BF16 Linear with its Fisher tensor.
//
// For every format, on the reference and on the fast CPU backend: encode, decode and the
// Fisher-weighted error (measure), in milliseconds and GB/s of source weight (32 MiB of BF16),
// then all formats' costs in one measure() call — the number the probe pays per Linear
// (target: < 150 ms on the 2-core machine). A plain read of the same bytes is timed in the same
// run for scale. Each figure is the median of `reps` runs.
//
// usage: bench_formats [rows cols reps]        defaults: 4096 4096 5
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "core/quant/quant_backend.h"
#include "core/util/bf16.h"
#include "core/util/parallel.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cpu/row_kernels.h"
#ifdef PQ_HAVE_CUDA
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_bench.h"
#endif

using namespace pq::core;
using namespace pq::core::quant;

namespace {

double medianMs(int reps, const std::function<void()> &fn)
{
    std::vector<double> ms;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        ms.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                        .count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

struct Fixture
{
    std::uint64_t rows;
    std::uint64_t cols;
    std::vector<std::uint16_t> bf16;
    std::vector<float> fisher;
    WeightView view;
};

Fixture makeFixture(std::uint64_t rows, std::uint64_t cols)
{
    Fixture f{rows,
              cols,
              std::vector<std::uint16_t>(rows * cols),
              std::vector<float>(rows * cols),
              {}};
    std::mt19937_64 rng(1);
    std::student_t_distribution<float> t(4.0F);
    std::exponential_distribution<float> e(1.0F);
    for (std::size_t i = 0; i < f.bf16.size(); ++i) {
        const bool outlierChannel = (i % cols) % 997 == 0;
        f.bf16[i] = floatToBf16(0.01F * t(rng) * (outlierChannel ? 30.0F : 1.0F));
        f.fisher[i] = e(rng) * 1e-4F;
    }
    f.view.dtype = DType::BF16;
    f.view.data = reinterpret_cast<const std::byte *>(f.bf16.data());
    f.view.rows = rows;
    f.view.cols = cols;
    f.view.name = "bench.weight";
    return f;
}

double plainReadMs(const Fixture &f, int reps)
{
    volatile std::uint64_t sink = 0;
    return medianMs(reps, [&] {
        std::uint64_t s = 0;
        const auto *p = reinterpret_cast<const std::uint64_t *>(f.bf16.data());
        for (std::size_t i = 0; i < f.bf16.size() / 4; ++i) {
            s += p[i];
        }
        sink = sink + s;
    });
}

void benchBackend(QuantBackend &b, const Fixture &f, int reps, double gb)
{
    std::vector<float> out(f.rows * f.cols);
    QuantOptions o;
    o.inputAmax = 8.0F;
    std::printf("\n%-12s %10s %10s %10s %10s %12s\n", b.name().data(), "encode ms", "decode ms",
                "error ms", "sum ms", "GB/s (sum)");
    for (const FormatInfo &info : allFormats()) {
        if (info.id == FormatId::BF16) {
            continue;
        }
        EncodedWeight e;
        const double enc = medianMs(reps, [&] { e = std::move(*b.encode(info.id, f.view, o)); });
        const double dec = medianMs(reps, [&] { (void)b.decode(e, out); });
        const std::vector<FormatId> one = {info.id};
        const double err = medianMs(reps, [&] { (void)b.measure(one, f.view, f.fisher, o); });
        const double sum = enc + dec + err;
        std::printf("%-12s %10.1f %10.1f %10.1f %10.1f %12.2f\n", info.name.data(), enc, dec, err,
                    sum, gb / (sum / 1e3));
    }
    std::vector<FormatId> all;
    for (const FormatInfo &info : allFormats()) {
        all.push_back(info.id);
    }
    const double allMs = medianMs(reps, [&] { (void)b.measure(all, f.view, f.fisher, o); });
    std::printf("%-12s all %zu formats' Fisher-weighted costs in one pass: %.1f ms (%.2f GB/s of "
                "source)\n",
                b.name().data(), all.size(), allMs, gb / (allMs / 1e3));
}

void benchCuda(const Fixture &f, int reps, double gb)
{
#ifdef PQ_HAVE_CUDA
    if (!pq::kernels::cuda::deviceAvailable()) {
        std::printf("\nCUDA: %s\n", pq::kernels::cuda::deviceDescription().c_str());
        return;
    }
    std::printf("\nCUDA device: %s\n", pq::kernels::cuda::deviceDescription().c_str());
    std::printf("%-12s %9s %9s %9s %12s %12s %8s\n", "format", "amax ms", "fake ms", "encode ms",
                "quant GB/s", "memcpy GB/s", "ratio");
    for (const FormatInfo &info : allFormats()) {
        if (info.id == FormatId::BF16) {
            continue;
        }
        const auto r = pq::kernels::cuda::benchmarkQuantize(info.id, f.rows, f.cols, reps);
        if (!r) {
            std::printf("%-12s %s\n", info.name.data(), r.error().message().c_str());
            continue;
        }
        std::printf("%-12s %9.3f %9.3f %9.3f %12.1f %12.1f %7.0f%%\n", info.name.data(), r->amaxMs,
                    r->fakeQuantMs, r->encodeMs, r->quantizeGBps, r->copyGBps,
                    100.0 * r->quantizeGBps / r->copyGBps);
    }
    auto gpu = pq::kernels::cuda::makeCudaBackend();
    benchBackend(*gpu, f, reps, gb);  // through the backend API, host copies included
#else
    (void)f;
    (void)reps;
    (void)gb;
    std::printf("\nCUDA: not built (configure with nvcc available and PQ_WITH_CUDA=ON)\n");
#endif
}

}  // namespace

int main(int argc, char **argv)
{
    const std::uint64_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 4096;
    const std::uint64_t cols = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 4096;
    const int reps = argc > 3 ? std::atoi(argv[3]) : 5;
    const Fixture f = makeFixture(rows, cols);
    const double gb = static_cast<double>(rows * cols * 2) / 1e9;
    std::printf("weight %llu x %llu BF16 (%.1f MB) + F32 Fisher; %u threads; CPU kernels: %s; "
                "median of %d\n",
                static_cast<unsigned long long>(rows), static_cast<unsigned long long>(cols),
                gb * 1e3, parallelism(), pq::kernels::cpu::rowKernels().isa, reps);
    const double readMs = plainReadMs(f, reps);
    std::printf("plain read of the weight bytes (one thread): %.2f ms = %.2f GB/s\n", readMs,
                gb / (readMs / 1e3));
    benchBackend(*pq::kernels::cpu::makeCpuBackend(), f, reps, gb);
    benchCuda(f, reps, gb);
    if (std::getenv("PQ_BENCH_REFERENCE") != nullptr) {
        benchBackend(*makeReferenceBackend(), f, std::min(reps, 2), gb);
    } else {
        std::printf("\n(set PQ_BENCH_REFERENCE=1 to time the scalar reference too)\n");
    }
    return 0;
}
