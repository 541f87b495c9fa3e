// SPDX-License-Identifier: MIT
// The CUDA backend against the CPU reference. A plain executable rather than a Qt Test: it must
// also run on a bare GPU machine that has no Qt (scripts/gpu-check carries it there). It exits
// 77 (CTest's "skipped") when no CUDA device is present, 0 when every check passes.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/quant/quant_backend.h"
#include "kernels/cpu/cpu_backend.h"
#include "kernels/cuda/cuda_backend.h"
#include "tests/core/quant/quant_test_util.h"

using namespace pq::core;
using namespace pq::core::quant;

namespace {

int g_passed = 0;
int g_failed = 0;

void check(bool ok, const std::string &what)
{
    if (ok) {
        ++g_passed;
    } else {
        ++g_failed;
        std::printf("FAIL: %s\n", what.c_str());
    }
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

bool close(double a, double b)
{
    return std::abs(a - b) <= pq::kernels::cpu::MAX_METRIC_REL_DIFF * std::max(std::abs(b), 1e-300);
}

void compareFormat(QuantBackend &gpu,
                   QuantBackend &ref,
                   FormatId id,
                   std::uint64_t rows,
                   std::uint64_t cols,
                   bool heavy)
{
    const std::string tag = std::string(formatInfo(id).name) + (heavy ? " heavy" : " gaussian") +
                            " " + std::to_string(rows) + "x" + std::to_string(cols);
    const auto w = heavy ? pq::test::heavyTailedWeights(rows, cols, 3)
                         : pq::test::gaussianWeights(rows, cols, 4);
    const auto fisher = pq::test::fisherLike(rows * cols, 5);
    const WeightView v = viewOf(w, rows, cols, "w");
    QuantOptions o;
    o.inputAmax = 5.0F;
    const auto a = gpu.encode(id, v, o);
    const auto b = ref.encode(id, v, o);
    check(a.has_value() && b.has_value(), tag + ": encode succeeds");
    if (!a || !b) {
        return;
    }
    bool bytes = a->tensors.size() == b->tensors.size();
    for (std::size_t t = 0; bytes && t < a->tensors.size(); ++t) {
        bytes = a->tensors[t].bytes == b->tensors[t].bytes;
    }
    check(bytes, tag + ": encoded bytes identical");
    std::vector<float> fa(rows * cols);
    std::vector<float> fb(rows * cols);
    check(gpu.fakeQuant(id, v, o, fa).has_value() && ref.fakeQuant(id, v, o, fb).has_value() &&
                  sameBits(fa, fb),
          tag + ": fake-quant identical");
    const std::vector<FormatId> ids = {id};
    const auto ma = gpu.measure(ids, v, fisher, o);
    const auto mb = ref.measure(ids, v, fisher, o);
    check(ma && mb && close(ma->front().sse, mb->front().sse) &&
                  close(ma->front().fisherSse, mb->front().fisherSse),
          tag + ": metrics within tolerance");
}

}  // namespace

int main()
{
    if (!pq::kernels::cuda::deviceAvailable()) {
        std::printf("skipped: %s\n", pq::kernels::cuda::deviceDescription().c_str());
        return 77;
    }
    std::printf("device: %s\n", pq::kernels::cuda::deviceDescription().c_str());
    const auto gpu = pq::kernels::cuda::makeCudaBackend();
    const auto ref = makeReferenceBackend();
    for (const FormatInfo &f : allFormats()) {
        for (const bool heavy : {false, true}) {
            compareFormat(*gpu, *ref, f.id, 64, 512, heavy);
        }
        if (f.layout.groupSize == 0) {
            // per-row groups whose width is not a power of two or not warp-aligned
            for (const std::uint64_t cols : {12ULL, 24ULL, 31ULL, 100ULL}) {
                compareFormat(*gpu, *ref, f.id, 33, cols, true);
            }
        }
    }
    auto x = pq::test::heavyTailedWeights(20, 256, 8);
    for (const ActivationQuant a : {ActivationQuant::Nvfp4, ActivationQuant::Mxfp4,
                                    ActivationQuant::Mxfp8, ActivationQuant::Fp8PerToken}) {
        auto ga = x;
        auto ra = x;
        check(gpu->quantizeActivations(a, ga, 256, 3.0F).has_value() &&
                      ref->quantizeActivations(a, ra, 256, 3.0F).has_value() && sameBits(ga, ra),
              "activation quantizer " + std::string(activationQuantName(a)));
    }
    std::vector<float> act = pq::test::gaussianWeights(2, 24, 9, 1.0F);
    act[30] = NAN;
    check(!gpu->quantizeActivations(ActivationQuant::Fp8PerToken, act, 24, 0.0F).has_value(),
          "NaN activations refused");
    std::vector<float> bad(4 * 32, 0.5F);
    bad[70] = NAN;
    const auto e = gpu->encode(FormatId::MXFP4, viewOf(bad, 4, 32, "t"), {});
    check(!e.has_value() && e.error().message().find("NaN at [2, 6]") != std::string::npos,
          "NaN weight refused with its index");
    std::printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
