// SPDX-License-Identifier: MIT
#include "kernels/cpu/cpu_backend.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "core/quant/encoded_weight.h"
#include "core/quant/weight_rows.h"
#include "core/util/parallel.h"
#include "kernels/cpu/row_kernels.h"

namespace pq::kernels::cpu {
namespace {

using core::Result;
using core::Status;
using namespace core::quant;

/** Rows per parallel chunk: about 256k elements per task. */
std::uint64_t grainFor(std::uint64_t cols)
{
    return std::max<std::uint64_t>(1, (1U << 18U) / std::max<std::uint64_t>(1, cols));
}

/** Loads row r of w as float32 with the vectorised converter. */
void loadRowFast(const RowKernels &k, const WeightView &w, std::uint64_t r, float *dst)
{
    const std::uint64_t elem = core::dtypeBits(w.dtype) / 8;
    k.toFloat(w.dtype, w.data + r * w.stride() * elem, dst, w.cols);
}

/** Max |w| of the tensor; a non-finite element becomes the reference's error. */
Result<float> tensorAmax(const RowKernels &k, const WeightView &w)
{
    std::vector<float> rowMax(w.rows);
    core::parallelFor(w.rows, grainFor(w.cols), [&](std::uint64_t b, std::uint64_t e) {
        std::vector<float> row(w.cols);
        for (std::uint64_t r = b; r < e; ++r) {
            loadRowFast(k, w, r, row.data());
            rowMax[r] = k.maxAbs(row.data(), w.cols);
        }
    });
    float amax = 0.0F;
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        if (!isFiniteFloat(rowMax[r])) {
            std::vector<float> row(w.cols);
            loadRow(w, r, row);
            float m = 0.0F;
            std::uint64_t bad = 0;
            rowAmax(row, m, bad);
            return nonFiniteError(w, r, bad, row[bad]);
        }
        amax = std::max(amax, rowMax[r]);
    }
    return amax;
}

class CpuBackend final : public QuantBackend
{
public:
    explicit CpuBackend(const RowKernels &kernels)
        : m_k(kernels)
        , m_name(std::string("cpu-") + kernels.isa)
    {}

    std::string_view name() const override { return m_name; }

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
    Result<float> checkedAmax(FormatId id, const WeightView &w) const
    {
        PQ_TRY_STATUS(checkView(w));
        PQ_TRY_STATUS(checkShapeFor(id, w));
        return tensorAmax(m_k, w);
    }

    const RowKernels &m_k;
    std::string m_name;
};

Result<EncodedWeight> CpuBackend::encode(FormatId id, const WeightView &w, const QuantOptions &o)
{
    auto amax = checkedAmax(id, w);
    if (!amax) {
        return std::move(amax).error();
    }
    PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
    if (id == FormatId::NVFP4 && !o.inputAmax) {
        return missingInputAmaxError(w);
    }
    if (id == FormatId::BF16) {
        return makeReferenceBackend()->encode(id, w, o);  // a copy; nothing to speed up
    }
    EncodedWeight e = makeEncodedShell(id, w);
    const float g = globalScaleFor(id, *amax, o);
    const std::uint64_t groups = w.cols / groupLength(rowFormat(id), w.cols);
    core::parallelFor(w.rows, grainFor(w.cols), [&](std::uint64_t b, std::uint64_t end) {
        std::vector<float> row(w.cols);
        std::vector<std::uint8_t> codes(w.cols);
        std::vector<std::uint16_t> scales(groups);
        for (std::uint64_t r = b; r < end; ++r) {
            loadRowFast(m_k, w, r, row.data());
            m_k.encodeRow(id, row.data(), w.cols, g, codes.data(), scales.data());
            storeRow(e, r, codes, scales);
        }
    });
    fillPerTensorValues(e, g, o.inputAmax);
    return e;
}

Status CpuBackend::decode(const EncodedWeight &e, std::span<float> out)
{
    PQ_TRY_STATUS(checkEncoded(e));
    if (out.size() != e.rows * e.cols) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "output buffer has the wrong size");
    }
    core::parallelFor(e.rows, grainFor(e.cols), [&](std::uint64_t b, std::uint64_t end) {
        for (std::uint64_t r = b; r < end; ++r) {
            decodeRow(e, r, out.subspan(r * e.cols, e.cols));
        }
    });
    return {};
}

