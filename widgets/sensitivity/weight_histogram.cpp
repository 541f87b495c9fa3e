// SPDX-License-Identifier: MIT
#include "widgets/sensitivity/weight_histogram.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/export/export_plan.h"
#include "core/quant/row_quant.h"
#include "core/quant/weight_rows.h"

namespace pq::widgets {
namespace {

using core::quant::FormatId;
using core::quant::RowFormat;

/** The bins reach this far past the grid's largest magnitude: saturated values show there. */
constexpr double RANGE_MARGIN = 1.25;

void count(WeightHistogram &h, double x)
{
    ++h.counts[h.binOf(x)];
    h.maxAbs = std::max(h.maxAbs, std::abs(x));
    if (h.scaled && (x < h.grid.front() || x > h.grid.back())) {
        ++h.beyondGrid;
    }
}

/** Counts one row: per group, w / eff under the group's stored scale (or w for BF16). */
void countRow(WeightHistogram &h, const RowFormat &f, float globalScale, std::span<const float> row)
{
    const std::uint64_t g = core::quant::groupLength(f, row.size());
    for (std::uint64_t begin = 0; begin < row.size(); begin += g) {
        const std::span<const float> group = row.subspan(begin, std::min(g, row.size() - begin));
        float eff = 1.0F;
        if (h.scaled) {
            float amax = 0.0F;
            for (const float v : group) {
                amax = std::max(amax, core::quant::absf(v));
            }
            eff = core::quant::effectiveScale(f, core::quant::scaleCode(f, amax, globalScale),
                                              globalScale);
        }
        for (const float v : group) {
            count(h, h.scaled ? static_cast<double>(v / eff) : static_cast<double>(v));
        }
    }
}

/**
 * Whether the inventory's slice of Linear `l` lies inside `shape` (the checkpoint as opened
 * now): the files are untrusted, and may have changed since the inventory was read.
 */
bool sliceFits(const core::LinearInfo &l, const std::vector<std::uint64_t> &shape)
{
    const bool is3d = l.source.expert >= 0;
    if (shape.size() != (is3d ? 3U : 2U) || l.outFeatures == 0 || l.inFeatures == 0 ||
        (is3d && static_cast<std::uint64_t>(l.source.expert) >= shape[0])) {
        return false;
    }
    const std::uint64_t rows = shape[shape.size() - 2];
    const std::uint64_t cols = shape.back();
    const std::uint64_t last = l.source.first + (l.outFeatures - 1) * l.source.stride;
    return l.source.transposed ? rows == l.inFeatures && last < cols
                               : cols == l.inFeatures && last < rows;
}

}  // namespace

double WeightHistogram::binWidth() const
{
    return counts.empty() ? 0.0 : (hi - lo) / static_cast<double>(counts.size());
}

std::size_t WeightHistogram::binOf(double value) const
{
    const double t = (value - lo) / (hi - lo) * static_cast<double>(counts.size());
    if (!(t > 0.0)) {
        return 0;
    }
    return std::min(static_cast<std::size_t>(t), counts.size() - 1);
}

double WeightHistogram::binCentre(std::size_t i) const
{
    return lo + (static_cast<double>(i) + 0.5) * binWidth();
}

std::vector<double> representableValues(core::quant::FormatId format)
{
    std::vector<double> values;
    if (format == FormatId::BF16) {
        return values;
    }
    const RowFormat f = core::quant::rowFormat(format);
    if (f.integer) {
        const int half = 1 << (f.intBits - 1);
        for (int q = -half; q < half; ++q) {
            values.push_back(q);
        }
        return values;
    }
    const unsigned codes = 1U << static_cast<unsigned>(1 + f.elem.expBits + f.elem.manBits);
    for (unsigned code = 0; code < codes; ++code) {
        const float v = core::quant::decodeMinifloat(static_cast<std::uint8_t>(code), f.elem);
        // E4M3's NaN codes decode above the maximum; −0 joins +0.
        if (std::abs(v) <= f.elem.maxValue) {
            values.push_back(v == 0.0F ? 0.0 : static_cast<double>(v));
        }
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

core::Result<WeightHistogram> weightHistogram(const core::quant::WeightView &w,
                                              core::quant::FormatId format,
                                              int bins,
                                              const core::JobContext *ctx)
{
    PQ_TRY_STATUS(core::quant::checkView(w));
    if (format != FormatId::BF16) {
        PQ_TRY_STATUS(core::quant::checkShapeFor(format, w));
    }
    const core::Result<float> amax = core::quant::weightMaxAbs(w);
    if (!amax) {
        return amax.error();
    }
    const RowFormat f = core::quant::rowFormat(format);
    WeightHistogram h;
    h.format = format;
    h.grid = representableValues(format);
    h.scaled = !h.grid.empty();
    h.groupSize = f.groupSize;
    const double reach = h.scaled       ? RANGE_MARGIN * std::max(-h.grid.front(), h.grid.back())
                         : *amax > 0.0F ? static_cast<double>(*amax)
                                        : 1.0;
    h.lo = -reach;
    h.hi = reach;
    h.counts.assign(static_cast<std::size_t>(std::max(bins, 1)), 0);
    const float globalScale =
            f.scale == core::quant::ScaleKind::Nvfp4 ? core::quant::nvfp4GlobalScale(*amax) : 1.0F;
    std::vector<float> row(w.cols);
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        if (ctx != nullptr && ctx->isCancelled()) {
            return core::makeError(core::ErrorCode::Cancelled,
                                   "cancelled while counting the weights")
                    .withTensor(w.name);
        }
        core::quant::loadRow(w, r, row);
        countRow(h, f, globalScale, row);
        if (ctx != nullptr) {
            ctx->reportProgress("histogram", r + 1, w.rows);
        }
    }
    h.total = w.rows * w.cols;
    return h;
}

core::Result<WeightHistogram> readWeightHistogram(const core::Checkpoint &checkpoint,
                                                  const core::ModelInventory &inventory,
                                                  std::size_t linear,
                                                  core::quant::FormatId format,
                                                  int bins,
                                                  const core::JobContext *ctx)
{
    if (linear >= inventory.linears.size()) {
        return core::makeError(core::ErrorCode::InvalidArgument, "no such Linear");
    }
    const core::LinearInfo &l = inventory.linears[linear];
    const std::string &tensor = inventory.tensors.at(l.source.tensor).info.name;
    const core::Checkpoint::Entry *entry = checkpoint.find(tensor);
    if (entry == nullptr) {
        return core::makeError(core::ErrorCode::NotFound, "weight missing from the checkpoint")
                .withTensor(tensor);
    }
    if (!sliceFits(l, entry->info->shape)) {
        return core::makeError(core::ErrorCode::InvalidFormat,
                               "the weight's shape no longer matches the model's inventory "
                               "(did the model's files change?)")
                .withTensor(tensor);
    }
    std::vector<std::byte> scratch;
    const core::Result<core::quant::WeightView> view =
            core::ct::linearWeightView(inventory, checkpoint, l, scratch);
    if (!view) {
        return view.error();
    }
    core::Result<WeightHistogram> h = weightHistogram(*view, format, bins, ctx);
    checkpoint.releasePages(*entry);
    return h;
}

}  // namespace pq::widgets
