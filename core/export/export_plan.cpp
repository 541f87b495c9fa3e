// SPDX-License-Identifier: MIT
#include "core/export/export_plan.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/quant/format_spec.h"
#include "core/quant/weight_rows.h"
#include "core/util/atomic_file.h"

namespace pq::core::ct {
namespace {

using quant::FormatId;

bool usesGlobalScale(FormatId id)
{
    return id == FormatId::NVFP4 || id == FormatId::NVFP4A16;
}

bool isExpertDown(const LinearInfo &l)
{
    return l.role == LinearRole::ExpertDown;
}

}  // namespace

Result<FormatMap> formatsFromRecipe(const ModelInventory &inventory,
                                    const std::string &recipePath,
                                    std::string *summary)
{
    auto text = readSmallFile(recipePath, 1ULL << 30U);
    if (!text) {
        return std::move(text).error();
    }
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() ||
        j.value("schema", std::string()) != "prismaquant.recipe/1" || !j.contains("linears") ||
        !j["linears"].is_object()) {
        return makeError(ErrorCode::InvalidFormat, "not a recipe.json of `prismaquant allocate`")
                .withPath(recipePath);
    }
    if (summary != nullptr) {
        *summary = j.contains("summary") && j["summary"].is_string()
                           ? j["summary"].get<std::string>()
                           : std::string("recipe");
    }
    FormatMap out;
    const auto &linears = j["linears"];
    for (const LinearInfo &l : inventory.linears) {
        const auto it = linears.find(l.name);
        if (it == linears.end() || !it->is_string()) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("the recipe has no format for {} (made for another "
                                         "model?)",
                                         l.name))
                    .withPath(recipePath);
        }
        const auto id = quant::parseFormatName(it->get<std::string>());
        if (!id || !quant::checkShape(*id, l.outFeatures, l.inFeatures)) {
            return makeError(ErrorCode::InvalidFormat,
                             fmt::format("the recipe's format '{}' does not fit {} [{}, {}]",
                                         it->get<std::string>(), l.name, l.outFeatures,
                                         l.inFeatures))
                    .withPath(recipePath);
        }
        out[l.name] = *id;
    }
    if (linears.size() != inventory.linears.size()) {
        return makeError(ErrorCode::InvalidFormat,
                         fmt::format("the recipe lists {} Linears, the model has {} (made for "
                                     "another model?)",
                                     linears.size(), inventory.linears.size()))
                .withPath(recipePath);
    }
    return out;
}

FormatMap uniformFormats(const ModelInventory &inventory,
                         quant::FormatId id,
                         std::vector<std::string> *keptBf16)
{
    FormatMap out;
    for (const FusedGroup &g : inventory.groups) {
        const bool fits = std::all_of(g.linears.begin(), g.linears.end(), [&](std::size_t i) {
            const LinearInfo &l = inventory.linears[i];
            return static_cast<bool>(quant::checkShape(id, l.outFeatures, l.inFeatures));
        });
        for (const std::size_t i : g.linears) {
            out[inventory.linears[i].name] = fits ? id : FormatId::BF16;
            if (!fits && keptBf16 != nullptr) {
                keptBf16->push_back(inventory.linears[i].name);
            }
        }
    }
    return out;
}

Status checkFormats(const ModelInventory &inventory,
                    const FormatMap &formats,
                    const std::map<std::string, float> &inputAmax)
{
    for (const FusedGroup &g : inventory.groups) {
        std::optional<FormatId> shared;
        for (const std::size_t i : g.linears) {
            const LinearInfo &l = inventory.linears[i];
            const auto it = formats.find(l.name);
            if (it == formats.end()) {
                return makeError(ErrorCode::InvalidArgument, "no format chosen for this Linear")
                        .withTensor(l.name);
            }
            const FormatId id = it->second;
            const quant::FormatInfo &info = quant::formatInfo(id);
            if (!info.servable) {
                return makeError(ErrorCode::Unsupported,
                                 fmt::format("{} cannot be exported: no compressed-tensors loader "
                                             "in vLLM reads it (pick another format, or --forbid "
                                             "it when allocating)",
                                             info.name))
                        .withTensor(l.name);
            }
            if (auto st = quant::checkShape(id, l.outFeatures, l.inFeatures); !st) {
                return Error(st.error()).withTensor(l.name);
            }
            if (shared && *shared != id) {
                return makeError(ErrorCode::InvalidArgument,
                                 fmt::format("{} and {} are loaded by vLLM as one module ({}) and "
                                             "must share a format, but got {} and {}",
                                             inventory.linears[g.linears.front()].name, l.name,
                                             g.vllmModule, quant::formatInfo(*shared).name,
                                             info.name))
                        .withTensor(l.name);
            }
            shared = id;
            if (info.activation == quant::ActivationQuant::Nvfp4) {
                const auto a = inputAmax.find(l.name);
                if (a == inputAmax.end() || !std::isfinite(a->second) || a->second <= 0.0F) {
                    return makeError(ErrorCode::InvalidArgument,
                                     "NVFP4 (W4A4) needs the calibrated maximum of this Linear's "
                                     "input for its input_global_scale, and there is none: pass "
                                     "the probe's run directory (--run RUN_DIR), or export "
                                     "NVFP4A16 (weight-only) instead")
                            .withTensor(l.name);
                }
            }
        }
    }
    if (std::all_of(formats.begin(), formats.end(),
                    [](const auto &f) { return f.second == FormatId::BF16; })) {
        return makeError(ErrorCode::InvalidArgument,
                         "no Linear is quantized (every format is BF16): the export would be "
                         "the source model itself");
    }
    return {};
}