Status
CpuBackend::fakeQuant(FormatId id, const WeightView &w, const QuantOptions &o, std::span<float> out)
{
    auto amax = checkedAmax(id, w);
    if (!amax) {
        return std::move(amax).error();
    }
    PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
    if (out.size() != w.rows * w.cols) {
        return core::makeError(core::ErrorCode::InvalidArgument,
                               "output buffer has the wrong size");
    }
    const float g = globalScaleFor(id, *amax, o);
    core::parallelFor(w.rows, grainFor(w.cols), [&](std::uint64_t b, std::uint64_t end) {
        std::vector<float> row(w.cols);
        for (std::uint64_t r = b; r < end; ++r) {
            loadRowFast(m_k, w, r, row.data());
            m_k.fakeQuantRow(id, row.data(), out.data() + r * w.cols, w.cols, g);
        }
    });
    return {};
}

Result<std::vector<ErrorMetrics>> CpuBackend::measure(std::span<const FormatId> ids,
                                                      const WeightView &w,
                                                      std::span<const float> fisher,
                                                      const QuantOptions &o)
{
    PQ_TRY_STATUS(checkMeasureInputs(ids, w, fisher));
    auto amax = tensorAmax(m_k, w);
    if (!amax) {
        return std::move(amax).error();
    }
    PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
    std::vector<ErrorMetrics> metrics = makeMetrics(ids.size(), w.rows, !fisher.empty());
    core::parallelFor(w.rows, grainFor(w.cols) / 2 + 1, [&](std::uint64_t b, std::uint64_t end) {
        std::vector<float> row(w.cols);
        std::vector<float> q(w.cols);
        for (std::uint64_t r = b; r < end; ++r) {
            loadRowFast(m_k, w, r, row.data());
            const float *f = fisher.empty() ? nullptr : fisher.data() + r * w.cols;
            for (std::size_t i = 0; i < ids.size(); ++i) {
                if (ids[i] == FormatId::BF16) {
                    continue;
                }
                m_k.fakeQuantRow(ids[i], row.data(), q.data(), w.cols,
                                 globalScaleFor(ids[i], *amax, o));
                double sums[2] = {};
                m_k.rowErrors(row.data(), q.data(), f, w.cols, sums);
                metrics[i].rowSse[r] = sums[0];
                if (f != nullptr) {
                    metrics[i].rowFisherSse[r] = sums[1];
                }
            }
        }
    });
    sumRows(metrics);
    return metrics;
}

Status CpuBackend::quantizeActivations(ActivationQuant a,
                                       std::span<float> rows,
                                       std::uint64_t rowLen,
                                       float inputAmax)
{
    if (a == ActivationQuant::None) {
        return {};
    }
    PQ_TRY_STATUS(checkActivations(a, rows, rowLen));
    const RowFormat f = activationRowFormat(a);
    const float g = activationGlobalScale(a, inputAmax);
    const std::uint64_t n = rows.size() / rowLen;
    core::parallelFor(n, grainFor(rowLen), [&](std::uint64_t b, std::uint64_t end) {
        std::vector<float> row(rowLen);
        for (std::uint64_t r = b; r < end; ++r) {
            std::copy_n(rows.data() + r * rowLen, rowLen, row.data());
            m_k.fakeQuantRowDynamic(f, row.data(), rows.data() + r * rowLen, rowLen, g);
        }
    });
    return {};
}

}  // namespace

std::unique_ptr<core::quant::QuantBackend> makeCpuBackend()
{
    return std::make_unique<CpuBackend>(rowKernels());
}

std::unique_ptr<core::quant::QuantBackend> makeCpuBackend(const RowKernels &kernels)
{
    return std::make_unique<CpuBackend>(kernels);
}

}  // namespace pq::kernels::cpu
