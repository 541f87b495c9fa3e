// SPDX-License-Identifier: MIT
// Host side of the CUDA backend: buffers, launches, copies. Device code is in cuda_kernels.cu.
#include "kernels/cuda/cuda_backend.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <cuda_runtime.h>
#include <fmt/format.h>

#include "core/quant/encoded_weight.h"
#include "core/quant/weight_rows.h"
#include "kernels/cuda/cuda_kernels.h"

/** Evaluates a CUDA runtime call; on failure returns a core::Error from the enclosing function. */
#define PQ_CUDA_TRY(expr)                                                                          \
    do {                                                                                           \
        const cudaError_t pqCudaErr_ = (expr);                                                     \
        if (pqCudaErr_ != cudaSuccess) {                                                           \
            return ::pq::core::makeError(                                                          \
                    ::pq::core::ErrorCode::Io,                                                     \
                    fmt::format("CUDA: {} ({})", #expr, cudaGetErrorString(pqCudaErr_)));          \
        }                                                                                          \
    } while (false)

namespace pq::kernels::cuda {
namespace {

using core::Result;
using core::Status;
using namespace core::quant;

/** A device allocation that grows on demand and is freed with the backend. */
class DeviceBuffer
{
public:
    DeviceBuffer() = default;
    DeviceBuffer(const DeviceBuffer &) = delete;
    DeviceBuffer &operator=(const DeviceBuffer &) = delete;

    ~DeviceBuffer() { cudaFree(m_ptr); }

    Status reserve(std::size_t bytes)
    {
        if (bytes <= m_size) {
            return {};
        }
        cudaFree(m_ptr);
        m_ptr = nullptr;
        m_size = 0;
        PQ_CUDA_TRY(cudaMalloc(&m_ptr, bytes));
        m_size = bytes;
        return {};
    }

    template <typename T>
    T *as() const
    {
        return static_cast<T *>(m_ptr);
    }

private:
    void *m_ptr = nullptr;
    std::size_t m_size = 0;
};

ElemType elemType(core::DType d)
{
    return d == core::DType::BF16 ? ElemType::BF16
                                  : (d == core::DType::F16 ? ElemType::F16 : ElemType::F32);
}

class CudaBackend final : public QuantBackend
{
public:
    CudaBackend() { cudaStreamCreate(&m_stream); }

    CudaBackend(const CudaBackend &) = delete;
    CudaBackend &operator=(const CudaBackend &) = delete;

    ~CudaBackend() override { cudaStreamDestroy(m_stream); }

    std::string_view name() const override { return "cuda"; }

    bool supports(FormatId /*id*/) const override { return true; }

    Result<EncodedWeight> encode(FormatId id, const WeightView &w, const QuantOptions &o) override;
    Status decode(const EncodedWeight &e, std::span<float> out) override;
    Status fakeQuant(FormatId id,
                     const WeightView &w,
                     const QuantOptions &o,
                     std::span<float> out) override;
    Result<std::vector<ErrorMetrics>> measure(std::span<const FormatId> ids,
                                              const WeightView &w,
                                              std::span<const float> fisher,
                                              const QuantOptions &o) override;
    Status quantizeActivations(ActivationQuant a,
                               std::span<float> rows,
                               std::uint64_t rowLen,
                               float inputAmax) override;

private:
    Status upload(const WeightView &w);
    Result<float> tensorAmax(const WeightView &w);
    Status groupAmax(std::uint64_t groupSize, std::uint64_t groups);

    cudaStream_t m_stream = nullptr;
    DeviceWeight m_w{};
    DeviceBuffer m_weight;
    DeviceBuffer m_amax;
    DeviceBuffer m_out;
    DeviceBuffer m_fisher;
    DeviceBuffer m_sums;
    DeviceBuffer m_codes;
    DeviceBuffer m_scales;
};

Status CudaBackend::upload(const WeightView &w)
{
    const std::size_t elem = core::dtypeBits(w.dtype) / 8;
    PQ_TRY_STATUS(m_weight.reserve(w.rows * w.cols * elem));
    PQ_CUDA_TRY(cudaMemcpy2DAsync(m_weight.as<void>(), w.cols * elem, w.data, w.stride() * elem,
                                  w.cols * elem, w.rows, cudaMemcpyHostToDevice, m_stream));
    m_w = {m_weight.as<void>(), elemType(w.dtype), w.rows, w.cols, w.cols};
    return {};
}

Status CudaBackend::groupAmax(std::uint64_t groupSize, std::uint64_t groups)
{
    PQ_TRY_STATUS(m_amax.reserve(groups * 4));
    PQ_CUDA_TRY(launchGroupAmax(m_w, groupSize, m_amax.as<std::uint32_t>(), m_stream));
    return {};
}

Result<float> CudaBackend::tensorAmax(const WeightView &w)
{
    PQ_TRY_STATUS(groupAmax(0, w.rows));  // per-row maxima
    std::vector<std::uint32_t> rowMax(w.rows);
    PQ_CUDA_TRY(cudaMemcpyAsync(rowMax.data(), m_amax.as<void>(), w.rows * 4,
                                cudaMemcpyDeviceToHost, m_stream));
    PQ_CUDA_TRY(cudaStreamSynchronize(m_stream));
    float amax = 0.0F;
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        if (rowMax[r] >= 0x7F800000U) {
            std::vector<float> row(w.cols);
            loadRow(w, r, row);
            float m = 0.0F;
            std::uint64_t bad = 0;
            rowAmax(row, m, bad);
            return nonFiniteError(w, r, bad, row[bad]);
        }
        amax = std::max(amax, bitsFloat(rowMax[r]));
    }
    return amax;
}

Result<EncodedWeight> CudaBackend::encode(FormatId id, const WeightView &w, const QuantOptions &o)
{
    PQ_TRY_STATUS(checkView(w));
    PQ_TRY_STATUS(checkShapeFor(id, w));
    if (id == FormatId::BF16) {
        return makeReferenceBackend()->encode(id, w, o);  // a copy; nothing for the GPU to do
    }
    PQ_TRY_STATUS(upload(w));
    auto amax = tensorAmax(w);
    if (!amax) {
        return std::move(amax).error();
    }
    PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
    if (id == FormatId::NVFP4 && !o.inputAmax) {
        return missingInputAmaxError(w);
    }
    const RowFormat f = rowFormat(id);
    const float g = globalScaleFor(id, *amax, o);
    const std::uint64_t groups = w.cols / groupLength(f, w.cols);
    PQ_TRY_STATUS(groupAmax(f.groupSize, w.rows * groups));
    PQ_TRY_STATUS(m_codes.reserve(w.rows * w.cols));
    PQ_TRY_STATUS(m_scales.reserve(w.rows * groups * 2));
    PQ_CUDA_TRY(launchEncode(m_w, f, g, m_amax.as<std::uint32_t>(), m_codes.as<std::uint8_t>(),
                             m_scales.as<std::uint16_t>(), m_stream));
    std::vector<std::uint8_t> codes(w.rows * w.cols);
    std::vector<std::uint16_t> scales(w.rows * groups);
    PQ_CUDA_TRY(cudaMemcpyAsync(codes.data(), m_codes.as<void>(), codes.size(),
                                cudaMemcpyDeviceToHost, m_stream));
    PQ_CUDA_TRY(cudaMemcpyAsync(scales.data(), m_scales.as<void>(), scales.size() * 2,
                                cudaMemcpyDeviceToHost, m_stream));
    PQ_CUDA_TRY(cudaStreamSynchronize(m_stream));
    EncodedWeight e = makeEncodedShell(id, w);
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        storeRow(e, r, std::span(codes).subspan(r * w.cols, w.cols),
                 std::span(scales).subspan(r * groups, groups));
    }
    fillPerTensorValues(e, g, o.inputAmax);
    return e;
}

Status CudaBackend::decode(const EncodedWeight &e, std::span<float> out)
{
    // Read-back is not a hot path; the shared scalar decode is the definition.
    PQ_TRY_STATUS(checkEncoded(e));
    if (out.size() != e.rows * e.cols) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "output buffer has the wrong size");
    }
    for (std::uint64_t r = 0; r < e.rows; ++r) {
        decodeRow(e, r, out.subspan(r * e.cols, e.cols));
    }
    return {};
}

