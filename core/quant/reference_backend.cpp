// SPDX-License-Identifier: MIT
// The scalar reference backend: the definition of every format, written for clarity. Rows are
// processed one at a time with the shared row kernels (row_quant.h); nothing is vectorised or
// threaded. Fast backends are tested bit for bit against this one.
#include <algorithm>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "core/quant/packing.h"
#include "core/quant/quant_backend.h"
#include "core/quant/row_quant.h"
#include "core/quant/weight_rows.h"

namespace pq::core::quant {
namespace {

/** Max |w| over the whole weight, or the first non-finite element as an error. */
Result<float> tensorAmax(const WeightView &w)
{
    std::vector<float> row(w.cols);
    float amax = 0.0F;
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        loadRow(w, r, row);
        float m = 0.0F;
        std::uint64_t bad = 0;
        if (!rowAmax(row, m, bad)) {
            return nonFiniteError(w, r, bad, row[bad]);
        }
        amax = std::max(amax, m);
    }
    return amax;
}

/** The NVFP4 global scale a call uses: the fused group's amax when given, else the tensor's. */
float globalScaleFor(FormatId id, float tensorAmax, const QuantOptions &o)
{
    if (id != FormatId::NVFP4 && id != FormatId::NVFP4A16) {
        return 1.0F;
    }
    return nvfp4GlobalScale(o.globalAmax.value_or(tensorAmax));
}

/** Quantizes one row into element codes, scale codes and (optionally) values. */
void quantizeRow(const RowFormat &f,
                 std::span<const float> row,
                 float g,
                 std::uint8_t *codes,
                 std::uint16_t *scales,
                 float *values)
{
    const std::uint64_t len = groupLength(f, row.size());
    for (std::uint64_t k = 0; k * len < row.size(); ++k) {
        scales[k] =
                quantizeGroup(f, row.data() + k * len, len, g, codes ? codes + k * len : nullptr,
                              values ? values + k * len : nullptr);
    }
}

StoredTensor makeTensor(const StoredTensorSpec &spec)
{
    StoredTensor t;
    t.spec = spec;
    t.bytes.resize(spec.bytes());
    return t;
}

void putFloat(StoredTensor &t, float v)
{
    std::memcpy(t.bytes.data(), &v, 4);
}

class ReferenceBackend final : public QuantBackend
{
public:
    std::string_view name() const override { return "reference"; }

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
    Status encodeBf16(const WeightView &w, EncodedWeight &e) const;
};

Status checkInputs(FormatId id, const WeightView &w)
{
    PQ_TRY_STATUS(checkView(w));
    return checkShapeFor(id, w);
}

Result<EncodedWeight>
ReferenceBackend::encode(FormatId id, const WeightView &w, const QuantOptions &o)
{
    PQ_TRY_STATUS(checkInputs(id, w));
    auto amax = tensorAmax(w);
    if (!amax) {
        return std::move(amax).error();
    }
    if (id == FormatId::NVFP4 && !o.inputAmax) {
        return makeError(ErrorCode::InvalidArgument,
                         "NVFP4 (W4A4) needs the calibrated activation maximum of this Linear "
                         "for input_global_scale; run the probe first, or use NVFP4A16")
                .withTensor(w.name);
    }
    EncodedWeight e;
    e.format = id;
    e.rows = w.rows;
    e.cols = w.cols;
    for (const StoredTensorSpec &spec : storedTensors(id, w.rows, w.cols, w.dtype)) {
        e.tensors.push_back(makeTensor(spec));
    }
    if (id == FormatId::BF16) {
        PQ_TRY_STATUS(encodeBf16(w, e));
        return e;
    }
    const RowFormat f = rowFormat(id);
    const float g = globalScaleFor(id, *amax, o);
    const std::uint64_t groups = w.cols / groupLength(f, w.cols);
    const std::uint64_t rowBytes = packedRowBytes(id, w.cols);
    std::vector<float> row(w.cols);
    std::vector<std::uint8_t> codes(w.cols);
    std::vector<std::uint16_t> scales(groups);
    StoredTensor &weights = e.tensors[0];
    StoredTensor &scaleTensor = e.tensors[1];
    const std::uint32_t sb = scaleBytes(id);
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        loadRow(w, r, row);
        quantizeRow(f, row, g, codes.data(), scales.data(), nullptr);
        packRow(id, codes, weights.bytes.data() + r * rowBytes);
        for (std::uint64_t k = 0; k < groups; ++k) {
            storeScale(id, scales[k], scaleTensor.bytes.data() + (r * groups + k) * sb);
        }
    }
    for (StoredTensor &t : e.tensors) {
        if (t.spec.suffix == "weight_global_scale") {
            putFloat(t, g);
        } else if (t.spec.suffix == "input_global_scale") {
            putFloat(t, nvfp4GlobalScale(*o.inputAmax));
        } else if (t.spec.suffix == "weight_shape") {
            const std::int64_t shape[2] = {static_cast<std::int64_t>(w.rows),
                                           static_cast<std::int64_t>(w.cols)};
            std::memcpy(t.bytes.data(), shape, sizeof shape);
        }
    }
    return e;
}

Status ReferenceBackend::encodeBf16(const WeightView &w, EncodedWeight &e) const
{
    const std::uint64_t elem = dtypeBits(w.dtype) / 8;
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        std::memcpy(e.tensors[0].bytes.data() + r * w.cols * elem, w.data + r * w.stride() * elem,
                    w.cols * elem);
    }
    return {};
}

