// SPDX-License-Identifier: MIT
// Totals and queries over a built ModelInventory.
#include <set>

#include <fmt/format.h>

#include "core/model/inventory.h"

namespace pq::core {

std::map<TensorKind, RoleTotals> ModelInventory::totalsByKind() const
{
    std::map<TensorKind, RoleTotals> out;
    for (const ClassifiedTensor &t : tensors) {
        RoleTotals &r = out[t.kind];
        ++r.tensors;
        r.params += t.shapeKnown ? t.info.numel().value_or(0) : 0;
        r.bytes += t.shapeKnown ? t.info.byteSize().value_or(0) : 0;
    }
    return out;
}

RoleTotals ModelInventory::totals() const
{
    RoleTotals all;
    for (const auto &[kind, r] : totalsByKind()) {
        all.tensors += r.tensors;
        all.params += r.params;
        all.bytes += r.bytes;
    }
    return all;
}

std::uint64_t ModelInventory::linearParams() const
{
    std::uint64_t n = 0;
    for (const LinearInfo &l : linears) {
        n += l.params();
    }
    return n;
}

std::uint64_t ModelInventory::linearSourceBytes() const
{
    std::uint64_t n = 0;
    for (const LinearInfo &l : linears) {
        n += l.sourceBytes();
    }
    return n;
}

std::size_t ModelInventory::countKind(TensorKind kind) const
{
    std::size_t n = 0;
    for (const ClassifiedTensor &t : tensors) {
        n += t.kind == kind ? 1 : 0;
    }
    return n;
}

std::size_t ModelInventory::mtpTensors() const
{
    std::size_t n = 0;
    for (const ClassifiedTensor &t : tensors) {
        n += t.section == Section::Mtp ? 1 : 0;
    }
    return n;
}

std::size_t ModelInventory::passthroughTensors(Section section) const
{
    std::size_t n = 0;
    for (const ClassifiedTensor &t : tensors) {
        n += t.section == section ? 1 : 0;
    }
    return n;
}

std::vector<std::string> ModelInventory::unclassified() const
{
    std::vector<std::string> out;
    for (const ClassifiedTensor &t : tensors) {
        if (t.kind == TensorKind::Unknown) {
            out.push_back(t.info.name);
        }
    }
    return out;
}

std::vector<std::string> ModelInventory::quantCompanions() const
{
    std::vector<std::string> out;
    for (const ClassifiedTensor &t : tensors) {
        if (t.kind == TensorKind::QuantCompanion) {
            out.push_back(t.info.name);
        }
    }
    return out;
}

std::string ModelInventory::sourceDtypeName() const
{
    std::set<DType> seen;
    for (const LinearInfo &l : linears) {
        seen.insert(l.sourceDtype);
    }
    if (seen.empty()) {
        return "none";
    }
    return seen.size() == 1 ? std::string(dtypeName(*seen.begin())) : std::string("mixed");
}

namespace {

/** The quantization method a quant_method or the companion tensors' names point to. */
std::string methodName(const std::string &quantMethod, const std::vector<std::string> &companions)
{
    static const std::vector<std::pair<std::string_view, std::string_view>> KNOWN = {
            {"awq", "AWQ"},
            {"gptq", "GPTQ"},
            {"bitsandbytes", "bitsandbytes"},
            {"compressed-tensors", "compressed-tensors"},
            {"fp8", "FP8"},
            {"mxfp4", "MXFP4"}};
    for (const auto &[key, name] : KNOWN) {
        if (quantMethod == key) {
            return std::string(name);
        }
    }
    if (!quantMethod.empty() && quantMethod != "unknown") {
        return quantMethod;
    }
    const std::string &c = companions.empty() ? std::string() : companions.front();
    const auto has = [&c](std::string_view s) { return c.find(s) != std::string::npos; };
    if (has(".qweight") || has(".qzeros") || has(".g_idx") || c.ends_with(".scales")) {
        return "AWQ/GPTQ";
    }
    if (has(".SCB") || has(".absmax") || has(".quant_state.") || has(".quant_map")) {
        return "bitsandbytes";
    }
    if (c.ends_with("_blocks") || c.ends_with("_scales")) {
        return "MXFP4";
    }
    return has(".weight_scale_inv") ? "FP8" : "compressed-tensors/FP8";
}

/** What to do about a checkpoint quantized by `method`, besides finding the original. */
std::string_view methodHint(std::string_view method)
{
    if (method == "compressed-tensors" || method == "compressed-tensors/FP8") {
        return "; to look at this one, `prismaquant inspect` reads compressed-tensors "
               "checkpoints back and `prismaquant eval --checkpoint DIR` measures their quality";
    }
    if (method == "FP8") {
        return "; a model released only in FP8, such as DeepSeek V3, can be cast to BF16 first "
               "with the cast script its authors publish";
    }
    if (method == "MXFP4") {
        return "; gpt-oss ships its experts in MXFP4, so use a BF16 copy of its weights";
    }
    if (method == "bitsandbytes") {
        return "; bitsandbytes quantizes at load time, so the repository it was loaded from "
               "holds the original weights";
    }
    return "";
}

}  // namespace

Status ModelInventory::checkQuantizable() const
{
    const auto companions = quantCompanions();
    if (!config.quantMethod.empty() || !companions.empty()) {
        std::string found = config.quantMethod.empty()
                                    ? std::string("quantized tensors")
                                    : fmt::format("quantization_config '{}'", config.quantMethod);
        if (!companions.empty()) {
            found += fmt::format(" ({} companion tensors such as '{}')", companions.size(),
                                 companions.front());
        }
        const std::string method = methodName(config.quantMethod, companions);
        return makeError(ErrorCode::AlreadyQuantized,
                         fmt::format("this checkpoint is already quantized: found {}, i.e. {} "
                                     "weights. PrismaQuant measures and quantizes full-precision "
                                     "weights; quantizing these again would compound the errors "
                                     "and the packed tensors are not dense floats. Start from the "
                                     "original BF16/FP16 release of the model instead (the "
                                     "repository this one was made from){}",
                                     found, method, methodHint(method)));
    }
    const auto unknown = unclassified();
    if (!unknown.empty() && genericFallback) {
        return makeError(ErrorCode::Unsupported,
                         fmt::format("model_type '{}' is not an architecture PrismaQuant "
                                     "supports: no profile serves it, and {} of its tensors do "
                                     "not follow the Llama-style names the generic fallback "
                                     "assumes (first: '{}'). PrismaQuant quantizes the families "
                                     "it has profiles for ({}); use a model of one of those",
                                     config.modelType, unknown.size(), unknown.front(),
                                     supportedModelTypes()));
    }
    if (!unknown.empty()) {
        return makeError(ErrorCode::Unsupported,
                         fmt::format("{} tensors are not recognised by profile '{}' (first: '{}'); "
                                     "run `prismaquant inspect --json` to list them",
                                     unknown.size(), profile->name, unknown.front()));
    }
    for (const LinearInfo &l : linears) {
        if (!isDenseFloat(l.sourceDtype)) {
            return makeError(ErrorCode::Unsupported,
                             fmt::format("Linear weights are stored as {}; only F32, F16 and BF16 "
                                         "sources can be quantized (start from the model's "
                                         "BF16/FP16 release)",
                                         dtypeName(l.sourceDtype)))
                    .withTensor(tensors[l.source.tensor].info.name);
        }
    }
    return {};
}

}  // namespace pq::core