Status CudaBackend::fakeQuant(FormatId id,
                              const WeightView &w,
                              const QuantOptions &o,
                              std::span<float> out)
{
    PQ_TRY_STATUS(checkView(w));
    PQ_TRY_STATUS(checkShapeFor(id, w));
    if (out.size() != w.rows * w.cols) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "output buffer has the wrong size");
    }
    PQ_TRY_STATUS(upload(w));
    auto amax = tensorAmax(w);
    if (!amax) {
        return std::move(amax).error();
    }
    PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
    if (id == FormatId::BF16) {
        for (std::uint64_t r = 0; r < w.rows; ++r) {
            loadRow(w, r, out.subspan(r * w.cols, w.cols));
        }
        return {};
    }
    const RowFormat f = rowFormat(id);
    PQ_TRY_STATUS(groupAmax(f.groupSize, w.rows * (w.cols / groupLength(f, w.cols))));
    PQ_TRY_STATUS(m_out.reserve(out.size() * 4));
    PQ_CUDA_TRY(launchFakeQuant(m_w, f, globalScaleFor(id, *amax, o), m_amax.as<std::uint32_t>(),
                                m_out.as<float>(), nullptr, nullptr, m_stream));
    PQ_CUDA_TRY(cudaMemcpyAsync(out.data(), m_out.as<void>(), out.size() * 4,
                                cudaMemcpyDeviceToHost, m_stream));
    PQ_CUDA_TRY(cudaStreamSynchronize(m_stream));
    return {};
}