/** Checks that `e` holds exactly the tensors its format writes, with the right sizes. */
Status checkEncoded(const EncodedWeight &e)
{
    PQ_TRY_STATUS(checkShape(e.format, e.rows, e.cols));
    const DType source = e.tensors.empty() ? DType::BF16 : e.tensors.front().spec.dtype;
    const auto specs = storedTensors(e.format, e.rows, e.cols,
                                     e.format == FormatId::BF16 ? source : DType::BF16);
    if (specs.size() != e.tensors.size()) {
        return makeError(ErrorCode::InvalidFormat,
                         fmt::format("{} expects {} tensors, got {}", formatInfo(e.format).name,
                                     specs.size(), e.tensors.size()));
    }
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const StoredTensor &t = e.tensors[i];
        if (t.spec.suffix != specs[i].suffix || t.bytes.size() != specs[i].bytes()) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("{}: tensor '{}' has {} bytes, expected '{}' with {}",
                                         formatInfo(e.format).name, t.spec.suffix, t.bytes.size(),
                                         specs[i].suffix, specs[i].bytes()));
        }
    }
    return {};
}

Status ReferenceBackend::decode(const EncodedWeight &e, std::span<float> out)
{
    PQ_TRY_STATUS(checkEncoded(e));
    if (out.size() != e.rows * e.cols) {
        return makeError(ErrorCode::InvalidArgument, "output buffer has the wrong size");
    }
    if (e.format == FormatId::BF16) {
        WeightView v;
        v.dtype = e.tensors[0].spec.dtype;
        v.data = e.tensors[0].bytes.data();
        v.rows = e.rows;
        v.cols = e.cols;
        for (std::uint64_t r = 0; r < e.rows; ++r) {
            loadRow(v, r, out.subspan(r * e.cols, e.cols));
        }
        return {};
    }
    const RowFormat f = rowFormat(e.format);
    float g = 1.0F;
    if (const StoredTensor *gt = e.find("weight_global_scale")) {
        std::memcpy(&g, gt->bytes.data(), 4);
    }
    const std::uint64_t len = groupLength(f, e.cols);
    const std::uint64_t groups = e.cols / len;
    const std::uint64_t rowBytes = packedRowBytes(e.format, e.cols);
    const std::uint32_t sb = scaleBytes(e.format);
    std::vector<std::uint8_t> codes(e.cols);
    for (std::uint64_t r = 0; r < e.rows; ++r) {
        unpackRow(e.format, e.tensors[0].bytes.data() + r * rowBytes, codes);
        for (std::uint64_t k = 0; k < groups; ++k) {
            const std::uint16_t sc =
                    loadScale(e.format, e.tensors[1].bytes.data() + (r * groups + k) * sb);
            const float eff = effectiveScale(f, sc, g);
            for (std::uint64_t i = 0; i < len; ++i) {
                out[r * e.cols + k * len + i] = elementValue(f, codes[k * len + i], eff);
            }
        }
    }
    return {};
}

Status ReferenceBackend::fakeQuant(FormatId id,
                                   const WeightView &w,
                                   const QuantOptions &o,
                                   std::span<float> out)
{
    PQ_TRY_STATUS(checkInputs(id, w));
    if (out.size() != w.rows * w.cols) {
        return makeError(ErrorCode::InvalidArgument, "output buffer has the wrong size");
    }
    auto amax = tensorAmax(w);
    if (!amax) {
        return std::move(amax).error();
    }
    const RowFormat f = rowFormat(id);
    const float g = globalScaleFor(id, *amax, o);
    std::vector<std::uint16_t> scales(w.cols);
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        const std::span<float> dst = out.subspan(r * w.cols, w.cols);
        loadRow(w, r, dst);
        if (id != FormatId::BF16) {
            const std::vector<float> row(dst.begin(), dst.end());
            quantizeRow(f, row, g, nullptr, scales.data(), dst.data());
        }
    }
    return {};
}

Result<std::vector<ErrorMetrics>> ReferenceBackend::measure(std::span<const FormatId> ids,
                                                            const WeightView &w,
                                                            std::span<const float> fisher,
                                                            const QuantOptions &o)
{
    PQ_TRY_STATUS(checkView(w));
    for (const FormatId id : ids) {
        PQ_TRY_STATUS(checkShapeFor(id, w));
    }
    if (!fisher.empty() && fisher.size() != w.rows * w.cols) {
        return makeError(ErrorCode::InvalidArgument, "Fisher tensor does not have W's shape")
                .withTensor(w.name);
    }
    auto amax = tensorAmax(w);
    if (!amax) {
        return std::move(amax).error();
    }
    std::vector<ErrorMetrics> metrics(ids.size());
    for (ErrorMetrics &m : metrics) {
        m.rowSse.assign(w.rows, 0.0);
        m.rowFisherSse.assign(fisher.empty() ? 0 : w.rows, 0.0);
    }
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
    for (ErrorMetrics &m : metrics) {
        for (std::uint64_t r = 0; r < w.rows; ++r) {
            m.sse += m.rowSse[r];
            m.fisherSse += m.rowFisherSse.empty() ? 0.0 : m.rowFisherSse[r];
        }
    }
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
    const RowFormat f = activationRowFormat(a);
    if (rowLen == 0 || rows.size() % rowLen != 0 ||
        (f.groupSize != 0 && rowLen % f.groupSize != 0)) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("activation rows of {} values cannot be split into groups of "
                                     "{}",
                                     rowLen, f.groupSize));
    }
    const float g = a == ActivationQuant::Nvfp4 ? nvfp4GlobalScale(inputAmax) : 1.0F;
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