Result<quant::WeightView> linearWeightView(const ModelInventory &inventory,
                                           const Checkpoint &checkpoint,
                                           const LinearInfo &linear,
                                           std::vector<std::byte> &scratch)
{
    const ClassifiedTensor &t = inventory.tensors.at(linear.source.tensor);
    const Checkpoint::Entry *e = checkpoint.find(t.info.name);
    if (e == nullptr) {
        return makeError(ErrorCode::NotFound, "weight missing from the checkpoint")
                .withTensor(t.info.name);
    }
    const TensorView v = checkpoint.view(*e);
    const std::vector<std::uint64_t> &shape = v.info->shape;
    const std::uint64_t elem = dtypeBits(v.info->dtype) / 8;
    const bool is3d = linear.source.expert >= 0;
    if (shape.size() != (is3d ? 3U : 2U) || elem == 0) {
        return makeError(ErrorCode::InvalidFormat, "a Linear weight of unexpected rank or dtype")
                .withTensor(t.info.name);
    }
    const std::uint64_t cols = shape.back();
    const std::byte *base = v.data.data();
    if (is3d) {
        base += static_cast<std::uint64_t>(linear.source.expert) * shape[1] * cols * elem;
    }
    quant::WeightView w;
    w.dtype = v.info->dtype;
    w.rows = linear.outFeatures;
    w.cols = linear.inFeatures;
    w.name = linear.name;
    if (!linear.source.transposed) {
        w.data = base + linear.source.first * cols * elem;
        w.rowStride = cols * linear.source.stride;
        return w;
    }
    // Stored [in, out·stride]: gather column first + r·stride of every input row.
    scratch.resize(w.rows * w.cols * elem);
    for (std::uint64_t r = 0; r < w.rows; ++r) {
        const std::uint64_t col = linear.source.first + r * linear.source.stride;
        for (std::uint64_t c = 0; c < w.cols; ++c) {
            std::memcpy(scratch.data() + (r * w.cols + c) * elem, base + (c * cols + col) * elem,
                        elem);
        }
    }
    w.data = scratch.data();
    w.rowStride = 0;
    return w;
}

Result<SharedScales> sharedScales(const ModelInventory &inventory,
                                  const Checkpoint &checkpoint,
                                  const FormatMap &formats,
                                  const std::map<std::string, float> &inputAmax,
                                  const JobContext *ctx)
{
    // Set keys: (fused group, expert or -1, 0 = gate/up or dense, 1 = an expert's down).
    using Key = std::tuple<std::size_t, std::int64_t, int>;
    std::map<Key, float> weightMax;
    std::map<Key, float> inputMax;
    std::vector<std::byte> scratch;
    const auto keysOf = [](const LinearInfo &l) {
        const int down = isExpertDown(l) ? 1 : 0;
        return std::pair{Key{l.group, l.expert, down}, Key{l.group, -1, down}};
    };
    for (std::size_t i = 0; i < inventory.linears.size(); ++i) {
        const LinearInfo &l = inventory.linears[i];
        const auto f = formats.find(l.name);
        if (f == formats.end() || !usesGlobalScale(f->second)) {
            continue;
        }
        if (ctx != nullptr) {
            if (ctx->isCancelled()) {
                return makeError(ErrorCode::Cancelled, "cancelled while reading NVFP4 scales");
            }
            ctx->reportProgress("scales", i, inventory.linears.size());
        }
        auto view = linearWeightView(inventory, checkpoint, l, scratch);
        if (!view) {
            return std::move(view).error();
        }
        auto amax = quant::weightMaxAbs(*view);
        if (!amax) {
            return std::move(amax).error();
        }
        // Read once now and again when encoded: drop the pages in between, or an all-NVFP4
        // recipe would keep the whole model resident.
        checkpoint.releasePages(*checkpoint.find(inventory.tensors[l.source.tensor].info.name));
        const auto [wKey, iKey] = keysOf(l);
        weightMax[wKey] = std::max(weightMax[wKey], *amax);
        if (const auto a = inputAmax.find(l.name); a != inputAmax.end()) {
            inputMax[iKey] = std::max(inputMax[iKey], a->second);
        }
    }
    SharedScales out;
    for (const LinearInfo &l : inventory.linears) {
        const auto f = formats.find(l.name);
        if (f == formats.end() || !usesGlobalScale(f->second)) {
            continue;
        }
        const auto [wKey, iKey] = keysOf(l);
        out.weightAmax[l.name] = weightMax.at(wKey);
        if (const auto it = inputMax.find(iKey); it != inputMax.end()) {
            out.inputAmax[l.name] = it->second;
        }
    }
    return out;
}

std::vector<OutputTensor> planOutputTensors(const ModelInventory &inventory,
                                            const FormatMap &formats)
{
    std::vector<std::vector<std::size_t>> linearsOf(inventory.tensors.size());
    for (std::size_t i = 0; i < inventory.linears.size(); ++i) {
        linearsOf[inventory.linears[i].source.tensor].push_back(i);
    }
    std::vector<OutputTensor> out;
    for (std::size_t t = 0; t < inventory.tensors.size(); ++t) {
        const ClassifiedTensor &ct = inventory.tensors[t];
        if (linearsOf[t].empty()) {
            out.push_back({ct.info, t, std::nullopt, std::string()});
            continue;
        }
        for (const std::size_t i : linearsOf[t]) {
            const LinearInfo &l = inventory.linears[i];
            const FormatId id = formats.at(l.name);
            for (const quant::StoredTensorSpec &s :
                 quant::storedTensors(id, l.outFeatures, l.inFeatures, l.sourceDtype)) {
                out.push_back(
                        {TensorInfo{l.name + "." + s.suffix, s.dtype, s.shape}, t, i, s.suffix});
            }
        }
    }
    return out;
}

}  // namespace pq::core::ct