Result<std::vector<ErrorMetrics>> CudaBackend::measure(std::span<const FormatId> ids,
                                                       const WeightView &w,
                                                       std::span<const float> fisher,
                                                       const QuantOptions &o)
{
    PQ_TRY_STATUS(checkMeasureInputs(ids, w, fisher));
    PQ_TRY_STATUS(upload(w));
    auto amax = tensorAmax(w);
    if (!amax) {
        return std::move(amax).error();
    }
    PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
    if (!fisher.empty()) {
        PQ_TRY_STATUS(m_fisher.reserve(fisher.size() * 4));
        PQ_CUDA_TRY(cudaMemcpyAsync(m_fisher.as<void>(), fisher.data(), fisher.size() * 4,
                                    cudaMemcpyHostToDevice, m_stream));
    }
    PQ_TRY_STATUS(m_sums.reserve(w.rows * 2 * sizeof(double)));
    std::vector<ErrorMetrics> metrics = makeMetrics(ids.size(), w.rows, !fisher.empty());
    std::vector<double> sums(w.rows * 2);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        ErrorMetrics &m = metrics[i];
        if (ids[i] == FormatId::BF16) {
            continue;
        }
        const RowFormat f = rowFormat(ids[i]);
        PQ_TRY_STATUS(groupAmax(f.groupSize, w.rows * (w.cols / groupLength(f, w.cols))));
        PQ_CUDA_TRY(cudaMemsetAsync(m_sums.as<void>(), 0, sums.size() * 8, m_stream));
        PQ_CUDA_TRY(launchFakeQuant(
                m_w, f, globalScaleFor(ids[i], *amax, o), m_amax.as<std::uint32_t>(), nullptr,
                fisher.empty() ? nullptr : m_fisher.as<float>(), m_sums.as<double>(), m_stream));
        PQ_CUDA_TRY(cudaMemcpyAsync(sums.data(), m_sums.as<void>(), sums.size() * 8,
                                    cudaMemcpyDeviceToHost, m_stream));
        PQ_CUDA_TRY(cudaStreamSynchronize(m_stream));
        for (std::uint64_t r = 0; r < w.rows; ++r) {
            m.rowSse[r] = sums[2 * r];
            if (!fisher.empty()) {
                m.rowFisherSse[r] = sums[2 * r + 1];
            }
        }
    }
    sumRows(metrics);
    return metrics;
}

Status CudaBackend::quantizeActivations(ActivationQuant a,
                                        std::span<float> rows,
                                        std::uint64_t rowLen,
                                        float inputAmax)
{
    if (a == ActivationQuant::None) {
        return {};
    }
    PQ_TRY_STATUS(checkActivations(a, rows, rowLen));
    const RowFormat f = activationRowFormat(a);
    const WeightView v = viewOf(rows, rows.size() / rowLen, rowLen, "activations");
    PQ_TRY_STATUS(upload(v));
    PQ_TRY_STATUS(groupAmax(f.groupSize, v.rows * (rowLen / groupLength(f, rowLen))));
    PQ_TRY_STATUS(m_out.reserve(rows.size() * 4));
    const float g = activationGlobalScale(a, inputAmax);
    PQ_CUDA_TRY(launchFakeQuant(m_w, f, g, m_amax.as<std::uint32_t>(), m_out.as<float>(), nullptr,
                                nullptr, m_stream));
    PQ_CUDA_TRY(cudaMemcpyAsync(rows.data(), m_out.as<void>(), rows.size() * 4,
                                cudaMemcpyDeviceToHost, m_stream));
    PQ_CUDA_TRY(cudaStreamSynchronize(m_stream));
    return {};
}

}  // namespace

bool deviceAvailable()
{
    int count = 0;
    return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

std::string deviceDescription()
{
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess || count == 0) {
        return fmt::format("no CUDA device ({})",
                           err != cudaSuccess ? cudaGetErrorString(err) : "none found");
    }
    cudaDeviceProp p{};
    cudaGetDeviceProperties(&p, 0);
    return fmt::format("{} (sm_{}{}, {:.1f} GiB)", p.name, p.major, p.minor,
                       static_cast<double>(p.totalGlobalMem) / (1ULL << 30U));
}

std::unique_ptr<QuantBackend> makeCudaBackend()
{
    if (!deviceAvailable()) {
        return nullptr;
    }
    return std::make_unique<CudaBackend>();
}

void registerCudaBackend(BackendRegistry &registry)
{
    if (auto b = makeCudaBackend()) {
        registry.add(std::move(b));
    }
}

}  // namespace pq::kernels::cuda
