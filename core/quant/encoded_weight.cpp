// SPDX-License-Identifier: MIT
#include "core/quant/encoded_weight.h"

#include <cstring>

#include <fmt/format.h>

#include "core/quant/packing.h"
#include "core/quant/row_quant.h"
#include "core/quant/weight_rows.h"

namespace pq::core::quant {

EncodedWeight makeEncodedShell(FormatId id, const WeightView &w)
{
    EncodedWeight e;
    e.format = id;
    e.rows = w.rows;
    e.cols = w.cols;
    for (const StoredTensorSpec &spec : storedTensors(id, w.rows, w.cols, w.dtype)) {
        StoredTensor t;
        t.spec = spec;
        t.bytes.resize(spec.bytes());
        e.tensors.push_back(std::move(t));
    }
    return e;
}

void fillPerTensorValues(EncodedWeight &e, float globalScale, std::optional<float> inputAmax)
{
    for (StoredTensor &t : e.tensors) {
        if (t.spec.suffix == "weight_global_scale") {
            std::memcpy(t.bytes.data(), &globalScale, 4);
        } else if (t.spec.suffix == "input_global_scale") {
            const float ig = nvfp4GlobalScale(inputAmax.value_or(0.0F));
            std::memcpy(t.bytes.data(), &ig, 4);
        } else if (t.spec.suffix == "weight_shape") {
            const std::int64_t shape[2] = {static_cast<std::int64_t>(e.rows),
                                           static_cast<std::int64_t>(e.cols)};
            std::memcpy(t.bytes.data(), shape, sizeof shape);
        }
    }
}

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

namespace {

/** Values of every element code of a format (256 entries; codes index it directly). */
struct CodeTable
{
    float value[256] = {};
};

const CodeTable &codeTable(FormatId id)
{
    static const auto tables = [] {
        std::vector<CodeTable> t(FORMAT_COUNT);
        for (int i = 0; i < FORMAT_COUNT; ++i) {
            const RowFormat f = rowFormat(static_cast<FormatId>(i));
            for (int c = 0; c < 256; ++c) {
                t[i].value[c] = elementValue(f, static_cast<std::uint8_t>(c), 1.0F);
            }
        }
        return t;
    }();
    return tables[static_cast<std::size_t>(id)];
}

}  // namespace

void decodeRow(const EncodedWeight &e, std::uint64_t r, std::span<float> out)
{
    if (e.format == FormatId::BF16) {
        WeightView v;
        v.dtype = e.tensors[0].spec.dtype;
        v.data = e.tensors[0].bytes.data();
        v.rows = e.rows;
        v.cols = e.cols;
        loadRow(v, r, out);
        return;
    }
    const RowFormat f = rowFormat(e.format);
    float g = 1.0F;
    if (const StoredTensor *gt = e.find("weight_global_scale")) {
        std::memcpy(&g, gt->bytes.data(), 4);
    }
    const std::uint64_t len = groupLength(f, e.cols);
    const std::uint64_t groups = e.cols / len;
    const std::uint32_t sb = scaleBytes(e.format);
    thread_local std::vector<std::uint8_t> codes;
    codes.resize(e.cols);
    unpackRow(e.format, e.tensors[0].bytes.data() + r * packedRowBytes(e.format, e.cols), codes);
    // elementValue(c, eff) == elementValue(c, 1) · eff exactly (the value times a scale), so a
    // table of unit values gives the same bits.
    const CodeTable &table = codeTable(e.format);
    for (std::uint64_t k = 0; k < groups; ++k) {
        const std::uint16_t sc =
                loadScale(e.format, e.tensors[1].bytes.data() + (r * groups + k) * sb);
        const float eff = effectiveScale(f, sc, g);
        for (std::uint64_t i = 0; i < len; ++i) {
            out[k * len + i] = table.value[codes[k * len + i]] * eff;
        }
    }
}

void storeRow(EncodedWeight &e,
              std::uint64_t r,
              std::span<const std::uint8_t> codes,
              std::span<const std::uint16_t> scales)
{
    packRow(e.format, codes, e.tensors[0].bytes.data() + r * packedRowBytes(e.format, e.cols));
    const std::uint32_t sb = scaleBytes(e.format);
    for (std::size_t k = 0; k < scales.size(); ++k) {
        storeScale(e.format, scales[k], e.tensors[1].bytes.data() + (r * scales.size() + k) * sb);
    }
}

Status checkQuantOptions(const WeightView &w, float tensorAmax, const QuantOptions &o)
{
    if (o.globalAmax && (!isFiniteFloat(*o.globalAmax) || *o.globalAmax < tensorAmax)) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("fused-group maximum {} is below this weight's own maximum "
                                     "{} (or not finite); the group's maximum must cover every "
                                     "sibling",
                                     *o.globalAmax, tensorAmax))
                .withTensor(w.name);
    }
    if (o.inputAmax && (!isFiniteFloat(*o.inputAmax) || *o.inputAmax <= 0.0F)) {
        return makeError(ErrorCode::InvalidArgument,
                         fmt::format("calibrated input maximum {} must be finite and positive",
                                     *o.inputAmax))
                .withTensor(w.name);
    }
    return {};
}

float globalScaleFor(FormatId id, float tensorAmax, const QuantOptions &o)
{
    if (id != FormatId::NVFP4 && id != FormatId::NVFP4A16) {
        return 1.0F;
    }
    return nvfp4GlobalScale(o.globalAmax.value_or(tensorAmax));
}

Status checkMeasureInputs(std::span<const FormatId> ids,
                          const WeightView &w,
                          std::span<const float> fisher)
{
    PQ_TRY_STATUS(checkView(w));
    for (const FormatId id : ids) {
        PQ_TRY_STATUS(checkShapeFor(id, w));
    }
    if (!fisher.empty() && fisher.size() != w.rows * w.cols) {
        return makeError(ErrorCode::InvalidArgument, "Fisher tensor does not have W's shape")
                .withTensor(w.name);
    }
    return {};
}

std::vector<ErrorMetrics> makeMetrics(std::size_t formats, std::uint64_t rows, bool withFisher)
{
    std::vector<ErrorMetrics> metrics(formats);
    for (ErrorMetrics &m : metrics) {
        m.rowSse.assign(rows, 0.0);
        m.rowFisherSse.assign(withFisher ? rows : 0, 0.0);
    }
    return metrics;
}

void sumRows(std::vector<ErrorMetrics> &metrics)
{
    for (ErrorMetrics &m : metrics) {
        m.sse = 0.0;
        m.fisherSse = 0.0;
        for (std::size_t r = 0; r < m.rowSse.size(); ++r) {
            m.sse += m.rowSse[r];
            m.fisherSse += m.rowFisherSse.empty() ? 0.0 : m.rowFisherSse[r];
        }
    }
}

float activationGlobalScale(ActivationQuant a, float inputAmax)
{
    return a == ActivationQuant::Nvfp4 ? nvfp4GlobalScale(inputAmax) : 1.0F;
}

Error missingInputAmaxError(const WeightView &w)
{
    return makeError(ErrorCode::InvalidArgument,
                     "NVFP4 (W4A4) needs the calibrated activation maximum of this Linear for "
                     "input_global_scale; run the probe first, or use NVFP4A16")
            .withTensor(w.name);
}

}  // namespace pq::core::quant
