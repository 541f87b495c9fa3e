// SPDX-License-Identifier: MIT
// The scalar reference backend: the definition of every format, written for clarity. Rows are
// processed one at a time with the shared row kernels (row_quant.h): codes first, values decoded
// from the codes. Nothing is vectorised or threaded. Fast backends are tested against it bit for
// bit (codes, scales, values) and to a named tolerance for the summed metrics.
#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "core/quant/encoded_weight.h"
#include "core/quant/quant_backend.h"
#include "core/quant/row_quant.h"
#include "core/quant/weight_rows.h"

namespace pq::core::quant {
namespace {

Result<float> tensorAmax(const WeightView &w)
{
    return weightMaxAbs(w);
}

/** Quantizes one row into element codes, scale codes and (optionally) values decoded from them. */
void quantizeRow(const RowFormat &f,
                 std::span<const float> row,
                 float g,
                 std::uint8_t *codes,
                 std::uint16_t *scales,
                 float *values)
{
    const std::uint64_t len = groupLength(f, row.size());
    std::vector<std::uint8_t> local(len);
    for (std::uint64_t k = 0; k * len < row.size(); ++k) {
        std::uint8_t *c = codes != nullptr ? codes + k * len : local.data();
        float eff = 1.0F;
        scales[k] = quantizeGroup(f, row.data() + k * len, len, g, c, nullptr, &eff);
        for (std::uint64_t i = 0; values != nullptr && i < len; ++i) {
            values[k * len + i] = elementValue(f, c[i], eff);
        }
    }
}

Status checkInputs(FormatId id, const WeightView &w)
{
    PQ_TRY_STATUS(checkView(w));
    return checkShapeFor(id, w);
}

class ReferenceBackend final : public QuantBackend
{
public:
    std::string_view name() const override { return "reference"; }

    bool supports(FormatId /*id*/) const override { return true; }

    Result<EncodedWeight> encode(FormatId id, const WeightView &w, const QuantOptions &o) override
    {
        PQ_TRY_STATUS(checkInputs(id, w));
        auto amax = tensorAmax(w);
        if (!amax) {
            return std::move(amax).error();
        }
        PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
        if (id == FormatId::NVFP4 && !o.inputAmax) {
            return missingInputAmaxError(w);
        }
        EncodedWeight e = makeEncodedShell(id, w);
        if (id == FormatId::BF16) {
            const std::uint64_t elem = dtypeBits(w.dtype) / 8;
            for (std::uint64_t r = 0; r < w.rows; ++r) {
                std::copy_n(w.data + r * w.stride() * elem, w.cols * elem,
                            e.tensors[0].bytes.data() + r * w.cols * elem);
            }
            return e;
        }
        const RowFormat f = rowFormat(id);
        const float g = globalScaleFor(id, *amax, o);
        std::vector<float> row(w.cols);
        std::vector<std::uint8_t> codes(w.cols);
        std::vector<std::uint16_t> scales(w.cols / groupLength(f, w.cols));
        for (std::uint64_t r = 0; r < w.rows; ++r) {
            loadRow(w, r, row);
            quantizeRow(f, row, g, codes.data(), scales.data(), nullptr);
            storeRow(e, r, codes, scales);
        }
        fillPerTensorValues(e, g, o.inputAmax);
        return e;
    }

    Status decode(const EncodedWeight &e, std::span<float> out) override
    {
        PQ_TRY_STATUS(checkEncoded(e));
        if (out.size() != e.rows * e.cols) {
            return makeError(ErrorCode::InvalidArgument, "output buffer has the wrong size");
        }
        for (std::uint64_t r = 0; r < e.rows; ++r) {
            decodeRow(e, r, out.subspan(r * e.cols, e.cols));
        }
        return {};
    }

    Status fakeQuant(FormatId id,
                     const WeightView &w,
                     const QuantOptions &o,
                     std::span<float> out) override
    {
        PQ_TRY_STATUS(checkInputs(id, w));
        if (out.size() != w.rows * w.cols) {
            return makeError(ErrorCode::InvalidArgument, "output buffer has the wrong size");
        }
        auto amax = tensorAmax(w);
        if (!amax) {
            return std::move(amax).error();
        }
        PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
        const RowFormat f = rowFormat(id);
        const float g = globalScaleFor(id, *amax, o);
        std::vector<float> row(w.cols);
        std::vector<std::uint16_t> scales(w.cols);
        for (std::uint64_t r = 0; r < w.rows; ++r) {
            const std::span<float> dst = out.subspan(r * w.cols, w.cols);
            loadRow(w, r, row);
            if (id == FormatId::BF16) {
                std::copy(row.begin(), row.end(), dst.begin());
            } else {
                quantizeRow(f, row, g, nullptr, scales.data(), dst.data());
            }
        }
        return {};
    }

    Result<std::vector<ErrorMetrics>> measure(std::span<const FormatId> ids,
                                              const WeightView &w,
                                              std::span<const float> fisher,
                                              const QuantOptions &o) override;

    Status quantizeActivations(ActivationQuant a,
                               std::span<float> rows,
                               std::uint64_t rowLen,
                               float inputAmax) override;
};

Result<std::vector<ErrorMetrics>> ReferenceBackend::measure(std::span<const FormatId> ids,
                                                            const WeightView &w,
                                                            std::span<const float> fisher,
                                                            const QuantOptions &o)
{
    PQ_TRY_STATUS(checkMeasureInputs(ids, w, fisher));
    auto amax = tensorAmax(w);
    if (!amax) {
        return std::move(amax).error();
    }
    PQ_TRY_STATUS(checkQuantOptions(w, *amax, o));
    std::vector<ErrorMetrics> metrics = makeMetrics(ids.size(), w.rows, !fisher.empty());
    std::vector<float> row(w.cols);
    std::vector<float> q(w.cols);
    std::vector<std::uint16_t> scales(w.cols);
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        loadRow(w, r, row);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (ids[i] == FormatId::BF16) {
                continue;  // the source is kept: no error
            }
            quantizeRow(rowFormat(ids[i]), row, globalScaleFor(ids[i], *amax, o), nullptr,
                        scales.data(), q.data());
            double sse = 0.0;
            double fsse = 0.0;
            for (std::uint64_t c = 0; c < w.cols; ++c) {
                const double d = static_cast<double>(row[c]) - static_cast<double>(q[c]);
                sse += d * d;
                if (!fisher.empty()) {
                    fsse += static_cast<double>(fisher[r * w.cols + c]) * d * d;
                }
            }
            metrics[i].rowSse[r] = sse;
            if (!fisher.empty()) {
                metrics[i].rowFisherSse[r] = fsse;
            }
        }
    }
    sumRows(metrics);
    return metrics;
}

Status ReferenceBackend::quantizeActivations(ActivationQuant a,
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
    std::vector<float> row(rowLen);
    std::vector<std::uint16_t> scales(rowLen);
    for (std::uint64_t r = 0; r * rowLen < rows.size(); ++r) {
        const std::span<float> dst = rows.subspan(r * rowLen, rowLen);
        std::copy(dst.begin(), dst.end(), row.begin());
        quantizeRow(f, row, g, nullptr, scales.data(), dst.data());
    }
    return {};
}

}  // namespace

const StoredTensor *EncodedWeight::find(std::string_view suffix) const
{
    for (const StoredTensor &t : tensors) {
        if (t.spec.suffix == suffix) {
            return &t;
        }
    }
    return nullptr;
}

std::unique_ptr<QuantBackend> makeReferenceBackend()
{
    return std::make_unique<ReferenceBackend>();
}

}  // namespace pq::core::quant
